// The message inspector (src/format/inspect.ts) at scale and under attack: a 4 GiB message's header and
// frame table read without its body, many small frames counted from the length, and hostile input
// (fast-check: cut, mutated, oversized) always giving a result or one named problem with an offset, quickly.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEncryptStream, encodeHeaderAuth, encodeHeaderBody, frameIv, SUITES } from '../../../src/format';
import { concat, uint32 } from '../../../src/format/bytes';
import { bytesSource, inspectMessage, type ByteSource } from '../../../src/format/inspect';
import { ARN, memoryKeyring, pipe } from './helpers';

const VECTORS = join(__dirname, '../../vectors');
const read = (...p: string[]) => new Uint8Array(readFileSync(join(VECTORS, ...p)));
const pocket = (name: string) => {
  const text = readFileSync(join(VECTORS, 'pocket', name), 'utf8');
  return new Uint8Array(Buffer.from(text.split('\n\n')[1]!.replace(/\s+/g, ''), 'base64'));
};
const python = JSON.parse(readFileSync(join(VECTORS, 'esdk-python-1.3.5/manifest.json'), 'utf8')) as {
  tests: { ciphertext: string }[];
};
const NET = 'esdk-raw-keys/net-4.0.1/ciphertexts';
const net = readdirSync(join(VECTORS, NET)).sort();
const utf8Encode = (s: string) => new TextEncoder().encode(s);

/** A message `frames` frames of `frameLength` long whose body is never stored: reads are made up from
 * the header and each frame's fields, and counted. */
function hugeMessage(frameLength: number, frames: number, finalLength: number) {
  const suite = SUITES.get(0x0478)!;
  const body = encodeHeaderBody({
    version: 2,
    suite,
    messageId: new Uint8Array(32).fill(7),
    encryptionContext: { purpose: 'huge' },
    encryptedDataKeys: [{ providerId: 'aws-kms', providerInfo: utf8Encode(ARN(1)), ciphertext: new Uint8Array(80) }],
    contentType: 'framed',
    frameLength,
    commitment: new Uint8Array(32).fill(9),
  });
  const header = concat([body, encodeHeaderAuth(2, { iv: new Uint8Array(12), tag: new Uint8Array(16).fill(5) })]);
  const regular = 4 + 12 + frameLength + 16;
  const finalAt = header.length + (frames - 1) * regular;
  const size = finalAt + 8 + 12 + 4 + finalLength + 16;
  // The bytes that are not zero: the header and each frame's fields.
  const prefixAt = (seq: number) => header.length + (seq - 1) * regular;
  let bytesRead = 0;
  const source: ByteSource = {
    size,
    async read(offset, length) {
      const end = Math.min(size, offset + length);
      const out = new Uint8Array(end - offset);
      bytesRead += out.length;
      const put = (at: number, b: Uint8Array) => {
        for (let i = 0; i < b.length; i++) if (at + i >= offset && at + i < end) out[at + i - offset] = b[i]!;
      };
      put(0, header);
      const first = Math.max(1, Math.floor((offset - header.length) / regular));
      for (let seq = first; seq < frames && prefixAt(seq) < end; seq++)
        put(prefixAt(seq), concat([uint32(seq), frameIv(seq)]));
      put(finalAt, concat([uint32(0xffffffff), uint32(frames), frameIv(frames), uint32(finalLength)]));
      return out;
    },
  };
  return { source, size, header, read: () => bytesRead };
}

describe('inspector: a 4 GiB message', () => {
  it('reads the header and the frame table, not the body', async () => {
    const m = hugeMessage(1 << 20, 4097, 1234); // 4 GiB of full frames and a short final one
    expect(m.size).toBeGreaterThan(4 * 2 ** 30);
    const r = await inspectMessage(m.source);
    expect(r.problem).toBeUndefined();
    expect(r.headerLength).toBe(m.header.length);
    expect(r.encryptedDataKeys[0]!.keyArn).toBe(ARN(1));
    expect(r.frames!.count).toBe(4097);
    expect(r.frames!.contentLength).toBe(4096 * (1 << 20) + 1234);
    expect(r.frames!.listed).toHaveLength(201);
    expect(r.frames!.listed.at(-1)).toMatchObject({ seq: 4097, final: true, contentLength: 1234 });
    // The header (one 4 KiB read at most) and 24 bytes at each frame: about 100 KB of 4 GiB.
    expect(r.bytesRead).toBe(m.read());
    expect(m.read()).toBeLessThan(4096 + 4097 * 24 + 1);
  });

  it("of the ESDK's 4 KiB frames: walks the first 1,024, counts the rest from the length and checks the final one", async () => {
    const frames = 2 ** 20 + 1; // 4 GiB of 4 KiB frames and a short final one
    const m = hugeMessage(4096, frames, 100);
    expect(m.size).toBeGreaterThan(4 * 2 ** 30);
    const r = await inspectMessage(m.source);
    expect(r.problem).toBeUndefined();
    expect(r.frames!.count).toBe(frames);
    expect(r.frames!.contentLength).toBe(2 ** 32 + 100);
    expect(r.frames!.unread).toEqual({ first: 1025, last: frames - 1 });
    expect(r.frames!.listed.at(-1)).toMatchObject({ seq: frames, final: true, contentLength: 100 });
    // About 1,024 frames of 4 KiB in 1 MiB read-aheads, then the frame before the final one and the final one.
    expect(m.read()).toBeLessThan(8 << 20);
  });

  it('says where a huge message is cut short', async () => {
    const m = hugeMessage(1 << 20, 4097, 1234);
    const cut: ByteSource = { size: m.size - 100_000_000, read: (o, n) => m.source.read(o, n) };
    const r = await inspectMessage(cut);
    expect(r.problem).toMatchObject({ name: 'TruncatedMessageError' });
    expect(r.problem!.message).toMatch(/ends inside frame \d+/);
    expect(r.frames!.count).toBe(Math.floor((cut.size - m.header.length) / ((1 << 20) + 32)));
    expect(r.problem!.offset).toBe(cut.size);
  });
});

describe('inspector: many small frames, counted past the first 1,024', () => {
  async function encrypt(n: number, suiteId: 0x0478 | 0x0578) {
    const { stream } = await createEncryptStream({ keyring: memoryKeyring(), suiteId, frameLength: 1 });
    const { out } = await pipe(stream, [new Uint8Array(n).fill(1)]);
    return out;
  }

  it('a signed message of 1,500 one-byte frames (the last one is the final frame): the same count as a walk, the footer found', async () => {
    const msg = await encrypt(1500, 0x0578);
    const r = await inspectMessage(bytesSource(msg));
    expect(r.problem).toBeUndefined();
    expect(r.frames!.count).toBe(1500);
    expect(r.frames!.unread).toEqual({ first: 1025, last: 1499 });
    expect(r.frames!.contentLength).toBe(1500);
    expect(r.footer!.offset + r.footer!.length).toBe(msg.length);
  });

  it('bytes after the end: the count does not add up, so it walks on and names them', async () => {
    const msg = concat([await encrypt(1500, 0x0478), new Uint8Array(3)]);
    const r = await inspectMessage(bytesSource(msg));
    expect(r.frames!.unread).toBeUndefined();
    expect(r.frames!.count).toBe(1500);
    expect(r.problem).toMatchObject({ name: 'MalformedMessageError', offset: msg.length - 3 });
  });

  it('a frame out of order among the counted ones is not seen (decrypting finds it)', async () => {
    const msg = await encrypt(1500, 0x0478);
    const r0 = await inspectMessage(bytesSource(msg));
    const at = r0.frames!.listed[0]!.offset + 1200 * r0.frames!.listed[0]!.length; // frame 1201
    msg.set(uint32(1300), at);
    const r = await inspectMessage(bytesSource(msg));
    expect(r.problem).toBeUndefined();
    expect(r.frames!.unread).toEqual({ first: 1025, last: 1499 });
  });
});

describe('inspector: hostile input (fast-check)', () => {
  const samples = [
    pocket('ok-0478'),
    pocket('ok-0578-signed'),
    pocket('ok-three-keys'),
    read('esdk-python-1.3.5', python.tests[0]!.ciphertext),
    read('esdk-python-1.3.5', python.tests[1]!.ciphertext),
    read(
      NET,
      net.find((n) => n.startsWith('0578'))!,
    ),
  ];
  const NAMES = [
    'NotAnEsdkMessageError',
    'UnsupportedFormatError',
    'MalformedMessageError',
    'TruncatedMessageError',
    'FrameSequenceError',
    'InspectionLimitError',
  ];

  /** A result, never a throw; a problem is named and says where; every field lies inside the input. */
  async function check(msg: Uint8Array) {
    const t0 = performance.now();
    const r = await inspectMessage(bytesSource(msg));
    expect(performance.now() - t0).toBeLessThan(2000);
    if (r.problem) {
      expect(NAMES).toContain(r.problem.name);
      expect(r.problem.offset).toBeGreaterThanOrEqual(0);
      expect(r.problem.offset).toBeLessThanOrEqual(msg.length);
      expect(r.problem.message).toContain(`At byte ${r.problem.offset}:`);
    }
    for (const f of r.fields) expect(f.offset + f.length).toBeLessThanOrEqual(msg.length);
  }

  it('truncated anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: samples.length - 1 }),
        fc.double({ min: 0, max: 1 }),
        async (i, at) => {
          const m = samples[i]!;
          const cut = m.subarray(0, Math.floor(at * (m.length - 1)));
          await check(cut);
          expect((await inspectMessage(bytesSource(cut))).problem).toBeDefined();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('mutated bytes, and length fields made huge', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: samples.length - 1 }),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        async (i, edits) => {
          const m = samples[i]!.slice();
          for (const [at, v] of edits) m[Math.floor(at * (m.length - 1))] = v;
          await check(m);
          // The same with 0xff runs, the way a hostile length field claims the most.
          for (const [at] of edits) m.fill(0xff, Math.floor(at * (m.length - 4)), Math.floor(at * (m.length - 4)) + 4);
          await check(m);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('mutations of messages of 1,100 small frames (counted past the first 1,024)', async () => {
    const many: Uint8Array[] = [];
    for (const suiteId of [0x0478, 0x0578] as const) {
      const { stream } = await createEncryptStream({ keyring: memoryKeyring(), suiteId, frameLength: 2 });
      many.push((await pipe(stream, [new Uint8Array(2199)])).out);
    }
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0, 1),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.integer({ min: 0, max: 40 }),
        async (i, edits, cut) => {
          const m = many[i]!.slice(0, many[i]!.length - cut);
          for (const [at, v] of edits) m[Math.floor(at * (m.length - 1))] = v;
          await check(m);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('random bytes that start like a message, and oversized tails', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(1, 2),
        fc.uint8Array({ maxLength: 4000 }),
        fc.uint8Array({ maxLength: 100 }),
        async (v, rest, tail) => {
          await check(concat([new Uint8Array([v]), rest]));
          const tailed = concat([samples[0]!, tail]);
          await check(tailed);
          if (tail.length)
            expect((await inspectMessage(bytesSource(tailed))).problem?.name).toBe('MalformedMessageError');
        },
      ),
      { numRuns: 300 },
    );
  });
});
