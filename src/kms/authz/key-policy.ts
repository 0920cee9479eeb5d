// Key policy storage rules: AWS's default key policy, the policy name, and the check on write
// (full validation by authz/policy-document.ts). Evaluation is authz/evaluate.ts and decide.ts.

import { MalformedPolicyDocumentException, ValidationException } from '../errors';
import { parsePolicy } from './policy-document';
import { rootArn, type Keystore } from '../ids';

export const POLICY_NAME = 'default';
export const MAX_POLICY_LENGTH = 32768;

/** The policy AWS KMS gives a key created without one: the account root may do everything, which
 * lets IAM policies in the account grant access to the key. */
export function defaultKeyPolicy(ks: Keystore): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: rootArn(ks) },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}

/**
 * Checks that a policy document is JSON with a Statement list whose entries have a valid Effect,
 * a Principal and an Action.
 * @throws MalformedPolicyDocumentException naming what is wrong and where.
 */
export function checkPolicyDocument(policy: string): void {
  if (policy.length > MAX_POLICY_LENGTH) {
    throw new MalformedPolicyDocumentException(
      `The key policy is ${policy.length} characters; a key policy can have at most ${MAX_POLICY_LENGTH}.`,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(policy);
  } catch (e) {
    throw new MalformedPolicyDocumentException(`The key policy is not valid JSON (${(e as Error).message}).`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new MalformedPolicyDocumentException('The key policy must be a JSON object with a Statement list.');
  }
  const st = (doc as Record<string, unknown>).Statement;
  const list = Array.isArray(st) ? st : st && typeof st === 'object' ? [st] : undefined;
  if (!list || list.length === 0) throw new MalformedPolicyDocumentException('The key policy has no Statement list.');
  list.forEach((s, i) => {
    const where = `Statement ${i + 1}`;
    if (typeof s !== 'object' || s === null || Array.isArray(s))
      throw new MalformedPolicyDocumentException(`${where} is not an object.`);
    const r = s as Record<string, unknown>;
    if (r.Effect !== 'Allow' && r.Effect !== 'Deny')
      throw new MalformedPolicyDocumentException(
        `${where} has Effect ${JSON.stringify(r.Effect)}; use "Allow" or "Deny".`,
      );
    if (!Object.hasOwn(r, 'Principal') && !Object.hasOwn(r, 'NotPrincipal'))
      throw new MalformedPolicyDocumentException(
        `${where} has no Principal; a key policy statement must name who it applies to.`,
      );
    if (!Object.hasOwn(r, 'Action') && !Object.hasOwn(r, 'NotAction'))
      throw new MalformedPolicyDocumentException(`${where} has no Action.`);
  });
  // The whole language: fields, operators, principals, values (authz/policy-document.ts).
  parsePolicy(policy, 'key');
}

export function checkPolicyName(name: string | undefined): void {
  if (name !== undefined && !/^[\w]+$/.test(name)) {
    throw new ValidationException(
      `1 validation error detected: Value '${name}' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w]+`,
    );
  }
}
