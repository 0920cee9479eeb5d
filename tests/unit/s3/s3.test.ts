import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { invokedVia } from '../../../src/kms/ids';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  MIN_PART_BYTES,
  S3Error,
  uploadPart,
} from '../../../src/s3';
import { bodyOf, freshS3, readAll } from './fixtures';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Asserts an S3 error by code and HTTP status. */
async function rejectsS3(p: Promise<unknown>, name: string, status: number): Promise<S3Error> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(S3Error);
  expect(e).toMatchObject({ name, status });
  return e as S3Error;
}

const s3Allow = (...actions: string[]) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: actions, Resource: 'arn:aws:s3:::lab-bucket/*' }],
});

async function withKey() {
  const f = await freshS3();
  const key = await f.createKey({ Description: 's3' });
  await f.call('CreateAlias', { AliasName: 'alias/lab', TargetKeyId: key.KeyId });
  await f.s3.createBucket(f.root, 'lab-bucket');
  return { ...f, key };
}

describe('buckets', () => {
  it('follows S3 naming rules and LocationConstraint rules of a us-east-1 endpoint', async () => {
    const { s3, root } = await freshS3();
    for (const bad of ['ab', 'Upper', 'a..b', '192.168.1.1', 'xn--abc', 'ends-', 'x'.repeat(64)])
      await rejectsS3(s3.createBucket(root, bad), 'InvalidBucketName', 400);
    await rejectsS3(s3.createBucket(root, 'ok-bucket', 'us-east-1'), 'InvalidLocationConstraint', 400);
    await rejectsS3(s3.createBucket(root, 'ok-bucket', 'eu-west-1'), 'IllegalLocationConstraintException', 400);
    await s3.createBucket(root, 'ok-bucket');
    // us-east-1 answers 200 again for a bucket you own.
    await s3.createBucket(root, 'ok-bucket');
    expect((await s3.listBuckets(root)).map((b) => b.name)).toEqual(['ok-bucket']);
  });

  it('refuses to delete a bucket that holds an object or an upload (BucketNotEmpty), then deletes it', async () => {
    const { s3, root } = await freshS3();
    await s3.createBucket(root, 'full');
    await s3.putObject(bodyOf('x', root), 'full', 'a', {}, 'r1');
    await rejectsS3(s3.deleteBucket(root, 'full'), 'BucketNotEmpty', 409);
    await s3.deleteObject(root, 'full', 'a');
    const up = await createMultipartUpload(s3, root, 'full', 'big', {}, 'r2');
    await rejectsS3(s3.deleteBucket(root, 'full'), 'BucketNotEmpty', 409);
    await abortMultipartUpload(s3, root, 'full', 'big', up.uploadId);
    await s3.deleteBucket(root, 'full');
    await rejectsS3(s3.headBucket(root, 'full'), 'NoSuchBucket', 404);
    await rejectsS3(s3.deleteBucket(root, 'full'), 'NoSuchBucket', 404);
  });
});

describe('objects under SSE-KMS and SSE-S3', () => {
  it('encrypts under the alias given, reports the key ARN, and stores no plaintext', async () => {
    const { s3, root, key, bytes } = await withKey();
    const put = await s3.putObject(
      bodyOf('hello from kms s3 lab', root),
      'lab-bucket',
      'hello.txt',
      { sse: { algorithm: 'aws:kms', kmsKeyId: 'alias/lab' } },
      'req-1',
    );
    expect(put.sse).toMatchObject({ algorithm: 'aws:kms', kmsKeyArn: key.Arn, bucketKeyEnabled: false });
    const head = await s3.headObject(root, 'lab-bucket', 'hello.txt');
    expect(head.sse.encryptionContext).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::lab-bucket/hello.txt' });
    for (const stored of bytes.files.values()) expect(Buffer.from(stored).includes('hello from kms')).toBe(false);
    // No digest of the plaintext is stored for SSE-KMS (S3: its ETag is not an MD5); SSE-S3's is the MD5.
    const md5 = (t: string) => `"${createHash('md5').update(t).digest('hex')}"`;
    expect(put.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(put.etag).not.toBe(md5('hello from kms s3 lab'));
    expect((await s3.putObject(bodyOf('plain', root), 'lab-bucket', 'p', {}, 'r')).etag).toBe(md5('plain'));
    const got = await s3.getObject(root, 'lab-bucket', 'hello.txt', undefined, 'req-2');
    expect(text(await readAll(got.body))).toBe('hello from kms s3 lab');
  });

  it('records GenerateDataKey and Decrypt as the caller, invoked by s3.amazonaws.com, with the S3 request ID', async () => {
    const { s3, root, audit } = await withKey();
    await s3.putObject(
      bodyOf('x', root),
      'lab-bucket',
      'k',
      { sse: { algorithm: 'aws:kms', kmsKeyId: 'alias/lab' } },
      'put-id',
    );
    await readAll((await s3.getObject(root, 'lab-bucket', 'k', undefined, 'get-id')).body);
    const records = (await audit())
      .filter((e) => ['GenerateDataKey', 'Decrypt'].includes(e.eventName))
      .map((e) => e.record);
    expect(records.map((r) => [r.eventName, r.requestID])).toEqual([
      ['GenerateDataKey', 'put-id'],
      ['Decrypt', 'get-id'],
    ]);
    for (const r of records) {
      expect(r.userIdentity).toMatchObject({ type: 'Root', invokedBy: 's3.amazonaws.com' });
      expect(r.sourceIPAddress).toBe('s3.amazonaws.com');
      expect(r.userAgent).toBe('s3.amazonaws.com');
      expect((r.requestParameters as any).encryptionContext).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::lab-bucket/k' });
    }
  });

  it('answers AccessDenied (403) to a principal without kms:Decrypt, and the bytes once a grant allows it', async () => {
    const { s3, root, key, kms, call } = await withKey();
    await s3.putObject(
      bodyOf('secret', root),
      'lab-bucket',
      'k',
      { sse: { algorithm: 'aws:kms', kmsKeyId: key.KeyId } },
      'r',
    );
    const user = await kms.iam.createPrincipal(root, 'user', 'reader');
    await kms.iam.putPolicy(root, user.arn, 's3-read', JSON.stringify(s3Allow('s3:GetObject')));
    const reader = await kms.iam.callerFor(user.arn, { userAgent: 'vitest' });
    const e = await rejectsS3(s3.getObject(reader, 'lab-bucket', 'k', undefined, 'r'), 'AccessDenied', 403);
    expect(e.message).toContain('kms:Decrypt');
    await call('CreateGrant', { KeyId: key.KeyId, GranteePrincipal: user.arn, Operations: ['Decrypt'] });
    expect(text(await readAll((await s3.getObject(reader, 'lab-bucket', 'k', undefined, 'r')).body))).toBe('secret');
  });

  it('honours kms:ViaService: a policy allowing Decrypt only through S3 lets S3 decrypt and refuses a direct call', async () => {
    const { s3, root, key, kms, call } = await withKey();
    const user = await kms.iam.createPrincipal(root, 'user', 'via-only');
    await kms.iam.putPolicy(root, user.arn, 's3', JSON.stringify(s3Allow('s3:GetObject', 's3:PutObject')));
    const reader = await kms.iam.callerFor(user.arn, { userAgent: 'vitest' });
    const policy = JSON.parse((await call('GetKeyPolicy', { KeyId: key.KeyId, PolicyName: 'default' })).Policy);
    policy.Statement.push({
      Effect: 'Allow',
      Principal: { AWS: user.arn },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
    });
    await call('PutKeyPolicy', { KeyId: key.KeyId, PolicyName: 'default', Policy: JSON.stringify(policy) });
    await s3.putObject(
      bodyOf('via s3', reader),
      'lab-bucket',
      'k',
      { sse: { algorithm: 'aws:kms', kmsKeyId: key.KeyId } },
      'r',
    );
    expect(text(await readAll((await s3.getObject(reader, 'lab-bucket', 'k', undefined, 'r')).body))).toBe('via s3');
    const blob = (await s3.headObject(reader, 'lab-bucket', 'k')).sse.encryptedDataKey;
    const ctx = { 'aws:s3:arn': 'arn:aws:s3:::lab-bucket/k' };
    await expect(kms.call('Decrypt', { CiphertextBlob: blob, EncryptionContext: ctx }, reader)).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await expect(
      kms.call('Decrypt', { CiphertextBlob: blob, EncryptionContext: ctx }, invokedVia(reader, 's3', 'us-east-1')),
    ).resolves.toBeDefined();
  });

  it("uses the bucket's default SSE-KMS with a bucket key (context: the bucket's ARN), and SSE-S3 otherwise", async () => {
    const { s3, root, key } = await withKey();
    await s3.putObject(bodyOf('plain default', root), 'lab-bucket', 'a', {}, 'r');
    expect((await s3.headObject(root, 'lab-bucket', 'a')).sse).toEqual({
      algorithm: 'AES256',
      bucketKeyEnabled: false,
    });
    await s3.putBucketEncryption(root, 'lab-bucket', {
      algorithm: 'aws:kms',
      kmsKeyId: 'alias/lab',
      bucketKeyEnabled: true,
    });
    await s3.putObject(bodyOf('kms default', root), 'lab-bucket', 'b', {}, 'r');
    const b = await s3.headObject(root, 'lab-bucket', 'b');
    expect(b.sse).toMatchObject({
      algorithm: 'aws:kms',
      kmsKeyArn: key.Arn,
      bucketKeyEnabled: true,
      encryptionContext: { 'aws:s3:arn': 'arn:aws:s3:::lab-bucket' },
    });
    for (const k of ['a', 'b'])
      expect(text(await readAll((await s3.getObject(root, 'lab-bucket', k, undefined, 'r')).body))).toMatch(/default$/);
  });

  it('refuses an unknown algorithm, a KMS key without aws:kms, and a key that does not exist', async () => {
    const { s3, root, bytes } = await withKey();
    await rejectsS3(
      s3.putObject(bodyOf('x', root), 'lab-bucket', 'k', { sse: { algorithm: 'DES' } }, 'r'),
      'InvalidArgument',
      400,
    );
    await rejectsS3(
      s3.putObject(bodyOf('x', root), 'lab-bucket', 'k', { sse: { algorithm: 'AES256', kmsKeyId: 'alias/lab' } }, 'r'),
      'InvalidArgument',
      400,
    );
    await rejectsS3(
      s3.putObject(
        bodyOf('x', root),
        'lab-bucket',
        'k',
        { sse: { algorithm: 'aws:kms', kmsKeyId: 'alias/nope' } },
        'r',
      ),
      'KMS.NotFoundException',
      400,
    );
    // Nothing of a refused upload stays on disk.
    expect(bytes.files.size).toBe(0);
  });

  it('deletes the stored bytes when the request fails to authenticate after its body was read', async () => {
    const { s3, root, bytes } = await withKey();
    const body = { ...bodyOf('x', root), authenticate: () => Promise.reject(new S3Error('no')) };
    await expect(s3.putObject(body, 'lab-bucket', 'k', {}, 'r')).rejects.toBeInstanceOf(S3Error);
    expect(bytes.files.size).toBe(0);
    await rejectsS3(s3.headObject(root, 'lab-bucket', 'k'), 'NoSuchKey', 404);
  });

  it('serves byte ranges, and InvalidRange (416) past the end', async () => {
    const { s3, root } = await withKey();
    await s3.putObject(bodyOf('0123456789', root), 'lab-bucket', 'd', {}, 'r');
    const get = async (range: any) => {
      const g = await s3.getObject(root, 'lab-bucket', 'd', range, 'r');
      return [text(await readAll(g.body)), g.range];
    };
    expect(await get({ start: 2, end: 4 })).toEqual(['234', { start: 2, end: 4 }]);
    expect(await get({ start: 7 })).toEqual(['789', { start: 7, end: 9 }]);
    expect(await get({ suffix: 3 })).toEqual(['789', { start: 7, end: 9 }]);
    expect(await get({ start: 8, end: 100 })).toEqual(['89', { start: 8, end: 9 }]);
    await rejectsS3(s3.getObject(root, 'lab-bucket', 'd', { start: 10 }, 'r'), 'InvalidRange', 416);
  });

  it('copies with new encryption, and refuses a copy onto itself that changes nothing', async () => {
    const { s3, root } = await withKey();
    await s3.putObject(bodyOf('copy me', root), 'lab-bucket', 'src', { contentType: 'text/plain' }, 'r');
    const c = await s3.copyObject(
      root,
      { bucket: 'lab-bucket', key: 'src' },
      'lab-bucket',
      'dst',
      { sse: { algorithm: 'aws:kms', kmsKeyId: 'alias/lab' }, replaceMetadata: false },
      'r',
    );
    expect(c.sse.algorithm).toBe('aws:kms');
    const dst = await s3.getObject(root, 'lab-bucket', 'dst', undefined, 'r');
    expect([text(await readAll(dst.body)), dst.object.contentType]).toEqual(['copy me', 'text/plain']);
    await rejectsS3(
      s3.copyObject(root, { bucket: 'lab-bucket', key: 'src' }, 'lab-bucket', 'src', { replaceMetadata: false }, 'r'),
      'InvalidRequest',
      400,
    );
  });

  it('lists keys in order with prefixes, delimiters and pages', async () => {
    const { s3, root } = await withKey();
    for (const k of ['a/1', 'a/2', 'b', 'c/x/y', 'c/z']) await s3.putObject(bodyOf(k, root), 'lab-bucket', k, {}, 'r');
    const page = (q: any) => s3.listObjects(root, 'lab-bucket', { prefix: '', maxKeys: 1000, ...q });
    expect((await page({})).objects.map((o) => o.key)).toEqual(['a/1', 'a/2', 'b', 'c/x/y', 'c/z']);
    const d = await page({ delimiter: '/' });
    expect([d.objects.map((o) => o.key), d.prefixes]).toEqual([['b'], ['a/', 'c/']]);
    expect((await page({ prefix: 'c/', delimiter: '/' })).prefixes).toEqual(['c/x/']);
    const first = await page({ delimiter: '/', maxKeys: 1 });
    expect([first.prefixes, first.truncated, first.last]).toEqual([['a/'], true, 'a/']);
    const second = await page({ delimiter: '/', maxKeys: 1, after: first.last });
    expect(second.objects.map((o) => o.key)).toEqual(['b']);
  });
});

describe('S3 authorization', () => {
  it('decides s3:<Action> on the bucket or object ARN by identity policies, before any KMS call', async () => {
    const { s3, root, kms, audit } = await withKey();
    await s3.putObject(
      bodyOf('x', root),
      'lab-bucket',
      'k',
      { sse: { algorithm: 'aws:kms', kmsKeyId: 'alias/lab' } },
      'r',
    );
    const user = await kms.iam.createPrincipal(root, 'user', 'lister');
    await kms.iam.putPolicy(
      root,
      user.arn,
      'list',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::lab-bucket' }],
      }),
    );
    const lister = await kms.iam.callerFor(user.arn, { userAgent: 'vitest' });
    expect((await s3.listObjects(lister, 'lab-bucket', { prefix: '', maxKeys: 10 })).objects).toHaveLength(1);
    const before = (await audit()).length;
    const e = await rejectsS3(s3.getObject(lister, 'lab-bucket', 'k', undefined, 'r'), 'AccessDenied', 403);
    expect(e.message).toBe(
      `User: ${user.arn} is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::lab-bucket/k because no identity-based policy allows the s3:GetObject action`,
    );
    await rejectsS3(s3.putObject(bodyOf('y', lister), 'lab-bucket', 'k2', {}, 'r'), 'AccessDenied', 403);
    await rejectsS3(s3.createBucket(lister, 'another-bucket'), 'AccessDenied', 403);
    await rejectsS3(s3.listBuckets(lister), 'AccessDenied', 403);
    // Refused by S3 itself: KMS was never asked.
    expect((await audit()).length).toBe(before);
  });
});

describe('multipart upload', () => {
  const part = (n: number, fill: number) => new Uint8Array(n).fill(fill);

  it('joins parts into one object with an ETag ending -<parts>, readable across part boundaries', async () => {
    const { s3, root, bytes, audit } = await withKey();
    const up = await createMultipartUpload(
      s3,
      root,
      'lab-bucket',
      'big',
      { sse: { algorithm: 'aws:kms', kmsKeyId: 'alias/lab' } },
      'c',
    );
    const p1 = await uploadPart(s3, bodyOf(part(MIN_PART_BYTES, 1), root), 'lab-bucket', 'big', up.uploadId, 1, 'u1');
    const p2 = await uploadPart(s3, bodyOf(part(10, 2), root), 'lab-bucket', 'big', up.uploadId, 2, 'u2');
    // An extra part, uploaded and not listed, is discarded.
    await uploadPart(s3, bodyOf(part(10, 3), root), 'lab-bucket', 'big', up.uploadId, 3, 'u3');
    const o = await completeMultipartUpload(
      s3,
      root,
      'lab-bucket',
      'big',
      up.uploadId,
      [
        { partNumber: 1, etag: p1.etag },
        { partNumber: 2, etag: p2.etag },
      ],
      'done',
    );
    expect(o.etag).toMatch(/^"[0-9a-f]{32}-2"$/);
    expect(o.size).toBe(MIN_PART_BYTES + 10);
    expect(bytes.files.size).toBe(2);
    const g = await s3.getObject(
      root,
      'lab-bucket',
      'big',
      { start: MIN_PART_BYTES - 2, end: MIN_PART_BYTES + 1 },
      'g',
    );
    expect([...(await readAll(g.body))]).toEqual([1, 1, 2, 2]);
    // One data key for the upload; each part and the completion open it (kms:Decrypt, as S3 needs).
    const names = (await audit()).filter((e) => e.record.userIdentity.invokedBy).map((e) => e.eventName);
    expect(names).toEqual(['GenerateDataKey', 'Decrypt', 'Decrypt', 'Decrypt', 'Decrypt', 'Decrypt']);
  });

  it('refuses parts out of order, a wrong ETag, a small part before the last, and a finished upload', async () => {
    const { s3, root } = await withKey();
    const up = await createMultipartUpload(s3, root, 'lab-bucket', 'k', {}, 'c');
    const a = await uploadPart(s3, bodyOf(part(100, 1), root), 'lab-bucket', 'k', up.uploadId, 1, 'u');
    const b = await uploadPart(s3, bodyOf(part(100, 2), root), 'lab-bucket', 'k', up.uploadId, 2, 'u');
    const complete = (parts: { partNumber: number; etag: string }[]) =>
      completeMultipartUpload(s3, root, 'lab-bucket', 'k', up.uploadId, parts, 'r');
    await rejectsS3(
      complete([
        { partNumber: 2, etag: b.etag },
        { partNumber: 1, etag: a.etag },
      ]),
      'InvalidPartOrder',
      400,
    );
    await rejectsS3(complete([{ partNumber: 1, etag: '"0000"' }]), 'InvalidPart', 400);
    await rejectsS3(
      complete([
        { partNumber: 1, etag: a.etag },
        { partNumber: 2, etag: b.etag },
      ]),
      'EntityTooSmall',
      400,
    );
    await rejectsS3(
      uploadPart(s3, bodyOf('x', root), 'lab-bucket', 'k', up.uploadId, 10_001, 'u'),
      'InvalidArgument',
      400,
    );
    await abortMultipartUpload(s3, root, 'lab-bucket', 'k', up.uploadId);
    await rejectsS3(complete([{ partNumber: 1, etag: a.etag }]), 'NoSuchUpload', 404);
    await rejectsS3(uploadPart(s3, bodyOf('x', root), 'lab-bucket', 'k', up.uploadId, 1, 'u'), 'NoSuchUpload', 404);
  });
});
