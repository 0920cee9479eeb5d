// The S3 REST API adapter (Amazon S3 API Reference; path-style requests under /s3): routes each method and
// query to an S3 action of the core (src/s3), reads request headers and XML, and answers as S3 does —
// headers, XML documents, errors as <Error><Code>…</Code></Error> with S3's status (no body for HEAD).
// Pure: Fetch API objects in and out, so it is tested in Node. Object responses are response headers: s3-headers.ts.

import { fromBase64 } from '../format/bytes';
import type { Caller } from '../kms/ids';
import {
  abortMultipartUpload,
  AccessDenied,
  completeMultipartUpload,
  createMultipartUpload,
  InternalError,
  InvalidArgument,
  InvalidURI,
  MalformedXML,
  MethodNotAllowed,
  NotImplemented,
  S3Error,
  uploadPart,
  xmlDate,
  type RangeRequest,
  type S3,
  type SseAlgorithm,
} from '../s3';
import { readBody } from './wire';
import { checkPayload, checkPayloadBytes, declaredPayloadHash, s3AuthError, s3Caller } from './s3-auth';
import { objectAttributes, objectHeaders, sseHeaders } from './s3-headers';
import { child, children, childText, parseXml, S3_XMLNS, xmlDocument, type XmlNode } from './s3-xml';

/** Largest XML request body read (CompleteMultipartUpload of 10,000 parts is under 1 MiB). */
const MAX_XML_BYTES = 2 * 1024 * 1024;

export interface S3Options {
  now?: () => number;
}

interface Route {
  bucket?: string;
  key?: string;
  q: URLSearchParams;
}

function route(req: Request): Route {
  const url = new URL(req.url);
  const rest = url.pathname.replace(/^\/s3\/?/, '');
  const i = rest.indexOf('/');
  let bucket: string;
  let key: string;
  try {
    bucket = decodeURIComponent(i < 0 ? rest : rest.slice(0, i));
    key = i < 0 ? '' : decodeURIComponent(rest.slice(i + 1));
  } catch {
    throw new InvalidURI("Couldn't parse the specified URI.");
  }
  return { ...(bucket ? { bucket } : {}), ...(key ? { key } : {}), q: url.searchParams };
}

/** An S3 error as S3 answers it: an <Error> document with S3's status (status only for HEAD). */
export function s3ErrorResponse(e: S3Error, requestId: string, head: boolean): Response {
  const headers = { 'content-type': 'application/xml', 'x-amz-request-id': requestId, 'x-amz-id-2': requestId };
  if (head) return new Response(null, { status: e.status, headers });
  const details = Object.entries(e.details).map(([k, v]): XmlNode => [k, v]);
  const body = xmlDocument(
    'Error',
    [['Code', e.name], ['Message', e.message], ...details, ['RequestId', requestId], ['HostId', requestId]],
    false,
  );
  return new Response(body, { status: e.status, headers });
}

function toS3Error(e: unknown): S3Error {
  const err = s3AuthError(e);
  if (err instanceof S3Error) return err;
  if (err instanceof Error && err.name === 'RequestEntityTooLargeException')
    return new MalformedXML('The XML you provided was larger than this endpoint reads.');
  console.error('Pocket KMS internal error in S3:', (err as Error)?.name);
  return new InternalError('We encountered an internal error. Please try again.');
}

const ok = (requestId: string, headers: Record<string, string> = {}, body: BodyInit | null = null, status = 200) =>
  new Response(body, { status, headers: { 'x-amz-request-id': requestId, 'x-amz-id-2': requestId, ...headers } });
const xml = (requestId: string, doc: string, headers: Record<string, string> = {}) =>
  ok(requestId, { 'content-type': 'application/xml', ...headers }, doc);

/** Parses `Range: bytes=a-b | a- | -n`; anything else is ignored, as S3 ignores it. */
function parseRange(h: string | null): RangeRequest | undefined {
  const m = h ? /^bytes=(\d*)-(\d*)$/.exec(h.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') return { suffix: Number(m[2]) };
  return m[2] === '' ? { start: Number(m[1]) } : { start: Number(m[1]), end: Number(m[2]) };
}

/** Answers one request under /s3. */
export async function handleS3(s3: S3, req: Request, o: S3Options = {}): Promise<Response> {
  const requestId = crypto.randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
  const now = o.now ?? Date.now;
  const head = req.method === 'HEAD';
  try {
    // An unsigned request is refused as unsigned, whatever else it lacks.
    if (!req.headers.get('authorization'))
      throw new AccessDenied('Access Denied: sign the request with an access key (AWS Signature Version 4).');
    const declared = declaredPayloadHash(req);
    const r = route(req);
    const streamsBody = req.method === 'PUT' && !!r.key && !req.headers.get('x-amz-copy-source');
    if (streamsBody) return await putBody(s3, req, r, declared, requestId, now);
    // Every other action's body is small (XML or empty): read, checked, then the request authenticated.
    const body = req.method === 'GET' || head ? new Uint8Array(0) : await readBody(req, MAX_XML_BYTES);
    checkPayloadBytes(declared, body);
    const caller = await s3Caller(s3.env.kms, req, body.length, declared, now());
    return await dispatch(s3, caller, req, r, body, requestId);
  } catch (e) {
    return s3ErrorResponse(toS3Error(e), requestId, head);
  }
}

/** PutObject and UploadPart: the body streams to disk, checked against its declared hash, authenticated at the end. */
async function putBody(s3: S3, req: Request, r: Route, declared: string, requestId: string, now: () => number) {
  const body = {
    stream: (req.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() })).pipeThrough(
      checkPayload(declared),
    ),
    authenticate: (size: number) => s3Caller(s3.env.kms, req, size, declared, now()),
  };
  const { bucket, key, q } = r as Required<Route>;
  if (q.has('uploadId') || q.has('partNumber')) {
    const { etag, upload } = await uploadPart(
      s3,
      body,
      bucket,
      key,
      q.get('uploadId') ?? '',
      Number(q.get('partNumber')),
      requestId,
    );
    return ok(requestId, { etag, ...sseHeaders(upload.sse) });
  }
  const put = await s3.putObject(body, bucket, key, objectAttributes(req.headers), requestId);
  return ok(requestId, { etag: put.etag, ...sseHeaders(put.sse) });
}

function sseAlgorithm(v: string | undefined): SseAlgorithm {
  if (v !== 'AES256' && v !== 'aws:kms')
    throw new InvalidArgument(`The encryption method specified is not supported: '${v ?? ''}'.`);
  return v;
}

async function dispatch(s3: S3, caller: Caller, req: Request, r: Route, body: Uint8Array, requestId: string) {
  const { bucket, key, q } = r;
  const m = req.method;
  const text = () => new TextDecoder().decode(body);
  if (!bucket) {
    if (m !== 'GET') throw new MethodNotAllowed('The specified method is not allowed against this resource.');
    const buckets = await s3.listBuckets(caller);
    return xml(
      requestId,
      xmlDocument('ListAllMyBucketsResult', [
        [
          'Owner',
          [
            ['ID', caller.accountId],
            ['DisplayName', caller.userName ?? caller.accountId],
          ],
        ],
        [
          'Buckets',
          buckets.map((b): XmlNode => [
            'Bucket',
            [
              ['Name', b.name],
              ['CreationDate', xmlDate(b.createdAt)],
              ['BucketRegion', b.region],
            ],
          ]),
        ],
      ]),
    );
  }
  if (!key) {
    if (q.has('encryption')) {
      if (m === 'PUT') {
        const rule = child(parseXml(text()), 'Rule');
        const def = rule && child(rule, 'ApplyServerSideEncryptionByDefault');
        if (!def)
          throw new MalformedXML(
            'The XML you provided was not well-formed or did not validate against our published schema',
          );
        const kmsKeyId = childText(def, 'KMSMasterKeyID');
        await s3.putBucketEncryption(caller, bucket, {
          algorithm: sseAlgorithm(childText(def, 'SSEAlgorithm')),
          ...(kmsKeyId ? { kmsKeyId } : {}),
          bucketKeyEnabled: childText(rule, 'BucketKeyEnabled') === 'true',
        });
        return ok(requestId);
      }
      if (m === 'GET') {
        const enc = await s3.getBucketEncryption(caller, bucket);
        return xml(
          requestId,
          xmlDocument('ServerSideEncryptionConfiguration', [
            [
              'Rule',
              [
                [
                  'ApplyServerSideEncryptionByDefault',
                  [
                    ['SSEAlgorithm', enc.algorithm],
                    ['KMSMasterKeyID', enc.kmsKeyId],
                  ],
                ],
                ['BucketKeyEnabled', enc.bucketKeyEnabled],
              ],
            ],
          ]),
        );
      }
      if (m === 'DELETE') return (await s3.deleteBucketEncryption(caller, bucket), ok(requestId, {}, null, 204));
    }
    if (q.has('location') && m === 'GET') {
      await s3.headBucket(caller, bucket);
      // us-east-1 answers an empty LocationConstraint, as S3 does.
      const region = s3.region === 'us-east-1' ? '' : s3.region;
      return xml(
        requestId,
        `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${S3_XMLNS}">${region}</LocationConstraint>`,
      );
    }
    if (m === 'PUT') {
      const config = body.length ? parseXml(text()) : undefined;
      await s3.createBucket(caller, bucket, config && childText(config, 'LocationConstraint'));
      return ok(requestId, { location: `/${bucket}` });
    }
    if (m === 'DELETE') return (await s3.deleteBucket(caller, bucket), ok(requestId, {}, null, 204));
    if (m === 'HEAD') {
      const b = await s3.headBucket(caller, bucket);
      return ok(requestId, { 'x-amz-bucket-region': b.region });
    }
    if (m === 'GET' && q.get('list-type') === '2') return listObjectsV2(s3, caller, bucket, q, requestId);
    throw new NotImplemented(
      `This S3 request (${m} on a bucket with '${[...q.keys()].join('&')}') is not implemented by Pocket KMS.`,
    );
  }
  const attrs = () => objectAttributes(req.headers);
  if (m === 'POST' && q.has('uploads')) {
    const u = await createMultipartUpload(s3, caller, bucket, key, attrs(), requestId);
    return xml(
      requestId,
      xmlDocument('InitiateMultipartUploadResult', [
        ['Bucket', bucket],
        ['Key', key],
        ['UploadId', u.uploadId],
      ]),
      sseHeaders(u.sse),
    );
  }
  if (m === 'POST' && q.has('uploadId')) {
    const doc = parseXml(text());
    const parts = children(doc, 'Part').map((p) => ({
      partNumber: Number(childText(p, 'PartNumber')),
      etag: childText(p, 'ETag') ?? '',
    }));
    const o = await completeMultipartUpload(s3, caller, bucket, key, q.get('uploadId')!, parts, requestId);
    return xml(
      requestId,
      xmlDocument('CompleteMultipartUploadResult', [
        ['Location', `${new URL(req.url).origin}/s3/${bucket}/${key}`],
        ['Bucket', bucket],
        ['Key', key],
        ['ETag', o.etag],
      ]),
      sseHeaders(o.sse),
    );
  }
  if (m === 'DELETE' && q.has('uploadId')) {
    await abortMultipartUpload(s3, caller, bucket, key, q.get('uploadId')!);
    return ok(requestId, {}, null, 204);
  }
  if (m === 'PUT') return copyObject(s3, caller, req, bucket, key, requestId);
  if (m === 'DELETE') return (await s3.deleteObject(caller, bucket, key), ok(requestId, {}, null, 204));
  if (m === 'HEAD') return ok(requestId, objectHeaders(await s3.headObject(caller, bucket, key)));
  if (m === 'GET') {
    const g = await s3.getObject(caller, bucket, key, parseRange(req.headers.get('range')), requestId);
    const headers = objectHeaders(g.object, g.range);
    return ok(requestId, headers, g.body, g.range ? 206 : 200);
  }
  throw new MethodNotAllowed('The specified method is not allowed against this resource.');
}

async function copyObject(s3: S3, caller: Caller, req: Request, bucket: string, key: string, requestId: string) {
  const raw = decodeURIComponent(req.headers.get('x-amz-copy-source')!.replace(/^\//, '').split('?')[0]!);
  const i = raw.indexOf('/');
  if (i <= 0 || i === raw.length - 1)
    throw new InvalidArgument('Copy Source must mention the source bucket and key: sourcebucket/sourcekey');
  const directive = req.headers.get('x-amz-metadata-directive') ?? 'COPY';
  if (directive !== 'COPY' && directive !== 'REPLACE')
    throw new InvalidArgument(`Unknown metadata directive: ${directive}`);
  const r = await s3.copyObject(
    caller,
    { bucket: raw.slice(0, i), key: raw.slice(i + 1) },
    bucket,
    key,
    { ...objectAttributes(req.headers), replaceMetadata: directive === 'REPLACE' },
    requestId,
  );
  return xml(
    requestId,
    xmlDocument('CopyObjectResult', [
      ['LastModified', xmlDate(r.lastModified)],
      ['ETag', r.etag],
    ]),
    sseHeaders(r.sse),
  );
}

async function listObjectsV2(s3: S3, caller: Caller, bucket: string, q: URLSearchParams, requestId: string) {
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') || undefined;
  const maxKeys = q.has('max-keys') ? Number(q.get('max-keys')) : 1000;
  if (!Number.isInteger(maxKeys) || maxKeys < 0)
    throw new InvalidArgument('Provided max-keys not an integer or within integer range');
  const token = q.get('continuation-token');
  let after = q.get('start-after') ?? undefined;
  if (token) {
    try {
      after = new TextDecoder('utf-8', { fatal: true }).decode(fromBase64(token));
    } catch {
      throw new InvalidArgument('The continuation token provided is incorrect');
    }
  }
  const url = q.get('encoding-type') === 'url';
  const enc = (s: string | undefined) => (s !== undefined && url ? encodeURIComponent(s).replace(/%2F/g, '/') : s);
  const page = await s3.listObjects(caller, bucket, {
    prefix,
    ...(delimiter ? { delimiter } : {}),
    ...(after !== undefined ? { after } : {}),
    maxKeys: Math.min(maxKeys, 1000),
  });
  const next =
    page.truncated && page.last ? btoa(String.fromCharCode(...new TextEncoder().encode(page.last))) : undefined;
  return xml(
    requestId,
    xmlDocument('ListBucketResult', [
      ['Name', bucket],
      ['Prefix', enc(prefix)],
      ['Delimiter', enc(delimiter)],
      ['MaxKeys', maxKeys],
      ['EncodingType', url ? 'url' : undefined],
      ['KeyCount', page.objects.length + page.prefixes.length],
      ['IsTruncated', page.truncated],
      ['ContinuationToken', token ?? undefined],
      ['NextContinuationToken', next],
      ['StartAfter', enc(q.get('start-after') ?? undefined)],
      ...page.objects.map((o): XmlNode => [
        'Contents',
        [
          ['Key', enc(o.key)],
          ['LastModified', xmlDate(o.lastModified)],
          ['ETag', o.etag],
          ['Size', o.size],
          ['StorageClass', 'STANDARD'],
        ],
      ]),
      ...page.prefixes.map((p): XmlNode => ['CommonPrefixes', [['Prefix', enc(p)]]]),
    ]),
  );
}
