// POST /iam: AWS IAM's Query protocol (form-encoded `Action=…&Version=2010-05-08`, XML answers and
// `ErrorResponse`s with IAM's codes) for the unmodified @aws-sdk/client-iam and the terminal's `aws iam`:
// users, roles and their trust policies, inline policies, tags and access keys (src/kms/iam/api.ts).
// SigV4 for service `iam` in us-east-1, as AWS signs IAM (a global service) whatever the keystore's Region.

import { errorFamily } from '../format/named-errors';
import { KmsError, toKmsError, ValidationException } from '../kms/errors';
import { IamApi, type IamTag } from '../kms/iam';
import type { Caller } from '../kms/ids';
import type { Kms } from '../kms/kms';
import { actionResponse, AUTH_ERRORS, memberList, queryErrorResponse, type ErrorCodes } from './query-xml';
import { MANAGED_ACTIONS } from './iam-managed';
import { int, none, page, required, str, type Form } from './query-form';
import { authenticate, type WireOptions } from './wire';

const NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const VERSION = '2010-05-08';

/** IAM's codes and statuses (IAM API Reference, "Common errors" and each action's errors). */
const IAM_ERRORS: ErrorCodes = {
  ...AUTH_ERRORS,
  NoSuchEntityException: { code: 'NoSuchEntity', status: 404 },
  EntityAlreadyExistsException: { code: 'EntityAlreadyExists', status: 409 },
  LimitExceededException: { code: 'LimitExceeded', status: 409 },
  DeleteConflictException: { code: 'DeleteConflict', status: 409 },
  InvalidInputException: { code: 'InvalidInput', status: 400 },
  MalformedPolicyDocumentException: { code: 'MalformedPolicyDocument', status: 400 },
  ValidationException: { code: 'ValidationError', status: 400 },
  AccessDeniedException: { code: 'AccessDenied', status: 403 },
};

export const iamErrorResponse = (e: KmsError, requestId: string) => queryErrorResponse(NS, IAM_ERRORS, e, requestId);

/** IAM's answer to an action it does not have. */
export const InvalidAction = errorFamily(KmsError).define('InvalidAction');

export type Handler = (api: IamApi, caller: Caller, f: Form) => Promise<unknown>;

const tags = (f: Form): IamTag[] => memberList(f, 'Tags', ['Key', 'Value']);
const status = (f: Form) => required(f, 'Status') as 'Active' | 'Inactive';

/** For Role and User policy actions alike. */
function policyActions(kind: 'user' | 'role'): Record<string, Handler> {
  const K = kind === 'user' ? 'User' : 'Role';
  const name = (f: Form) => required(f, `${K}Name`);
  return {
    [`Put${K}Policy`]: (a, c, f) =>
      a.putPolicy(c, kind, name(f), required(f, 'PolicyName'), required(f, 'PolicyDocument')).then(none),
    [`Get${K}Policy`]: async (a, c, f) => {
      const r = await a.getPolicy(c, kind, name(f), required(f, 'PolicyName'));
      return { [`${K}Name`]: r.name, PolicyName: r.PolicyName, PolicyDocument: r.PolicyDocument };
    },
    [`Delete${K}Policy`]: (a, c, f) => a.deletePolicy(c, kind, name(f), required(f, 'PolicyName')).then(none),
    [`List${K}Policies`]: async (a, c, f) =>
      page('PolicyNames', await a.listPolicies(c, kind, name(f), str(f, 'Marker'), int(f, 'MaxItems'))),
    [`Tag${K}`]: (a, c, f) => a.tag(c, kind, name(f), tags(f)).then(none),
    [`Untag${K}`]: (a, c, f) => a.untag(c, kind, name(f), memberList(f, 'TagKeys')).then(none),
    [`List${K}Tags`]: async (a, c, f) =>
      page('Tags', await a.listTags(c, kind, name(f), str(f, 'Marker'), int(f, 'MaxItems'))),
  };
}

const ACTIONS: Record<string, Handler> = {
  CreateUser: async (a, c, f) => ({ User: await a.createUser(c, required(f, 'UserName'), tags(f)) }),
  GetUser: async (a, c, f) => ({ User: await a.getUser(c, str(f, 'UserName')) }),
  ListUsers: async (a, c, f) => page('Users', await a.listUsers(c, str(f, 'Marker'), int(f, 'MaxItems'))),
  DeleteUser: (a, c, f) => a.deleteUser(c, required(f, 'UserName')).then(none),
  CreateRole: async (a, c, f) => {
    const settings = {
      AssumeRolePolicyDocument: required(f, 'AssumeRolePolicyDocument'),
      ...(f.has('Description') ? { Description: f.get('Description')! } : {}),
      ...(f.has('MaxSessionDuration') ? { MaxSessionDuration: int(f, 'MaxSessionDuration')! } : {}),
    };
    return { Role: await a.createRole(c, required(f, 'RoleName'), settings, tags(f)) };
  },
  GetRole: async (a, c, f) => ({ Role: await a.getRole(c, required(f, 'RoleName')) }),
  ListRoles: async (a, c, f) => page('Roles', await a.listRoles(c, str(f, 'Marker'), int(f, 'MaxItems'))),
  DeleteRole: (a, c, f) => a.deleteRole(c, required(f, 'RoleName')).then(none),
  UpdateAssumeRolePolicy: (a, c, f) =>
    a.updateAssumeRolePolicy(c, required(f, 'RoleName'), required(f, 'PolicyDocument')).then(none),
  ...policyActions('user'),
  ...policyActions('role'),
  CreateAccessKey: async (a, c, f) => ({ AccessKey: await a.createAccessKey(c, str(f, 'UserName')) }),
  ListAccessKeys: async (a, c, f) =>
    page('AccessKeyMetadata', await a.listAccessKeys(c, str(f, 'UserName'), str(f, 'Marker'), int(f, 'MaxItems'))),
  UpdateAccessKey: (a, c, f) =>
    a.updateAccessKey(c, required(f, 'AccessKeyId'), status(f), str(f, 'UserName')).then(none),
  DeleteAccessKey: (a, c, f) => a.deleteAccessKey(c, required(f, 'AccessKeyId'), str(f, 'UserName')).then(none),
  ...MANAGED_ACTIONS,
};

/** The IAM actions /iam answers (docs/API.md "IAM"). */
export const IAM_ACTIONS = Object.keys(ACTIONS).sort();

/** POST /iam: one IAM action as the principal whose access key signed the request. */
export async function handleIam(kms: Kms, req: Request, o: WireOptions = {}): Promise<Response> {
  const requestId = crypto.randomUUID();
  try {
    const { caller, body } = await authenticate(kms, req, 'iam', o);
    const form = new URLSearchParams(new TextDecoder().decode(body));
    const action = form.get('Action') ?? '';
    const handler = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
    if (form.get('Version') !== VERSION || !handler)
      throw new InvalidAction(`Could not find operation ${action} for version ${form.get('Version') ?? VERSION}`);
    // Every user and role lives at path '/' here (ARNs carry no path); another path is refused, not ignored.
    const path = form.get('Path');
    if (path !== null && path !== '/')
      throw new ValidationException(`Pocket KMS keeps every user and role at Path '/'; '${path}' is not supported.`);
    // IAM answers for the caller's own account (the keystore's, or another of its accounts).
    const api = new IamApi(kms.iam.forRequest(requestId), caller.accountId);
    return actionResponse(NS, action, await handler(api, caller, form), requestId);
  } catch (e) {
    return iamErrorResponse(toKmsError(e), requestId);
  }
}
