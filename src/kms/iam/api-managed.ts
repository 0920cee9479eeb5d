// IAM's managed-policy actions as AWS shapes them (IAM API Reference, 2010-05-08: Policy, PolicyVersion,
// AttachedPolicy, PolicyUser, PolicyRole) over managed.ts, with IAM's paging (MaxItems, Marker) and
// ListPolicies' Scope, OnlyAttached, PathPrefix and PolicyUsageFilter. The wire is src/endpoint/iam-managed.ts.

import { ValidationException } from '../errors';
import type { Caller } from '../ids';
import { paged, urlEncoded, type IamTag, type Page } from './api';
import type { Iam } from './iam';
import { ManagedPolicies, type ManagedPolicySummary } from './managed';

export interface Policy {
  PolicyName: string;
  PolicyId: string;
  Arn: string;
  Path: '/';
  DefaultVersionId: string;
  AttachmentCount: number;
  PermissionsBoundaryUsageCount: number;
  IsAttachable: boolean;
  Description?: string;
  CreateDate: Date;
  UpdateDate: Date;
  Tags?: IamTag[];
}

export interface PolicyVersion {
  /** URL-encoded, as IAM returns policy documents; absent in ListPolicyVersions. */
  Document?: string;
  VersionId: string;
  IsDefaultVersion: boolean;
  CreateDate: Date;
}

export interface ListPoliciesInput {
  Scope?: string | undefined;
  OnlyAttached?: boolean | undefined;
  PathPrefix?: string | undefined;
  PolicyUsageFilter?: string | undefined;
  Marker?: string | undefined;
  MaxItems?: number | undefined;
}

/** GetPolicy answers Description and Tags; CreatePolicy and ListPolicies leave Description out, as IAM. */
function policyOf(p: ManagedPolicySummary, full: boolean): Policy {
  const out: Policy = {
    PolicyName: p.name,
    PolicyId: p.id,
    Arn: p.arn,
    Path: '/',
    DefaultVersionId: p.defaultVersionId,
    AttachmentCount: p.attachmentCount,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    CreateDate: new Date(p.createdAt),
    UpdateDate: new Date(p.updatedAt),
  };
  if (full && p.description !== undefined) out.Description = p.description;
  if (full && p.tags.length) out.Tags = p.tags.map((t) => ({ Key: t.TagKey, Value: t.TagValue }));
  return out;
}

const versionOf = (v: {
  versionId: string;
  document?: string;
  createdAt: number;
  isDefault: boolean;
}): PolicyVersion => ({
  ...(v.document !== undefined ? { Document: urlEncoded(v.document) } : {}),
  VersionId: v.versionId,
  IsDefaultVersion: v.isDefault,
  CreateDate: new Date(v.createdAt),
});

/** A list kept in its own order, paged by position. */
function pagedInOrder<T>(all: T[], marker?: string, maxItems?: number): Page<T> {
  const keyed = all.map((t, i) => ({ t, k: String(i).padStart(8, '0') }));
  const p = paged(keyed, (x) => x.k, marker, maxItems);
  return { ...p, items: p.items.map((x) => x.t) };
}

/** Every policy lives at path '/' here: a PathPrefix other than a prefix of '/' matches none. */
const onPath = (prefix?: string) => prefix === undefined || '/'.startsWith(prefix);

export class ManagedPolicyApi {
  readonly policies: ManagedPolicies;

  constructor(iam: Iam) {
    this.policies = new ManagedPolicies(iam);
  }

  async createPolicy(caller: Caller, name: string, document: string, description?: string, tags: IamTag[] = []) {
    const tagsIn = tags.map((t) => ({ TagKey: t.Key, TagValue: t.Value }));
    return policyOf(await this.policies.create(caller, name, document, description, tagsIn), false);
  }

  async getPolicy(caller: Caller, arn: string) {
    return policyOf(await this.policies.get(caller, arn), true);
  }

  async listPolicies(caller: Caller, input: ListPoliciesInput): Promise<Page<Policy>> {
    const scope = input.Scope ?? 'All';
    if (!['All', 'AWS', 'Local'].includes(scope))
      throw new ValidationException(
        `1 validation error detected: Value '${scope}' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]`,
      );
    const usage = input.PolicyUsageFilter;
    if (usage !== undefined && usage !== 'PermissionsPolicy' && usage !== 'PermissionsBoundary')
      throw new ValidationException(
        `1 validation error detected: Value '${usage}' at 'policyUsageFilter' failed to satisfy constraint: Member must satisfy enum value set: [PermissionsPolicy, PermissionsBoundary]`,
      );
    const all = await this.policies.list(caller, { scope, onlyAttached: input.OnlyAttached ?? false });
    const chosen = all
      .filter((p) => (scope === 'AWS' ? p.awsManaged : scope === 'Local' ? !p.awsManaged : true))
      .filter((p) => !input.OnlyAttached || p.attachmentCount > 0)
      // No permissions boundaries here: a boundary filter matches nothing.
      .filter(() => usage !== 'PermissionsBoundary' && onPath(input.PathPrefix))
      .sort((a, b) => (a.arn < b.arn ? -1 : 1));
    return paged(
      chosen.map((p) => policyOf(p, false)),
      (p) => p.Arn,
      input.Marker,
      input.MaxItems,
    );
  }

  async getPolicyVersion(caller: Caller, arn: string, versionId: string) {
    return versionOf(await this.policies.getVersion(caller, arn, versionId));
  }

  async listPolicyVersions(caller: Caller, arn: string, marker?: string, maxItems?: number) {
    const versions = await this.policies.listVersions(caller, arn);
    return pagedInOrder(
      versions.map((v) => versionOf({ versionId: v.versionId, createdAt: v.createdAt, isDefault: v.isDefault })),
      marker,
      maxItems,
    );
  }

  async createPolicyVersion(caller: Caller, arn: string, document: string, setAsDefault?: boolean) {
    const v = await this.policies.createVersion(caller, arn, document, setAsDefault ?? false);
    return versionOf({ versionId: v.versionId, createdAt: v.createdAt, isDefault: v.isDefault });
  }

  setDefaultPolicyVersion = (caller: Caller, arn: string, versionId: string) =>
    this.policies.setDefaultVersion(caller, arn, versionId);
  deletePolicyVersion = (caller: Caller, arn: string, versionId: string) =>
    this.policies.deleteVersion(caller, arn, versionId);
  deletePolicy = (caller: Caller, arn: string) => this.policies.delete(caller, arn);
  attach = (caller: Caller, principalArn: string, arn: string) => this.policies.attach(caller, principalArn, arn);
  detach = (caller: Caller, principalArn: string, arn: string) => this.policies.detach(caller, principalArn, arn);

  async listAttached(caller: Caller, principalArn: string, pathPrefix?: string, marker?: string, maxItems?: number) {
    const all = (await this.policies.listAttached(caller, principalArn)).filter(() => onPath(pathPrefix));
    return pagedInOrder(all, marker, maxItems);
  }

  async listEntitiesForPolicy(
    caller: Caller,
    arn: string,
    filter?: string,
    marker?: string,
    maxItems?: number,
  ): Promise<Page<{ kind: 'user' | 'role'; name: string; id: string }>> {
    if (filter !== undefined && !['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'].includes(filter))
      throw new ValidationException(
        `1 validation error detected: Value '${filter}' at 'entityFilter' failed to satisfy constraint: Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]`,
      );
    const entities = (await this.policies.listEntities(caller, arn))
      .filter(
        (p) => filter === undefined || (filter === 'User' ? p.kind === 'user' : filter === 'Role' && p.kind === 'role'),
      )
      .map((p) => ({ kind: p.kind, name: p.name, id: p.id }));
    return pagedInOrder(entities, marker, maxItems);
  }
}
