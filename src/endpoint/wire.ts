// The AWS JSON 1.1 protocol adapter (DESIGN.md contract 1): SigV4 authentication, X-Amz-Target
// dispatch, base64 blobs, epoch-second timestamps, and errors as HTTP 400 {"__type", "message"} with
// x-amzn-ErrorType. Pure: takes and returns Fetch API objects, so it is tested in Node without a service worker.

import { fromBase64 as base64Bytes, toBase64 } from '../format/bytes';
import { uuidV4, type Caller } from '../kms/ids';
import type { LookupEventsRequest } from '../kms/audit';
import { KmsError, SerializationException, toKmsError, UnknownOperationException } from '../kms/errors';
import type { CallOptions, Kms } from '../kms/kms';
import { REQUEST_BLOB_FIELDS, REQUEST_TIMESTAMP_FIELDS } from '../kms/operations';
import { errorFamily } from '../format/named-errors';
import { parseAmzDate, verifySigV4 } from './sigv4';

/**
 * Largest request body read, in bytes. The largest AWS KMS request is far below it (a key policy is
 * at most 32 KiB, Plaintext 4,096 bytes and CiphertextBlob 6,144 bytes before base64, at most 50
 * tags), so 1 MiB refuses nothing valid while bounding what an unauthenticated request costs: the
 * body is read before its signature can be checked.
 */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** An oversized request, answered with HTTP 413 as AWS's JSON services (e.g. Lambda) do; it never
 * crosses the worker, so it stays out of the KMS table. */
export const RequestEntityTooLargeException = errorFamily(KmsError).define('RequestEntityTooLargeException');

/**
 * Reads a request body of at most `max` bytes: a declared Content-Length over it is refused before
 * reading, and a streamed body is read chunk by chunk and dropped as soon as it passes `max`.
 * @throws RequestEntityTooLargeException
 */
export async function readBody(req: Request, max = MAX_REQUEST_BYTES): Promise<Uint8Array> {
  const tooLarge = () =>
    new RequestEntityTooLargeException(`The request body is larger than the ${max} bytes this endpoint reads.`);
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (declared > max) throw tooLarge();
  if (!req.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.length;
    if (length > max) {
      // Stop the sender: nothing more of this body is read.
      void reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const body = new Uint8Array(length);
  let o = 0;
  for (const c of chunks) {
    body.set(c, o);
    o += c.length;
  }
  return body;
}

/** Request members that are blobs in the KMS service model (base64 on the wire), whatever the operation. */
const BLOB_FIELDS = REQUEST_BLOB_FIELDS;
/** Request members that are timestamps (epoch seconds on the wire): the KMS operations', and
 * CloudTrail LookupEvents' StartTime and EndTime. */
const TIME_FIELDS = new Set([...REQUEST_TIMESTAMP_FIELDS, 'StartTime', 'EndTime']);

function fromBase64(s: unknown, field: string): Uint8Array {
  if (typeof s !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 === 1) {
    throw new SerializationException(`${field} must be a base64-encoded string.`);
  }
  return base64Bytes(s);
}

/** Decodes the top-level blob and timestamp members of a request. */
export function decodeRequest(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (v === null || v === undefined) continue;
    if (BLOB_FIELDS.has(k)) out[k] = fromBase64(v, k);
    else if (TIME_FIELDS.has(k)) {
      if (typeof v !== 'number') throw new SerializationException(`${k} must be a timestamp in epoch seconds.`);
      out[k] = new Date(v * 1000);
    } else out[k] = v;
  }
  return out;
}

/** Encodes a response: Uint8Array → base64, Date → epoch seconds, recursively. */
export function encodeResponse(v: unknown): unknown {
  if (v instanceof Uint8Array) return toBase64(v);
  if (v instanceof Date) return v.getTime() / 1000;
  if (Array.isArray(v)) return v.map(encodeResponse);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = encodeResponse(x);
    return out;
  }
  return v;
}

const JSON_TYPE = 'application/x-amz-json-1.1';

function respond(status: number, body: unknown, requestId: string, errorType?: string): Response {
  const headers: Record<string, string> = { 'content-type': JSON_TYPE, 'x-amzn-requestid': requestId };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  return new Response(JSON.stringify(body), { status, headers });
}

/** AWS answers an unsigned request with 403 and an oversized one with 413; every other error of these services is a 400 or a 500. */
const STATUS: Record<string, number> = {
  MissingAuthenticationTokenException: 403,
  RequestEntityTooLargeException: 413,
  // The KMS model gives it HTTP 412 (its @httpError); the SDK reads the name either way.
  DryRunOperationException: 412,
};

export function errorResponse(e: KmsError, requestId: string): Response {
  return respond(
    STATUS[e.name] ?? (e.fault === 'server' ? 500 : 400),
    { __type: e.name, message: e.message },
    requestId,
    e.name,
  );
}

export interface WireOptions {
  /** The clock SigV4's 15-minute window is measured against (Date.now unless a test injects one). */
  now?: () => number;
  /** When this endpoint's instance (the service worker) started, epoch ms. A browser sends a request again
   * when the instance answering it stops; the copy was signed before the new instance started, so a
   * request signed before then runs only if its first sending did not commit (records.ts SignedRequest). */
  startedAt?: number;
}

/** A signed request's ID is derived from its signature, so a request the browser sends again byte for
 * byte has the same one; any other request gets a random ID. */
async function requestIdOf(req: Request): Promise<string> {
  const signature = /Signature=([0-9a-f]{64})/.exec(req.headers.get('authorization') ?? '')?.[1];
  if (!signature) return crypto.randomUUID();
  return uuidV4(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(signature))));
}

function callOptions(requestId: string, signedAt: number, o: WireOptions): CallOptions {
  return {
    requestId,
    signedRequest: { at: signedAt, replayCheck: o.startedAt !== undefined && signedAt < o.startedAt },
  };
}

/**
 * The user agent a call is recorded with: the SDK's X-Amz-User-Agent, else the one the local relay's tab
 * passes for the tool (a page fetch cannot set User-Agent: relay/relay.js), else User-Agent. Like
 * User-Agent itself it is whatever the caller says it is.
 */
export function callerUserAgent(req: Request): string {
  return (
    req.headers.get('x-amz-user-agent') ??
    req.headers.get('x-pocket-kms-user-agent') ??
    req.headers.get('user-agent') ??
    'unknown'
  );
}

/**
 * Verifies the request's SigV4 signature against the keystore's access keys and returns the caller
 * it stands for, with the body bytes it was verified over (read once: a Request body is a stream;
 * at most MAX_REQUEST_BYTES of it, since it is read before the signature can be checked).
 * A role's access key acts as a session of the role named after the key.
 * @throws RequestEntityTooLargeException, MissingAuthenticationTokenException, IncompleteSignatureException, UnrecognizedClientException, InvalidSignatureException
 */
export async function authenticate(
  kms: Kms,
  req: Request,
  service: 'kms' | 'cloudtrail' | 'sts' | 'iam',
  o: WireOptions = {},
): Promise<{ caller: Caller; body: Uint8Array; signedAt: number }> {
  const body = await readBody(req);
  const userAgent = callerUserAgent(req);
  let caller: Caller | undefined;
  await verifySigV4(req, body, {
    // IAM is global: AWS signs it for us-east-1 whatever Region the caller works in.
    region: service === 'iam' ? 'us-east-1' : kms.keystore.region,
    service,
    now: (o.now ?? Date.now)(),
    secretFor: async (id) => {
      // One read: the key's secret and the caller it stands for (undefined: unknown, inactive, or its owner is gone).
      const sessionToken = req.headers.get('x-amz-security-token') ?? undefined;
      const found = await kms.iam.authenticate(id, { userAgent, ...(sessionToken ? { sessionToken } : {}) });
      caller = found?.caller;
      return found?.secret;
    },
  });
  // Verified above: X-Amz-Date is present and well formed.
  return { caller: caller!, body, signedAt: parseAmzDate(req.headers.get('x-amz-date')!)! };
}

function readJson(bytes: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SerializationException('The request body is not valid UTF-8.');
  }
  if (!text.trim()) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new SerializationException('The request body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new SerializationException('The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

/** The operation X-Amz-Target names under one of `services` (a service may have several spellings). */
function target(req: Request, ...services: string[]): string {
  const t = req.headers.get('x-amz-target') ?? '';
  const prefix = services.map((s) => `${s}.`).find((p) => t.startsWith(p));
  if (!prefix) throw new UnknownOperationException(`X-Amz-Target must be ${services[0]}.<Operation>; got '${t}'.`);
  return t.slice(prefix.length);
}

/** POST /kms: one AWS KMS call, as the principal whose access key signed it. */
export async function handleKms(kms: Kms, req: Request, o: WireOptions = {}): Promise<Response> {
  const requestId = await requestIdOf(req);
  try {
    const { caller, body, signedAt } = await authenticate(kms, req, 'kms', o);
    const op = target(req, 'TrentService');
    const request = decodeRequest(readJson(body));
    const response = await kms.call(op, request, caller, callOptions(requestId, signedAt, o));
    return respond(200, encodeResponse(response), requestId);
  } catch (e) {
    return errorResponse(toKmsError(e), requestId);
  }
}

/** POST /cloudtrail: CloudTrail LookupEvents over the audit log. */
export async function handleCloudTrail(kms: Kms, req: Request, o: WireOptions = {}): Promise<Response> {
  const requestId = await requestIdOf(req);
  try {
    const { caller, body, signedAt } = await authenticate(kms, req, 'cloudtrail', o);
    // The AWS CLI sends the long form; the AWS SDK for JavaScript v3 (3.11xx) the short one.
    const op = target(req, 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101', 'CloudTrail_20131101');
    if (op !== 'LookupEvents')
      throw new UnknownOperationException(`${op} is not supported by this CloudTrail endpoint; only LookupEvents is.`);
    // Authorized (cloudtrail:LookupEvents) and audited by the core; the request is decoded only after
    // authorization, so an unauthorized caller learns nothing about its parameters.
    const response = await kms.lookupEvents(
      readJson(body),
      (raw) => decodeRequest(raw) as LookupEventsRequest,
      caller,
      callOptions(requestId, signedAt, o),
    );
    return respond(200, encodeResponse(response), requestId);
  } catch (e) {
    return errorResponse(toKmsError(e), requestId);
  }
}
