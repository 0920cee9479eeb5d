// Which encryption an object gets (Amazon S3 User Guide, "Specifying server-side encryption with AWS KMS
// (SSE-KMS)" and "Setting default server-side encryption behavior for Amazon S3 buckets"): the request's
// x-amz-server-side-encryption headers, else the bucket's default, else SSE-S3 (S3 encrypts every object).

import { InvalidArgument } from './errors';
import { bucketArn, objectArn } from './names';
import type { BucketRecord, ObjectSse, SseAlgorithm } from './ports';

/** The SSE headers of a PutObject, CopyObject or CreateMultipartUpload request. */
export interface SseRequest {
  algorithm?: string;
  kmsKeyId?: string;
  bucketKeyEnabled?: boolean;
  /** x-amz-server-side-encryption-context: extra encryption context pairs. */
  context?: Record<string, string>;
}

const ALGORITHMS: readonly string[] = ['AES256', 'aws:kms'] satisfies SseAlgorithm[];

/** @throws InvalidArgument for an unknown algorithm, or KMS headers without aws:kms */
export function checkSseRequest(r: SseRequest): void {
  if (r.algorithm !== undefined && !ALGORITHMS.includes(r.algorithm))
    throw new InvalidArgument(
      `The encryption method specified is not supported: '${r.algorithm}' (AES256 or aws:kms; aws:kms:dsse is not supported here).`,
    );
  if (r.algorithm !== 'aws:kms' && (r.kmsKeyId !== undefined || r.context !== undefined))
    throw new InvalidArgument(
      'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms',
    );
}

/** The object's SSE (before its data key exists) and the KMS key to ask, from the request and the bucket. */
export function resolveSse(
  bucket: BucketRecord,
  key: string,
  r: SseRequest,
): { sse: ObjectSse; kmsKeyId: string | undefined } {
  checkSseRequest(r);
  const def = bucket.encryption;
  const algorithm = (r.algorithm ?? def?.algorithm ?? 'AES256') as SseAlgorithm;
  if (algorithm === 'AES256') return { sse: { algorithm, bucketKeyEnabled: false }, kmsKeyId: undefined };
  const kmsKeyId = r.algorithm ? r.kmsKeyId : def?.kmsKeyId;
  const bucketKeyEnabled = r.bucketKeyEnabled ?? (def?.algorithm === 'aws:kms' ? def.bucketKeyEnabled : false);
  // With an S3 Bucket Key, S3 uses the bucket's ARN as the context; otherwise the object's.
  const arn = bucketKeyEnabled ? bucketArn(bucket.name) : objectArn(bucket.name, key);
  return {
    sse: { algorithm, bucketKeyEnabled, encryptionContext: { ...r.context, 'aws:s3:arn': arn } },
    kmsKeyId,
  };
}
