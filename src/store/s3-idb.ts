// The IndexedDB implementation of the S3 core's metadata port (src/s3/ports.ts): buckets, objects,
// multipart uploads and parts, and SSE-S3's service key. Its own database per keystore (ADR 0011):
// S3 state is not part of a keystore backup, and the keystore's schema version (which a backup names)
// stays as it is. Upgrades are numbered like the keystore's (idb-store.ts).

import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { BucketEncryption, BucketRecord, ListQuery, ObjectRecord, PartRecord, S3Meta, UploadRecord } from '../s3';

interface S3Db extends DBSchema {
  meta: { key: string; value: unknown };
  buckets: { key: string; value: BucketRecord };
  objects: { key: [string, string]; value: ObjectRecord };
  uploads: { key: string; value: UploadRecord; indexes: { byBucket: string } };
  parts: { key: [string, number]; value: PartRecord };
}

/** 1: buckets, objects, multipart uploads and parts, and the meta store (SSE-S3's service key). */
export const S3_DB_VERSION = 1;
const SERVICE_KEY = 's3ServiceKey';

/** One per keystore (region and account), like the object bytes' folder: a restore that brings another
 * account finds its own, empty, S3 state rather than buckets whose bytes are elsewhere. */
export function s3DatabaseName(region: string, accountId: string): string {
  return `pocket-kms-s3-${region}-${accountId}`;
}

const partRange = (uploadId: string) => IDBKeyRange.bound([uploadId, 0], [uploadId, Number.MAX_SAFE_INTEGER]);
const bucketRange = (bucket: string) => IDBKeyRange.bound([bucket, ''], [bucket, '\uffff\uffff'], false, false);

export class IdbS3Meta implements S3Meta {
  private constructor(private readonly db: IDBPDatabase<S3Db>) {}

  static async open(name: string): Promise<IdbS3Meta> {
    const db = await openDB<S3Db>(name, S3_DB_VERSION, {
      upgrade(db, oldVersion) {
        if (oldVersion < 1) {
          db.createObjectStore('meta');
          db.createObjectStore('buckets', { keyPath: 'name' });
          db.createObjectStore('objects', { keyPath: ['bucket', 'key'] });
          db.createObjectStore('uploads', { keyPath: 'uploadId' }).createIndex('byBucket', 'bucket');
          db.createObjectStore('parts', { keyPath: ['uploadId', 'partNumber'] });
        }
      },
      blocking() {
        // A newer version of the app upgrades this database: let it (this connection's next call fails).
        db.close();
      },
    });
    return new IdbS3Meta(db);
  }

  close(): void {
    this.db.close();
  }

  getBucket(name: string) {
    return this.db.get('buckets', name);
  }

  async createBucket(rec: BucketRecord): Promise<boolean> {
    const t = this.db.transaction('buckets', 'readwrite');
    const had = await t.store.get(rec.name);
    if (!had) await t.store.add(rec);
    await t.done;
    return !had;
  }

  async deleteBucket(name: string): Promise<'deleted' | 'missing' | 'notEmpty'> {
    const t = this.db.transaction(['buckets', 'objects', 'uploads'], 'readwrite');
    let r: 'deleted' | 'missing' | 'notEmpty' = 'deleted';
    if (!(await t.objectStore('buckets').get(name))) r = 'missing';
    else if (
      (await t.objectStore('objects').count(bucketRange(name))) > 0 ||
      (await t.objectStore('uploads').index('byBucket').count(name)) > 0
    )
      r = 'notEmpty';
    else await t.objectStore('buckets').delete(name);
    await t.done;
    return r;
  }

  listBuckets() {
    return this.db.getAll('buckets');
  }

  async setBucketEncryption(name: string, enc: BucketEncryption | undefined): Promise<boolean> {
    const t = this.db.transaction('buckets', 'readwrite');
    const b = await t.store.get(name);
    if (b) {
      if (enc) b.encryption = enc;
      else delete b.encryption;
      await t.store.put(b);
    }
    await t.done;
    return !!b;
  }

  getObject(bucket: string, key: string) {
    return this.db.get('objects', [bucket, key]);
  }

  async putObject(rec: ObjectRecord): Promise<{ replaced?: ObjectRecord } | 'missing'> {
    const t = this.db.transaction(['buckets', 'objects'], 'readwrite');
    let r: { replaced?: ObjectRecord } | 'missing' = 'missing';
    if (await t.objectStore('buckets').get(rec.bucket)) {
      const replaced = await t.objectStore('objects').get([rec.bucket, rec.key]);
      await t.objectStore('objects').put(rec);
      r = replaced ? { replaced } : {};
    }
    await t.done;
    return r;
  }

  async deleteObject(bucket: string, key: string): Promise<ObjectRecord | undefined> {
    const t = this.db.transaction('objects', 'readwrite');
    const had = await t.store.get([bucket, key]);
    if (had) await t.store.delete([bucket, key]);
    await t.done;
    return had;
  }

  async listObjects(bucket: string, q: ListQuery): Promise<ObjectRecord[]> {
    const prefix = q.prefix ?? '';
    const lower = q.after !== undefined && q.after >= prefix ? q.after : prefix;
    const range = IDBKeyRange.bound(
      [bucket, lower],
      [bucket, `${prefix}\uffff\uffff`],
      q.after !== undefined && lower === q.after,
    );
    const out: ObjectRecord[] = [];
    let c = await this.db.transaction('objects').store.openCursor(range);
    while (c && out.length < q.limit) {
      if (c.value.key.startsWith(prefix)) out.push(c.value);
      c = await c.continue();
    }
    return out;
  }

  async createUpload(rec: UploadRecord): Promise<'created' | 'missing'> {
    const t = this.db.transaction(['buckets', 'uploads'], 'readwrite');
    const ok = !!(await t.objectStore('buckets').get(rec.bucket));
    if (ok) await t.objectStore('uploads').add(rec);
    await t.done;
    return ok ? 'created' : 'missing';
  }

  getUpload(uploadId: string) {
    return this.db.get('uploads', uploadId);
  }

  async putPart(rec: PartRecord): Promise<{ replaced?: PartRecord } | undefined> {
    const t = this.db.transaction(['uploads', 'parts'], 'readwrite');
    let r: { replaced?: PartRecord } | undefined;
    if (await t.objectStore('uploads').get(rec.uploadId)) {
      const replaced = await t.objectStore('parts').get([rec.uploadId, rec.partNumber]);
      await t.objectStore('parts').put(rec);
      r = replaced ? { replaced } : {};
    }
    await t.done;
    return r;
  }

  listParts(uploadId: string) {
    return this.db.getAll('parts', partRange(uploadId));
  }

  async endUpload(uploadId: string, object?: ObjectRecord) {
    const t = this.db.transaction(['buckets', 'objects', 'uploads', 'parts'], 'readwrite');
    let r: { parts: PartRecord[]; replaced?: ObjectRecord } | undefined;
    if (await t.objectStore('uploads').get(uploadId)) {
      const parts = await t.objectStore('parts').getAll(partRange(uploadId));
      await t.objectStore('parts').delete(partRange(uploadId));
      await t.objectStore('uploads').delete(uploadId);
      r = { parts };
      if (object) {
        const replaced = await t.objectStore('objects').get([object.bucket, object.key]);
        await t.objectStore('objects').put(object);
        if (replaced) r.replaced = replaced;
      }
    }
    await t.done;
    return r;
  }

  async serviceKey(make: () => Promise<CryptoKey>): Promise<CryptoKey> {
    const have = (await this.db.get('meta', SERVICE_KEY)) as CryptoKey | undefined;
    if (have) return have;
    const candidate = await make();
    // Made outside the transaction (WebCrypto inside one would commit it); the first stored wins.
    const t = this.db.transaction('meta', 'readwrite');
    const stored = (await t.store.get(SERVICE_KEY)) as CryptoKey | undefined;
    if (!stored) await t.store.put(candidate, SERVICE_KEY);
    await t.done;
    return stored ?? candidate;
  }
}
