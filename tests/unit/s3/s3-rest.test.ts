import { createHash } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { handleS3 } from '../../../src/endpoint/s3-rest';
import { parseXml } from '../../../src/endpoint/s3-xml';
import { credentialsOf, NodeSha256, type Credentials } from '../helpers/sign';
import { freshS3 } from './fixtures';

const BASE = 'http://127.0.0.1/s3';

async function endpoint() {
  const f = await freshS3();
  const creds = credentialsOf(await f.kms.iam.createAccessKey(f.root, `arn:aws:iam::${f.kms.keystore.accountId}:root`));
  const o = { now: () => f.clock.t };
  /** A request signed as the S3 SDK signs it (service s3, path not escaped again), seen as a service
   * worker sees it: no Host, no Content-Length. */
  const send = async (
    method: string,
    path: string,
    body?: string | Uint8Array,
    headers: Record<string, string> = {},
    opts: { creds?: Credentials | null; payload?: string } = {},
  ) => {
    const url = new URL(`${BASE}${path}`);
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    const payload =
      opts.payload ??
      createHash('sha256')
        .update(bytes ?? new Uint8Array(0))
        .digest('hex');
    let h: Record<string, string> = { ...headers, 'x-amz-content-sha256': payload };
    const creds = opts.creds === undefined ? creds0 : opts.creds;
    if (creds) {
      const signer = new SignatureV4({
        service: 's3',
        region: 'us-east-1',
        credentials: creds,
        sha256: NodeSha256 as never,
        uriEscapePath: false,
      });
      const query = Object.fromEntries(url.searchParams);
      const signed = await signer.sign(
        {
          method,
          protocol: 'http:',
          hostname: '127.0.0.1',
          path: url.pathname,
          query,
          headers: { host: '127.0.0.1', ...h, ...(bytes ? { 'content-length': String(bytes.length) } : {}) },
          body: bytes,
        } as never,
        { signingDate: new Date(f.clock.t) },
      );
      h = { ...(signed as unknown as { headers: Record<string, string> }).headers };
      delete h.host;
      delete h['content-length'];
    }
    const res = await handleS3(
      f.s3,
      new Request(url, { method, headers: h, ...(bytes ? { body: bytes as Uint8Array<ArrayBuffer> } : {}) }),
      o,
    );
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      text,
      code: text.startsWith('<?xml') ? /<Code>([^<]*)<\/Code>/.exec(text)?.[1] : undefined,
    };
  };
  const creds0 = creds;
  return { ...f, send };
}

describe('the S3 REST API under /s3', () => {
  it('creates a bucket, puts an object with SSE-KMS headers, and answers HeadObject and GetObject headers', async () => {
    const { send, createKey } = await endpoint();
    const key = await createKey();
    expect((await send('PUT', '/lab')).status).toBe(200);
    const put = await send('PUT', '/lab/dir/hello%20world.txt', 'hello', {
      'content-type': 'text/plain',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': key.KeyId,
      'x-amz-meta-owner': 'lab',
    });
    expect(put.status).toBe(200);
    expect(put.headers.get('x-amz-server-side-encryption-aws-kms-key-id')).toBe(key.Arn);
    const head = await send('HEAD', '/lab/dir/hello%20world.txt');
    expect(Object.fromEntries([...head.headers].filter(([k]) => /^(content-|x-amz-(meta|server))/.test(k)))).toEqual({
      'content-length': '5',
      'content-type': 'text/plain',
      'x-amz-meta-owner': 'lab',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': key.Arn,
    });
    const get = await send('GET', '/lab/dir/hello%20world.txt', undefined, { range: 'bytes=1-3' });
    expect([get.status, get.text, get.headers.get('content-range')]).toEqual([206, 'ell', 'bytes 1-3/5']);
    const list = await send('GET', '/lab?list-type=2&prefix=dir%2F');
    expect(list.text).toContain('<Key>dir/hello world.txt</Key>');
    expect(list.text).toContain('<KeyCount>1</KeyCount>');
  });

  it('accepts UNSIGNED-PAYLOAD and refuses a body that does not match its declared SHA-256, storing nothing', async () => {
    const { send, bytes } = await endpoint();
    await send('PUT', '/lab');
    expect((await send('PUT', '/lab/u', 'unsigned', {}, { payload: 'UNSIGNED-PAYLOAD' })).status).toBe(200);
    const bad = await send('PUT', '/lab/bad', 'tampered', {}, { payload: 'a'.repeat(64) });
    expect([bad.status, bad.code]).toEqual([400, 'XAmzContentSHA256Mismatch']);
    expect((await send('HEAD', '/lab/bad')).status).toBe(404);
    expect(bytes.files.size).toBe(1);
  });

  it('answers S3 error documents: AccessDenied unsigned, SignatureDoesNotMatch, NoSuchBucket, BucketNotEmpty; HEAD without a body', async () => {
    const { send, s3 } = await endpoint();
    const unsigned = await send('GET', '/', undefined, {}, { creds: null });
    expect([unsigned.status, unsigned.code]).toEqual([403, 'AccessDenied']);
    const bare = await handleS3(s3, new Request(`${BASE}/`));
    expect([bare.status, /<Code>(\w+)</.exec(await bare.text())?.[1]]).toEqual([403, 'AccessDenied']);
    const wrong = await send(
      'GET',
      '/',
      undefined,
      {},
      { creds: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' } },
    );
    expect([wrong.status, wrong.code]).toEqual([403, 'InvalidAccessKeyId']);
    const missing = await send('GET', '/nope?list-type=2');
    expect([missing.status, missing.code]).toEqual([404, 'NoSuchBucket']);
    expect(missing.text).toContain('<BucketName>nope</BucketName>');
    const head = await send('HEAD', '/nope');
    expect([head.status, head.text]).toEqual([404, '']);
    await send('PUT', '/full');
    await send('PUT', '/full/x', 'x');
    const notEmpty = await send('DELETE', '/full');
    expect([notEmpty.status, notEmpty.code]).toEqual([409, 'BucketNotEmpty']);
    const badUri = await send('GET', '/lab/%E0%A4%A');
    expect([badUri.status, badUri.code]).toEqual([400, 'InvalidURI']);
    const noSha = await send('GET', '/', undefined, {}, { payload: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' });
    expect([noSha.status, noSha.code]).toEqual([501, 'NotImplemented']);
  });

  it('takes CreateBucketConfiguration, ServerSideEncryptionConfiguration and CompleteMultipartUpload as XML', async () => {
    const { send } = await endpoint();
    const cfg =
      '<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>';
    expect((await send('PUT', '/eu-bucket', cfg)).code).toBe('IllegalLocationConstraintException');
    await send('PUT', '/enc');
    const rule =
      '<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>';
    expect((await send('PUT', '/enc?encryption', rule)).status).toBe(200);
    expect((await send('GET', '/enc?encryption')).text).toContain('<SSEAlgorithm>AES256</SSEAlgorithm>');
    const init = await send('POST', '/enc/big?uploads');
    const uploadId = /<UploadId>([^<]+)</.exec(init.text)![1]!;
    const part = await send('PUT', `/enc/big?partNumber=1&uploadId=${uploadId}`, 'only part');
    const done = await send(
      'POST',
      `/enc/big?uploadId=${uploadId}`,
      `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${part.headers.get('etag')!.replace(/"/g, '&quot;')}</ETag></Part></CompleteMultipartUpload>`,
    );
    expect(done.status).toBe(200);
    expect(done.text).toMatch(/<ETag>&quot;[0-9a-f]{32}-1&quot;<\/ETag>/);
    expect((await send('GET', '/enc/big')).text).toBe('only part');
    expect((await send('PUT', '/enc?encryption', '<Oops>')).code).toBe('MalformedXML');
  });
});

describe('the S3 XML parser', () => {
  it('reads elements and text, with entities, a declaration, comments and namespaces', () => {
    const doc = parseXml('<?xml version="1.0"?><!-- c --><a:Root xmlns:a="x"><B>1 &amp; &#x32;</B><C/></a:Root>');
    expect(doc).toEqual({
      name: 'Root',
      text: '',
      children: [
        { name: 'B', text: '1 & 2', children: [] },
        { name: 'C', text: '', children: [] },
      ],
    });
  });

  it.each([
    '',
    '<a>',
    '<a></b>',
    '<a/><b/>',
    'text',
    '<a>&bogus;</a>',
    '<a><b></a></b>',
    '<!DOCTYPE x><a/>',
    '<a x=1/>',
  ])('refuses %j with MalformedXML', (bad) => {
    expect(() => parseXml(bad)).toThrow(expect.objectContaining({ name: 'MalformedXML' }));
  });
});
