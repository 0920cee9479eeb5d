// The encrypt stream told its input's length (EncryptOptions.plaintextLength, src/format/encrypt-stream.ts): chunks
// that end exactly on a frame are sealed straight from the input, the message has the same frames as without the
// hint and decrypts byte for byte, and an input that ends short of its declared length fails.
import { describe, expect, it } from 'vitest';
import { createDecryptStream, createEncryptStream } from '../../../src/format';
import { localCipher, type FrameCipher } from '../../../src/format/frame-cipher';
import { memoryKeyring, pipe, random, split } from './helpers';

/** WebCrypto in this thread, noting whether each frame it sealed was a view of one of `inputs`' buffers. */
function spying(inputs: Uint8Array[]): FrameCipher & { views: boolean[] } {
  const buffers = new Set(inputs.map((b) => b.buffer));
  const views: boolean[] = [];
  return {
    ...localCipher,
    views,
    seal(key, iv, aad, plaintext) {
      views.push(buffers.has(plaintext.buffer));
      return localCipher.seal(key, iv, aad, plaintext);
    },
  };
}

const frames = (pt: Uint8Array, n: number) =>
  Array.from({ length: Math.ceil(pt.length / n) }, (_, i) => pt.slice(i * n, (i + 1) * n));

describe('encrypt with a declared length', () => {
  for (const size of [64 * 10, 64 * 10 + 7, 0])
    it(`${size} bytes in frame-sized chunks: sealed from the input, the same frames, decrypted byte for byte`, async () => {
      const keyring = memoryKeyring();
      const pt = random(size);
      const chunks = frames(pt, 64);
      const hinted = spying(chunks);
      const a = await createEncryptStream({ keyring, frameLength: 64, cipher: hinted, plaintextLength: size });
      const withHint = await pipe(a.stream, chunks);
      const plain = spying(chunks);
      const b = await createEncryptStream({ keyring, frameLength: 64, cipher: plain });
      const without = await pipe(b.stream, chunks);
      expect(withHint.error).toBeUndefined();
      // Every regular frame is a view of its chunk with the hint; none is without it (each waits in a copy).
      expect(hinted.views.filter(Boolean).length).toBe(Math.max(0, Math.ceil(size / 64) - 1));
      expect(plain.views.filter(Boolean).length).toBe(0);
      const [x, y] = [split(withHint.out), split(without.out)];
      expect(x.frames.map((f) => f.length)).toEqual(y.frames.map((f) => f.length));
      const dec = await pipe(createDecryptStream({ keyring }), [withHint.out]);
      expect(Buffer.compare(dec.out, pt)).toBe(0);
    });

  it('fails when the input ends before its declared length, and refuses a length that is not a byte count', async () => {
    const keyring = memoryKeyring();
    const pt = random(64 * 4);
    const { stream } = await createEncryptStream({ keyring, frameLength: 64, plaintextLength: 64 * 5 });
    const r = await pipe(stream, frames(pt, 64));
    expect(r.error).toBeInstanceOf(RangeError);
    expect((r.error as Error).message).toContain('before its declared 320');
    for (const bad of [-1, 1.5, Number.NaN])
      await expect(createEncryptStream({ keyring, plaintextLength: bad })).rejects.toBeInstanceOf(RangeError);
  });
});
