// How object bytes are stored (ADR 0011): each segment (a PutObject body, or one part of a multipart
// upload) is a file of AES-256-GCM frames of 512 KiB plaintext under the segment's own content key:
// IV = 8 zero bytes ‖ frame number (uint32 BE); AAD = segment ID (16 bytes) ‖ frame number ‖ final flag,
// so frames cannot be reordered, moved between segments or cut off. Fixed-size frames give byte ranges.

import { InternalError } from './errors';

/** Plaintext bytes per frame: WebCrypto AES-GCM is fastest with 512–896 KiB calls (DESIGN.md). */
export const FRAME_BYTES = 512 * 1024;
const TAG_BYTES = 16;
const CIPHER_FRAME = FRAME_BYTES + TAG_BYTES;

/** Frames in a segment of `size` plaintext bytes (an empty one still has its final frame). */
export const frameCount = (size: number) => Math.max(1, Math.ceil(size / FRAME_BYTES));
/** Bytes the file of a segment of `size` plaintext bytes holds. */
export const storedSize = (size: number) => size + frameCount(size) * TAG_BYTES;

function iv(seq: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(12);
  new DataView(b.buffer).setUint32(8, seq);
  return b;
}

function aad(segmentId: Uint8Array, seq: number, final: boolean): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(21);
  b.set(segmentId.subarray(0, 16));
  new DataView(b.buffer).setUint32(16, seq);
  b[20] = final ? 1 : 0;
  return b;
}

/** A fresh content key: extractable only so that it can be wrapped under the data key once the request is
 * authenticated (it exists in this instance's memory only until then; the stored form is wrapped). */
export function newContentKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
}

/**
 * Encrypts a segment as it streams: plaintext in, frames out, at most two frames held in memory. The
 * last frame is known only when the input ends, so one full frame is held back until more arrives.
 * `onSize` receives the plaintext length at the end.
 */
export function encryptSegment(
  key: CryptoKey,
  segmentId: Uint8Array,
  onSize: (n: number) => void,
): TransformStream<Uint8Array, Uint8Array> {
  let buf = new Uint8Array(FRAME_BYTES);
  let fill = 0;
  let seq = 0;
  let total = 0;
  const seal = async (data: Uint8Array, final: boolean) =>
    new Uint8Array(
      await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv: iv(seq), additionalData: aad(segmentId, seq++, final) },
        key,
        data as Uint8Array<ArrayBuffer>,
      ),
    );
  return new TransformStream<Uint8Array, Uint8Array>(
    {
      async transform(chunk, ctl) {
        total += chunk.length;
        let at = 0;
        while (at < chunk.length) {
          if (fill === FRAME_BYTES) {
            // More input follows a full frame: that frame is not the last.
            ctl.enqueue(await seal(buf, false));
            fill = 0;
          }
          const n = Math.min(FRAME_BYTES - fill, chunk.length - at);
          buf.set(chunk.subarray(at, at + n), fill);
          fill += n;
          at += n;
        }
      },
      async flush(ctl) {
        ctl.enqueue(await seal(buf.subarray(0, fill), true));
        buf = new Uint8Array(0);
        onSize(total);
      },
    },
    // Backpressure: about a frame in each queue, counted in bytes. A strategy without `size` counts chunks:
    // 512 Ki chunks let a File body run ahead of the disk (service worker heap: 193 MiB for 512 MiB, 524 MiB
    // for 1 GiB; 71 MiB with bytes counted — bench/s3.js).
    { highWaterMark: FRAME_BYTES, size: (c: Uint8Array) => c.byteLength },
    { highWaterMark: CIPHER_FRAME, size: (c: Uint8Array) => c.byteLength },
  );
}

/** Reads exactly `n` bytes from `reader` (fewer only at the end of the stream). */
async function readExactly(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  pending: { rest: Uint8Array },
  n: number,
): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let fill = 0;
  while (fill < n) {
    if (pending.rest.length === 0) {
      const { done, value } = await reader.read();
      if (done) return out.subarray(0, fill);
      pending.rest = value;
    }
    const k = Math.min(n - fill, pending.rest.length);
    out.set(pending.rest.subarray(0, k), fill);
    pending.rest = pending.rest.subarray(k);
    fill += k;
  }
  return out;
}

/**
 * The plaintext bytes [from, to) of a segment of `size` bytes, decrypted frame by frame from `open(start,
 * end)` (the stored bytes of the frames that hold the range). A frame is released only after it
 * authenticates; a frame that does not fails the stream.
 */
export function decryptSegment(
  key: CryptoKey,
  segmentId: Uint8Array,
  size: number,
  from: number,
  to: number,
  open: (start: number, end: number) => Promise<ReadableStream<Uint8Array>>,
): ReadableStream<Uint8Array> {
  const frames = frameCount(size);
  const first = Math.floor(from / FRAME_BYTES);
  const last = to > from ? Math.floor((to - 1) / FRAME_BYTES) : first;
  let seq = first;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const pending = { rest: new Uint8Array(0) };
  return new ReadableStream<Uint8Array>(
    {
      async pull(ctl) {
        if (to <= from || seq > last) {
          ctl.close();
          return;
        }
        reader ??= (
          await open(first * CIPHER_FRAME, Math.min(storedSize(size), (last + 1) * CIPHER_FRAME))
        ).getReader();
        const final = seq === frames - 1;
        const want = final ? size - seq * FRAME_BYTES + TAG_BYTES : CIPHER_FRAME;
        const sealed = await readExactly(reader, pending, want);
        let plain: Uint8Array;
        try {
          plain = new Uint8Array(
            await crypto.subtle.decrypt(
              { name: 'AES-GCM', iv: iv(seq), additionalData: aad(segmentId, seq, final) },
              key,
              sealed as Uint8Array<ArrayBuffer>,
            ),
          );
        } catch {
          void reader.cancel().catch(() => undefined);
          throw new InternalError(
            'A stored frame of this object does not authenticate: its bytes were changed or cut.',
          );
        }
        const base = seq * FRAME_BYTES;
        ctl.enqueue(plain.subarray(Math.max(0, from - base), Math.min(plain.length, to - base)));
        seq++;
      },
      cancel() {
        void reader?.cancel().catch(() => undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
