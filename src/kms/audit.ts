// CloudTrail records for KMS events (DESIGN.md contract 2). Records carry request parameters and
// response elements as CloudTrail shows them, minus every secret: no plaintext, ciphertext blobs or
// data keys ever reach a record.

import type { CloudTrailRecord } from './records';
import { rootArn, type Keystore } from './ids';

export interface Caller {
  type: 'Root' | 'IAMUser' | 'AssumedRole';
  arn: string;
  accountId: string;
  principalId: string;
  userName?: string;
  accessKeyId?: string;
  userAgent: string;
  sourceIPAddress: string;
}

export function rootCaller(ks: Keystore, via: { userAgent: string; sourceIPAddress?: string; accessKeyId?: string }): Caller {
  const c: Caller = {
    type: 'Root',
    arn: rootArn(ks),
    accountId: ks.accountId,
    principalId: ks.accountId,
    userAgent: via.userAgent,
    sourceIPAddress: via.sourceIPAddress ?? '127.0.0.1',
  };
  if (via.accessKeyId) c.accessKeyId = via.accessKeyId;
  return c;
}

/** Field names that hold secrets or ciphertext; dropped wherever they appear. */
const SECRET_FIELDS = new Set([
  'Plaintext', 'CiphertextBlob', 'SourceCiphertextBlob', 'PrivateKeyPlaintext', 'PrivateKeyCiphertextBlob',
  'SharedSecret', 'Message', 'Signature', 'Mac', 'KeyMaterial', 'EncryptedKeyMaterial', 'ImportToken',
  'CiphertextForRecipient', 'PublicKey', 'KeyAgreementPublicKey', 'XksProxyAuthenticationCredential', 'KeyStorePassword',
]);

/** Map-valued fields whose keys are user data and keep their spelling. */
const MAP_FIELDS = new Set(['EncryptionContext', 'SourceEncryptionContext', 'DestinationEncryptionContext']);

const lcFirst = (s: string) => (s ? s[0]!.toLowerCase() + s.slice(1) : s);

/** Converts an AWS request/response shape to CloudTrail's spelling, without secrets. */
export function toTrail(value: unknown, mapField = false): unknown {
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return undefined;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => toTrail(v));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (!mapField && SECRET_FIELDS.has(k)) continue;
      const t = mapField ? v : toTrail(v, MAP_FIELDS.has(k));
      if (t !== undefined) out[mapField ? k : lcFirst(k)] = t;
    }
    return out;
  }
  return value;
}

export function userIdentity(c: Caller): Record<string, unknown> {
  const u: Record<string, unknown> = { type: c.type, principalId: c.principalId, arn: c.arn, accountId: c.accountId };
  if (c.accessKeyId) u.accessKeyId = c.accessKeyId;
  if (c.userName) u.userName = c.userName;
  return u;
}

export function cloudTrailTime(ms: number): string {
  // CloudTrail writes whole seconds: 2026-04-27T17:11:06Z
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface RecordInput {
  ks: Keystore;
  eventName: string;
  eventTime: number;
  eventId: string;
  requestId: string;
  caller: Caller | 'service';
  readOnly: boolean;
  request: unknown;
  response: unknown;
  keyArns: string[];
  error?: { name: string; message: string };
}

export function buildRecord(i: RecordInput): CloudTrailRecord {
  const service = i.caller === 'service';
  const r: CloudTrailRecord = {
    eventVersion: '1.11',
    userIdentity: service ? { accountId: i.ks.accountId, invokedBy: 'kms.amazonaws.com' } : userIdentity(i.caller as Caller),
    eventTime: cloudTrailTime(i.eventTime),
    eventSource: 'kms.amazonaws.com',
    eventName: i.eventName,
    awsRegion: i.ks.region,
    sourceIPAddress: service ? 'kms.amazonaws.com' : (i.caller as Caller).sourceIPAddress,
    userAgent: service ? 'kms.amazonaws.com' : (i.caller as Caller).userAgent,
    requestParameters: (toTrail(i.request) as Record<string, unknown> | undefined) ?? null,
    responseElements: null,
    requestID: i.requestId,
    eventID: i.eventId,
    readOnly: i.readOnly,
    resources: i.keyArns.map((ARN) => ({ accountId: i.ks.accountId, type: 'AWS::KMS::Key', ARN })),
    eventType: service ? 'AwsServiceEvent' : 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: i.ks.accountId,
    eventCategory: 'Management',
  };
  if (r.requestParameters && Object.keys(r.requestParameters).length === 0) r.requestParameters = null;
  // Like AWS, read-only and cryptographic calls log no response elements.
  if (!i.readOnly && i.response) r.responseElements = (toTrail(i.response) as Record<string, unknown>) ?? null;
  if (i.error) {
    r.errorCode = i.error.name;
    r.errorMessage = i.error.message;
  }
  return r;
}
