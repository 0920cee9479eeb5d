// The S3 wing's one door (ADR 0011): buckets, objects, multipart uploads and their server-side
// encryption (SSE-S3, and SSE-KMS through the KMS core as the caller via s3.amazonaws.com).

export {
  S3,
  byteRange,
  type GetResult,
  type ObjectAttributes,
  type PutResult,
  type RangeRequest,
  type S3Env,
} from './s3';
export {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  MAX_PART_NUMBER,
  MIN_PART_BYTES,
  uploadPart,
} from './multipart';
export { MAX_UPLOAD_BYTES, type IncomingBody } from './segments';
export type { SseRequest } from './sse';
export * from './errors';
export { bucketArn, httpDate, objectArn, xmlDate } from './names';
export type * from './ports';
