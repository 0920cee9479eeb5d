// The console's side of principals: the Identities page (users, roles, policies, access keys), the
// "Acting as" switcher, and the policy simulator. IAM changes are made by the keystore's owner and
// recorded as the account root, whoever the console is acting as; KMS calls run as the chosen principal.
import { organizationId, type AccountRecord } from '../../kms/accounts';
import { roleOfSession, rootCaller, type Caller } from '../../kms/ids';
import type { Kms } from '../../kms/kms';
import { grantOperations } from '../../kms/ops/grants';
import {
  ManagedPolicies,
  REVOKE_POLICY_NAME,
  revokeOlderSessionsPolicy,
  type AccessKeySummary,
  type ManagedPolicySummary,
  type NewAccessKey,
  type PrincipalSummary,
  type SessionSummary,
} from '../../kms/iam';
import type { SimulationRequest, SimulationResult } from '../../kms/authz';
import type { Tag } from '../../kms/records';
import type { WorkerContext } from '../context';

export type {
  AccountRecord,
  AccessKeySummary,
  ManagedPolicySummary,
  NewAccessKey,
  PrincipalSummary,
  SessionSummary,
  SimulationRequest,
  SimulationResult,
  Tag,
};

export interface KeystoreInfo {
  region: string;
  accountId: string;
  /** The principal console calls run as (its session ARN for a role). */
  callerArn: string;
  caller: CallerInfo;
}

export interface CallerInfo {
  /** As CloudTrail records it: the root, a user, or a role session (arn:aws:sts::…:assumed-role/<role>/console). */
  arn: string;
  type: 'Root' | 'IAMUser' | 'AssumedRole';
  /** "root", the user name or the role name. */
  name: string;
  /** The root, user or role ARN (what the Identities page and policies name). */
  principalArn: string;
  /** The account it belongs to: the keystore's own, or another of its accounts (header's account switcher). */
  accountId: string;
}

export interface AccountsInfo {
  /** The keystore's own account (which holds the keys) first. */
  accounts: AccountRecord[];
  /** The organization all of them belong to (aws:PrincipalOrgID). */
  organizationId: string;
}

/** Principals (docs/AUTHORIZATION.md): managed by the keystore's owner, recorded as the account root. */
export interface IdentitiesWorkerApi {
  /** The account root first, then users and roles, each with its access keys (never a secret). */
  listPrincipals(): Promise<PrincipalSummary[]>;
  /** @throws ValidationException, EntityAlreadyExistsException, LimitExceededException */
  createPrincipal(kind: 'user' | 'role', name: string, tags?: Tag[]): Promise<PrincipalSummary>;
  /** Deletes the user or role with its access keys; the console falls back to the root if it was acting as it. */
  deletePrincipal(arn: string): Promise<void>;
  tagPrincipal(arn: string, tags: Tag[]): Promise<PrincipalSummary>;
  untagPrincipal(arn: string, tagKeys: string[]): Promise<PrincipalSummary>;
  /** An inline identity policy. @throws MalformedPolicyDocumentException saying where */
  putPrincipalPolicy(arn: string, policyName: string, document: string): Promise<PrincipalSummary>;
  deletePrincipalPolicy(arn: string, policyName: string): Promise<PrincipalSummary>;
  /** The keystore's accounts and their organization. */
  listAccounts(): Promise<AccountsInfo>;
  /** Adds an account (a random 12-digit ID unless one is given), recorded as Organizations' CreateAccount.
   * @throws ValidationException, EntityAlreadyExistsException */
  createAccount(name: string, accountId?: string): Promise<AccountRecord>;
  /** AWS managed policies, then the account's own, each with its versions (documents) and attachments. */
  listManagedPolicies(): Promise<ManagedPolicySummary[]>;
  /** CreatePolicy. @throws EntityAlreadyExistsException, MalformedPolicyDocumentException, LimitExceededException */
  createManagedPolicy(name: string, document: string, description?: string): Promise<ManagedPolicySummary>;
  /** CreatePolicyVersion. @throws LimitExceededException (five versions), MalformedPolicyDocumentException */
  createPolicyVersion(policyArn: string, document: string, setAsDefault: boolean): Promise<void>;
  setDefaultPolicyVersion(policyArn: string, versionId: string): Promise<void>;
  /** @throws DeleteConflictException for the default version */
  deletePolicyVersion(policyArn: string, versionId: string): Promise<void>;
  /** @throws DeleteConflictException while attached or with versions besides the default */
  deleteManagedPolicy(policyArn: string): Promise<void>;
  /** AttachUserPolicy / AttachRolePolicy. @throws LimitExceededException (ten per user or role) */
  attachPolicy(principalArn: string, policyArn: string): Promise<void>;
  detachPolicy(principalArn: string, policyArn: string): Promise<void>;
  /** UpdateAssumeRolePolicy. @throws MalformedPolicyDocumentException saying where */
  updateTrustPolicy(roleArn: string, document: string): Promise<void>;
  /** STS sessions whose credentials have not expired. */
  listSessions(): Promise<SessionSummary[]>;
  /** As AWS's console does: the inline policy AWSRevokeOlderSessions on the role denies every session issued so far. */
  revokeRoleSessions(roleArn: string): Promise<PrincipalSummary>;
  /** The secret access key is in this answer and never again. @throws LimitExceededException (2 per principal) */
  createAccessKey(principalArn: string): Promise<NewAccessKey>;
  updateAccessKey(accessKeyId: string, status: 'Active' | 'Inactive'): Promise<void>;
  deleteAccessKey(accessKeyId: string): Promise<void>;
  /** Console calls from now on run as this principal (root, user, or a session of the role). @throws NoSuchEntityException */
  actAs(principalArn: string): Promise<KeystoreInfo>;
  /** The decision a call by `principalArn` would get, with every statement and grant explained. */
  simulate(principalArn: string, request: SimulationRequest): Promise<SimulationResult>;
  /** The operations CreateGrant accepts for a key of this usage and spec (the core's own table). */
  grantOperations(keyUsage: string, keySpec: string): Promise<{ crypto: string[]; management: string[] }>;
}

export function keystoreInfo(kms: Kms, caller: Caller): KeystoreInfo {
  const principalArn = (caller.type === 'AssumedRole' && roleOfSession(caller.arn)?.roleArn) || caller.arn;
  const name = caller.type === 'Root' ? 'root' : principalArn.split('/').pop()!;
  return {
    ...kms.keystore,
    callerArn: caller.arn,
    caller: { arn: caller.arn, type: caller.type, name, principalArn, accountId: caller.accountId },
  };
}

export function identitiesApi(ctx: WorkerContext): IdentitiesWorkerApi {
  // ctx.ready is read at each call: a restore can open the keystore again.
  const { acting } = ctx;
  const owner = async () => {
    const kms = await ctx.ready;
    return { kms, owner: acting.owner(kms) };
  };
  return {
    async listPrincipals() {
      return (await ctx.ready).iam.list();
    },
    async createPrincipal(kind, name, tags) {
      const { kms, owner: o } = await owner();
      return kms.iam.createPrincipal(o, kind, name, tags);
    },
    async deletePrincipal(arn) {
      const { kms, owner: o } = await owner();
      await kms.iam.deletePrincipal(o, arn);
      acting.forget(arn);
    },
    async tagPrincipal(arn, tags) {
      const { kms, owner: o } = await owner();
      return kms.iam.tagPrincipal(o, arn, tags);
    },
    async untagPrincipal(arn, tagKeys) {
      const { kms, owner: o } = await owner();
      return kms.iam.untagPrincipal(o, arn, tagKeys);
    },
    async putPrincipalPolicy(arn, policyName, document) {
      const { kms, owner: o } = await owner();
      return kms.iam.putPolicy(o, arn, policyName, document);
    },
    async deletePrincipalPolicy(arn, policyName) {
      const { kms, owner: o } = await owner();
      return kms.iam.deletePolicy(o, arn, policyName);
    },
    async listAccounts() {
      const kms = await ctx.ready;
      return { accounts: await kms.iam.accounts(), organizationId: organizationId(kms.keystore) };
    },
    async createAccount(name, accountId) {
      const kms = await ctx.ready;
      // Made by the keystore's own root, whichever account the console acts in (the organization's management account).
      return kms.iam.createAccount(rootCaller(kms.keystore, { userAgent: ctx.userAgent }), name, accountId);
    },
    async listManagedPolicies() {
      const { kms, owner: o } = await owner();
      return kms.iam.read((tx) => new ManagedPolicies(kms.iam).all(tx, o.accountId));
    },
    async createManagedPolicy(name, document, description) {
      const { kms, owner: o } = await owner();
      return new ManagedPolicies(kms.iam).create(o, name, document, description);
    },
    async createPolicyVersion(policyArn, document, setAsDefault) {
      const { kms, owner: o } = await owner();
      await new ManagedPolicies(kms.iam).createVersion(o, policyArn, document, setAsDefault);
    },
    async setDefaultPolicyVersion(policyArn, versionId) {
      const { kms, owner: o } = await owner();
      await new ManagedPolicies(kms.iam).setDefaultVersion(o, policyArn, versionId);
    },
    async deletePolicyVersion(policyArn, versionId) {
      const { kms, owner: o } = await owner();
      await new ManagedPolicies(kms.iam).deleteVersion(o, policyArn, versionId);
    },
    async deleteManagedPolicy(policyArn) {
      const { kms, owner: o } = await owner();
      await new ManagedPolicies(kms.iam).delete(o, policyArn);
    },
    async attachPolicy(principalArn, policyArn) {
      const { kms, owner: o } = await owner();
      await new ManagedPolicies(kms.iam).attach(o, principalArn, policyArn);
    },
    async detachPolicy(principalArn, policyArn) {
      const { kms, owner: o } = await owner();
      await new ManagedPolicies(kms.iam).detach(o, principalArn, policyArn);
    },
    async updateTrustPolicy(roleArn, document) {
      const { kms, owner: o } = await owner();
      await kms.iam.updateAssumeRolePolicy(o, roleArn, document);
    },
    async listSessions() {
      return (await ctx.ready).sts.active();
    },
    async revokeRoleSessions(roleArn) {
      const { kms, owner: o } = await owner();
      return kms.iam.putPolicy(o, roleArn, REVOKE_POLICY_NAME, revokeOlderSessionsPolicy(kms.iam.now()));
    },
    async createAccessKey(principalArn) {
      const { kms, owner: o } = await owner();
      return kms.iam.createAccessKey(o, principalArn);
    },
    async updateAccessKey(accessKeyId, status) {
      const { kms, owner: o } = await owner();
      return kms.iam.updateAccessKey(o, accessKeyId, status);
    },
    async deleteAccessKey(accessKeyId) {
      const { kms, owner: o } = await owner();
      return kms.iam.deleteAccessKey(o, accessKeyId);
    },
    async actAs(principalArn) {
      const kms = await ctx.ready;
      await acting.set(kms, principalArn);
      return keystoreInfo(kms, acting.current(kms));
    },
    async simulate(principalArn, request) {
      const kms = await ctx.ready;
      const caller = await kms.iam.callerFor(principalArn, { userAgent: 'pocket-kms-console (policy simulator)' });
      return kms.simulate(caller, request);
    },
    async grantOperations(keyUsage, keySpec) {
      return grantOperations(keyUsage, keySpec);
    },
  };
}
