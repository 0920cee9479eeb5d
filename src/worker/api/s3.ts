// The S3 part of the worker API (ADR 0011): the console's Buckets page, as the console's caller ("Acting
// as"), over the same S3 core the endpoint uses; and the S3 REST API of a keystore locked at rest, run
// here for the service worker (ADR 0009): request bodies arrive whole (capped by the service worker),
// responses stream back.
import * as Comlink from 'comlink';
import type { ForwardedRequest, ForwardedResponse } from '../../endpoint/forwarded';
import { handleS3 } from '../../endpoint/s3-rest';
import type { Kms } from '../../kms/kms';
import type { BucketEncryption, S3 } from '../../s3';
import { browserS3 } from '../../store/s3-open';
import type { WorkerContext } from '../context';
import { opfsSink } from '../files-sinks';

let opened: { kms: Kms; s3: Promise<S3> } | undefined;

/** One S3 core per keystore instance (a restore reopens the keystore: a new instance). */
function s3Of(kms: Kms): Promise<S3> {
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

export interface BucketSummary {
  name: string;
  region: string;
  createdAt: number;
  encryption: BucketEncryption;
}

export interface ObjectSummary {
  key: string;
  size: number;
  lastModified: number;
  etag: string;
  algorithm: 'AES256' | 'aws:kms';
  kmsKeyArn?: string;
  bucketKeyEnabled: boolean;
}

export interface S3WorkerApi {
  /** @throws the S3 errors by name (NoSuchBucket, BucketNotEmpty, InvalidBucketName, AccessDenied, …) */
  s3ListBuckets(): Promise<BucketSummary[]>;
  s3CreateBucket(name: string): Promise<void>;
  s3DeleteBucket(name: string): Promise<void>;
  /** Sets the bucket's default encryption; null removes it (SSE-S3 applies). */
  s3SetBucketEncryption(bucket: string, encryption: BucketEncryption | null): Promise<void>;
  /** The first 1,000 objects in key order. */
  s3ListObjects(bucket: string): Promise<ObjectSummary[]>;
  /** Uploads a file (streamed from disk), encrypted as the bucket's default says; `progress` gets bytes read so far. */
  s3PutObject(bucket: string, key: string, file: Blob, progress?: (bytes: number) => void): Promise<void>;
  /** The object's bytes as a disk-backed file (decrypted as the caller: kms:Decrypt applies). */
  s3GetObject(bucket: string, key: string): Promise<File>;
  s3DeleteObject(bucket: string, key: string): Promise<void>;
}

export function s3Api(ctx: WorkerContext): S3WorkerApi {
  const open = async () => {
    const kms = await ctx.ready;
    return { s3: await s3Of(kms), caller: ctx.acting.current(kms) };
  };
  const requestId = () => crypto.randomUUID();
  return {
    async s3ListBuckets() {
      const { s3, caller } = await open();
      const buckets = await s3.listBuckets(caller);
      return Promise.all(
        buckets.map(async (b) => ({
          name: b.name,
          region: b.region,
          createdAt: b.createdAt,
          encryption: await s3.getBucketEncryption(caller, b.name),
        })),
      );
    },
    async s3CreateBucket(name) {
      const { s3, caller } = await open();
      await s3.createBucket(caller, name);
    },
    async s3DeleteBucket(name) {
      const { s3, caller } = await open();
      await s3.deleteBucket(caller, name);
    },
    async s3SetBucketEncryption(bucket, encryption) {
      const { s3, caller } = await open();
      if (encryption) await s3.putBucketEncryption(caller, bucket, encryption);
      else await s3.deleteBucketEncryption(caller, bucket);
    },
    async s3ListObjects(bucket) {
      const { s3, caller } = await open();
      const page = await s3.listObjects(caller, bucket, { prefix: '', maxKeys: 1000 });
      return page.objects.map((o) => ({
        key: o.key,
        size: o.size,
        lastModified: o.lastModified,
        etag: o.etag,
        algorithm: o.sse.algorithm,
        ...(o.sse.kmsKeyArn ? { kmsKeyArn: o.sse.kmsKeyArn } : {}),
        bucketKeyEnabled: o.sse.bucketKeyEnabled,
      }));
    },
    async s3PutObject(bucket, key, file, progress) {
      const { s3, caller } = await open();
      let read = 0;
      let reported = 0;
      const counted = file.stream().pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, ctl) {
            read += chunk.length;
            // At most ~100 progress messages per upload.
            if (progress && (read - reported >= file.size / 100 || read === file.size))
              void progress((reported = read));
            ctl.enqueue(chunk);
          },
        }),
      );
      await s3.putObject(
        { stream: counted, authenticate: async () => caller },
        bucket,
        key,
        { contentType: file.type || 'application/octet-stream' },
        requestId(),
      );
    },
    async s3GetObject(bucket, key) {
      const { s3, caller } = await open();
      const got = await s3.getObject(caller, bucket, key, undefined, requestId());
      const sink = await opfsSink(`s3-${crypto.randomUUID()}`);
      await got.body.pipeTo(sink.writable);
      return sink.finish();
    },
    async s3DeleteObject(bucket, key) {
      const { s3, caller } = await open();
      await s3.deleteObject(caller, bucket, key);
    },
  };
}
