// Whether a grant allows a request (AWS KMS Developer Guide, "Grants in AWS KMS" and "Grant
// constraints"; KMS API reference, GrantConstraints): the caller is the grantee (an IAM principal, or
// the AWS service principal of GranteeServicePrincipal), the operation is listed, the request's
// aws:SourceArn is the grant's SourceArn, and the encryption context meets its EncryptionContext constraint.

import { OPERATIONS } from '../operations';

export interface GrantRecord {
  grantId: string;
  keyId: string;
  granteePrincipal: string;
  granteeServicePrincipal?: string;
  retiringPrincipal?: string;
  operations: string[];
  constraints?: {
    EncryptionContextEquals?: Record<string, string>;
    EncryptionContextSubset?: Record<string, string>;
    SourceArn?: string;
  };
}

/** Operations whose grant constraints apply to the request's encryption context (AWS: cryptographic operations with one). */
const CONTEXT_OPERATIONS = new Set(
  OPERATIONS.flatMap((o) => o.actions)
    .filter((a) => a.grant && a.contextField)
    .map((a) => a.name),
);

function sameMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && b[k] === a[k]);
}

/** Whether the caller is the grant's grantee: a service principal grant names only that service,
 * an IAM grant only that principal (a role grant every session of the role). */
export function isGrantee(g: GrantRecord, principal: { arn: string; roleArn?: string; service?: true }): boolean {
  if (g.granteeServicePrincipal !== undefined)
    return principal.service === true && principal.arn === g.granteeServicePrincipal;
  return !principal.service && (g.granteePrincipal === principal.arn || g.granteePrincipal === principal.roleArn);
}

/**
 * @param operation the grant operation name: the KMS operation, or ReEncryptFrom / ReEncryptTo for the two sides of ReEncrypt.
 * @param principal the caller's ARN (and, for a role session, its role ARN; for a service principal, `service`).
 * @param sourceArn the request's aws:SourceArn, if it has one.
 */
export function grantAllows(
  g: GrantRecord,
  operation: string,
  principal: { arn: string; roleArn?: string; service?: true },
  encryptionContext: Record<string, string> | undefined,
  sourceArn?: string,
): boolean {
  if (!isGrantee(g, principal)) return false;
  if (!g.operations.includes(operation)) return false;
  const c = g.constraints;
  // AWS: the SourceArn constraint applies to every grant operation but RetireGrant; a request without
  // aws:SourceArn does not meet it.
  if (c?.SourceArn !== undefined && operation !== 'RetireGrant' && sourceArn !== c.SourceArn) return false;
  if (!c || (!c.EncryptionContextEquals && !c.EncryptionContextSubset)) return true;
  // AWS: constraints are not applied to operations without an encryption context (DescribeKey, RetireGrant, CreateGrant).
  if (!CONTEXT_OPERATIONS.has(operation)) return true;
  const ec = encryptionContext ?? {};
  if (c.EncryptionContextEquals) return sameMap(c.EncryptionContextEquals, ec);
  // Subset: every pair of the constraint is in the request's context (the request may have more).
  return Object.entries(c.EncryptionContextSubset!).every(([k, v]) => Object.hasOwn(ec, k) && ec[k] === v);
}
