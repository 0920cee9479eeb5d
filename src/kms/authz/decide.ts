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
  /** A caller of another account: both sides must allow (AWS KMS Developer Guide, "Allowing users in other
   * accounts to use a KMS key"). What each side said, for the simulator. */
  crossAccount?: { callerAccount: string; keyAccount: string; keyPolicy: Side; identityPolicies: Side };
}

export type Side = 'Allow' | 'Deny' | 'None';

function who(req: AuthzRequest): string {
  return `User: ${req.principal.arn} is not authorized to perform: ${req.action} on resource: ${req.resource}`;
}

export function decide(input: {
  request: AuthzRequest;
  keyPolicy: Policy;
  identityPolicies: IdentityPolicy[];
  grants?: GrantVerdict[];
  /** The account owning the key (or role); a caller of another account needs both sides to allow. */
  resourceAccount?: string;
  /** The caller is its account's root, whom no identity policy restricts. */
  callerIsRoot?: boolean;
}): Decision {
  const d = decideOnce(input);
  const keyAccount = input.resourceAccount;
  if (keyAccount === undefined || keyAccount === input.request.principal.accountId) return d;
  const side = (results: StatementResult[]): Side =>
    results.some((s) => s.applies && s.effect === 'Deny')
      ? 'Deny'
      : results.some((s) => s.applies && s.effect === 'Allow')
        ? 'Allow'
        : 'None';
  return {
    ...d,
    crossAccount: {
      callerAccount: input.request.principal.accountId,
      keyAccount,
      keyPolicy: side(d.keyPolicy),
      identityPolicies: input.callerIsRoot ? 'Allow' : side(d.identityPolicies.flatMap((p) => p.statements)),
    },
  };
}

function decideOnce(input: Parameters<typeof decide>[0]): Decision {
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
  // Across accounts a key policy naming the caller is not enough: the caller's own account must allow it
  // too (its identity policies; its root needs none).
  const cross = input.resourceAccount !== undefined && input.resourceAccount !== req.principal.accountId;
  if (allows.some((s) => s.principalMatch === 'direct') && (!cross || input.callerIsRoot))
    return { ...base, allowed: true, reason: 'AllowedByKeyPolicy' };
  const delegated = allows.some((s) => s.principalMatch === 'account' || (cross && s.principalMatch === 'direct'));
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
