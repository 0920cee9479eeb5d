// The S3 core (ADR 0011): buckets, objects and their server-side encryption over the S3 ports, as the
// Amazon S3 API Reference describes each action. Callers arrive authenticated (SigV4, src/endpoint/s3-rest.ts)
// and each action is authorized as `s3:<Action>` by their identity policies (`authorize`);
// a body arrives as a stream and is authenticated once read. Multipart uploads: multipart.ts.

import { toHex } from '../format/bytes';
import type { Caller } from '../kms/ids';
import type { Kms } from '../kms/kms';
import type { DataKeys } from './data-keys';
import { newDataKey, openDataKey, wrapContentKey } from './data-keys';
import {
  BucketAlreadyOwnedByYou,
  BucketNotEmpty,
  fromKmsError,
  IllegalLocationConstraintException,
  InvalidLocationConstraint,
  InvalidRange,
  InvalidRequest,
  NoSuchBucket,
  NoSuchKey,
  withDetails,
} from './errors';
import { bucketArn, checkBucketName, checkObjectKey, objectArn } from './names';
import type { BucketEncryption, BucketRecord, ObjectBytes, ObjectRecord, S3Meta, Segment } from './ports';
import { checkSseRequest, resolveSse, type SseRequest } from './sse';
import {
  dropSegments,
  newSegmentFile,
  readSegments,
  writeSegment,
  type IncomingBody,
  type WrittenSegment,
} from './segments';

export interface S3Env {
  kms: Kms;
  meta: S3Meta;
  bytes: ObjectBytes;
  now?: () => number;
  random?: (n: number) => Uint8Array;
}

/** What PutObject, CopyObject and CreateMultipartUpload store besides the bytes. */
export interface ObjectAttributes {
  contentType?: string;
  metadata?: Record<string, string>;
  headers?: Record<string, string>;
  sse?: SseRequest;
}

export interface PutResult {
  etag: string;
  sse: ObjectRecord['sse'];
}

export interface GetResult {
  object: ObjectRecord;
  /** The byte range served, when the request asked for one. */
  range?: { start: number; end: number };
  body: ReadableStream<Uint8Array>;
}

/** A byte range as the Range header asks it: `bytes=a-b`, `bytes=a-`, `bytes=-n`. */
export type RangeRequest = { start: number; end?: number } | { suffix: number };

const noSuchBucket = (name: string) =>
  withDetails(new NoSuchBucket('The specified bucket does not exist'), { BucketName: name });
const noSuchKey = (key: string) => withDetails(new NoSuchKey('The specified key does not exist.'), { Key: key });

export class S3 {
  readonly now: () => number;
  readonly random: (n: number) => Uint8Array;

  constructor(readonly env: S3Env) {
    this.now = env.now ?? Date.now;
    this.random = env.random ?? ((n) => crypto.getRandomValues(new Uint8Array(n)));
  }

  get region(): string {
    return this.env.kms.keystore.region;
  }

  /** S3's own authorization: `s3:<action>` on `resource`, decided by the caller's identity policies (the account
   * root always; there are no bucket policies). @throws AccessDenied */
  async authorize(caller: Caller, action: string, resource: string): Promise<void> {
    try {
      await this.env.kms.authorizeIdentity(caller, `s3:${action}`, resource);
    } catch (e) {
      throw fromKmsError(e);
    }
  }

  keys(requestId: string): DataKeys {
    return { kms: this.env.kms, meta: this.env.meta, requestId };
  }

  /** @throws NoSuchBucket */
  async bucket(name: string): Promise<BucketRecord> {
    const b = await this.env.meta.getBucket(name);
    if (!b) throw noSuchBucket(name);
    return b;
  }

  /**
   * CreateBucket. The keystore is one region: a LocationConstraint naming another is refused as a
   * regional endpoint refuses it; us-east-1 takes none, and answers 200 again for a bucket the caller owns.
   * @throws InvalidBucketName, InvalidLocationConstraint, IllegalLocationConstraintException, BucketAlreadyOwnedByYou
   */
  async createBucket(caller: Caller, name: string, locationConstraint?: string): Promise<void> {
    checkBucketName(name);
    await this.authorize(caller, 'CreateBucket', bucketArn(name));
    const region = this.region;
    if (locationConstraint !== undefined && locationConstraint !== '') {
      if (region === 'us-east-1' && locationConstraint === 'us-east-1')
        throw new InvalidLocationConstraint('The specified location-constraint is not valid');
      if (locationConstraint !== region)
        throw new IllegalLocationConstraintException(
          `The ${locationConstraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
        );
    } else if (region !== 'us-east-1')
      throw new IllegalLocationConstraintException(
        'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.',
      );
    const created = await this.env.meta.createBucket({ name, region, createdAt: this.now() });
    if (!created && region !== 'us-east-1')
      throw withDetails(
        new BucketAlreadyOwnedByYou(
          'Your previous request to create the named bucket succeeded and you already own it.',
        ),
        { BucketName: name },
      );
  }

  /** @throws NoSuchBucket, BucketNotEmpty */
  async deleteBucket(caller: Caller, name: string): Promise<void> {
    await this.authorize(caller, 'DeleteBucket', bucketArn(name));
    const r = await this.env.meta.deleteBucket(name);
    if (r === 'missing') throw noSuchBucket(name);
    if (r === 'notEmpty')
      throw withDetails(new BucketNotEmpty('The bucket you tried to delete is not empty'), { BucketName: name });
  }

  async listBuckets(caller: Caller): Promise<BucketRecord[]> {
    await this.authorize(caller, 'ListAllMyBuckets', '*');
    return this.env.meta.listBuckets();
  }

  /** @throws NoSuchBucket */
  async headBucket(caller: Caller, name: string): Promise<BucketRecord> {
    await this.authorize(caller, 'ListBucket', bucketArn(name));
    return this.bucket(name);
  }

  /** PutBucketEncryption: the key is checked when an object uses it, as S3 does. @throws NoSuchBucket, InvalidArgument */
  async putBucketEncryption(caller: Caller, name: string, enc: BucketEncryption): Promise<void> {
    await this.authorize(caller, 'PutEncryptionConfiguration', bucketArn(name));
    checkSseRequest({ algorithm: enc.algorithm, ...(enc.kmsKeyId !== undefined ? { kmsKeyId: enc.kmsKeyId } : {}) });
    if (!(await this.env.meta.setBucketEncryption(name, enc))) throw noSuchBucket(name);
  }

  /** A bucket without a stored rule reports S3's default, SSE-S3. @throws NoSuchBucket */
  async getBucketEncryption(caller: Caller, name: string): Promise<BucketEncryption> {
    await this.authorize(caller, 'GetEncryptionConfiguration', bucketArn(name));
    return (await this.bucket(name)).encryption ?? { algorithm: 'AES256', bucketKeyEnabled: false };
  }

  /** @throws NoSuchBucket */
  async deleteBucketEncryption(caller: Caller, name: string): Promise<void> {
    await this.authorize(caller, 'PutEncryptionConfiguration', bucketArn(name));
    if (!(await this.env.meta.setBucketEncryption(name, undefined))) throw noSuchBucket(name);
  }

  /**
   * PutObject: the body streams into an encrypted file under a fresh content key; once it has been read
   * the request is authenticated, the bucket and encryption resolved, the data key made (SSE-KMS:
   * GenerateDataKey as the caller via S3) and the content key stored wrapped under it.
   * @throws NoSuchBucket, InvalidArgument, EntityTooLarge, KeyTooLongError, AccessDenied, KMS.*, or the body's own check
   */
  async putObject(
    body: IncomingBody,
    bucket: string,
    key: string,
    a: ObjectAttributes,
    requestId: string,
  ): Promise<PutResult> {
    checkObjectKey(key);
    if (a.sse) checkSseRequest(a.sse);
    // An SSE-KMS object's ETag is random (store()), so a request that asks for SSE-KMS skips the MD5, the
    // slowest step of its upload (bench/s3.js); other requests learn their encryption only once stored.
    const written = await writeSegment(this.env.bytes, body.stream, newSegmentFile(this.random), {
      md5: a.sse?.algorithm !== 'aws:kms',
    });
    try {
      const caller = await body.authenticate(written.size);
      return await this.store(caller, bucket, key, a, [written], written.md5, requestId);
    } catch (e) {
      await dropSegments(this.env.bytes, [{ file: written.file, size: 0, wrappedKey: new Uint8Array(0) }]);
      throw e;
    }
  }

  /** Stores an object made of freshly written segments: data key, wrapped content keys, the record. */
  private async store(
    caller: Caller,
    bucketName: string,
    key: string,
    a: ObjectAttributes,
    written: WrittenSegment[],
    etag: string,
    requestId: string,
  ): Promise<PutResult> {
    await this.authorize(caller, 'PutObject', objectArn(bucketName, key));
    const bucket = await this.bucket(bucketName);
    const { sse: base, kmsKeyId } = resolveSse(bucket, key, a.sse ?? {});
    const { key: dataKey, sse } = await newDataKey(this.keys(requestId), caller, base, kmsKeyId);
    const segments: Segment[] = [];
    for (const w of written)
      segments.push({ file: w.file, size: w.size, wrappedKey: await wrapContentKey(w.contentKey, dataKey) });
    const rec: ObjectRecord = {
      bucket: bucketName,
      key,
      size: written.reduce((n, w) => n + w.size, 0),
      // An SSE-KMS object's ETag is not its MD5, as in S3: a digest of the plaintext stored in the clear
      // would let anyone reading the profile confirm a guess of the content.
      etag: `"${sse.algorithm === 'aws:kms' ? toHex(this.random(16)) : etag}"`,
      lastModified: this.now(),
      contentType: a.contentType ?? 'application/octet-stream',
      metadata: a.metadata ?? {},
      headers: a.headers ?? {},
      sse,
      segments,
    };
    const r = await this.env.meta.putObject(rec);
    if (r === 'missing') throw noSuchBucket(bucketName);
    if (r.replaced) await dropSegments(this.env.bytes, r.replaced.segments);
    return { etag: rec.etag, sse };
  }

  /** HeadObject: the object's metadata, without its data key. @throws NoSuchBucket, NoSuchKey */
  async headObject(caller: Caller, bucket: string, key: string): Promise<ObjectRecord> {
    await this.authorize(caller, 'GetObject', objectArn(bucket, key));
    const o = await this.env.meta.getObject(bucket, key);
    if (o) return o;
    await this.bucket(bucket);
    throw noSuchKey(key);
  }

  /**
   * GetObject: decrypts only once the data key opens for the caller (SSE-KMS: kms:Decrypt through the key
   * policy, grants and identity policies), before any byte is sent.
   * @throws NoSuchBucket, NoSuchKey, InvalidRange, AccessDenied, KMS.*
   */
  async getObject(
    caller: Caller,
    bucket: string,
    key: string,
    range: RangeRequest | undefined,
    requestId: string,
  ): Promise<GetResult> {
    const object = await this.headObject(caller, bucket, key);
    const r = range && byteRange(range, object.size);
    const dataKey = await openDataKey(this.keys(requestId), caller, object.sse);
    const [from, to] = r ? [r.start, r.end + 1] : [0, object.size];
    return {
      object,
      ...(r ? { range: r } : {}),
      body: readSegments(this.env.bytes, object.segments, dataKey, from, to),
    };
  }

  /** DeleteObject: S3 answers 204 whether or not the key existed. @throws NoSuchBucket */
  async deleteObject(caller: Caller, bucket: string, key: string): Promise<void> {
    await this.authorize(caller, 'DeleteObject', objectArn(bucket, key));
    const gone = await this.env.meta.deleteObject(bucket, key);
    if (gone) await dropSegments(this.env.bytes, gone.segments);
    else await this.bucket(bucket);
  }

  /**
   * CopyObject: the source is decrypted for the caller and streamed into a new object encrypted as the
   * request (or the destination bucket) says. Metadata is copied unless the directive is REPLACE.
   * @throws NoSuchBucket, NoSuchKey, InvalidRequest (a copy onto itself that changes nothing), AccessDenied, KMS.*
   */
  async copyObject(
    caller: Caller,
    source: { bucket: string; key: string },
    bucket: string,
    key: string,
    a: ObjectAttributes & { replaceMetadata: boolean },
    requestId: string,
  ): Promise<PutResult & { lastModified: number }> {
    checkObjectKey(key);
    if (a.sse) checkSseRequest(a.sse);
    const src = await this.getObject(caller, source.bucket, source.key, undefined, requestId);
    if (source.bucket === bucket && source.key === key && !a.replaceMetadata && !a.sse) {
      void src.body.cancel();
      throw new InvalidRequest(
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      );
    }
    const written = await writeSegment(this.env.bytes, src.body, newSegmentFile(this.random), {
      md5: a.sse?.algorithm !== 'aws:kms',
    });
    const attrs: ObjectAttributes = a.replaceMetadata
      ? a
      : { ...a, contentType: src.object.contentType, metadata: src.object.metadata, headers: src.object.headers };
    try {
      const r = await this.store(caller, bucket, key, attrs, [written], written.md5, requestId);
      return { ...r, lastModified: this.now() };
    } catch (e) {
      await dropSegments(this.env.bytes, [{ file: written.file, size: 0, wrappedKey: new Uint8Array(0) }]);
      throw e;
    }
  }

  /** ListObjectsV2's page: keys after `after` with `prefix`, grouped by `delimiter` into common prefixes. */
  async listObjects(
    caller: Caller,
    bucket: string,
    q: { prefix: string; delimiter?: string; after?: string; maxKeys: number },
  ): Promise<{ objects: ObjectRecord[]; prefixes: string[]; truncated: boolean; last?: string }> {
    await this.authorize(caller, 'ListBucket', bucketArn(bucket));
    await this.bucket(bucket);
    const objects: ObjectRecord[] = [];
    const prefixes: string[] = [];
    let after = q.after;
    let last: string | undefined;
    const take = () => objects.length + prefixes.length;
    for (;;) {
      const batch = await this.env.meta.listObjects(bucket, {
        prefix: q.prefix,
        ...(after !== undefined ? { after } : {}),
        limit: 1000,
      });
      for (const o of batch) {
        after = o.key;
        // A page that ended on a common prefix continues after every key under it.
        if (q.delimiter && q.after?.endsWith(q.delimiter) && o.key.startsWith(q.after)) continue;
        const rest = o.key.slice(q.prefix.length);
        const cut = q.delimiter ? rest.indexOf(q.delimiter) : -1;
        const common = cut >= 0 ? q.prefix + rest.slice(0, cut + q.delimiter!.length) : undefined;
        if (common !== undefined && common === prefixes[prefixes.length - 1]) continue;
        if (take() >= q.maxKeys) return { objects, prefixes, truncated: true, ...(last ? { last } : {}) };
        if (common !== undefined) prefixes.push(common);
        else objects.push(o);
        last = common ?? o.key;
      }
      if (batch.length < 1000) return { objects, prefixes, truncated: false, ...(last ? { last } : {}) };
    }
  }
}

/** The inclusive byte range a Range header selects in an object of `size` bytes (RFC 9110 §14.1.2).
 * @throws InvalidRange when it selects nothing */
export function byteRange(r: RangeRequest, size: number): { start: number; end: number } {
  const bad = () =>
    withDetails(new InvalidRange('The requested range is not satisfiable'), { ActualObjectSize: String(size) });
  if ('suffix' in r) {
    if (r.suffix === 0 || size === 0) throw bad();
    return { start: Math.max(0, size - r.suffix), end: size - 1 };
  }
  if (r.start >= size) throw bad();
  return { start: r.start, end: Math.min(size - 1, r.end ?? size - 1) };
}
