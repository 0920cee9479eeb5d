// The authorization wing's one door (docs/AUTHORIZATION.md). Every call is authorized when OpContext
// resolves its key (context.ts `resolve` → `authorize`) or, for account-level calls, by
// `authorizeAccount`; both decide here, with the key policy, identity policies and grants.

export {
  enforce,
  evaluateAccountAccess,
  evaluateKeyAccess,
  loadIdentity,
  parsedPolicy,
  withOrganization,
  type AuthzCall,
  type Evaluation,
  type GrantExplanation,
  type Identity,
} from './authorize';
export { isGrantee } from './grants';
export { checkGrantId, checkGrantTokens, grantToken, newGrantId, parseGrantToken } from './grant-ids';
export { checkPolicyDocument, checkPolicyName, defaultKeyPolicy, MAX_POLICY_LENGTH, POLICY_NAME } from './key-policy';
export { checkLockout } from './lockout';
export { requestContext } from './request-context';
export { decide } from './decide';
export { simulate, type SimulationRequest, type SimulationResult } from './simulate';
