// Encrypt and decrypt streams: round trips across suites, frame lengths and feeds; frames
// reordered, dropped, duplicated; truncation at every boundary; flipped bytes; commitment.
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  CommitmentMismatchError,
  createDecryptStream,
  createEncryptStream,
  FrameSequenceError,
  MalformedMessageError,
  NotAnEsdkMessageError,
  SignatureError,
  TooManyEncryptedDataKeysError,
  TruncatedMessageError,
  PUBLIC_KEY_CONTEXT_KEY,
  FormatError,
  UnsupportedFormatError,
} from '../../../src/format';
import { ARN, chunksOf, join, memoryKeyring, pipe, random, split, type Feed } from './helpers';

async function encrypt(
  pt: Uint8Array,
  o: {
    suiteId?: 0x0478 | 0x0578;
    frameLength?: number;
    ctx?: Record<string, string>;
    keys?: string[];
    feed?: Feed;
  } = {},
) {
  const keyring = memoryKeyring(o.keys);
  const { stream, header } = await createEncryptStream({
    keyring,
    ...(o.suiteId ? { suiteId: o.suiteId } : {}),
    ...(o.frameLength ? { frameLength: o.frameLength } : {}),
    ...(o.ctx ? { encryptionContext: o.ctx } : {}),
  });
  const { out, error } = await pipe(stream, chunksOf(pt, o.feed ?? 'whole'));
  expect(error).toBeUndefined();
  return { msg: out, keyring, header };
}

const decrypt = (msg: Uint8Array, keyring: ReturnType<typeof memoryKeyring>, feed: Feed = 'whole', extra = {}) =>
  pipe(createDecryptStream({ keyring, ...extra }), chunksOf(msg, feed));

describe('encrypt → decrypt round trips', () => {
  for (const suiteId of [0x0478, 0x0578] as const) {
    for (const frameLength of [1, 4096, 65536, 1 << 20]) {
      it(`suite 0x0${suiteId.toString(16)}, frame length ${frameLength}`, async () => {
        const size = frameLength === 1 ? 300 : frameLength * 2 + 17;
        const pt = random(size);
        const { msg, keyring } = await encrypt(pt, { suiteId, frameLength, ctx: { purpose: 'test', é: 'x' } });
        for (const feed of ['whole', 'random'] as const) {
          const { out, error } = await decrypt(msg, keyring, feed);
          expect(error).toBeUndefined();
          expect(Buffer.compare(out, pt)).toBe(0);
        }
      });
    }
  }

  it('streams byte by byte both ways', async () => {
    const pt = random(5000);
    const { msg, keyring } = await encrypt(pt, { suiteId: 0x0578, frameLength: 1000, feed: 'bytes' });
    const { out, error } = await decrypt(msg, keyring, 'bytes');
    expect(error).toBeUndefined();
    expect(Buffer.compare(out, pt)).toBe(0);
  });

  it('gives the same plaintext whatever the input chunking on encrypt', async () => {
    const pt = random(10_000);
    for (const feed of ['whole', 'random', 'bytes'] as const) {
      const { msg, keyring } = await encrypt(pt, { frameLength: 4096, feed });
      expect(split(msg).frames).toHaveLength(3);
      expect(Buffer.compare((await decrypt(msg, keyring)).out, pt)).toBe(0);
    }
  });

  it('encrypts an empty plaintext as one empty final frame', async () => {
    const { msg, keyring } = await encrypt(new Uint8Array(0), { suiteId: 0x0578 });
    expect(split(msg).frames).toHaveLength(1);
    const { out, error } = await decrypt(msg, keyring);
    expect(error).toBeUndefined();
    expect(out.length).toBe(0);
  });

  it('ends an exact multiple of the frame length with a full final frame', async () => {
    const pt = random(8192);
    const { msg, keyring } = await encrypt(pt, { frameLength: 4096 });
    expect(split(msg).frames).toHaveLength(2);
    expect(Buffer.compare((await decrypt(msg, keyring)).out, pt)).toBe(0);
  });

  it('writes one encrypted data key per key; any one of them decrypts', async () => {
    const pt = random(100);
    const { msg, keyring, header } = await encrypt(pt, { keys: [ARN(1), ARN(2), ARN(3)] });
    expect(header.encryptedDataKeys).toHaveLength(3);
    for (const k of [...keyring.store.keys()].slice(0, 2)) keyring.store.delete(k);
    expect(Buffer.compare((await decrypt(msg, keyring)).out, pt)).toBe(0);
  });

  it('puts the signing public key in the context for 0x0578 only', async () => {
    expect((await encrypt(random(1), { suiteId: 0x0578 })).header.encryptionContext[PUBLIC_KEY_CONTEXT_KEY]).toMatch(
      /^[A-Za-z0-9+/]{64,}=*$/,
    );
    expect((await encrypt(random(1), { suiteId: 0x0478 })).header.encryptionContext).toEqual({});
  });

  it('refuses reserved context keys and bad frame lengths', async () => {
    await expect(
      createEncryptStream({ keyring: memoryKeyring(), encryptionContext: { 'aws-crypto-x': '1' } }),
    ).rejects.toBeInstanceOf(RangeError);
    for (const frameLength of [0, -1, 1.5, 2 ** 32])
      await expect(createEncryptStream({ keyring: memoryKeyring(), frameLength })).rejects.toBeInstanceOf(RangeError);
  });
});

describe('decrypting altered messages', () => {
  const setup = async (suiteId: 0x0478 | 0x0578 = 0x0478) => {
    const pt = random(4 * 100 + 50);
    const r = await encrypt(pt, { frameLength: 100, suiteId, ctx: { a: 'b' } });
    return { pt, ...r, parts: split(r.msg) };
  };

  it('names a dropped frame as missing', async () => {
    const { parts, keyring } = await setup();
    const f = parts.frames;
    const { error, out } = await decrypt(join(parts.headerBytes, f[0]!, f[2]!, f[3]!, f[4]!), keyring);
    expect(error).toBeInstanceOf(FrameSequenceError);
    expect((error as Error).message).toMatch(/Frame 2 is missing/);
    expect(out.length).toBe(100);
  });

  it('names a duplicated frame', async () => {
    const { parts, keyring } = await setup();
    const f = parts.frames;
    const { error } = await decrypt(join(parts.headerBytes, f[0]!, f[1]!, f[1]!, f[2]!, f[3]!, f[4]!), keyring);
    expect(error).toBeInstanceOf(FrameSequenceError);
    expect((error as Error).message).toMatch(/appears again/);
  });

  it('names reordered frames', async () => {
    const { parts, keyring } = await setup();
    const f = parts.frames;
    const { error } = await decrypt(join(parts.headerBytes, f[0]!, f[2]!, f[1]!, f[3]!, f[4]!), keyring);
    expect(error).toBeInstanceOf(FrameSequenceError);
  });

  it('refuses a dropped final frame as truncated', async () => {
    const { parts, keyring } = await setup();
    const f = parts.frames;
    const { error } = await decrypt(join(parts.headerBytes, ...f.slice(0, 4)), keyring);
    expect(error).toBeInstanceOf(TruncatedMessageError);
  });

  for (const suiteId of [0x0478, 0x0578] as const) {
    it(`0x0${suiteId.toString(16)}: truncation at every byte fails and releases only whole authenticated frames`, async () => {
      const { msg, keyring, pt } = await setup(suiteId);
      for (let n = 0; n < msg.length; n++) {
        const { error, out } = await decrypt(msg.subarray(0, n), keyring, n % 3 === 0 ? 'random' : 'whole');
        expect(error, `prefix ${n}`).toBeInstanceOf(n === 0 ? NotAnEsdkMessageError : TruncatedMessageError);
        expect(out.length % 100 === 0 || out.length === pt.length).toBe(true);
        expect(Buffer.compare(out, pt.subarray(0, out.length))).toBe(0);
      }
    });

    it(`0x0${suiteId.toString(16)}: every flipped bit is caught, with nothing unauthenticated released`, async () => {
      const { msg, keyring, pt } = await setup(suiteId);
      for (let i = 0; i < msg.length; i++) {
        const bad = msg.slice();
        bad[i]! ^= 1 << (i % 8);
        const { error, out } = await decrypt(bad, keyring);
        expect(error, `byte ${i}`).toBeInstanceOf(Error);
        expect(Buffer.compare(out, pt.subarray(0, out.length))).toBe(0);
      }
      // One whole decryption per byte of the message (~1 s alone): room for a busy machine.
    }, 30_000);
  }

  it('refuses a wrong commitment with CommitmentMismatchError', async () => {
    const { msg, keyring, parts } = await setup();
    const bad = msg.slice();
    bad[parts.headerBytes.length - 16 - 1]! ^= 0xff; // last byte of the commitment
    expect((await decrypt(bad, keyring)).error).toBeInstanceOf(CommitmentMismatchError);
  });

  it('refuses a changed frame with AuthenticationError', async () => {
    const { msg, keyring, parts } = await setup();
    const bad = msg.slice();
    bad[parts.headerBytes.length + 100 + 30]! ^= 1; // inside frame 2's ciphertext
    const { error, out } = await decrypt(bad, keyring, 'bytes');
    expect(error).toBeInstanceOf(AuthenticationError);
    // Frame 1 authenticated and may be out; nothing of frame 2 is.
    expect(out.length).toBeLessThanOrEqual(100);
  });

  it('refuses a changed signature with SignatureError', async () => {
    const { msg, keyring } = await setup(0x0578);
    const bad = msg.slice();
    bad[bad.length - 5]! ^= 1;
    expect((await decrypt(bad, keyring)).error).toBeInstanceOf(SignatureError);
  });

  it('refuses trailing bytes', async () => {
    const { msg, keyring } = await setup();
    expect((await decrypt(join(msg, new Uint8Array([0])), keyring)).error).toBeInstanceOf(MalformedMessageError);
  });

  it('enforces the maximum number of encrypted data keys', async () => {
    const { msg, keyring } = await encrypt(random(10), { keys: [ARN(1), ARN(2), ARN(3)] });
    expect((await decrypt(msg, keyring, 'whole', { maxEncryptedDataKeys: 2 })).error).toBeInstanceOf(
      TooManyEncryptedDataKeysError,
    );
    expect((await decrypt(msg, keyring, 'whole', { maxEncryptedDataKeys: 3 })).error).toBeUndefined();
  });

  it('refuses limits that are not whole numbers in range', () => {
    for (const maxEncryptedDataKeys of [0, -1, 1.5, NaN, 65536])
      expect(() => createDecryptStream({ keyring: memoryKeyring(), maxEncryptedDataKeys })).toThrow(RangeError);
    for (const maxFrameLength of [0, NaN])
      expect(() => createDecryptStream({ keyring: memoryKeyring(), maxFrameLength })).toThrow(RangeError);
  });

  it('says a random file is not an ESDK message', async () => {
    const { error } = await decrypt(new TextEncoder().encode('hello, world'), memoryKeyring());
    expect(error).toBeInstanceOf(NotAnEsdkMessageError);
    expect(error).toBeInstanceOf(FormatError);
  });

  it('shows the header before using any key', async () => {
    const { msg, keyring } = await setup();
    let seen: unknown;
    await pipe(createDecryptStream({ keyring, onHeader: (h) => void (seen = h) }), [msg]);
    expect(seen).toMatchObject({ version: 2, frameLength: 100, encryptionContext: { a: 'b' } });
  });
});

describe('a header that never ends', () => {
  /** A format 2 header that announces 65,535 data keys of 1,000-byte ciphertexts, then streams them
   * forever (up to `budget` bytes) in `chunk`-byte pieces; counts what the decrypt stream pulled. */
  function endlessHeader(chunk: number, budget: number) {
    const start = join(
      new Uint8Array([2, 0x04, 0x78]),
      new Uint8Array(32),
      new Uint8Array([0, 0]),
      new Uint8Array([0xff, 0xff]),
    );
    const edk = join(
      new Uint8Array([0, 7]),
      new TextEncoder().encode('aws-kms'),
      new Uint8Array([0, 0, 0x03, 0xe8]),
      new Uint8Array(1000),
    );
    const seen = { bytes: 0 };
    let o = -start.length;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (seen.bytes >= budget) return c.close();
        const out = new Uint8Array(chunk);
        for (let i = 0; i < chunk; i++, o++) out[i] = o < 0 ? start[o + start.length]! : edk[o % edk.length]!;
        seen.bytes += chunk;
        c.enqueue(out);
      },
    });
    return { stream, seen };
  }

  it('reads a header of exactly maxHeaderLength bytes, byte by byte, and refuses one byte less', async () => {
    const { msg, keyring } = await encrypt(random(10), { keys: [ARN(1), ARN(2), ARN(3)] });
    const length = split(msg).headerBytes.length;
    const ok = await decrypt(msg, keyring, 'bytes', { maxHeaderLength: length });
    expect(ok.error).toBeUndefined();
    const short = await decrypt(msg, keyring, 'bytes', { maxHeaderLength: length - 1 });
    expect(short.error).toBeInstanceOf(UnsupportedFormatError);
    for (const maxHeaderLength of [0, 1.5, NaN])
      expect(() => createDecryptStream({ keyring, maxHeaderLength })).toThrow(RangeError);
  });

  it.each([
    ['16 KiB', 16 * 1024],
    ['64-byte', 64],
  ])(
    'refuses it with UnsupportedFormatError once it needs more than 1 MiB, fed in %s chunks',
    async (_, chunk) => {
      const { stream, seen } = endlessHeader(chunk, 8 * 1024 * 1024);
      const error = await stream
        .pipeThrough(createDecryptStream({ keyring: memoryKeyring(), maxEncryptedDataKeys: 0xffff }))
        .pipeTo(new WritableStream())
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(UnsupportedFormatError);
      expect((error as Error).message).toContain('1048576');
      expect(seen.bytes).toBeLessThanOrEqual(1024 * 1024 + 4 * chunk);
    },
    20_000,
  );
});
