// Whether a grant allows a request (AWS KMS Developer Guide, "Grants in AWS KMS" and "Grant
// constraints"): the caller is the grantee, the operation is listed, and the encryption context
// meets the grant's EncryptionContextEquals or EncryptionContextSubset constraint.

import { OPERATIONS } from '../operations';

export interface GrantRecord {
  grantId: string;
  keyId: string;
  granteePrincipal: string;
  retiringPrincipal?: string;
  operations: string[];
  constraints?: { EncryptionContextEquals?: Record<string, string>; EncryptionContextSubset?: Record<string, string> };
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

/**
 * @param operation the grant operation name: the KMS operation, or ReEncryptFrom / ReEncryptTo for the two sides of ReEncrypt.
 * @param principal the caller's ARN (and, for a role session, its role ARN).
 */
export function grantAllows(
  g: GrantRecord,
  operation: string,
  principal: { arn: string; roleArn?: string },
  encryptionContext: Record<string, string> | undefined,
): boolean {
  if (g.granteePrincipal !== principal.arn && g.granteePrincipal !== principal.roleArn) return false;
  if (!g.operations.includes(operation)) return false;
  const c = g.constraints;
  if (!c || (!c.EncryptionContextEquals && !c.EncryptionContextSubset)) return true;
  // AWS: constraints are not applied to operations without an encryption context (DescribeKey, RetireGrant, CreateGrant).
  if (!CONTEXT_OPERATIONS.has(operation)) return true;
  const ec = encryptionContext ?? {};
  if (c.EncryptionContextEquals) return sameMap(c.EncryptionContextEquals, ec);
  // Subset: every pair of the constraint is in the request's context (the request may have more).
  return Object.entries(c.EncryptionContextSubset!).every(([k, v]) => Object.hasOwn(ec, k) && ec[k] === v);
}
