// The IAM API as AWS shapes it (IAM API Reference, 2010-05-08) over the keystore's principals: users and
// roles by name, their inline policies, trust policies, tags and access keys, each call authorized as
// `iam:<Action>` on the user's or role's ARN and recorded in the audit trail (iam.ts run). The wire
// (src/endpoint/iam.ts) turns these objects into the Query protocol's XML.

import type { Caller } from '../ids';
import { NoSuchEntityException, ValidationException } from '../errors';
import type { Tx } from '../ports';
import type { AccessKeyRecord, PrincipalRecord } from '../records';
import { ManagedPolicyApi } from './api-managed';
import type { Iam, RoleSettings } from './iam';

export interface IamTag {
  Key: string;
  Value: string;
}

export interface User {
  Path: '/';
  UserName: string;
  UserId: string;
  Arn: string;
  CreateDate: Date;
  Tags?: IamTag[];
}

export interface Role {
  Path: '/';
  RoleName: string;
  RoleId: string;
  Arn: string;
  CreateDate: Date;
  /** URL-encoded, as IAM returns policy documents (RFC 3986). */
  AssumeRolePolicyDocument?: string;
  Description?: string;
  MaxSessionDuration: number;
  Tags?: IamTag[];
}

export interface AccessKeyMetadata {
  UserName: string;
  AccessKeyId: string;
  Status: 'Active' | 'Inactive';
  CreateDate: Date;
}

export interface Page<T> {
  items: T[];
  IsTruncated: boolean;
  Marker?: string;
}

/** IAM's policy documents travel URL-encoded (RFC 3986), as IAM's own responses carry them. */
export const urlEncoded = (doc: string) =>
  encodeURIComponent(doc).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const tagsOut = (p: PrincipalRecord): IamTag[] => p.tags.map((t) => ({ Key: t.TagKey, Value: t.TagValue }));

function userOf(p: PrincipalRecord, withTags: boolean): User {
  const u: User = { Path: '/', UserName: p.name, UserId: p.id, Arn: p.arn, CreateDate: new Date(p.createdAt) };
  if (withTags && p.tags.length) u.Tags = tagsOut(p);
  return u;
}

function roleOf(p: PrincipalRecord, withTags: boolean): Role {
  const r: Role = {
    Path: '/',
    RoleName: p.name,
    RoleId: p.id,
    Arn: p.arn,
    CreateDate: new Date(p.createdAt),
    MaxSessionDuration: p.maxSessionDuration ?? 3600,
  };
  if (p.assumeRolePolicy !== undefined) r.AssumeRolePolicyDocument = urlEncoded(p.assumeRolePolicy);
  if (p.description !== undefined) r.Description = p.description;
  if (withTags && p.tags.length) r.Tags = tagsOut(p);
  return r;
}

/** MaxItems 1–1000 (default 100) and an opaque Marker: the name after which the page starts. */
export function paged<T>(all: T[], nameOf: (t: T) => string, marker?: string, maxItems?: number): Page<T> {
  const max = maxItems ?? 100;
  if (!Number.isInteger(max) || max < 1 || max > 1000)
    throw new ValidationException(`MaxItems must be between 1 and 1000; got ${String(maxItems)}.`);
  let start = 0;
  if (marker !== undefined) {
    const after = decodeMarker(marker);
    start = all.findIndex((t) => nameOf(t) > after);
    if (start < 0) start = all.length;
  }
  const items = all.slice(start, start + max);
  const truncated = start + max < all.length;
  return { items, IsTruncated: truncated, ...(truncated ? { Marker: btoa(nameOf(items.at(-1)!)) } : {}) };
}

function decodeMarker(marker: string): string {
  try {
    return atob(marker);
  } catch {
    throw new ValidationException('Invalid Marker.');
  }
}

export class IamApi {
  /** CreatePolicy, AttachUserPolicy, … (api-managed.ts). */
  readonly managed: ManagedPolicyApi;

  constructor(
    private readonly iam: Iam,
    readonly account: string,
  ) {
    this.managed = new ManagedPolicyApi(iam);
  }

  private arnOf(kind: 'user' | 'role', name: unknown): string {
    if (typeof name !== 'string' || !name)
      throw new ValidationException(`${kind === 'user' ? 'UserName' : 'RoleName'} is required.`);
    return this.iam.arnOf(kind, name, this.account);
  }

  /** Whether a principal is of the account this API answers for (the caller's). */
  private mine(p: PrincipalRecord): boolean {
    return p.arn.startsWith(`arn:aws:iam::${this.account}:`);
  }

  private async find(tx: Tx, kind: 'user' | 'role', arn: string): Promise<PrincipalRecord> {
    const p = await tx.getPrincipal(arn);
    if (!p || p.kind !== kind)
      throw new NoSuchEntityException(`The ${kind} with name ${arn.slice(arn.lastIndexOf('/') + 1)} cannot be found.`);
    return p;
  }

  /** The user a call without UserName is about: the caller's own (an IAM user, or the root). */
  private self(caller: Caller): string {
    if (caller.type === 'IAMUser') return caller.arn;
    if (caller.type === 'Root') return `arn:aws:iam::${this.account}:root`;
    throw new ValidationException('Must specify userName when calling with non-User credentials');
  }

  private userArn(caller: Caller, name: string | undefined): string {
    return name === undefined ? this.self(caller) : this.arnOf('user', name);
  }

  async createUser(caller: Caller, name: string, tags: IamTag[] = []): Promise<User> {
    await this.iam.createPrincipal(caller, 'user', name, tagsIn(tags));
    return this.getUser(caller, name, false);
  }

  /** GetUser: a user by name, or the caller itself (the root answers as the account's root user). */
  getUser(caller: Caller, name?: string, audited = true): Promise<User> {
    const arn = this.userArn(caller, name);
    const read = async (tx: Tx): Promise<User> => {
      if (arn.endsWith(':root'))
        return { Path: '/', UserName: 'root', UserId: this.account, Arn: arn, CreateDate: new Date(0) };
      return userOf(await this.find(tx, 'user', arn), true);
    };
    return audited ? this.iam.run(caller, 'GetUser', { userName: name }, arn, read) : this.iam.read(read);
  }

  listUsers(caller: Caller, marker?: string, maxItems?: number): Promise<Page<User>> {
    return this.iam.run(caller, 'ListUsers', { marker, maxItems }, '*', async (tx) => {
      const users = (await tx.listPrincipals()).filter((p) => p.kind === 'user' && this.mine(p)).sort(byName);
      return paged(
        users.map((p) => userOf(p, false)),
        (u) => u.UserName,
        marker,
        maxItems,
      );
    });
  }

  async deleteUser(caller: Caller, name: string): Promise<void> {
    await this.iam.deletePrincipal(caller, this.arnOf('user', name), true);
  }

  async createRole(caller: Caller, name: string, settings: RoleSettings, tags: IamTag[] = []): Promise<Role> {
    if (settings.AssumeRolePolicyDocument === undefined)
      throw new ValidationException('AssumeRolePolicyDocument is required.');
    await this.iam.createPrincipal(caller, 'role', name, tagsIn(tags), settings);
    return this.iam.read(async (tx) => roleOf(await this.find(tx, 'role', this.arnOf('role', name)), true));
  }

  getRole(caller: Caller, name: string): Promise<Role> {
    const arn = this.arnOf('role', name);
    return this.iam.run(caller, 'GetRole', { roleName: name }, arn, async (tx) =>
      roleOf(await this.find(tx, 'role', arn), true),
    );
  }

  listRoles(caller: Caller, marker?: string, maxItems?: number): Promise<Page<Role>> {
    return this.iam.run(caller, 'ListRoles', { marker, maxItems }, '*', async (tx) => {
      const roles = (await tx.listPrincipals()).filter((p) => p.kind === 'role' && this.mine(p)).sort(byName);
      return paged(
        roles.map((p) => roleOf(p, false)),
        (r) => r.RoleName,
        marker,
        maxItems,
      );
    });
  }

  async deleteRole(caller: Caller, name: string): Promise<void> {
    await this.iam.deletePrincipal(caller, this.arnOf('role', name), true);
  }

  async updateAssumeRolePolicy(caller: Caller, name: string, document: string): Promise<void> {
    await this.iam.updateAssumeRolePolicy(caller, this.arnOf('role', name), document);
  }

  async putPolicy(caller: Caller, kind: 'user' | 'role', name: string, policyName: string, doc: string) {
    await this.iam.putPolicy(caller, this.arnOf(kind, name), policyName, doc);
  }

  getPolicy(caller: Caller, kind: 'user' | 'role', name: string, policyName: string) {
    const arn = this.arnOf(kind, name);
    const op = kind === 'user' ? 'GetUserPolicy' : 'GetRolePolicy';
    return this.iam.run(caller, op, { [`${kind}Name`]: name, policyName }, arn, async (tx) => {
      const p = await this.find(tx, kind, arn);
      if (!Object.hasOwn(p.policies, policyName))
        throw new NoSuchEntityException(`The ${kind} policy with name ${policyName} cannot be found.`);
      return { name, PolicyName: policyName, PolicyDocument: urlEncoded(p.policies[policyName]!) };
    });
  }

  async deletePolicy(caller: Caller, kind: 'user' | 'role', name: string, policyName: string): Promise<void> {
    await this.iam.deletePolicy(caller, this.arnOf(kind, name), policyName);
  }

  listPolicies(caller: Caller, kind: 'user' | 'role', name: string, marker?: string, maxItems?: number) {
    const arn = this.arnOf(kind, name);
    const op = kind === 'user' ? 'ListUserPolicies' : 'ListRolePolicies';
    return this.iam.run(caller, op, { [`${kind}Name`]: name }, arn, async (tx) => {
      const names = Object.keys((await this.find(tx, kind, arn)).policies).sort();
      return paged(names, (n) => n, marker, maxItems);
    });
  }

  async tag(caller: Caller, kind: 'user' | 'role', name: string, tags: IamTag[]): Promise<void> {
    await this.iam.tagPrincipal(caller, this.arnOf(kind, name), tagsIn(tags));
  }

  async untag(caller: Caller, kind: 'user' | 'role', name: string, keys: string[]): Promise<void> {
    await this.iam.untagPrincipal(caller, this.arnOf(kind, name), keys);
  }

  listTags(caller: Caller, kind: 'user' | 'role', name: string, marker?: string, maxItems?: number) {
    const arn = this.arnOf(kind, name);
    const op = kind === 'user' ? 'ListUserTags' : 'ListRoleTags';
    return this.iam.run(caller, op, { [`${kind}Name`]: name }, arn, async (tx) =>
      paged(tagsOut(await this.find(tx, kind, arn)), (t) => t.Key, marker, maxItems),
    );
  }

  /** CreateAccessKey for a user (the caller when UserName is absent); IAM gives roles no access keys. */
  async createAccessKey(caller: Caller, name?: string) {
    const arn = name === undefined ? this.self(caller) : this.arnOf('user', name);
    const k = await this.iam.createAccessKey(caller, arn);
    return {
      UserName: arn.endsWith(':root') ? 'root' : arn.slice(arn.lastIndexOf('/') + 1),
      AccessKeyId: k.AccessKeyId,
      Status: k.Status,
      SecretAccessKey: k.SecretAccessKey,
      CreateDate: k.CreateDate,
    };
  }

  listAccessKeys(caller: Caller, name?: string, marker?: string, maxItems?: number): Promise<Page<AccessKeyMetadata>> {
    const arn = this.userArn(caller, name);
    return this.iam.run(caller, 'ListAccessKeys', { userName: name }, arn, async (tx) => {
      if (!arn.endsWith(':root')) await this.find(tx, 'user', arn);
      const userName = arn.endsWith(':root') ? 'root' : arn.slice(arn.lastIndexOf('/') + 1);
      const keys = (await tx.listAccessKeys(arn)).filter((k) => !k.session).sort((a, b) => a.createdAt - b.createdAt);
      return paged(
        keys.map((k) => metadata(k, userName)),
        (m) => m.AccessKeyId,
        marker,
        maxItems,
      );
    });
  }

  updateAccessKey(caller: Caller, accessKeyId: string, status: 'Active' | 'Inactive', name?: string) {
    return this.iam.updateAccessKey(caller, accessKeyId, status, this.userArn(caller, name));
  }

  deleteAccessKey(caller: Caller, accessKeyId: string, name?: string) {
    return this.iam.deleteAccessKey(caller, accessKeyId, this.userArn(caller, name));
  }
}

const byName = (a: PrincipalRecord, b: PrincipalRecord) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const tagsIn = (tags: IamTag[]) => tags.map((t) => ({ TagKey: t.Key, TagValue: t.Value }));
const metadata = (k: AccessKeyRecord, userName: string): AccessKeyMetadata => ({
  UserName: userName,
  AccessKeyId: k.accessKeyId,
  Status: k.status,
  CreateDate: new Date(k.createdAt),
});
