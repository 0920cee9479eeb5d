// What the rest of the core asks of the catalogue (catalogue.ts): an operation's facts by name or IAM
// action, the events CloudTrail marks read-only, the request fields that hold blobs and timestamps, and the
// console's catalogue of operations and simulator actions.

import {
  OPERATIONS,
  SIMULATOR_GROUPS,
  type ActionFacts,
  type ImplementedOperation,
  type OperationFacts,
  type OperationName,
  type SimulatorGroup,
} from './catalogue';
import { LOOKUP_EVENTS_MEMBERS } from './request-members';

const BY_NAME = new Map<string, OperationFacts>(OPERATIONS.map((o) => [o.name, o]));
const BY_ACTION = new Map(
  OPERATIONS.flatMap((o) => o.actions.map((a) => [a.name, { operation: o, action: a }] as const)),
);

export function isOperationName(s: string): s is OperationName {
  return BY_NAME.has(s);
}

/** The facts of an AWS KMS operation; undefined for any other event name (IAM, CloudTrail, maintenance). */
export function operationFacts(name: string): OperationFacts | undefined {
  return BY_NAME.get(name);
}

/** The operation an IAM action belongs to (`ReEncryptTo` → ReEncrypt), with that action's facts. */
export function findAction(action: string): { operation: OperationFacts; action: ActionFacts } | undefined {
  return BY_ACTION.get(action);
}

/** The action of `op` on one of its keys: for ReEncrypt, the side's (the source's when none is named). */
export function actionOf(op: string, side?: 'source' | 'destination'): ActionFacts | undefined {
  const actions = BY_NAME.get(op)?.actions;
  return actions?.find((a) => a.side === side) ?? actions?.[0];
}

// Events Pocket KMS records that are not KMS operations: IAM changes, key deletion and rotation by
// maintenance, and audit trimming all write; CloudTrail's LookupEvents only reads.
const READ_ONLY_EVENTS = new Set([
  'LookupEvents',
  'GetCallerIdentity',
  // IAM's reads (src/endpoint/iam.ts).
  'GetUser',
  'ListUsers',
  'GetRole',
  'ListRoles',
  'GetUserPolicy',
  'GetRolePolicy',
  'ListUserPolicies',
  'ListRolePolicies',
  'ListAccessKeys',
  'ListUserTags',
  'ListRoleTags',
  // Managed policies (src/endpoint/iam-managed.ts).
  'GetPolicy',
  'GetPolicyVersion',
  'ListPolicies',
  'ListPolicyVersions',
  'ListAttachedUserPolicies',
  'ListAttachedRolePolicies',
  'ListEntitiesForPolicy',
]);

/** The request members a record of `event` may hold; undefined for events whose requests Pocket KMS
 * builds itself (IAM, custody, maintenance), which hold nothing a caller chose beyond their fields. */
export function requestMembersOf(event: string): readonly string[] | undefined {
  return event === 'LookupEvents' ? LOOKUP_EVENTS_MEMBERS : BY_NAME.get(event)?.requestMembers;
}

/** Whether a successful `op` created or destroyed key material (continuous backup follows it). */
export function changesMaterial(op: string): boolean {
  return BY_NAME.get(op)?.changesMaterial ?? false;
}

/** CloudTrail's readOnly for any recorded event. */
export function isReadOnly(event: string): boolean {
  return BY_NAME.get(event)?.readOnly ?? READ_ONLY_EVENTS.has(event);
}

/** Whether `op` writes nothing but its audit record (catalogue.ts `appendOnly`); events outside the
 * catalogue (IAM's reads, LookupEvents) as their readOnly says. */
export function isAppendOnly(op: string): boolean {
  return BY_NAME.get(op)?.appendOnly ?? READ_ONLY_EVENTS.has(op);
}

/** Whether `op`'s request has DryRun (KMS model). */
export function hasDryRun(op: string): boolean {
  return BY_NAME.get(op)?.dryRun ?? false;
}

/** Whether a successful call counts as use of its keys (GetKeyLastUsage). */
export function usesKey(event: string): boolean {
  return BY_NAME.get(event)?.usesKey ?? false;
}

/** Request members that are blobs, in any operation (the wire decodes by member name). */
export const REQUEST_BLOB_FIELDS: ReadonlySet<string> = new Set(OPERATIONS.flatMap((o) => o.requestBlobs));
/** Request members that are timestamps, in any operation. */
export const REQUEST_TIMESTAMP_FIELDS: ReadonlySet<string> = new Set(OPERATIONS.flatMap((o) => o.requestTimestamps));

/** The operations Pocket KMS implements, in catalogue order. */
export const IMPLEMENTED_OPERATIONS = OPERATIONS.filter((o) => o.status !== 'not yet').map(
  (o) => o.name as ImplementedOperation,
);

/** The simulator's offer: its groups in order, each with its actions in catalogue order. */
export interface SimulatorActionGroup {
  readonly label: SimulatorGroup;
  readonly actions: readonly string[];
}

/** The catalogue as plain data, for the console (through the worker). */
export interface OperationCatalogue {
  readonly operations: readonly OperationFacts[];
  readonly simulatorGroups: readonly SimulatorActionGroup[];
}

/** The catalogue as the worker hands it to the console. */
export function operationCatalogue(): OperationCatalogue {
  const actions = OPERATIONS.flatMap((o) => o.actions);
  return {
    operations: OPERATIONS,
    simulatorGroups: SIMULATOR_GROUPS.map((label) => ({
      label,
      actions: actions.filter((a) => a.simulator === label).map((a) => a.name),
    })),
  };
}
