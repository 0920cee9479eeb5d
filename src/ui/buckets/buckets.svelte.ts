// The Buckets page's state (ADR 0011): the keystore's buckets and one bucket's objects, read through the
// worker's S3 part as the console's caller ("Acting as").
import type { BucketSummary, ObjectSummary } from '../../worker/api';
import { kms } from '../kms-client.svelte';

export type { BucketSummary, ObjectSummary };

export class BucketList {
  rows = $state<BucketSummary[]>([]);
  loaded = $state(false);
  error = $state<unknown>(undefined);

  async load(): Promise<void> {
    try {
      this.rows = await kms.api.s3ListBuckets();
      this.error = undefined;
    } catch (e) {
      this.error = e;
    } finally {
      this.loaded = true;
    }
  }

  byName(name: string | undefined): BucketSummary | undefined {
    return this.rows.find((b) => b.name === name);
  }
}

export class ObjectList {
  rows = $state<ObjectSummary[]>([]);
  loaded = $state(false);
  error = $state<unknown>(undefined);

  constructor(readonly bucket: string) {}

  async load(): Promise<void> {
    try {
      this.rows = await kms.api.s3ListObjects(this.bucket);
      this.error = undefined;
    } catch (e) {
      this.error = e;
    } finally {
      this.loaded = true;
    }
  }
}

/** 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${v.toFixed(1)} ${units[i]}`;
}

/** How an object or a bucket default is encrypted, in words. */
export function encryptionLabel(algorithm: string, kmsKey?: string, bucketKey?: boolean): string {
  if (algorithm === 'AES256') return 'SSE-S3 (AES256)';
  return `SSE-KMS${kmsKey ? ` with ${kmsKey}` : ''}${bucketKey ? ', bucket key' : ''}`;
}
