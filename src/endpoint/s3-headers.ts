// S3's object headers (Amazon S3 API Reference, PutObject / GetObject / HeadObject): what a request sets
// (Content-Type, x-amz-meta-*, x-amz-server-side-encryption*) and what a response reports.

import { fromBase64 } from '../format/bytes';
import { httpDate, InvalidArgument, type ObjectAttributes, type ObjectRecord, type ObjectSse } from '../s3';

const STORED_HEADERS = ['content-disposition', 'content-encoding', 'content-language', 'cache-control', 'expires'];

/** The attributes of an object a request's headers set. @throws InvalidArgument for a malformed SSE context */
export function objectAttributes(h: Headers): ObjectAttributes {
  const metadata: Record<string, string> = {};
  const headers: Record<string, string> = {};
  for (const [name, value] of h) {
    if (name.startsWith('x-amz-meta-')) metadata[name.slice('x-amz-meta-'.length)] = value;
    else if (STORED_HEADERS.includes(name)) headers[name] = value;
  }
  const algorithm = h.get('x-amz-server-side-encryption') ?? undefined;
  const kmsKeyId = h.get('x-amz-server-side-encryption-aws-kms-key-id') ?? undefined;
  const bucketKey = h.get('x-amz-server-side-encryption-bucket-key-enabled');
  const ctx = h.get('x-amz-server-side-encryption-context');
  let context: Record<string, string> | undefined;
  if (ctx) {
    try {
      context = JSON.parse(new TextDecoder().decode(fromBase64(ctx))) as Record<string, string>;
      if (!context || typeof context !== 'object' || Object.values(context).some((v) => typeof v !== 'string'))
        throw new Error('not a map of strings');
    } catch {
      throw new InvalidArgument(
        'The header x-amz-server-side-encryption-context must be base64-encoded JSON of string pairs.',
      );
    }
  }
  const contentType = h.get('content-type') ?? undefined;
  return {
    ...(contentType ? { contentType } : {}),
    metadata,
    headers,
    sse: {
      ...(algorithm !== undefined ? { algorithm } : {}),
      ...(kmsKeyId !== undefined ? { kmsKeyId } : {}),
      ...(bucketKey !== null ? { bucketKeyEnabled: bucketKey.toLowerCase() === 'true' } : {}),
      ...(context ? { context } : {}),
    },
  };
}

/** x-amz-server-side-encryption and, for SSE-KMS, the key's ARN and whether a bucket key was used. */
export function sseHeaders(sse: ObjectSse): Record<string, string> {
  const h: Record<string, string> = { 'x-amz-server-side-encryption': sse.algorithm };
  if (sse.algorithm === 'aws:kms' && sse.kmsKeyArn) {
    h['x-amz-server-side-encryption-aws-kms-key-id'] = sse.kmsKeyArn;
    if (sse.bucketKeyEnabled) h['x-amz-server-side-encryption-bucket-key-enabled'] = 'true';
  }
  return h;
}

/** HeadObject's and GetObject's headers; with `range`, a 206's Content-Range and length. */
export function objectHeaders(o: ObjectRecord, range?: { start: number; end: number }): Record<string, string> {
  const h: Record<string, string> = {
    'content-type': o.contentType,
    'content-length': String(range ? range.end - range.start + 1 : o.size),
    etag: o.etag,
    'last-modified': httpDate(o.lastModified),
    'accept-ranges': 'bytes',
    ...o.headers,
    ...sseHeaders(o.sse),
  };
  if (range) h['content-range'] = `bytes ${range.start}-${range.end}/${o.size}`;
  for (const [k, v] of Object.entries(o.metadata)) h[`x-amz-meta-${k}`] = v;
  return h;
}
