// The S3 REST API of a keystore locked at rest, run in the unlocked console's KMS worker for the service
// worker (ADR 0009, 0011): the same adapter the service worker runs for a device keystore, over this
// worker's core. Bodies arrive whole (capped by the service worker); the response is read whole.
import type { ForwardedRequest, ForwardedResponse } from '../../endpoint/forwarded';
import { handleS3 } from '../../endpoint/s3-rest';
import type { Kms } from '../../kms/kms';
import type { S3 } from '../../s3';
import { browserS3 } from '../../store/s3-open';

let opened: { kms: Kms; s3: Promise<S3> } | undefined;

export async function s3Endpoint(kms: Kms, request: ForwardedRequest): Promise<ForwardedResponse> {
  // One S3 core per keystore instance (a restore reopens the keystore: a new instance).
  if (opened?.kms !== kms) opened = { kms, s3: browserS3(kms) };
  const method = request.method ?? 'POST';
  const req = new Request(request.url, {
    method,
    headers: request.headers,
    ...(method === 'GET' || method === 'HEAD' ? {} : { body: request.body as Uint8Array<ArrayBuffer> }),
  });
  const res = await handleS3(await opened.s3, req);
  return { status: res.status, headers: [...res.headers], body: new Uint8Array(await res.arrayBuffer()) };
}
