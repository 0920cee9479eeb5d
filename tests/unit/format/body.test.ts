// Body and footer codecs: every frame field tampered → the right error, hostile input never
// throws anything but a FormatError, and a property round trip through the streams.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  createDecryptStream,
  createEncryptStream,
  decodeFooter,
  decodeFrame,
  decodeSingleBlock,
  FormatError,
  FrameSequenceError,
  frameSize,
  MalformedMessageError,
  singleBlockSize,
} from '../../../src/format';
import { ByteQueue } from '../../../src/format/byte-queue';
import { join, memoryKeyring, pipe, random, split } from './helpers';

async function message(frameLength = 64, size = 200) {
  const keyring = memoryKeyring();
  const { stream } = await createEncryptStream({ keyring, frameLength });
  const pt = random(size);
  const { out } = await pipe(stream, [pt]);
  return { keyring, pt, msg: out, parts: split(out) };
}

const decrypt = async (msg: Uint8Array, keyring: ReturnType<typeof memoryKeyring>) =>
  (await pipe(createDecryptStream({ keyring }), [msg])).error;

describe('frame fields tampered', () => {
  // Regular frame: seq (0–3), IV (4–15), ciphertext, tag (last 16). Final: marker, seq, IV, length, ciphertext, tag.
  const edit = (frame: Uint8Array, at: number, v: number) => {
    const f = frame.slice();
    f[at] = v;
    return f;
  };
  it('sequence number of a regular frame → FrameSequenceError', async () => {
    const { keyring, parts } = await message();
    const f = parts.frames;
    expect(await decrypt(join(parts.headerBytes, edit(f[0]!, 3, 2), ...f.slice(1)), keyring)).toBeInstanceOf(
      FrameSequenceError,
    );
  });
  it('IV of a regular frame → AuthenticationError (any IV is read, as the SDKs read it; a changed one fails its tag)', async () => {
    const { keyring, parts } = await message();
    const f = parts.frames;
    expect(await decrypt(join(parts.headerBytes, edit(f[0]!, 5, 1), ...f.slice(1)), keyring)).toBeInstanceOf(
      AuthenticationError,
    );
  });
  it('ciphertext or tag of a frame → AuthenticationError', async () => {
    const { keyring, parts } = await message();
    const f = parts.frames;
    for (const at of [16, 16 + 63, 16 + 64, f[0]!.length - 1]) {
      expect(
        await decrypt(join(parts.headerBytes, edit(f[0]!, at, f[0]![at]! ^ 0x80), ...f.slice(1)), keyring),
      ).toBeInstanceOf(AuthenticationError);
    }
  });
  it('final frame: sequence → FrameSequenceError, length → MalformedMessageError or AuthenticationError', async () => {
    const { keyring, parts } = await message();
    const f = parts.frames;
    const last = f.at(-1)!;
    expect(await decrypt(join(parts.headerBytes, ...f.slice(0, -1), edit(last, 7, 9)), keyring)).toBeInstanceOf(
      FrameSequenceError,
    );
    expect(await decrypt(join(parts.headerBytes, ...f.slice(0, -1), edit(last, 23, 65)), keyring)).toBeInstanceOf(
      MalformedMessageError,
    );
    const shorter = await decrypt(join(parts.headerBytes, ...f.slice(0, -1), edit(last, 23, last[23]! - 1)), keyring);
    expect(shorter).toBeInstanceOf(FormatError);
  });
  it('a final frame turned into a regular one (marker removed) → truncated or malformed', async () => {
    const { keyring, parts } = await message(64, 128);
    const f = parts.frames;
    expect(await decrypt(join(parts.headerBytes, ...f.slice(0, -1), f.at(-1)!.subarray(4)), keyring)).toBeInstanceOf(
      FormatError,
    );
  });
  it('a frame from another message → AuthenticationError', async () => {
    const a = await message();
    const b = await message();
    expect(
      await decrypt(join(a.parts.headerBytes, b.parts.frames[0]!, ...a.parts.frames.slice(1)), a.keyring),
    ).toBeInstanceOf(AuthenticationError);
  });
});

describe('hostile input', () => {
  const only = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(FormatError);
    }
  };
  it('frame, single-block and footer decoders return undefined or throw a FormatError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 1, max: 300 }), (b, fl) => {
        only(() => frameSize(b, fl));
        only(() => decodeFrame(b, fl));
        only(() => singleBlockSize(b));
        only(() => decodeSingleBlock(b));
        only(() => decodeFooter(b));
      }),
      { numRuns: 3000 },
    );
  });
  it('the decrypt stream turns any bytes into a FormatError, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (b) => {
        const e = await decrypt(b, memoryKeyring());
        expect(e).toBeInstanceOf(FormatError);
      }),
      { numRuns: 300 },
    );
  });
  it.each([
    ['take (with peek)', (q: ByteQueue, n: number) => (q.peek(n), q.take(n))],
    ['takeReusing (one buffer, reused)', (q: ByteQueue, n: number) => q.takeReusing(n)],
  ] as const)('ByteQueue %s gives the bytes across chunks', (_name, take) => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 20 }), { maxLength: 20 }),
        fc.array(fc.nat(30), { maxLength: 10 }),
        (chunks, takes) => {
          const q = new ByteQueue();
          for (const c of chunks) q.push(c);
          const all = join(...chunks);
          let o = 0;
          for (const t of takes) {
            const n = Math.min(t, q.length);
            expect(q.peek(n)).toEqual(all.subarray(o, o + n));
            expect(take(q, n)).toEqual(all.subarray(o, o + n));
            o += n;
          }
          expect(q.length).toBe(all.length - o);
          expect(() => take(q, q.length + 1)).toThrow(RangeError);
        },
      ),
    );
  });
  it('ByteQueue release() keeps the queued bytes when the caller then reuses every buffer it pushed', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.uint8Array({ maxLength: 40 }), fc.array(fc.tuple(fc.nat(50), fc.boolean()), { maxLength: 4 })),
          { maxLength: 15 },
        ),
        (steps) => {
          const q = new ByteQueue();
          const all = join(...steps.map(([c]) => c));
          let o = 0;
          for (const [chunk, takes] of steps) {
            const mine = chunk.slice();
            q.push(mine);
            for (const [t, reusing] of takes) {
              const n = Math.min(t, q.length);
              expect(reusing ? q.takeReusing(n) : q.take(n)).toEqual(all.subarray(o, o + n));
              o += n;
            }
            q.release();
            mine.fill(0xee);
          }
          expect(q.length).toBe(all.length - o);
          expect(q.takeReusing(q.length)).toEqual(all.subarray(o));
        },
      ),
      { numRuns: 300 },
    );
    // A run that starts inside the kept tail, past its first byte, and ends in the next chunk.
    const q = new ByteQueue();
    const a = Uint8Array.from({ length: 10 }, (_, i) => i);
    q.push(a);
    q.release();
    a.fill(0xee);
    expect(q.take(3)).toEqual(Uint8Array.of(0, 1, 2));
    q.push(Uint8Array.of(10, 11, 12, 13));
    expect(q.takeReusing(10)).toEqual(Uint8Array.from({ length: 10 }, (_, i) => i + 3));
  });
});

describe('property: any plaintext, frame length and chunking round-trips', () => {
  it('encrypt → decrypt gives the plaintext back', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 3000 }),
        fc.integer({ min: 1, max: 700 }),
        fc.constantFrom(0x0478, 0x0578),
        fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 8 }),
        async (pt, frameLength, suiteId, cuts) => {
          const keyring = memoryKeyring();
          const { stream } = await createEncryptStream({ keyring, frameLength, suiteId: suiteId as 0x0478 | 0x0578 });
          const enc = await pipe(stream, [pt]);
          const chunks: Uint8Array[] = [];
          for (let o = 0, i = 0; o < enc.out.length; i++) {
            const n = cuts[i % cuts.length]!;
            chunks.push(enc.out.subarray(o, o + n));
            o += n;
          }
          const dec = await pipe(createDecryptStream({ keyring }), chunks);
          expect(dec.error).toBeUndefined();
          expect(dec.out).toEqual(new Uint8Array(pt));
        },
      ),
      { numRuns: 60 },
    );
  });
});
