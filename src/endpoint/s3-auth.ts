// SigV4 for the S3 REST API (Amazon S3 API Reference, "Authenticating Requests (AWS Signature Version
// 4)"): service `s3`; the signature covers x-amz-content-sha256 as declared — a hex SHA-256 this side
// checks as the body streams, or UNSIGNED-PAYLOAD — and the body's length. SigV4 failures become S3's codes.

import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from '../format/bytes';
import type { Caller } from '../kms/ids';
import type { Kms } from '../kms/kms';
import {
  AccessDenied,
  AuthorizationHeaderMalformed,
  ExpiredToken,
  InvalidAccessKeyId,
  InvalidRequest,
  NotImplemented,
  RequestTimeTooSkewed,
  S3Error,
  SignatureDoesNotMatch,
  XAmzContentSHA256Mismatch,
} from '../s3';
import { KmsError } from '../kms/errors';
import { verifySigV4 } from './sigv4';
import { callerUserAgent } from './wire';

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** The request's x-amz-content-sha256, which S3 requires: a hex SHA-256 or UNSIGNED-PAYLOAD.
 * @throws InvalidRequest when missing, NotImplemented for the STREAMING-* chunked forms */
export function declaredPayloadHash(req: Request): string {
  const h = req.headers.get('x-amz-content-sha256');
  if (h === null) throw new InvalidRequest('Missing required header for this request: x-amz-content-sha256');
  if (h.startsWith('STREAMING-'))
    throw new NotImplemented(
      `x-amz-content-sha256 '${h}' (aws-chunked uploads) is not supported by this endpoint: send the body with its SHA-256 or UNSIGNED-PAYLOAD.`,
    );
  if (h !== UNSIGNED_PAYLOAD && !/^[0-9a-f]{64}$/.test(h))
    throw new InvalidRequest(`x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a hex SHA-256; got '${h}'.`);
  return h;
}

const mismatch = () =>
  new XAmzContentSHA256Mismatch("The provided 'x-amz-content-sha256' header does not match what was computed.");

/** Passes a body through, failing it at the end when its SHA-256 is not `declared` (nothing when unsigned). */
export function checkPayload(declared: string): TransformStream<Uint8Array, Uint8Array> {
  if (declared === UNSIGNED_PAYLOAD) return new TransformStream();
  const h = sha256.create();
  return new TransformStream({
    transform(chunk, ctl) {
      h.update(chunk);
      ctl.enqueue(chunk);
    },
    flush() {
      if (toHex(h.digest()) !== declared) throw mismatch();
    },
  });
}

/** @throws XAmzContentSHA256Mismatch */
export function checkPayloadBytes(declared: string, body: Uint8Array): void {
  if (declared !== UNSIGNED_PAYLOAD && toHex(sha256(body)) !== declared) throw mismatch();
}

/** SigV4's errors as S3 names them. */
export function s3AuthError(e: unknown): unknown {
  if (!(e instanceof KmsError) || e instanceof S3Error) return e;
  switch (e.name) {
    case 'MissingAuthenticationTokenException':
      return new AccessDenied('Access Denied: sign the request with an access key (AWS Signature Version 4).');
    case 'IncompleteSignatureException':
      return new AuthorizationHeaderMalformed(e.message);
    case 'UnrecognizedClientException':
      return new InvalidAccessKeyId('The AWS Access Key Id you provided does not exist in our records.');
    case 'ExpiredTokenException':
      return new ExpiredToken('The provided token has expired.');
    case 'InvalidSignatureException':
      return /expired/i.test(e.message)
        ? new RequestTimeTooSkewed('The difference between the request time and the current time is too large.')
        : new SignatureDoesNotMatch(e.message);
    default:
      return e;
  }
}

/** The caller whose access key signed `req`, whose body was `length` bytes with hash `declared`.
 * @throws AccessDenied, AuthorizationHeaderMalformed, InvalidAccessKeyId, SignatureDoesNotMatch, RequestTimeTooSkewed */
export async function s3Caller(
  kms: Kms,
  req: Request,
  length: number,
  declared: string,
  now = Date.now(),
): Promise<Caller> {
  const userAgent = callerUserAgent(req);
  let caller: Caller | undefined;
  try {
    await verifySigV4(
      req,
      { length, declaredHash: declared },
      {
        region: kms.keystore.region,
        service: 's3',
        now,
        secretFor: async (id) => {
          const sessionToken = req.headers.get('x-amz-security-token') ?? undefined;
          const found = await kms.iam.authenticate(id, { userAgent, ...(sessionToken ? { sessionToken } : {}) });
          caller = found?.caller;
          return found?.secret;
        },
      },
    );
  } catch (e) {
    throw s3AuthError(e);
  }
  return caller!;
}
