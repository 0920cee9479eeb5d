// Writing and reading an object's segments (ADR 0011): a body streams through a length cap, the
// request's own checks (payload hash, MD5 for the ETag) and encryption into a new file; a read joins
// the segments' decrypted byte ranges into one stream.

import { md5 } from '@noble/hashes/legacy.js';
import { toHex } from '../format/bytes';
import type { Caller } from '../kms/ids';
import { EntityTooLarge } from './errors';
import { decryptSegment, encryptSegment, newContentKey } from './object-cipher';
import { unwrapContentKey } from './data-keys';
import type { ObjectBytes, Segment } from './ports';

/** S3's limit on a PutObject body and on one part (5 GiB). Bodies stream to disk, so memory does not grow with it. */
export const MAX_UPLOAD_BYTES = 5 * 1024 ** 3;

/** A request body the core reads as it arrives. */
export interface IncomingBody {
  stream: ReadableStream<Uint8Array>;
  /** Authenticates the request once its body has been read: the signature covers its length and hash,
   * and a page's fetch sends no Content-Length (DESIGN.md), so nothing is decided before it ends. */
  authenticate(size: number): Promise<Caller>;
}

/** A new segment file name: 32 hex characters, which are also its 16-byte segment ID. */
export function newSegmentFile(random: (n: number) => Uint8Array): string {
  return toHex(random(16));
}

export const segmentId = (file: string) => Uint8Array.from(file.match(/../g)!, (h) => parseInt(h, 16));

export interface WrittenSegment {
  file: string;
  size: number;
  /** Hex MD5 of the plaintext (S3's ETag of a single-part upload), or for a part the segment ID (random). */
  md5: string;
  contentKey: CryptoKey;
}

/**
 * Streams `body` into a new encrypted file. A failure (too large, a check of the body, the disk) deletes
 * the file. `md5`: whether to compute the MD5 ETag (a PutObject's, as S3's for SSE-S3); a part's ETag is
 * opaque in S3's API, and MD5 in JavaScript is the slowest step of a large upload, so parts get a random one.
 * @throws EntityTooLarge, or what the body's stream fails with
 */
export async function writeSegment(
  bytes: ObjectBytes,
  body: ReadableStream<Uint8Array>,
  file: string,
  opts: { md5: boolean; max?: number },
): Promise<WrittenSegment> {
  const max = opts.max ?? MAX_UPLOAD_BYTES;
  const contentKey = await newContentKey();
  const hash = opts.md5 ? md5.create() : undefined;
  let size = 0;
  const count = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, ctl) {
      size += chunk.length;
      if (size > max)
        throw new EntityTooLarge(`Your proposed upload exceeds the maximum allowed size of ${max} bytes.`);
      hash?.update(chunk);
      ctl.enqueue(chunk);
    },
  });
  const sink = await bytes.create(file);
  await body
    .pipeThrough(count)
    .pipeThrough(encryptSegment(contentKey, segmentId(file), () => undefined))
    .pipeTo(sink);
  return { file, size, md5: hash ? toHex(hash.digest()) : file, contentKey };
}

/** The plaintext bytes [from, to) of an object made of `segments`, their content keys unwrapped under
 * `dataKey` as each is reached. */
export function readSegments(
  bytes: ObjectBytes,
  segments: readonly Segment[],
  dataKey: CryptoKey,
  from: number,
  to: number,
): ReadableStream<Uint8Array> {
  const parts: { seg: Segment; from: number; to: number }[] = [];
  let base = 0;
  for (const seg of segments) {
    const lo = Math.max(from, base);
    const hi = Math.min(to, base + seg.size);
    if (hi > lo || (seg.size === 0 && segments.length === 1)) parts.push({ seg, from: lo - base, to: hi - base });
    base += seg.size;
  }
  let i = 0;
  let current: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(ctl) {
        for (;;) {
          if (!current) {
            const p = parts[i++];
            if (!p) return ctl.close();
            const key = await unwrapContentKey(p.seg.wrappedKey, dataKey);
            current = decryptSegment(key, segmentId(p.seg.file), p.seg.size, p.from, p.to, (s, e) =>
              bytes.read(p.seg.file, s, e),
            ).getReader();
          }
          const { done, value } = await current.read();
          if (done) {
            current = undefined;
            continue;
          }
          if (value.length) return ctl.enqueue(value);
        }
      },
      cancel() {
        void current?.cancel().catch(() => undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

/** Deletes segment files no record points at any more; a failure leaves an orphan file, never a lost object. */
export async function dropSegments(bytes: ObjectBytes, segments: readonly Segment[]): Promise<void> {
  await Promise.all(segments.map((s) => bytes.delete(s.file).catch(() => undefined)));
}

export function md5Hex(data: Uint8Array): string {
  return toHex(md5(data));
}
