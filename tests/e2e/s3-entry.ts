// Bundled for the browser by s3.test.ts: the unmodified @aws-sdk/client-s3, run from a page of the app's
// origin against the service worker's /s3 endpoint (path-style), for the seed lab's S3 steps, SSE-KMS
// access, and a multipart upload whose parts are made one at a time (the page never holds the object).
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketEncryptionCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const client = (origin: string, credentials: Credentials) =>
  new S3Client({ region: 'us-east-1', endpoint: `${origin}/s3`, forcePathStyle: true, credentials, maxAttempts: 1 });

/** 'ok' or the SDK error's name and HTTP status. */
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: Error & { $metadata?: { httpStatusCode?: number } }) => `${e.name} ${e.$metadata?.httpStatusCode}`,
  );

/** The seed lab's section 10, steps 5–6 and the S3 cleanup, as `aws s3api` runs them. */
async function lab(origin: string, credentials: Credentials, bucket: string, alias: string) {
  const s3 = client(origin, credentials);
  const steps: Record<string, unknown> = {};
  steps.create = (await s3.send(new CreateBucketCommand({ Bucket: bucket }))).Location;
  steps.createInOtherRegion = await outcome(
    s3.send(
      new CreateBucketCommand({
        Bucket: `${bucket}-eu`,
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
      }),
    ),
  );
  steps.badName = await outcome(s3.send(new CreateBucketCommand({ Bucket: 'Not_A_Bucket' })));
  steps.head = (await s3.send(new HeadBucketCommand({ Bucket: bucket }))).BucketRegion;
  const put = await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: 'hello.txt',
      Body: new TextEncoder().encode('hello from kms s3 lab\n'),
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: alias,
      ContentType: 'text/plain',
    }),
  );
  steps.put = { sse: put.ServerSideEncryption, keyId: put.SSEKMSKeyId, etag: put.ETag };
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'hello.txt' }));
  steps.headObject = {
    SSE: head.ServerSideEncryption,
    KMSKeyId: head.SSEKMSKeyId,
    length: head.ContentLength,
    type: head.ContentType,
  };
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'hello.txt' }));
  steps.get = { body: await got.Body!.transformToString(), sse: got.ServerSideEncryption, keyId: got.SSEKMSKeyId };
  const ranged = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'hello.txt', Range: 'bytes=6-9' }));
  steps.range = { body: await ranged.Body!.transformToString(), contentRange: ranged.ContentRange };
  await s3.send(
    new CopyObjectCommand({
      Bucket: bucket,
      Key: 'copy.txt',
      CopySource: `${bucket}/hello.txt`,
      ServerSideEncryption: 'AES256',
    }),
  );
  const copy = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'copy.txt' }));
  steps.copy = { body: await copy.Body!.transformToString(), sse: copy.ServerSideEncryption };
  const list = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  steps.list = list.Contents?.map((o) => [o.Key, o.Size]);
  steps.listBuckets = (await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name);
  steps.notEmpty = await outcome(s3.send(new DeleteBucketCommand({ Bucket: bucket })));
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'hello.txt' }));
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'copy.txt' }));
  steps.missingKey = await outcome(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'hello.txt' })));
  steps.missingHead = await outcome(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'hello.txt' })));
  steps.delete = await outcome(s3.send(new DeleteBucketCommand({ Bucket: bucket })));
  steps.gone = await outcome(s3.send(new HeadBucketCommand({ Bucket: bucket })));
  steps.noSuchBucket = await outcome(s3.send(new ListObjectsV2Command({ Bucket: bucket })));
  return steps;
}

/** A bucket with default SSE-KMS encryption (bucket key on) and one object put without SSE headers. */
async function defaultEncryption(origin: string, credentials: Credentials, bucket: string, keyId: string) {
  const s3 = client(origin, credentials);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: bucket,
      ServerSideEncryptionConfiguration: {
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyId },
            BucketKeyEnabled: true,
          },
        ],
      },
    }),
  );
  const rule = (await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }))).ServerSideEncryptionConfiguration!
    .Rules![0]!;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'secret.txt', Body: 'top secret' }));
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'secret.txt' }));
  return {
    rule: {
      algorithm: rule.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
      key: rule.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID,
      bucketKey: rule.BucketKeyEnabled,
    },
    head: { sse: head.ServerSideEncryption, keyId: head.SSEKMSKeyId, bucketKey: head.BucketKeyEnabled },
  };
}

/** What `credentials` may do with an object: GetObject's outcome and, when it succeeds, the bytes. */
async function read(origin: string, credentials: Credentials, bucket: string, key: string) {
  const s3 = client(origin, credentials);
  try {
    const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return { outcome: 'ok', body: await r.Body!.transformToString() };
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number }; Code?: string };
    return { outcome: `${err.name} ${err.$metadata?.httpStatusCode}`, message: err.message };
  }
}

/** Creates `bucket` and puts `body` under `key` with SSE-KMS (`keyId`): 'ok' or the error's name and status. */
async function put(origin: string, credentials: Credentials, bucket: string, key: string, body: string, keyId: string) {
  const s3 = client(origin, credentials);
  return outcome(
    s3.send(new CreateBucketCommand({ Bucket: bucket })).then(() =>
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: keyId,
        }),
      ),
    ),
  );
}

/** Byte `i` of the test object: a pattern whose every MiB differs. */
const byteAt = (i: number) => (i * 31 + (i >>> 20) * 7) & 0xff;

/** Uploads `totalMiB` in parts of `partMiB`, each made just before it is sent, then reads it back in a
 * stream (checking every byte) and a range; returns what it saw. */
async function multipart(
  origin: string,
  credentials: Credentials,
  bucket: string,
  totalMiB: number,
  partMiB: number,
  keyId: string,
) {
  const s3 = client(origin, credentials);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const key = 'big.bin';
  const up = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyId }),
  );
  const total = totalMiB * 1024 * 1024;
  const partBytes = partMiB * 1024 * 1024;
  const parts: { PartNumber: number; ETag: string }[] = [];
  const started = performance.now();
  for (let n = 1, at = 0; at < total; n++, at += partBytes) {
    const body = new Uint8Array(Math.min(partBytes, total - at));
    for (let i = 0; i < body.length; i++) body[i] = byteAt(at + i);
    const r = await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: up.UploadId, PartNumber: n, Body: body }),
    );
    parts.push({ PartNumber: n, ETag: r.ETag! });
  }
  const done = await s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: bucket,
      Key: key,
      UploadId: up.UploadId,
      MultipartUpload: { Parts: parts },
    }),
  );
  const uploadMs = performance.now() - started;
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const reader = (got.Body as ReadableStream<Uint8Array>).getReader();
  let seen = 0;
  let wrong = -1;
  for (;;) {
    const { done: end, value } = await reader.read();
    if (end) break;
    for (let i = 0; i < value.length && wrong < 0; i++) if (value[i] !== byteAt(seen + i)) wrong = seen + i;
    seen += value.length;
  }
  const from = total - partBytes - 5;
  const ranged = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${from}-${from + 9}` }));
  const rangeBytes = [...(await ranged.Body!.transformToByteArray())];
  const expected = Array.from({ length: 10 }, (_, i) => byteAt(from + i));
  // An aborted upload leaves nothing behind.
  const other = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'aborted.bin' }));
  await s3.send(
    new UploadPartCommand({ Bucket: bucket, Key: 'aborted.bin', UploadId: other.UploadId, PartNumber: 1, Body: 'x' }),
  );
  await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'aborted.bin', UploadId: other.UploadId }));
  const list = (await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents?.map((o) => o.Key);
  return {
    etag: done.ETag,
    sse: done.ServerSideEncryption,
    size: head.ContentLength,
    parts: parts.length,
    seen,
    wrong,
    rangeOk: JSON.stringify(rangeBytes) === JSON.stringify(expected),
    list,
    uploadMs,
  };
}

Object.assign(globalThis, {
  s3Lab: lab,
  s3Read: read,
  s3Put: put,
  s3Multipart: multipart,
  s3DefaultEncryption: defaultEncryption,
});
