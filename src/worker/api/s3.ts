// The S3 part of the worker API (ADR 0011): the console's Buckets page, as the console's caller ("Acting
// as"), over the same S3 core the endpoint uses; and the S3 REST API of a keystore locked at rest, run
// here for the service worker (ADR 0009): request bodies arrive whole (capped by the service worker),
// responses stream back.
import type { WorkerContext } from '../context';
import { opfsSink } from '../files-sinks';
import { s3Of } from './s3-endpoint';
import type { S3WorkerApi } from './s3-types';

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
