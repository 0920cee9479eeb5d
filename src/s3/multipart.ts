// Multipart upload (Amazon S3 User Guide, "Uploading and copying objects using multipart upload"): the
// data key is made once at CreateMultipartUpload (SSE-KMS: GenerateDataKey as the caller via S3); each
// UploadPart streams into its own encrypted segment and opens the data key (Decrypt, as S3 needs
// kms:Decrypt for parts) to wrap the part's content key; Complete joins the parts' segments into the object.

import { concat, fromHex, toHex } from '../format/bytes';
import type { Caller } from '../kms/ids';
import { newDataKey, openDataKey, wrapContentKey } from './data-keys';
import { EntityTooSmall, InvalidArgument, InvalidPart, InvalidPartOrder, NoSuchUpload, withDetails } from './errors';
import { checkObjectKey, objectArn } from './names';
import type { ObjectRecord, PartRecord, UploadRecord } from './ports';
import type { ObjectAttributes, S3 } from './s3';
import { resolveSse } from './sse';
import { dropSegments, md5Hex, newSegmentFile, writeSegment, type IncomingBody } from './segments';

/** S3's smallest part other than the last (5 MiB) and its part numbers (1–10,000). */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const MAX_PART_NUMBER = 10_000;

const noSuchUpload = (uploadId: string) =>
  withDetails(
    new NoSuchUpload(
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    ),
    { UploadId: uploadId },
  );

async function upload(s3: S3, uploadId: string, bucket: string, key: string): Promise<UploadRecord> {
  const u = await s3.env.meta.getUpload(uploadId);
  if (!u || u.bucket !== bucket || u.key !== key) throw noSuchUpload(uploadId);
  return u;
}

/** CreateMultipartUpload. @throws NoSuchBucket, InvalidArgument, KeyTooLongError, AccessDenied, KMS.* */
export async function createMultipartUpload(
  s3: S3,
  caller: Caller,
  bucket: string,
  key: string,
  a: ObjectAttributes,
  requestId: string,
): Promise<UploadRecord> {
  checkObjectKey(key);
  await s3.authorize(caller, 'PutObject', objectArn(bucket, key));
  const b = await s3.bucket(bucket);
  const { sse: base, kmsKeyId } = resolveSse(b, key, a.sse ?? {});
  const { sse } = await newDataKey(s3.keys(requestId), caller, base, kmsKeyId);
  const rec: UploadRecord = {
    uploadId: toHex(s3.random(24)),
    bucket,
    key,
    initiated: s3.now(),
    contentType: a.contentType ?? 'application/octet-stream',
    metadata: a.metadata ?? {},
    headers: a.headers ?? {},
    sse,
  };
  if ((await s3.env.meta.createUpload(rec)) === 'missing') await s3.bucket(bucket);
  return rec;
}

/** UploadPart. @throws NoSuchUpload, InvalidArgument, EntityTooLarge, AccessDenied, KMS.*, or the body's own check */
export async function uploadPart(
  s3: S3,
  body: IncomingBody,
  bucket: string,
  key: string,
  uploadId: string,
  partNumber: number,
  requestId: string,
): Promise<{ etag: string; upload: UploadRecord }> {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER)
    throw withDetails(new InvalidArgument('Part number must be an integer between 1 and 10000, inclusive'), {
      ArgumentName: 'partNumber',
      ArgumentValue: String(partNumber),
    });
  const written = await writeSegment(s3.env.bytes, body.stream, newSegmentFile(s3.random), { md5: false });
  const drop = () => dropSegments(s3.env.bytes, [{ file: written.file, size: 0, wrappedKey: new Uint8Array(0) }]);
  try {
    const caller = await body.authenticate(written.size);
    await s3.authorize(caller, 'PutObject', objectArn(bucket, key));
    const u = await upload(s3, uploadId, bucket, key);
    const dataKey = await openDataKey(s3.keys(requestId), caller, u.sse);
    const part: PartRecord = {
      uploadId,
      partNumber,
      etag: `"${written.md5}"`,
      lastModified: s3.now(),
      segment: {
        file: written.file,
        size: written.size,
        wrappedKey: await wrapContentKey(written.contentKey, dataKey),
      },
    };
    const r = await s3.env.meta.putPart(part);
    if (!r) throw noSuchUpload(uploadId);
    if (r.replaced) await dropSegments(s3.env.bytes, [r.replaced.segment]);
    return { etag: part.etag, upload: u };
  } catch (e) {
    await drop();
    throw e;
  }
}

/**
 * CompleteMultipartUpload: the listed parts, in ascending order, each with its ETag, every part but
 * the last at least 5 MiB. The ETag is S3's: the MD5 of the parts' MD5s, a hyphen, the part count.
 * @throws NoSuchUpload, InvalidPart, InvalidPartOrder, EntityTooSmall, MalformedXML, AccessDenied, KMS.*
 */
export async function completeMultipartUpload(
  s3: S3,
  caller: Caller,
  bucket: string,
  key: string,
  uploadId: string,
  listed: { partNumber: number; etag: string }[],
  requestId: string,
): Promise<ObjectRecord> {
  await s3.authorize(caller, 'PutObject', objectArn(bucket, key));
  const u = await upload(s3, uploadId, bucket, key);
  if (listed.length === 0) throw new InvalidArgument('You must specify at least one part');
  // As S3: the caller must still be able to use the upload's data key.
  await openDataKey(s3.keys(requestId), caller, u.sse);
  const stored = new Map((await s3.env.meta.listParts(uploadId)).map((p) => [p.partNumber, p]));
  const parts: PartRecord[] = [];
  for (const [i, l] of listed.entries()) {
    if (i > 0 && l.partNumber <= listed[i - 1]!.partNumber)
      throw new InvalidPartOrder(
        'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
      );
    const p = stored.get(l.partNumber);
    const unquote = (s: string) => s.replace(/^"|"$/g, '');
    if (!p || unquote(p.etag) !== unquote(l.etag))
      throw withDetails(
        new InvalidPart(
          "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
        ),
        { UploadId: uploadId, PartNumber: String(l.partNumber), ETag: l.etag },
      );
    parts.push(p);
  }
  for (const p of parts.slice(0, -1))
    if (p.segment.size < MIN_PART_BYTES)
      throw withDetails(new EntityTooSmall('Your proposed upload is smaller than the minimum allowed size'), {
        ProposedSize: String(p.segment.size),
        MinSizeAllowed: String(MIN_PART_BYTES),
        PartNumber: String(p.partNumber),
        ETag: p.etag,
      });
  const digest = md5Hex(concat(parts.map((p) => fromHex(p.etag.replace(/"/g, ''))!)));
  const object: ObjectRecord = {
    bucket,
    key,
    size: parts.reduce((n, p) => n + p.segment.size, 0),
    etag: `"${digest}-${parts.length}"`,
    lastModified: s3.now(),
    contentType: u.contentType,
    metadata: u.metadata,
    headers: u.headers,
    sse: u.sse,
    segments: parts.map((p) => p.segment),
  };
  const r = await s3.env.meta.endUpload(uploadId, object);
  if (!r) throw noSuchUpload(uploadId);
  // Parts uploaded but not listed are discarded, as S3 does.
  const kept = new Set(parts.map((p) => p.segment.file));
  await dropSegments(s3.env.bytes, [
    ...r.parts.filter((p) => !kept.has(p.segment.file)).map((p) => p.segment),
    ...(r.replaced?.segments ?? []),
  ]);
  return object;
}

/** AbortMultipartUpload: the upload and every part go. @throws NoSuchUpload */
export async function abortMultipartUpload(
  s3: S3,
  caller: Caller,
  bucket: string,
  key: string,
  uploadId: string,
): Promise<void> {
  await s3.authorize(caller, 'AbortMultipartUpload', objectArn(bucket, key));
  await upload(s3, uploadId, bucket, key);
  const r = await s3.env.meta.endUpload(uploadId);
  if (!r) throw noSuchUpload(uploadId);
  await dropSegments(
    s3.env.bytes,
    r.parts.map((p) => p.segment),
  );
}
