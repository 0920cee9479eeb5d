// IAM's managed-policy actions on the wire (IAM API Reference, 2010-05-08): CreatePolicy, GetPolicy,
// ListPolicies, the version actions, DeletePolicy, Attach/Detach User/Role Policy, ListAttached…Policies and
// ListEntitiesForPolicy, as the unmodified @aws-sdk/client-iam sends and parses them (src/kms/iam/api-managed.ts).

import type { Handler } from './iam';
import { memberList } from './query-xml';
import { bool, int, none, page, required, str, type Form } from './query-form';

const tags = (f: Form) => memberList(f, 'Tags', ['Key', 'Value']);

/** The user's or role's ARN a request names (UserName / RoleName), in the keystore's account. */
const principal = (kind: 'user' | 'role', f: Form, account: string) =>
  `arn:aws:iam::${account}:${kind}/${required(f, kind === 'user' ? 'UserName' : 'RoleName')}`;

function attachActions(kind: 'user' | 'role'): Record<string, Handler> {
  const K = kind === 'user' ? 'User' : 'Role';
  return {
    [`Attach${K}Policy`]: (a, c, f) =>
      a.managed.attach(c, principal(kind, f, a.account), required(f, 'PolicyArn')).then(none),
    [`Detach${K}Policy`]: (a, c, f) =>
      a.managed.detach(c, principal(kind, f, a.account), required(f, 'PolicyArn')).then(none),
    [`ListAttached${K}Policies`]: async (a, c, f) =>
      page(
        'AttachedPolicies',
        await a.managed.listAttached(
          c,
          principal(kind, f, a.account),
          str(f, 'PathPrefix'),
          str(f, 'Marker'),
          int(f, 'MaxItems'),
        ),
      ),
  };
}

export const MANAGED_ACTIONS: Record<string, Handler> = {
  CreatePolicy: async (a, c, f) => ({
    Policy: await a.managed.createPolicy(
      c,
      required(f, 'PolicyName'),
      required(f, 'PolicyDocument'),
      str(f, 'Description'),
      tags(f),
    ),
  }),
  GetPolicy: async (a, c, f) => ({ Policy: await a.managed.getPolicy(c, required(f, 'PolicyArn')) }),
  ListPolicies: async (a, c, f) =>
    page(
      'Policies',
      await a.managed.listPolicies(c, {
        Scope: str(f, 'Scope'),
        OnlyAttached: bool(f, 'OnlyAttached'),
        PathPrefix: str(f, 'PathPrefix'),
        PolicyUsageFilter: str(f, 'PolicyUsageFilter'),
        Marker: str(f, 'Marker'),
        MaxItems: int(f, 'MaxItems'),
      }),
    ),
  GetPolicyVersion: async (a, c, f) => ({
    PolicyVersion: await a.managed.getPolicyVersion(c, required(f, 'PolicyArn'), required(f, 'VersionId')),
  }),
  ListPolicyVersions: async (a, c, f) =>
    page(
      'Versions',
      await a.managed.listPolicyVersions(c, required(f, 'PolicyArn'), str(f, 'Marker'), int(f, 'MaxItems')),
    ),
  CreatePolicyVersion: async (a, c, f) => ({
    PolicyVersion: await a.managed.createPolicyVersion(
      c,
      required(f, 'PolicyArn'),
      required(f, 'PolicyDocument'),
      bool(f, 'SetAsDefault'),
    ),
  }),
  SetDefaultPolicyVersion: (a, c, f) =>
    a.managed.setDefaultPolicyVersion(c, required(f, 'PolicyArn'), required(f, 'VersionId')).then(none),
  DeletePolicyVersion: (a, c, f) =>
    a.managed.deletePolicyVersion(c, required(f, 'PolicyArn'), required(f, 'VersionId')).then(none),
  DeletePolicy: (a, c, f) => a.managed.deletePolicy(c, required(f, 'PolicyArn')).then(none),
  ...attachActions('user'),
  ...attachActions('role'),
  ListEntitiesForPolicy: async (a, c, f) => {
    const p = await a.managed.listEntitiesForPolicy(
      c,
      required(f, 'PolicyArn'),
      str(f, 'EntityFilter'),
      str(f, 'Marker'),
      int(f, 'MaxItems'),
    );
    return {
      PolicyGroups: [],
      PolicyUsers: p.items.filter((e) => e.kind === 'user').map((e) => ({ UserName: e.name, UserId: e.id })),
      PolicyRoles: p.items.filter((e) => e.kind === 'role').map((e) => ({ RoleName: e.name, RoleId: e.id })),
      IsTruncated: p.IsTruncated,
      ...(p.Marker !== undefined ? { Marker: p.Marker } : {}),
    };
  },
};
