// AWS KMS's authorization decision (AWS KMS Developer Guide, "Determining access to AWS KMS keys"
// and "Key policies"): an explicit Deny in any applicable policy wins; otherwise the key policy must
// allow the caller directly, or allow the caller's account (delegating to IAM) while an identity
// policy of the caller allows it; otherwise a grant may allow it; otherwise access is denied.

import { evaluatePolicy, type AuthzRequest, type StatementResult } from './evaluate';
import type { Policy } from './policy-document';

export interface IdentityPolicy {
  name: string;
  policy: Policy;
}

export interface GrantVerdict {
  grantId: string;
  /** The grant names the caller, the operation and its constraints hold. */
  allows: boolean;
}

export type Reason =
  | 'ExplicitDenyInKeyPolicy'
  | 'ExplicitDenyInIdentityPolicy'
  | 'AllowedByKeyPolicy'
  | 'AllowedByKeyPolicyAndIdentityPolicy'
  | 'AllowedByGrant'
  | 'AllowedByIdentityPolicy'
  | 'AllowedAsAccountRoot'
  | 'NoKeyPolicyAllow'
  | 'NoIdentityPolicyAllow'
  | 'ExplicitDenyInSessionPolicy'
  | 'NoSessionPolicyAllow';

export interface Decision {
  allowed: boolean;
  reason: Reason;
  keyPolicy: StatementResult[];
  identityPolicies: { name: string; statements: StatementResult[] }[];
  grantId?: string;
  /** AWS's AccessDeniedException message when denied. */
  message?: string;
}

function who(req: AuthzRequest): string {
  return `User: ${req.principal.arn} is not authorized to perform: ${req.action} on resource: ${req.resource}`;
}

export function decide(input: {
  request: AuthzRequest;
  keyPolicy: Policy;
  identityPolicies: IdentityPolicy[];
  grants?: GrantVerdict[];
}): Decision {
  const { request: req } = input;
  const keyPolicy = evaluatePolicy(input.keyPolicy, req, 'key');
  const identityPolicies = input.identityPolicies.map((p) => ({
    name: p.name,
    statements: evaluatePolicy(p.policy, req, 'identity'),
  }));
  const base = { keyPolicy, identityPolicies };
  const deny = (reason: Reason, message: string): Decision => ({ ...base, allowed: false, reason, message });

  if (keyPolicy.some((s) => s.applies && s.effect === 'Deny'))
    return deny('ExplicitDenyInKeyPolicy', `${who(req)} with an explicit deny in a resource-based policy`);
  if (identityPolicies.some((p) => p.statements.some((s) => s.applies && s.effect === 'Deny'))) {
    return deny('ExplicitDenyInIdentityPolicy', `${who(req)} with an explicit deny in an identity-based policy`);
  }
  const allows = keyPolicy.filter((s) => s.applies && s.effect === 'Allow');
  if (allows.some((s) => s.principalMatch === 'direct'))
    return { ...base, allowed: true, reason: 'AllowedByKeyPolicy' };
  const delegated = allows.some((s) => s.principalMatch === 'account');
  if (delegated && identityPolicies.some((p) => p.statements.some((s) => s.applies && s.effect === 'Allow'))) {
    return { ...base, allowed: true, reason: 'AllowedByKeyPolicyAndIdentityPolicy' };
  }
  const grant = input.grants?.find((g) => g.allows);
  if (grant) return { ...base, allowed: true, reason: 'AllowedByGrant', grantId: grant.grantId };
  if (delegated)
    return deny(
      'NoIdentityPolicyAllow',
      `${who(req)} because no identity-based policy allows the ${req.action} action`,
    );
  return deny('NoKeyPolicyAllow', `${who(req)} because no resource-based policy allows the ${req.action} action`);
}
