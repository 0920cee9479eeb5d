import { describe, expect, it } from 'vitest';
import { decryptSegment, encryptSegment, FRAME_BYTES, newContentKey, storedSize } from '../../../src/s3/object-cipher';
import { readAll, streamOf } from './fixtures';

const pattern = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 13 + (i >> 9)) & 0xff);
const ID = new Uint8Array(16).fill(7);

async function seal(data: Uint8Array, chunk = 65_536) {
  const key = await newContentKey();
  let size = -1;
  const stored = await readAll(streamOf(data, chunk).pipeThrough(encryptSegment(key, ID, (n) => (size = n))));
  return { key, stored, size };
}

/** Byte equality without a deep-equal diff of a megabyte. */
const same = (a: Uint8Array, b: Uint8Array) => expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);

const opener = (stored: Uint8Array) => async (s: number, e: number) => streamOf(stored.slice(s, e), 100_000);

describe('object cipher (frames of 512 KiB under AES-256-GCM)', { timeout: 60_000 }, () => {
  const sizes = [0, 1, FRAME_BYTES - 1, FRAME_BYTES, FRAME_BYTES + 1, 2 * FRAME_BYTES + 5];

  it.each(sizes)('round-trips %i bytes whole, with the stored size it promises', async (n) => {
    const data = pattern(n);
    const { key, stored, size } = await seal(data);
    expect(size).toBe(n);
    expect(stored.length).toBe(storedSize(n));
    same(await readAll(decryptSegment(key, ID, n, 0, n, opener(stored))), data);
  });

  it('encrypts the same whether the plaintext streams in large chunks or byte by byte', async () => {
    const data = pattern(FRAME_BYTES + 300);
    const whole = await seal(data, data.length);
    const { key, stored } = await seal(data, 1);
    expect(stored.length).toBe(whole.stored.length);
    same(await readAll(decryptSegment(key, ID, data.length, 0, data.length, opener(stored))), data);
  });

  it.each([
    [0, 1],
    [5, 10],
    [FRAME_BYTES - 3, FRAME_BYTES + 3],
    [FRAME_BYTES, 2 * FRAME_BYTES],
    [2 * FRAME_BYTES + 1, 2 * FRAME_BYTES + 5],
  ])('decrypts only the frames of the range [%i, %i)', async (from, to) => {
    const data = pattern(2 * FRAME_BYTES + 5);
    const { key, stored } = await seal(data);
    const asked: [number, number][] = [];
    const out = await readAll(
      decryptSegment(key, ID, data.length, from, to, async (s, e) => (asked.push([s, e]), opener(stored)(s, e))),
    );
    same(out, data.slice(from, to));
    expect(asked[0]![1] - asked[0]![0]).toBeLessThanOrEqual(2 * (FRAME_BYTES + 16));
  });

  it('fails a changed byte, a cut-off final frame, frames in another order and another segment ID', async () => {
    const data = pattern(2 * FRAME_BYTES + 5);
    const { key, stored } = await seal(data);
    const flipped = stored.slice();
    flipped[100] = flipped[100]! ^ 1;
    const swapped = stored.slice();
    swapped.set(stored.subarray(FRAME_BYTES + 16, 2 * (FRAME_BYTES + 16)), 0);
    swapped.set(stored.subarray(0, FRAME_BYTES + 16), FRAME_BYTES + 16);
    const cut = stored.slice(0, 2 * (FRAME_BYTES + 16));
    for (const [bytes, id, size] of [
      [flipped, ID, data.length],
      [swapped, ID, data.length],
      [cut, ID, 2 * FRAME_BYTES],
      [stored, new Uint8Array(16), data.length],
    ] as const)
      await expect(readAll(decryptSegment(key, id, size, 0, size, opener(bytes)))).rejects.toMatchObject({
        name: 'InternalError',
      });
  });
});
