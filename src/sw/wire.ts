// The AWS JSON 1.1 protocol adapter (DESIGN.md contract 1): X-Amz-Target dispatch, base64 blobs,
// epoch-second timestamps, and errors as HTTP 400 {"__type", "message"} with x-amzn-ErrorType.
// Pure: takes and returns Fetch API objects, so it is tested in Node without a service worker.

import { rootCaller } from '../kms/audit';
import { lookupEvents, type LookupEventsRequest } from '../kms/cloudtrail';
import { KmsError, SerializationException, toKmsError, UnknownOperationException } from '../kms/errors';
import type { Kms } from '../kms/kms';

/** Request members that are blobs in the KMS service model (base64 on the wire). */
const BLOB_FIELDS = new Set([
  'Plaintext', 'CiphertextBlob', 'Message', 'Signature', 'Mac', 'PublicKey', 'ImportToken', 'EncryptedKeyMaterial',
  'AttestationDocument', 'KeyAgreementPublicKey', 'Ciphertext', 'SharedSecretCiphertextBlob',
]);
/** Request members that are timestamps (epoch seconds on the wire). */
const TIME_FIELDS = new Set(['StartTime', 'EndTime', 'ValidTo']);

function fromBase64(s: unknown, field: string): Uint8Array {
  if (typeof s !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 === 1) {
    throw new SerializationException(`${field} must be a base64-encoded string.`);
  }
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
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

export function errorResponse(e: KmsError, requestId: string): Response {
  return respond(e.fault === 'server' ? 500 : 400, { __type: e.name, message: e.message }, requestId, e.name);
}

/** The access key ID from a SigV4 Authorization header (recorded; verification comes later). */
export function accessKeyIdOf(req: Request): string | undefined {
  const m = /Credential=([A-Z0-9]+)\//.exec(req.headers.get('authorization') ?? '');
  return m?.[1];
}

async function readJson(req: Request): Promise<Record<string, unknown>> {
  const text = await req.text();
  if (!text.trim()) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new SerializationException('The request body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SerializationException('The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

function target(req: Request, service: string): string {
  const t = req.headers.get('x-amz-target') ?? '';
  const prefix = `${service}.`;
  if (!t.startsWith(prefix)) throw new UnknownOperationException(`X-Amz-Target must be ${prefix}<Operation>; got '${t}'.`);
  return t.slice(prefix.length);
}

/** POST /kms: one AWS KMS call. */
export async function handleKms(kms: Kms, req: Request): Promise<Response> {
  const requestId = crypto.randomUUID();
  try {
    const op = target(req, 'TrentService');
    const body = decodeRequest(await readJson(req));
    const accessKeyId = accessKeyIdOf(req);
    const caller = rootCaller(kms.keystore, {
      userAgent: req.headers.get('x-amz-user-agent') ?? req.headers.get('user-agent') ?? 'unknown',
      ...(accessKeyId ? { accessKeyId } : {}),
    });
    return respond(200, encodeResponse(await kms.call(op, body, caller, { requestId })), requestId);
  } catch (e) {
    return errorResponse(toKmsError(e), requestId);
  }
}

/** POST /cloudtrail: CloudTrail LookupEvents over the audit log. */
export async function handleCloudTrail(kms: Kms, req: Request): Promise<Response> {
  const requestId = crypto.randomUUID();
  try {
    const op = target(req, 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101');
    if (op !== 'LookupEvents') throw new UnknownOperationException(`${op} is not supported by this CloudTrail endpoint; only LookupEvents is.`);
    const body = decodeRequest(await readJson(req)) as LookupEventsRequest;
    return respond(200, encodeResponse(await lookupEvents(kms.env.store, body)), requestId);
  } catch (e) {
    return errorResponse(toKmsError(e), requestId);
  }
}
