// The S3 REST API of a keystore locked at rest, run in the console's worker for the service worker
// (ADR 0009, ADR 0011), and the one S3 core per keystore instance the worker's S3 API shares with it.
import * as Comlink from 'comlink';
import type { ForwardedRequest, ForwardedResponse } from '../../endpoint/forwarded';
import { handleS3 } from '../../endpoint/s3-rest';
import type { Kms } from '../../kms/kms';
import type { S3 } from '../../s3';
import { browserS3 } from '../../store/s3-open';

let opened: { kms: Kms; s3: Promise<S3> } | undefined;

/** One S3 core per keystore instance (a restore reopens the keystore: a new instance). */
export function s3Of(kms: Kms): Promise<S3> {
  if (opened?.kms !== kms) opened = { kms, s3: browserS3(kms) };
  return opened.s3;
}

export async function s3Endpoint(kms: Kms, request: ForwardedRequest): Promise<ForwardedResponse> {
  const method = request.method ?? 'POST';
  const req = new Request(request.url, {
    method,
    headers: request.headers,
    ...(method === 'GET' || method === 'HEAD' ? {} : { body: request.body as Uint8Array<ArrayBuffer> }),
  });
  const res = await handleS3(await s3Of(kms), req);
  // The body streams back through the console to the service worker (transferable streams): a large
  // GetObject is never held whole.
  const body = res.body ?? new Uint8Array(0);
  const out: ForwardedResponse = { status: res.status, headers: [...res.headers], body };
  return body instanceof ReadableStream ? Comlink.transfer(out, [body]) : out;
}
