// Several frames in flight (src/format/frame-cipher.ts): with a cipher whose results come back in
// any order, messages are still written and read frame by frame in order, byte for byte the same
// message a one-at-a-time cipher reads, and no plaintext after a bad frame is ever released.
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  createDecryptStream,
  createEncryptStream,
  TruncatedMessageError,
} from '../../../src/format';
import { localCipher, type FrameCipher } from '../../../src/format/frame-cipher';
import { chunksOf, join, memoryKeyring, pipe, random, split } from './helpers';

/** WebCrypto with a random delay after each call: results resolve out of order. Counts the most in flight. */
function shuffling(inFlight: number, seed = 7): FrameCipher & { most: number } {
  let s = seed;
  const delay = () => new Promise<void>((r) => setTimeout(r, (s = (s * 1103515245 + 12345) % 2 ** 31) % 5));
  let now = 0;
  const c = {
    inFlight,
    most: 0,
    async seal(...a: Parameters<FrameCipher['seal']>) {
      c.most = Math.max(c.most, ++now);
      const p = localCipher.seal(...a);
      await delay();
      now--;
      return p;
    },
    async open(...a: Parameters<FrameCipher['open']>) {
      c.most = Math.max(c.most, ++now);
      const p = localCipher.open(...a);
      await delay();
      now--;
      return p;
    },
  };
  return c;
}

async function encrypt(pt: Uint8Array, cipher: FrameCipher, suiteId: 0x0478 | 0x0578 = 0x0478) {
  const keyring = memoryKeyring();
  const { stream } = await createEncryptStream({ keyring, frameLength: 64, suiteId, cipher });
  const r = await pipe(stream, chunksOf(pt, 'random'));
  expect(r.error).toBeUndefined();
  return { msg: r.out, keyring };
}

describe('frames in flight', () => {
  for (const suiteId of [0x0478, 0x0578] as const) {
    it(`suite 0x0${suiteId.toString(16)}: written out of order by the cipher, read back in order by both readers`, async () => {
      const pt = random(64 * 40 + 17);
      const cipher = shuffling(6);
      const { msg, keyring } = await encrypt(pt, cipher, suiteId);
      expect(cipher.most).toBeGreaterThan(1);
      const one = await pipe(createDecryptStream({ keyring }), chunksOf(msg, 'random'));
      expect(one.error).toBeUndefined();
      expect(Buffer.from(one.out).equals(Buffer.from(pt))).toBe(true);
      const reader = shuffling(5, 3);
      const many = await pipe(createDecryptStream({ keyring, cipher: reader }), chunksOf(msg, 'bytes'));
      expect(many.error).toBeUndefined();
      expect(Buffer.from(many.out).equals(Buffer.from(pt))).toBe(true);
      expect(reader.most).toBeGreaterThan(1);
    });
  }

  it('releases nothing from a bad frame on, even when later frames authenticate first', async () => {
    const pt = random(64 * 20);
    const { msg, keyring } = await encrypt(pt, localCipher);
    const parts = split(msg);
    const bad = parts.frames.map((f, i) =>
      i === 7 ? Uint8Array.from(f, (b, j) => (j === f.length - 1 ? b ^ 1 : b)) : f,
    );
    const r = await pipe(
      createDecryptStream({ keyring, cipher: shuffling(8) }),
      chunksOf(join(parts.headerBytes, ...bad, parts.footer), 'whole'),
    );
    expect(r.error).toBeInstanceOf(AuthenticationError);
    expect(String((r.error as Error).message)).toContain('Frame 8');
    expect(Buffer.from(r.out).equals(Buffer.from(pt.subarray(0, 7 * 64)))).toBe(true);
  });

  it('a message without its final frame releases no frame it cannot vouch for past the window, and says truncated', async () => {
    const pt = random(64 * 20);
    const { msg, keyring } = await encrypt(pt, localCipher);
    const parts = split(msg);
    const r = await pipe(createDecryptStream({ keyring, cipher: shuffling(4) }), [
      join(parts.headerBytes, ...parts.frames.slice(0, -1)),
    ]);
    expect(r.error).toBeInstanceOf(TruncatedMessageError);
    // Whatever was released authenticated and is a prefix of the plaintext.
    expect(Buffer.from(r.out).equals(Buffer.from(pt.subarray(0, r.out.length)))).toBe(true);
  });
});
