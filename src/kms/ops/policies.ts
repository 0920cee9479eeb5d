// GetKeyPolicy, PutKeyPolicy, ListKeyPolicies. Every key has exactly one policy, named "default".

import { type OpContext } from '../context';
import { page, readPaging } from './paging';
import { NotFoundException } from '../errors';
import { checkPolicyDocument, checkPolicyName, POLICY_NAME } from '../authz';
import { optBool, optString, reqString, type Req } from '../validate';
import { parsedPolicy } from '../authz';
import { checkLockout } from '../authz';
import { requestContext } from '../authz';
import type { Tx } from '../ports';
import type { KeyRecord } from '../records';

/** AWS's policy lockout safety check: `key`, with its new policy, must still let the caller call
 * PutKeyPolicy, unless the request sets BypassPolicyLockoutSafetyCheck.
 * @throws MalformedPolicyDocumentException */
export async function lockoutCheck(c: OpContext, tx: Tx, key: KeyRecord, req: Req): Promise<void> {
  if (req.BypassPolicyLockoutSafetyCheck === true || c.caller === 'service') return;
  const id = await c.identity(tx);
  const facts = {
    arn: key.arn,
    keySpec: key.keySpec,
    keyUsage: key.keyUsage,
    origin: key.origin,
    tags: key.tags,
    aliases: [],
  };
  const context = requestContext('PutKeyPolicy', {}, id.facts, facts, c.now);
  checkLockout(parsedPolicy(key.policy, 'key'), id.principal, key.arn, id.policies, context);
}

function requireDefault(name: string | undefined): void {
  checkPolicyName(name);
  if (name !== undefined && name !== POLICY_NAME)
    throw new NotFoundException(`No such policy exists: '${name}'. The only key policy name is '${POLICY_NAME}'.`);
}

export async function getKeyPolicy(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const name = optString(req, 'PolicyName', 1, 128);
  requireDefault(name);
  const key = await c.write((tx) => c.resolve(tx, id, { aliases: false }));
  return { Policy: key.policy, PolicyName: POLICY_NAME };
}

export async function putKeyPolicy(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const name = optString(req, 'PolicyName', 1, 128);
  const policy = reqString(req, 'Policy', 1, 131072);
  optBool(req, 'BypassPolicyLockoutSafetyCheck');
  requireDefault(name);
  checkPolicyDocument(policy);
  return c.write(async (tx) => {
    const key = await c.resolve(tx, id, { aliases: false });
    await lockoutCheck(c, tx, { ...key, policy }, req);
    await tx.putKey({ ...key, policy });
    return {};
  });
}

export async function listKeyPolicies(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const { limit, after } = readPaging(req, 1000, 100);
  await c.write((tx) => c.resolve(tx, id, { aliases: false }));
  const p = page([POLICY_NAME], (n) => n, limit, after);
  return { PolicyNames: p.items, ...(p.next ? { NextMarker: p.next } : {}), Truncated: p.next !== undefined };
}
