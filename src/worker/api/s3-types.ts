// The types of the worker's S3 API (s3.ts), apart from its code, so the console's type-only imports
// bring in none of the worker's modules (files-types.ts does the same for Files).
import type { BucketEncryption } from '../../s3';

export type { BucketEncryption };

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
