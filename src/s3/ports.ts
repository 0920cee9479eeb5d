// What the S3 core needs from its host (ADR 0011): bucket and object metadata (IndexedDB in the browser:
// src/store/s3-idb.ts; fake-indexeddb in Node) and the object bytes (the origin private file system:
// src/store/opfs-objects.ts; memory in Node). Each method of `S3Meta` is one transaction.

/** SSE as S3 names it: SSE-S3 (`AES256`) or SSE-KMS (`aws:kms`). */
export type SseAlgorithm = 'AES256' | 'aws:kms';

/** A bucket's default encryption (PutBucketEncryption's one rule). */
export interface BucketEncryption {
  algorithm: SseAlgorithm;
  /** SSE-KMS: the key as given (ID, ARN, alias name or alias ARN); absent: the caller gave none. */
  kmsKeyId?: string;
  bucketKeyEnabled: boolean;
}

export interface BucketRecord {
  name: string;
  region: string;
  createdAt: number;
  encryption?: BucketEncryption;
}

/**
 * How one piece of an object (the whole body of a PutObject, or one part of a multipart upload) is
 * stored: a file of AES-256-GCM frames under its own content key (object-cipher.ts), that key stored
 * wrapped (AES-KW) under the object's data key.
 */
export interface Segment {
  /** The file in the object store. */
  file: string;
  /** Plaintext bytes. */
  size: number;
  /** The content key, AES-KW-wrapped under the data key. */
  wrappedKey: Uint8Array;
}

/** How an object (or a multipart upload) is encrypted at rest. */
export interface ObjectSse {
  algorithm: SseAlgorithm;
  /** SSE-KMS: the KMS key's ARN (what HeadObject reports as SSEKMSKeyId). */
  kmsKeyArn?: string;
  /** SSE-KMS: the data key as GenerateDataKey returned it (CiphertextBlob), decrypted through KMS on read. */
  encryptedDataKey?: Uint8Array;
  /** SSE-KMS: the encryption context S3 used (`aws:s3:arn` = the object's ARN, or the bucket's with a bucket key). */
  encryptionContext?: Record<string, string>;
  bucketKeyEnabled: boolean;
}

export interface ObjectRecord {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  lastModified: number;
  contentType: string;
  /** x-amz-meta-* headers, names lowercased without the prefix. */
  metadata: Record<string, string>;
  /** Content-Disposition, Content-Encoding, Content-Language, Cache-Control, Expires, as given. */
  headers: Record<string, string>;
  sse: ObjectSse;
  segments: Segment[];
}

export interface UploadRecord {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: number;
  contentType: string;
  metadata: Record<string, string>;
  headers: Record<string, string>;
  sse: ObjectSse;
}

export interface PartRecord {
  uploadId: string;
  partNumber: number;
  etag: string;
  lastModified: number;
  segment: Segment;
}

export interface ListQuery {
  prefix?: string;
  /** Keys strictly after this one. */
  after?: string;
  limit: number;
}

/** Bucket and object metadata. Each method is ONE transaction; those that replace or remove return
 * what was there, so the caller deletes the bytes no record points at any more. */
export interface S3Meta {
  getBucket(name: string): Promise<BucketRecord | undefined>;
  /** false when a bucket of that name exists. */
  createBucket(rec: BucketRecord): Promise<boolean>;
  /** 'notEmpty' while it holds objects or multipart uploads. */
  deleteBucket(name: string): Promise<'deleted' | 'missing' | 'notEmpty'>;
  listBuckets(): Promise<BucketRecord[]>;
  /** Sets (or, undefined, removes) a bucket's default encryption; false when the bucket is gone. */
  setBucketEncryption(name: string, enc: BucketEncryption | undefined): Promise<boolean>;

  getObject(bucket: string, key: string): Promise<ObjectRecord | undefined>;
  /** Stores the object if its bucket exists ('missing' otherwise), returning the version it replaced. */
  putObject(rec: ObjectRecord): Promise<{ replaced?: ObjectRecord } | 'missing'>;
  deleteObject(bucket: string, key: string): Promise<ObjectRecord | undefined>;
  /** Objects in key order (UTF-8 binary order, as S3 lists). */
  listObjects(bucket: string, q: ListQuery): Promise<ObjectRecord[]>;

  /** 'missing' when the bucket is gone. */
  createUpload(rec: UploadRecord): Promise<'created' | 'missing'>;
  getUpload(uploadId: string): Promise<UploadRecord | undefined>;
  /** Stores a part of a live upload (undefined when the upload is gone), returning the part it replaced. */
  putPart(rec: PartRecord): Promise<{ replaced?: PartRecord } | undefined>;
  listParts(uploadId: string): Promise<PartRecord[]>;
  /** Ends an upload: its record and every part record go; `object`, when given, is stored in the same
   * transaction (CompleteMultipartUpload). Returns the parts and any object version replaced, or
   * undefined when the upload was already gone. */
  endUpload(
    uploadId: string,
    object?: ObjectRecord,
  ): Promise<{ parts: PartRecord[]; replaced?: ObjectRecord } | undefined>;

  /** SSE-S3's service key (AES-KW), made on first use; concurrent first uses agree on one. */
  serviceKey(make: () => Promise<CryptoKey>): Promise<CryptoKey>;
}

/** The object bytes: files named by the core, written once, read by byte range, deleted. */
export interface ObjectBytes {
  /** A new file; closing the stream keeps it, aborting it deletes it. */
  create(file: string): Promise<WritableStream<Uint8Array>>;
  /** Bytes [start, end) of a file. */
  read(file: string, start: number, end: number): Promise<ReadableStream<Uint8Array>>;
  delete(file: string): Promise<void>;
}
