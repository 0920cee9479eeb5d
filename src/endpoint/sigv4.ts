// Verifies AWS Signature Version 4 on endpoint requests (AWS General Reference, "Signature Version
// 4 signing process": canonical request, string to sign, signing key, signature). The caller's
// secret is never held: the store keeps a non-extractable HMAC-SHA256 key over "AWS4" + secret,
// from which the date/region/service-scoped signing key is derived per request.

import { toHex } from '../format/bytes';
import { errorFamily } from '../format/named-errors';
import { KmsError } from '../kms/errors';

/** The stored form of a secret access key; the core creates it (src/kms/iam/iam.ts). */
export { importSecret } from '../kms/iam';

// The endpoint's own family: these never cross the worker, so they stay out of the KMS table.
const clientError = errorFamily(KmsError).define;

export const MissingAuthenticationTokenException = clientError('MissingAuthenticationTokenException');
export const IncompleteSignatureException = clientError('IncompleteSignatureException');
export const InvalidSignatureException = clientError('InvalidSignatureException');
export const UnrecognizedClientException = clientError('UnrecognizedClientException');

/** How far X-Amz-Date may be from now, either way (AWS: 15 minutes). */
export const MAX_SKEW_MS = 15 * 60_000;

export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `AWS4-HMAC-SHA256 Credential=AKID/20261129/us-east-1/kms/aws4_request, SignedHeaders=…, Signature=…`. */
export function parseAuthorization(header: string): ParsedAuthorization {
  const m = /^AWS4-HMAC-SHA256\s+(.*)$/.exec(header.trim());
  if (!m)
    throw new IncompleteSignatureException(
      `Authorization header requires the AWS4-HMAC-SHA256 algorithm; got '${header.split(' ')[0]}'.`,
    );
  const fields = new Map<string, string>();
  for (const part of m[1]!.split(',')) {
    const i = part.indexOf('=');
    if (i > 0) fields.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  const credential = fields.get('Credential');
  const signed = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signed || !signature) {
    throw new IncompleteSignatureException(
      "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.",
    );
  }
  const c = credential.split('/');
  if (c.length !== 5 || c[4] !== 'aws4_request' || !/^\d{8}$/.test(c[1]!)) {
    throw new IncompleteSignatureException(
      `Credential must have the form <access key ID>/<YYYYMMDD>/<region>/<service>/aws4_request; got '${credential}'.`,
    );
  }
  if (!/^[0-9a-f]{64}$/.test(signature))
    throw new IncompleteSignatureException('Signature must be 64 lowercase hexadecimal characters.');
  return {
    accessKeyId: c[0]!,
    date: c[1]!,
    region: c[2]!,
    service: c[3]!,
    signedHeaders: signed.split(';'),
    signature,
  };
}

const utf8 = new TextEncoder();

function hex(b: ArrayBuffer): string {
  return toHex(new Uint8Array(b));
}

/** RFC 3986 percent-encoding of everything but the unreserved characters, as SigV4 requires. */
function awsEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalPath(pathname: string): string {
  // The signer encodes the path it was given; the URL we see carries it percent-encoded once.
  return (
    pathname
      .split('/')
      .map((seg) => awsEncode(decodeURIComponent(seg)))
      .join('/') || '/'
  );
}

function canonicalQuery(search: URLSearchParams): string {
  return [...search]
    .map(([k, v]) => [awsEncode(k), awsEncode(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  return hex(
    await crypto.subtle.digest('SHA-256', (typeof data === 'string' ? utf8.encode(data) : data) as BufferSource),
  );
}

/** The parts of a request SigV4 signs, as a signer or a verifier sees them. */
export interface CanonicalParts {
  method: string;
  /** The URL's path as sent (percent-encoded once). */
  pathname: string;
  query: URLSearchParams;
  /** Lower-case header name → value, for every name in `signedHeaders`. */
  header(name: string): string | null;
  signedHeaders: string[];
  /** Hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`. */
  payloadHash: string;
}

/** SigV4's canonical request (AWS General Reference, "Create a canonical request"). */
export function canonicalRequestText(p: CanonicalParts): string {
  const lines = p.signedHeaders.map((name) => {
    const value = p.header(name);
    if (value === null)
      throw new IncompleteSignatureException(`The signed header '${name}' is missing from the request.`);
    return `${name}:${value.trim().replace(/\s+/g, ' ')}\n`;
  });
  return [
    p.method,
    canonicalPath(p.pathname),
    canonicalQuery(p.query),
    lines.join(''),
    p.signedHeaders.join(';'),
    p.payloadHash,
  ].join('\n');
}

/** What the signature covers of the body: the bytes themselves (the JSON endpoints, which read the body
 * first), or, for S3, its length and the hash the request declares in x-amz-content-sha256 (a hex SHA-256
 * the S3 adapter checks as the body streams, or UNSIGNED-PAYLOAD), so a body need not be held to verify. */
export type SignedPayload = Uint8Array | { length: number; declaredHash: string };

export async function canonicalRequest(req: Request, body: SignedPayload, signedHeaders: string[]): Promise<string> {
  const url = new URL(req.url);
  let payloadHash: string;
  if (body instanceof Uint8Array) {
    // The payload hash is always computed from the body received; a declared hash must agree with it.
    payloadHash = await sha256Hex(body);
    const declared = req.headers.get('x-amz-content-sha256');
    if (declared !== null && declared !== payloadHash) {
      throw new InvalidSignatureException(
        'The x-amz-content-sha256 header does not match the SHA-256 of the request body.',
      );
    }
  } else payloadHash = body.declaredHash;
  return canonicalRequestText({
    method: req.method,
    pathname: url.pathname,
    query: url.searchParams,
    // A page cannot set Host or Content-Length: take them from the URL and the body.
    header: (name) =>
      name === 'host' ? url.host : name === 'content-length' ? String(body.length) : req.headers.get(name),
    signedHeaders,
    payloadHash,
  });
}

/** Time of an X-Amz-Date value (`20261129T061500Z`). */
export function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : undefined;
}

async function hmac(key: CryptoKey, data: string): Promise<ArrayBuffer> {
  return crypto.subtle.sign('HMAC', key, utf8.encode(data) as BufferSource);
}

async function hmacKey(raw: ArrayBuffer): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

/** The scope a SigV4 signature is made for. */
export interface SigningScope {
  /** YYYYMMDD */
  date: string;
  region: string;
  service: string;
}

/** The hex SigV4 signature of `stringToSign` under an access key's stored secret (the HMAC key over
 * "AWS4" + secret), scoped to `scope`'s date, region and service. */
export async function sigV4Signature(secret: CryptoKey, scope: SigningScope, stringToSign: string): Promise<string> {
  // The date/region/service-scoped signing key exists only for this request.
  let k = await hmacKey(await hmac(secret, scope.date));
  k = await hmacKey(await hmac(k, scope.region));
  k = await hmacKey(await hmac(k, scope.service));
  k = await hmacKey(await hmac(k, 'aws4_request'));
  return hex(await hmac(k, stringToSign));
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * The first header the request carries that must be signed but is not. AWS requires every x-amz-*
 * header to be signed: X-Amz-Target names the operation, so an unsigned one lets a captured request
 * be replayed as another (a signed DescribeKey sent as ScheduleKeyDeletion). Content-Type selects the
 * JSON protocol, so it is required too. The AWS SDK signs all of these (@smithy/signature-v4 leaves
 * out only ALWAYS_UNSIGNABLE_HEADERS, proxy-* and sec-*, none of them x-amz-*), so its requests pass.
 */
export function unsignedHeader(req: Request, signedHeaders: string[]): string | undefined {
  const signed = new Set(signedHeaders);
  for (const [name] of req.headers) {
    if ((name.startsWith('x-amz-') || name === 'content-type') && !signed.has(name)) return name;
  }
  return undefined;
}

export interface VerifyOptions {
  region: string;
  service: 'kms' | 'cloudtrail' | 'sts' | 's3' | 'iam';
  now: number;
  /** The stored secret of an active access key, or undefined when the key is unknown or inactive. */
  secretFor(accessKeyId: string): Promise<CryptoKey | undefined>;
}

/**
 * Verifies the request's SigV4 signature and returns the access key ID it was made with.
 * @throws MissingAuthenticationTokenException, IncompleteSignatureException, UnrecognizedClientException, InvalidSignatureException
 */
export async function verifySigV4(
  req: Request,
  body: SignedPayload,
  o: VerifyOptions,
): Promise<{ accessKeyId: string }> {
  const header = req.headers.get('authorization');
  if (!header)
    throw new MissingAuthenticationTokenException(
      'Missing Authentication Token: sign the request with an access key (AWS Signature Version 4).',
    );
  const auth = parseAuthorization(header);
  const amzDate = req.headers.get('x-amz-date') ?? '';
  const at = parseAmzDate(amzDate);
  if (at === undefined)
    throw new IncompleteSignatureException('The request must carry an X-Amz-Date header of the form YYYYMMDDTHHMMSSZ.');
  if (!auth.signedHeaders.includes('host') || !auth.signedHeaders.includes('x-amz-date')) {
    throw new IncompleteSignatureException('SignedHeaders must include host and x-amz-date.');
  }
  const unsigned = unsignedHeader(req, auth.signedHeaders);
  if (unsigned)
    throw new IncompleteSignatureException(
      `The request carries the header '${unsigned}' but SignedHeaders leaves it out: sign every x-amz-* header and content-type.`,
    );
  if (Math.abs(o.now - at) > MAX_SKEW_MS) {
    const fmt = (t: number) => new Date(t).toISOString().replace(/[-:]|\.\d{3}/g, '');
    throw new InvalidSignatureException(
      `Signature expired: ${amzDate} is now earlier than ${fmt(o.now - MAX_SKEW_MS)} (${fmt(o.now)} - 15 min.)`,
    );
  }
  if (auth.date !== amzDate.slice(0, 8))
    throw new InvalidSignatureException(`Credential date ${auth.date} does not match X-Amz-Date ${amzDate}.`);
  if (auth.region !== o.region)
    throw new InvalidSignatureException(
      `Credential should be scoped to a valid region: this keystore is ${o.region}, not '${auth.region}'.`,
    );
  if (auth.service !== o.service)
    throw new InvalidSignatureException(
      `Credential should be scoped to correct service: '${o.service}', not '${auth.service}'.`,
    );
  const secret = await o.secretFor(auth.accessKeyId);
  if (!secret) throw new UnrecognizedClientException('The security token included in the request is invalid.');
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    await sha256Hex(await canonicalRequest(req, body, auth.signedHeaders)),
  ].join('\n');
  const expected = await sigV4Signature(secret, auth, stringToSign);
  if (!constantTimeEqual(expected, auth.signature)) {
    throw new InvalidSignatureException(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    );
  }
  return { accessKeyId: auth.accessKeyId };
}
