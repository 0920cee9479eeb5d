// IAM's managed policies (IAM API Reference: CreatePolicy, CreatePolicyVersion, AttachUserPolicy, …):
// customer managed policies with at most five versions, the AWS managed ones a lab needs, and their
// attachment to users and roles, with IAM's limits, errors and messages. Each call is authorized as
// `iam:<Action>` (on the policy's ARN, or on the user's or role's for Attach/Detach/ListAttached…) and
// recorded like every IAM call (iam.ts run). Authorization reads the attached default versions
// (authz/authorize.ts loadIdentity).

import { parsedPolicy } from '../authz';
import {
  AccessDeniedException,
  DeleteConflictException,
  EntityAlreadyExistsException,
  InvalidInputException,
  LimitExceededException,
  NoSuchEntityException,
  ValidationException,
} from '../errors';
import type { Caller } from '../ids';
import {
  AWS_MANAGED,
  customerPolicies,
  managedPolicy,
  putCustomerPolicies,
  type ManagedPolicyRecord,
} from '../managed-policies';
import type { Tx } from '../ports';
import type { PrincipalRecord } from '../records';
import { BASE32, pick, type Iam } from './iam';
import { POLICY_NAME, tagsFrom } from './validate';

/** IAM quotas: versions per managed policy, managed policies per user or role, characters per document. */
export const MAX_VERSIONS = 5;
export const MAX_ATTACHED = 10;
export const MAX_MANAGED_POLICY_SIZE = 6144;
const VERSION_ID = /^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/;
const ARN = /^arn:aws:iam::(aws|\d{12}):policy\/(.+)$/;

/** What the console and the API need of a managed policy (IAM's Policy shape lives in api-managed.ts). */
export interface ManagedPolicySummary extends ManagedPolicyRecord {
  attachmentCount: number;
  /** Users and roles it is attached to (ARNs). */
  attachedTo: string[];
}

/** The resource an action on a policy is authorized on (validated inside the call, so a refusal is recorded). */
const resourceOf = (arn: unknown) => (typeof arn === 'string' && arn ? arn : '*');
const noSuchPolicy = (arn: string) => new NoSuchEntityException(`Policy ${arn} does not exist or is not attachable.`);

function checkDocument(text: unknown): string {
  if (typeof text !== 'string') throw new ValidationException('PolicyDocument must be a JSON string.');
  // IAM counts the document without white space against the quota.
  if (text.replace(/\s/g, '').length > MAX_MANAGED_POLICY_SIZE)
    throw new LimitExceededException(`Cannot exceed quota for PolicySize: ${MAX_MANAGED_POLICY_SIZE}`);
  parsedPolicy(text, 'identity');
  return text;
}

function versionOf(versionId: unknown): string {
  if (typeof versionId !== 'string' || !VERSION_ID.test(versionId))
    throw new ValidationException(`The specified value for versionId is invalid: ${String(versionId)}`);
  return versionId;
}

/** A policy ARN as IAM takes it. @throws InvalidInputException */
export function policyArn(arn: unknown): string {
  if (typeof arn !== 'string' || arn.length < 20 || arn.length > 2048 || !ARN.test(arn))
    throw new InvalidInputException(`ARN ${String(arn)} is not valid.`);
  return arn;
}

export class ManagedPolicies {
  constructor(private readonly iam: Iam) {}

  /** The policy, for reading: AWS managed or this account's. @throws NoSuchEntityException */
  private async find(tx: Tx, caller: Caller, arn: string): Promise<ManagedPolicyRecord> {
    const p = await managedPolicy(tx, arn);
    // Customer managed policies are their account's own: another account's cannot be read or attached.
    if (!p || (!p.awsManaged && !arn.startsWith(`arn:aws:iam::${caller.accountId}:`))) throw noSuchPolicy(arn);
    return p;
  }

  /** This account's policy, for changing it: AWS managed policies cannot be changed (AccessDenied, as AWS). */
  private async own(tx: Tx, caller: Caller, op: string, arn: string) {
    const map = await customerPolicies(tx);
    if (Object.hasOwn(AWS_MANAGED, arn))
      throw new AccessDeniedException(
        `User: ${caller.arn} is not authorized to perform: iam:${op} on resource: policy ${arn}`,
      );
    if (!Object.hasOwn(map, arn) || !arn.startsWith(`arn:aws:iam::${caller.accountId}:`)) throw noSuchPolicy(arn);
    return { map, p: map[arn]! };
  }

  private async summary(tx: Tx, p: ManagedPolicyRecord): Promise<ManagedPolicySummary> {
    const attachedTo = (await tx.listPrincipals()).filter((x) => x.attached?.includes(p.arn)).map((x) => x.arn);
    return { ...p, attachmentCount: attachedTo.length, attachedTo };
  }

  /** Every policy the account can attach: AWS managed first, then its own, each by name. */
  async all(tx: Tx, account: string): Promise<ManagedPolicySummary[]> {
    const principals = await tx.listPrincipals();
    const mine = Object.values(await customerPolicies(tx))
      .filter((p) => p.arn.startsWith(`arn:aws:iam::${account}:`))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    return [...Object.values(AWS_MANAGED), ...mine].map((p) => {
      const attachedTo = principals.filter((x) => x.attached?.includes(p.arn)).map((x) => x.arn);
      return { ...p, attachmentCount: attachedTo.length, attachedTo };
    });
  }

  list(caller: Caller, request: object): Promise<ManagedPolicySummary[]> {
    return this.iam.run(caller, 'ListPolicies', request, '*', (tx) => this.all(tx, caller.accountId));
  }

  /** CreatePolicy. @throws EntityAlreadyExistsException, MalformedPolicyDocumentException, LimitExceededException */
  create(
    caller: Caller,
    name: string,
    document: string,
    description?: string,
    tags: { TagKey: string; TagValue: string }[] = [],
  ) {
    const arn = `arn:aws:iam::${caller.accountId}:policy/${String(name)}`;
    const request = {
      policyName: name,
      policyDocument: document,
      ...(description !== undefined ? { description } : {}),
    };
    return this.iam.run(caller, 'CreatePolicy', request, arn, async (tx) => {
      if (typeof name !== 'string' || !POLICY_NAME.test(name))
        throw new ValidationException('PolicyName must be 1–128 letters, digits or +=,.@_-.');
      if (description !== undefined && (typeof description !== 'string' || description.length > 1000))
        throw new ValidationException('Description must be a string of at most 1000 characters.');
      const checked = tagsFrom(tags);
      checkDocument(document);
      const map = await customerPolicies(tx);
      // IAM's names are unique without regard to case.
      if (
        Object.values(map).some(
          (p) => p.arn.startsWith(`arn:aws:iam::${caller.accountId}:`) && p.name.toLowerCase() === name.toLowerCase(),
        )
      )
        throw new EntityAlreadyExistsException(
          `A policy called ${name} already exists. Duplicate names are not allowed.`,
        );
      const now = this.iam.now();
      const rec: ManagedPolicyRecord = {
        arn,
        name,
        id: 'ANPA' + pick(this.iam.randomBytes(17), BASE32),
        ...(description !== undefined ? { description } : {}),
        createdAt: now,
        updatedAt: now,
        defaultVersionId: 'v1',
        versions: [{ versionId: 'v1', document, createdAt: now }],
        nextVersion: 2,
        tags: checked,
      };
      await putCustomerPolicies(tx, { ...map, [arn]: rec });
      return this.summary(tx, rec);
    });
  }

  get(caller: Caller, arn: string): Promise<ManagedPolicySummary> {
    return this.iam.run(caller, 'GetPolicy', { policyArn: arn }, resourceOf(arn), async (tx) =>
      this.summary(tx, await this.find(tx, caller, policyArn(arn))),
    );
  }

  getVersion(caller: Caller, arn: string, versionId: string) {
    return this.iam.run(caller, 'GetPolicyVersion', { policyArn: arn, versionId }, resourceOf(arn), async (tx) => {
      versionOf(versionId);
      const p = await this.find(tx, caller, policyArn(arn));
      const v = p.versions.find((x) => x.versionId === versionId);
      if (!v)
        throw new NoSuchEntityException(`Policy ${arn} version ${versionId} does not exist or is not attachable.`);
      return { ...v, isDefault: v.versionId === p.defaultVersionId };
    });
  }

  listVersions(caller: Caller, arn: string) {
    return this.iam.run(caller, 'ListPolicyVersions', { policyArn: arn }, resourceOf(arn), async (tx) => {
      const p = await this.find(tx, caller, policyArn(arn));
      // Newest first, as IAM lists them.
      return [...p.versions].reverse().map((v) => ({ ...v, isDefault: v.versionId === p.defaultVersionId }));
    });
  }

  /** CreatePolicyVersion. @throws LimitExceededException (5 versions), MalformedPolicyDocumentException */
  createVersion(caller: Caller, arn: string, document: string, setAsDefault = false) {
    const request = { policyArn: arn, policyDocument: document, setAsDefault };
    return this.iam.run(caller, 'CreatePolicyVersion', request, resourceOf(arn), async (tx) => {
      policyArn(arn);
      checkDocument(document);
      const { map, p } = await this.own(tx, caller, 'CreatePolicyVersion', arn);
      if (p.versions.length >= MAX_VERSIONS)
        throw new LimitExceededException(
          `A managed policy can have up to ${MAX_VERSIONS} versions. Before you create a new version, you must delete an existing version.`,
        );
      const now = this.iam.now();
      const v = { versionId: `v${p.nextVersion}`, document, createdAt: now };
      const next: ManagedPolicyRecord = {
        ...p,
        versions: [...p.versions, v],
        nextVersion: p.nextVersion + 1,
        updatedAt: now,
        ...(setAsDefault ? { defaultVersionId: v.versionId } : {}),
      };
      await putCustomerPolicies(tx, { ...map, [arn]: next });
      return { ...v, isDefault: setAsDefault };
    });
  }

  setDefaultVersion(caller: Caller, arn: string, versionId: string): Promise<void> {
    return this.iam.run(
      caller,
      'SetDefaultPolicyVersion',
      { policyArn: arn, versionId },
      resourceOf(arn),
      async (tx) => {
        versionOf(versionId);
        const { map, p } = await this.own(tx, caller, 'SetDefaultPolicyVersion', policyArn(arn));
        if (!p.versions.some((v) => v.versionId === versionId))
          throw new NoSuchEntityException(`Policy ${arn} version ${versionId} does not exist or is not attachable.`);
        await putCustomerPolicies(tx, {
          ...map,
          [arn]: { ...p, defaultVersionId: versionId, updatedAt: this.iam.now() },
        });
      },
    );
  }

  deleteVersion(caller: Caller, arn: string, versionId: string): Promise<void> {
    return this.iam.run(caller, 'DeletePolicyVersion', { policyArn: arn, versionId }, resourceOf(arn), async (tx) => {
      versionOf(versionId);
      const { map, p } = await this.own(tx, caller, 'DeletePolicyVersion', policyArn(arn));
      if (!p.versions.some((v) => v.versionId === versionId))
        throw new NoSuchEntityException(`Policy ${arn} version ${versionId} does not exist or is not attachable.`);
      if (versionId === p.defaultVersionId)
        throw new DeleteConflictException('Cannot delete the default version of a policy.');
      const next = { ...p, versions: p.versions.filter((v) => v.versionId !== versionId) };
      await putCustomerPolicies(tx, { ...map, [arn]: next });
    });
  }

  /** DeletePolicy: refused while attached, or while it has versions besides the default (DeleteConflict). */
  delete(caller: Caller, arn: string): Promise<void> {
    return this.iam.run(caller, 'DeletePolicy', { policyArn: arn }, resourceOf(arn), async (tx) => {
      const { map, p } = await this.own(tx, caller, 'DeletePolicy', policyArn(arn));
      if ((await tx.listPrincipals()).some((x) => x.attached?.includes(arn)))
        throw new DeleteConflictException('Cannot delete a policy attached to entities.');
      if (p.versions.length > 1)
        throw new DeleteConflictException(
          "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
        );
      const rest = { ...map };
      delete rest[arn];
      await putCustomerPolicies(tx, rest);
    });
  }

  /** AttachUserPolicy / AttachRolePolicy (authorized on the user or role). Attaching twice changes nothing. */
  attach(caller: Caller, principalArn: string, arn: string): Promise<void> {
    const role = principalArn.includes(':role/');
    const op = role ? 'AttachRolePolicy' : 'AttachUserPolicy';
    return this.iam.run(caller, op, { principalArn, policyArn: arn }, principalArn, async (tx) => {
      policyArn(arn);
      const p = await this.principalOf(tx, principalArn, role);
      await this.find(tx, caller, arn);
      const attached = p.attached ?? [];
      if (attached.includes(arn)) return;
      if (attached.length >= MAX_ATTACHED)
        throw new LimitExceededException(
          `Cannot exceed quota for PoliciesPer${role ? 'Role' : 'User'}: ${MAX_ATTACHED}`,
        );
      await tx.putPrincipal({ ...p, attached: [...attached, arn] });
    });
  }

  /** DetachUserPolicy / DetachRolePolicy. @throws NoSuchEntityException when it is not attached */
  detach(caller: Caller, principalArn: string, arn: string): Promise<void> {
    const role = principalArn.includes(':role/');
    const op = role ? 'DetachRolePolicy' : 'DetachUserPolicy';
    return this.iam.run(caller, op, { principalArn, policyArn: arn }, principalArn, async (tx) => {
      policyArn(arn);
      const p = await this.principalOf(tx, principalArn, role);
      if (!p.attached?.includes(arn)) throw new NoSuchEntityException(`Policy ${arn} was not found.`);
      await tx.putPrincipal({ ...p, attached: p.attached.filter((a) => a !== arn) });
    });
  }

  /** ListAttachedUserPolicies / ListAttachedRolePolicies: name and ARN of each, in attach order. */
  listAttached(caller: Caller, principalArn: string) {
    const role = principalArn.includes(':role/');
    const op = role ? 'ListAttachedRolePolicies' : 'ListAttachedUserPolicies';
    return this.iam.run(caller, op, { principalArn }, principalArn, async (tx) => {
      const p = await this.principalOf(tx, principalArn, role);
      const out: { PolicyName: string; PolicyArn: string }[] = [];
      for (const arn of p.attached ?? []) {
        const m = await managedPolicy(tx, arn);
        if (m) out.push({ PolicyName: m.name, PolicyArn: arn });
      }
      return out;
    });
  }

  /** ListEntitiesForPolicy: the users and roles it is attached to (there are no groups). */
  listEntities(caller: Caller, arn: string) {
    return this.iam.run(caller, 'ListEntitiesForPolicy', { policyArn: arn }, resourceOf(arn), async (tx) => {
      await this.find(tx, caller, policyArn(arn));
      return (await tx.listPrincipals()).filter((x) => x.attached?.includes(arn));
    });
  }

  private async principalOf(tx: Tx, arn: string, role: boolean): Promise<PrincipalRecord> {
    const p = await tx.getPrincipal(arn);
    if (!p || p.kind !== (role ? 'role' : 'user'))
      throw new NoSuchEntityException(
        `The ${role ? 'role' : 'user'} with name ${arn.slice(arn.lastIndexOf('/') + 1)} cannot be found.`,
      );
    return p;
  }
}
