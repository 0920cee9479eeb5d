// The IAM wing's one door: the keystore's users, roles, identity policies and access keys (`Kms.iam`).

export {
  Iam,
  MAX_ACCESS_KEYS,
  type AccessKeySummary,
  type CallerVia,
  type NewAccessKey,
  type PrincipalKind,
  type PrincipalSummary,
} from './iam';
export { importSecret } from './access-key-secret';
export { applyIam, catchUpIam, readIam, IAM_REVISION_META, type IamCopy } from './global';
export {
  REVOKE_POLICY_NAME,
  revokeOlderSessionsPolicy,
  Sts,
  type AssumeRoleInput,
  type Credentials,
  type SessionSummary,
  type StsTag,
} from './sts';
export { IamApi, urlEncoded, type IamTag } from './api';
export { ManagedPolicies, MAX_ATTACHED, MAX_VERSIONS, type ManagedPolicySummary } from './managed';
export type { Policy, PolicyVersion } from './api-managed';
