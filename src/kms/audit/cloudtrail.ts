// CloudTrail LookupEvents over the audit log (CloudTrail API reference, LookupEvents): one
// lookup attribute at most, a time range, MaxResults 1–50, and an opaque NextToken.

import {
  InvalidLookupAttributesException,
  InvalidMaxResultsException,
  InvalidNextTokenException,
  InvalidTimeRangeException,
} from '../errors';
import type { Store } from '../ports';
import type { AuditEntry } from '../records';

const ATTRIBUTE_KEYS = [
  'EventId',
  'EventName',
  'ReadOnly',
  'Username',
  'ResourceType',
  'ResourceName',
  'EventSource',
  'AccessKeyId',
] as const;
type AttributeKey = (typeof ATTRIBUTE_KEYS)[number];

export interface LookupEventsRequest {
  LookupAttributes?: { AttributeKey: string; AttributeValue: string }[];
  StartTime?: Date;
  EndTime?: Date;
  MaxResults?: number;
  NextToken?: string;
}

function matcher(key: AttributeKey, value: string): (e: AuditEntry) => boolean {
  switch (key) {
    case 'EventId':
      return (e) => e.eventId === value;
    case 'EventName':
      return (e) => e.eventName === value;
    case 'ReadOnly':
      return (e) => String(e.readOnly) === value;
    case 'Username':
      return (e) => e.username === value;
    case 'ResourceType':
      return (e) => value === 'AWS::KMS::Key' && e.keyIds.length > 0;
    case 'ResourceName':
      return (e) => (e.record.resources ?? []).some((r) => r.ARN === value || r.ARN.endsWith(`/${value}`));
    case 'EventSource':
      return (e) => e.record.eventSource === value;
    case 'AccessKeyId':
      return (e) => e.accessKeyId === value;
  }
}

/** Whether `account`'s trail has event `e`: its callers' events and those on its keys. */
export function inAccountTrail(e: AuditEntry, account: string): boolean {
  return (
    (e.record.userIdentity as { accountId?: string } | undefined)?.accountId === account ||
    (e.record.resources ?? []).some((r) => r.accountId === account)
  );
}

/** Only the events of `account`'s callers or on its keys, and `match`'s. */
function ofAccount(match: ((e: AuditEntry) => boolean) | undefined, account: string | undefined) {
  if (account === undefined) return match!;
  const mine = (e: AuditEntry) => inAccountTrail(e, account);
  return match ? (e: AuditEntry) => mine(e) && match(e) : mine;
}

/** `account`: only events whose caller is of that account or that concern its keys (another account of the
 * keystore sees its own principals' events and those on its own keys, not the rest of the keystore's).
 * @throws InvalidLookupAttributesException, InvalidTimeRangeException, InvalidMaxResultsException, InvalidNextTokenException */
export async function lookupEvents(store: Store, req: LookupEventsRequest, account?: string) {
  const attrs = req.LookupAttributes ?? [];
  if (!Array.isArray(attrs) || attrs.length > 1)
    throw new InvalidLookupAttributesException('LookupAttributes can contain at most one attribute.');
  let match: ((e: AuditEntry) => boolean) | undefined;
  // What the store can serve from an index (the matcher still decides).
  let hint: { eventName?: string; keyId?: string } = {};
  if (attrs.length === 1) {
    const a = attrs[0]!;
    if (
      !ATTRIBUTE_KEYS.includes(a?.AttributeKey as AttributeKey) ||
      typeof a.AttributeValue !== 'string' ||
      !a.AttributeValue
    ) {
      throw new InvalidLookupAttributesException(
        `AttributeKey must be one of ${ATTRIBUTE_KEYS.join(', ')}, with a non-empty AttributeValue.`,
      );
    }
    match = matcher(a.AttributeKey as AttributeKey, a.AttributeValue);
    if (a.AttributeKey === 'EventName') hint = { eventName: a.AttributeValue };
    const keyId =
      /^(?:arn:aws:kms:[^:]+:\d{12}:key\/)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/.exec(
        a.AttributeValue,
      )?.[1];
    if (a.AttributeKey === 'ResourceName' && keyId) hint = { keyId };
  }
  const start = req.StartTime?.getTime();
  const end = req.EndTime?.getTime();
  if ((start !== undefined && Number.isNaN(start)) || (end !== undefined && Number.isNaN(end)))
    throw new InvalidTimeRangeException('StartTime and EndTime must be timestamps.');
  if (start !== undefined && end !== undefined && start > end)
    throw new InvalidTimeRangeException('StartTime must be before EndTime.');
  const max = req.MaxResults ?? 50;
  if (!Number.isInteger(max) || max < 1 || max > 50)
    throw new InvalidMaxResultsException('MaxResults must be from 1 to 50.');
  let beforeSeq: number | undefined;
  if (req.NextToken !== undefined) {
    beforeSeq = /^\d+$/.test(req.NextToken) ? Number(req.NextToken) : NaN;
    if (!Number.isSafeInteger(beforeSeq))
      throw new InvalidNextTokenException('NextToken is not one this endpoint issued.');
  }
  const found = await store.queryAudit({
    limit: max + 1,
    ...(start !== undefined ? { startTime: start } : {}),
    ...(end !== undefined ? { endTime: end } : {}),
    ...(beforeSeq !== undefined ? { beforeSeq } : {}),
    ...(match || account ? { match: ofAccount(match, account) } : {}),
    ...hint,
  });
  const page = found.slice(0, max);
  return {
    Events: page.map((e) => ({
      EventId: e.eventId,
      EventName: e.eventName,
      ReadOnly: String(e.readOnly),
      ...(e.accessKeyId ? { AccessKeyId: e.accessKeyId } : {}),
      EventTime: new Date(e.eventTime),
      EventSource: e.record.eventSource,
      Username: e.username,
      Resources: (e.record.resources ?? []).map((r) => ({ ResourceType: r.type, ResourceName: r.ARN })),
      CloudTrailEvent: JSON.stringify(e.record),
    })),
    ...(found.length > max ? { NextToken: String(page[page.length - 1]!.seq) } : {}),
  };
}
