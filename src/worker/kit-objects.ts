// A facilitator kit's S3 objects (docs/LABS.md "Facilitator kits"): each object of a bucket read as the root
// (SSE-KMS: decrypted through KMS like any GetObject) and written into the kit as base64 with its content
// type, metadata and encryption; loaded by PutObject as the root under the loading keystore's matching key.
// Objects over MAX_KIT_OBJECT bytes, or that the root cannot read, are named in the kit but not carried.
import type { Caller } from '../kms/ids';
import type { S3 } from '../s3';
import type { SseAlgorithm } from '../s3/ports';

/** The largest object a kit carries (base64 in JSON makes it a third larger). */
export const MAX_KIT_OBJECT = 1024 * 1024;

export interface KitObject {
  key: string;
  contentType: string;
  metadata: Record<string, string>;
  encryption: {
    algorithm: SseAlgorithm;
    /** SSE-KMS: the key's ARN in the exporting keystore (rewritten on load). */
    kmsKeyId?: string;
    /** SSE-KMS: encryption context pairs the uploader added (not S3's own `aws:s3:arn`). */
    context?: Record<string, string>;
    bucketKeyEnabled: boolean;
  };
  /** The object's bytes, base64; absent when it was not carried (`omitted` says why). */
  body?: string;
  size: number;
  /** Why the bytes are not in the kit: larger than MAX_KIT_OBJECT, or the root could not read it (the error). */
  omitted?: string;
}

const b64 = (u: Uint8Array) => {
  let s = '';
  for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode(...u.subarray(i, i + 0x8000));
  return btoa(s);
};
const fromB64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (const r = stream.getReader(); ;) {
    const { done, value } = await r.read();
    if (done) break;
    parts.push(value);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}

/** Every object of `bucket`, in key order, read as `root` (one it cannot read is named with the error). */
export async function exportObjects(s3: S3, root: Caller, bucket: string, requestId: string): Promise<KitObject[]> {
  const out: KitObject[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await s3.listObjects(root, bucket, { prefix: '', maxKeys: 1000, ...(after ? { after } : {}) });
    for (const o of page.objects) {
      // S3's own pair (aws:s3:arn) is made again on load; the uploader's pairs travel.
      const { 'aws:s3:arn': _own, ...context } = o.sse.encryptionContext ?? {};
      const encryption: KitObject['encryption'] = {
        algorithm: o.sse.algorithm,
        ...(o.sse.kmsKeyArn ? { kmsKeyId: o.sse.kmsKeyArn } : {}),
        ...(Object.keys(context).length ? { context } : {}),
        bucketKeyEnabled: o.sse.bucketKeyEnabled,
      };
      const base = { key: o.key, contentType: o.contentType, metadata: { ...o.metadata }, encryption, size: o.size };
      if (o.size > MAX_KIT_OBJECT) {
        out.push({ ...base, omitted: `larger than ${MAX_KIT_OBJECT} bytes` });
        continue;
      }
      // An object the root cannot read (its key disabled, pending deletion, or denying the root) is named, not
      // carried: the rest of the setup still exports.
      try {
        const got = await s3.getObject(root, bucket, o.key, undefined, requestId);
        out.push({ ...base, body: b64(await readAll(got.body)) });
      } catch (e) {
        out.push({ ...base, omitted: `${(e as Error).name}: ${(e as Error).message}` });
      }
    }
    if (!page.truncated || page.last === undefined) return out;
    after = page.last;
  }
}

/** PutObject as `root` of each object the kit carries; `rewrite` turns the exporting key's ARN into this
 * keystore's. Returns the keys of objects the kit named but did not carry (too large, or unreadable). */
export async function loadObjects(
  s3: S3,
  root: Caller,
  bucket: string,
  objects: KitObject[],
  rewrite: (text: string) => string,
  requestId: () => string,
): Promise<string[]> {
  const left: string[] = [];
  for (const o of objects) {
    if (o.body === undefined) {
      left.push(o.key);
      continue;
    }
    const bytes = fromB64(o.body);
    const e = o.encryption;
    await s3.putObject(
      {
        stream: new ReadableStream({
          start(c) {
            c.enqueue(bytes);
            c.close();
          },
        }),
        authenticate: async () => root,
      },
      bucket,
      o.key,
      {
        contentType: o.contentType,
        metadata: o.metadata,
        sse: {
          algorithm: e.algorithm,
          ...(e.kmsKeyId ? { kmsKeyId: rewrite(e.kmsKeyId) } : {}),
          ...(e.context ? { context: e.context } : {}),
          bucketKeyEnabled: e.bucketKeyEnabled,
        },
      },
      requestId(),
    );
  }
  return left;
}
