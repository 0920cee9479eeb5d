// Bundled for the page by bench/s3.js: the unmodified @aws-sdk/client-s3 against the service worker's /s3
// (path-style), sending the file chosen in #bench-file as the SDK's own helpers would — multipart in parts
// read from the file one by one (as @aws-sdk/lib-storage's Upload does: Uint8Array parts, `queue` in flight),
// or one PutObject of the File — and reading an object back as a stream to its end, never held.
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';

/** A client as an app makes one; `config` adds client options (e.g. requestChecksumCalculation). */
const client = (origin, credentials, config = {}) =>
  new S3Client({
    region: 'us-east-1',
    endpoint: `${origin}/s3`,
    forcePathStyle: true,
    credentials,
    maxAttempts: 1,
    ...config,
  });

const benchFile = () => document.getElementById('bench-file').files[0];

async function createBucket({ origin, credentials, bucket }) {
  await client(origin, credentials).send(new CreateBucketCommand({ Bucket: bucket }));
}

/** Multipart upload of the first `limit` bytes of the file (all by default) with SSE-KMS under `keyId`, in
 * parts of `partBytes` (Uint8Arrays, or with `blobParts` slices of the File, which fetch streams), at most
 * `queue` parts read and in flight at once. Returns the time from CreateMultipartUpload to the answer of
 * CompleteMultipartUpload. */
async function multipart({ origin, credentials, bucket, key, keyId, partBytes, queue, limit, config, blobParts }) {
  const s3 = client(origin, credentials, config);
  const file = benchFile();
  const total = Math.min(limit ?? file.size, file.size);
  const t0 = performance.now();
  const up = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyId }),
  );
  const count = Math.max(1, Math.ceil(total / partBytes));
  const parts = new Array(count);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < count; i = next++) {
      const slice = file.slice(i * partBytes, Math.min(total, (i + 1) * partBytes));
      const body = blobParts ? slice : new Uint8Array(await slice.arrayBuffer());
      const r = await s3.send(
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: up.UploadId, PartNumber: i + 1, Body: body }),
      );
      parts[i] = { PartNumber: i + 1, ETag: r.ETag };
    }
  };
  await Promise.all(Array.from({ length: Math.min(queue, count) }, lane));
  const done = await s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: bucket,
      Key: key,
      UploadId: up.UploadId,
      MultipartUpload: { Parts: parts },
    }),
  );
  return { ms: performance.now() - t0, parts: count, sse: done.ServerSideEncryption };
}

/** One PutObject of the whole file, or of its first `limit` bytes (Body: the File itself, which fetch
 * streams), with SSE-KMS; the SDK's error name and message if it fails. */
async function put({ origin, credentials, bucket, key, keyId, config, limit }) {
  const s3 = client(origin, credentials, config);
  const t0 = performance.now();
  try {
    const r = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: limit ? benchFile().slice(0, limit) : benchFile(),
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: keyId,
      }),
    );
    return { ms: performance.now() - t0, sse: r.ServerSideEncryption };
  } catch (e) {
    return { error: `${e.name}: ${e.message}` };
  }
}

/** GetObject read to its end chunk by chunk (each chunk dropped once counted); checks the first and last
 * bytes against the file. */
async function get({ origin, credentials, bucket, key }) {
  const s3 = client(origin, credentials);
  const t0 = performance.now();
  const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const reader = r.Body.getReader();
  let bytes = 0;
  let first;
  let last;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (bytes === 0 && value.length) first = value[0];
    if (value.length) last = value[value.length - 1];
    bytes += value.length;
  }
  const ms = performance.now() - t0;
  const file = benchFile();
  const ends =
    new Uint8Array(await file.slice(0, 1).arrayBuffer())[0] === first &&
    new Uint8Array(await file.slice(file.size - 1).arrayBuffer())[0] === last;
  return { ms, bytes, ends, sse: r.ServerSideEncryption };
}

async function remove({ origin, credentials, bucket, key }) {
  await client(origin, credentials).send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

Object.assign(globalThis, {
  s3Bench: { createBucket, multipart, put, get, remove },
});
