// CloudTrail records for KMS events (DESIGN.md contract 2). Records carry request parameters and
// response elements as CloudTrail shows them, minus every secret: no plaintext, ciphertext blobs or
// data keys ever reach a record, nor any request field outside the operation's shape; strings and
// parameters are capped in size.

import type { CloudTrailRecord } from '../records';
import { accountOfKeyArn } from '../account-keys';
import { roleOfSession, type AnyCaller, type Keystore } from '../ids';
import { NESTED_REQUEST_MEMBERS, requestMembersOf } from '../operations';

/** Field names that hold secrets or ciphertext; dropped wherever they appear. */
export const SECRET_FIELDS: ReadonlySet<string> = new Set([
  'Plaintext',
  'CiphertextBlob',
  'SourceCiphertextBlob',
  'PrivateKeyPlaintext',
  'PrivateKeyCiphertextBlob',
  'SharedSecret',
  'Message',
  'Signature',
  'Mac',
  'KeyMaterial',
  'EncryptedKeyMaterial',
  'ImportToken',
  'CiphertextForRecipient',
  'SecretAccessKey',
  'SessionToken',
  // Custom key store credentials, which AWS's CloudTrail never shows either (refused here: ADR 0016).
  'KeyStorePassword',
  'XksProxyAuthenticationCredential',
  'GrantToken',
  'GrantTokens',
  'SharedSecretCiphertextBlob',
  'PublicKey',
  'KeyAgreementPublicKey',
  'XksProxyAuthenticationCredential',
  'KeyStorePassword',
]);

/** Map-valued fields whose keys are user data and keep their spelling. */
const MAP_FIELDS = new Set([
  'EncryptionContext',
  'SourceEncryptionContext',
  'DestinationEncryptionContext',
  'EncryptionContextSubset',
  'EncryptionContextEquals',
]);

/** Longest string a record keeps (a value, a map key or an error message); longer ones are cut and marked. */
export const MAX_RECORDED_STRING = 1024;
/** Largest requestParameters or responseElements a record keeps, in JSON characters; a larger one is
 * replaced by `{ omitted: true, originalSize }`. */
export const MAX_RECORDED_PARAMETERS = 64 * 1024;

function capString(s: string): string {
  if (s.length <= MAX_RECORDED_STRING) return s;
  // Never cut a surrogate pair in two: the record stays well-formed text.
  const end = /[\uD800-\uDBFF]/.test(s[MAX_RECORDED_STRING - 1]!) ? MAX_RECORDED_STRING - 1 : MAX_RECORDED_STRING;
  return `${s.slice(0, end)}…[truncated: ${s.length} characters]`;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && !(v instanceof Date);

/** Only the members of the request shape (and of the structures nested in it): a caller's unknown
 * fields, whatever their spelling or size, never reach a record. */
function requestShape(request: unknown, members: readonly string[] | undefined): unknown {
  if (!members || !isObject(request)) return request;
  const pick = (o: unknown, names: readonly string[]) => {
    if (!isObject(o)) return o;
    const out: Record<string, unknown> = {};
    for (const m of names) if (Object.hasOwn(o, m)) out[m] = o[m];
    return out;
  };
  const out = pick(request, members) as Record<string, unknown>;
  for (const [m, names] of Object.entries(NESTED_REQUEST_MEMBERS)) {
    const v = out[m];
    if (v !== undefined) out[m] = Array.isArray(v) ? v.map((x) => pick(x, names)) : pick(v, names);
  }
  return out;
}

/** requestParameters / responseElements as kept: null when not an object (or, `emptyIsNull`, empty),
 * omitted when too large. */
function parameters(t: unknown, emptyIsNull: boolean): Record<string, unknown> | null {
  if (!isObject(t) || (emptyIsNull && Object.keys(t).length === 0)) return null;
  const size = JSON.stringify(t).length;
  return size > MAX_RECORDED_PARAMETERS ? { omitted: true, originalSize: size } : t;
}

const lcFirst = (s: string) => (s ? s[0]!.toLowerCase() + s.slice(1) : s);

/** Deeper than any AWS shape; a request nested further is hostile and is cut off there. */
const MAX_DEPTH = 32;

/** Converts an AWS request/response shape to CloudTrail's spelling, without secrets. The result
 * is always plain JSON that IndexedDB can store: requests come from callers (Comlink keeps cycles;
 * in-process callers can pass functions or symbols), and a record that cannot be stored would lose
 * the call's audit record. */
export function toTrail(value: unknown, mapField = false, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value === 'bigint') return String(value);
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (typeof value === 'string') return capString(value);
  if (value && typeof value === 'object') {
    if (depth >= MAX_DEPTH || seen.has(value)) return undefined;
    seen.add(value);
    try {
      if (Array.isArray(value)) return value.map((v) => toTrail(v, false, depth + 1, seen));
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (!mapField && SECRET_FIELDS.has(k)) continue;
        const t = mapField ? toTrail(v, false, depth + 1, seen) : toTrail(v, MAP_FIELDS.has(k), depth + 1, seen);
        // defineProperty: a "__proto__" key in an encryption context is data, kept as written.
        if (t !== undefined)
          Object.defineProperty(out, mapField ? capString(k) : lcFirst(capString(k)), {
            value: t,
            enumerable: true,
            writable: true,
            configurable: true,
          });
      }
      return out;
    } finally {
      seen.delete(value);
    }
  }
  return value;
}

export function userIdentity(c: AnyCaller): Record<string, unknown> {
  // CloudTrail names a service principal caller by the service alone.
  if (c.type === 'AWSService') return { type: 'AWSService', invokedBy: c.arn };
  const u: Record<string, unknown> = { type: c.type, principalId: c.principalId, arn: c.arn, accountId: c.accountId };
  if (c.accessKeyId) u.accessKeyId = c.accessKeyId;
  if (c.userName) u.userName = c.userName;
  if (c.invokedBy) u.invokedBy = c.invokedBy.service;
  if (c.type === 'AssumedRole') {
    // CloudTrail names the role behind a session in sessionContext.sessionIssuer.
    const r = roleOfSession(c.arn);
    if (r)
      u.sessionContext = {
        sessionIssuer: {
          type: 'Role',
          principalId: c.principalId.split(':')[0],
          arn: r.roleArn,
          accountId: r.accountId,
          userName: r.roleName,
        },
      };
  }
  if (c.session) {
    // Temporary credentials: when they were issued, and no MFA (Pocket KMS has none).
    const attributes = { creationDate: cloudTrailTime(c.session.createdAt), mfaAuthenticated: 'false' };
    u.sessionContext = { ...((u.sessionContext as object | undefined) ?? {}), attributes };
  }
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
  caller: AnyCaller | 'service';
  readOnly: boolean;
  request: unknown;
  response: unknown;
  keyArns: string[];
  error?: { name: string; message: string };
  /** Default kms.amazonaws.com. */
  eventSource?: string;
}

export function buildRecord(i: RecordInput): CloudTrailRecord {
  const service = i.caller === 'service';
  // Every account of the keystore owns keys: a key's record is of its own account (account-keys.ts).
  const owner = (i.keyArns[0] && accountOfKeyArn(i.keyArns[0])) || i.ks.accountId;
  const r: CloudTrailRecord = {
    eventVersion: '1.11',
    userIdentity: service ? { accountId: owner, invokedBy: 'kms.amazonaws.com' } : userIdentity(i.caller as AnyCaller),
    eventTime: cloudTrailTime(i.eventTime),
    eventSource: i.eventSource ?? 'kms.amazonaws.com',
    eventName: i.eventName,
    awsRegion: i.ks.region,
    sourceIPAddress: service ? 'kms.amazonaws.com' : (i.caller as AnyCaller).sourceIPAddress,
    userAgent: service ? 'kms.amazonaws.com' : (i.caller as AnyCaller).userAgent,
    requestParameters: null,
    responseElements: null,
    requestID: i.requestId,
    eventID: i.eventId,
    readOnly: i.readOnly,
    resources: i.keyArns.map((ARN) => ({
      accountId: accountOfKeyArn(ARN) ?? i.ks.accountId,
      type: 'AWS::KMS::Key',
      ARN,
    })),
    eventType: service ? 'AwsServiceEvent' : 'AwsApiCall',
    managementEvent: true,
    // The account whose trail receives it: the key's (a call on another account's key is recorded there too), else the caller's.
    recipientAccountId: i.keyArns.length ? owner : service ? i.ks.accountId : (i.caller as AnyCaller).accountId,
    eventCategory: 'Management',
  };
  // CloudTrail's requestParameters is an object or null; a request that was not an object logs null.
  r.requestParameters = parameters(toTrail(requestShape(i.request, requestMembersOf(i.eventName))), true);
  // Like AWS, read-only and cryptographic calls log no response elements.
  if (!i.readOnly && i.response) r.responseElements = parameters(toTrail(i.response), false);
  if (i.error) {
    r.errorCode = i.error.name;
    r.errorMessage = capString(i.error.message);
  }
  return r;
}
