// The message inspector (src/format/inspect.ts): every field of the ESDK's published vectors (format 1
// from python 1.3.5, format 2 from .NET 4.0.1) and of Pocket KMS's own, at the offsets the bytes hold;
// hostile input (fast-check) always gives a result or one named problem with an offset, quickly; and a
// 4 GiB message's header and frame table read without reading its body.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createEncryptStream,
  decodeHeader,
  encodeHeaderAuth,
  encodeHeaderBody,
  frameIv,
  SUITES,
  suiteHex,
} from '../../../src/format';
import { concat, toHex, uint32, utf8Decode } from '../../../src/format/bytes';
import {
  blobSource,
  bytesSource,
  inspectMessage,
  type ByteSource,
  type MessageInspection,
} from '../../../src/format/inspect';
import { ARN, memoryKeyring, pipe } from './helpers';

const VECTORS = join(__dirname, '../../vectors');
const read = (...p: string[]) => new Uint8Array(readFileSync(join(VECTORS, ...p)));
const pocket = (name: string) => {
  const text = readFileSync(join(VECTORS, 'pocket', name), 'utf8');
  return new Uint8Array(Buffer.from(text.split('\n\n')[1]!.replace(/\s+/g, ''), 'base64'));
};
const field = (r: MessageInspection, id: string) => {
  const f = r.fields.find((x) => x.id === id);
  if (!f) throw new Error(`no field ${id} in ${r.fields.map((x) => x.id).join(',')}`);
  return f;
};
const bytesOf = (msg: Uint8Array, r: MessageInspection, id: string) => {
  const f = field(r, id);
  return msg.subarray(f.offset, f.offset + f.length);
};

const python = JSON.parse(readFileSync(join(VECTORS, 'esdk-python-1.3.5/manifest.json'), 'utf8')) as {
  tests: { ciphertext: string; suite: string; contentType: string; frameLength: number }[];
};
const NET = 'esdk-raw-keys/net-4.0.1/ciphertexts';
const net = readdirSync(join(VECTORS, NET)).sort();
const netManifest = JSON.parse(readFileSync(join(VECTORS, 'esdk-raw-keys/net-4.0.1/manifest.json'), 'utf8')) as {
  tests: Record<string, { 'master-keys': { key: string }[] }>;
};
const plaintextSmall = read('esdk-python-1.3.5/plaintext-small').length;

/** What the header decoder says, checked against each inspected field's own bytes. */
function expectEveryHeaderField(msg: Uint8Array, r: MessageInspection) {
  const d = decodeHeader(msg, { maxEncryptedDataKeys: 0xffff })!;
  const h = d.header;
  expect(r.problem).toBeUndefined();
  expect(r.version).toBe(h.version);
  expect(field(r, 'version')).toMatchObject({ offset: 0, length: 1, value: `${h.version}` });
  expect(r.suite).toEqual({
    id: suiteHex(h.suite.id),
    name: h.suite.name,
    signed: h.suite.signature !== null,
    committing: h.suite.commitment,
  });
  expect(field(r, 'suiteId')).toMatchObject({ offset: h.version === 1 ? 2 : 1, length: 2, note: h.suite.name });
  expect(bytesOf(msg, r, 'messageId')).toEqual(h.messageId);
  expect(r.messageId).toBe(toHex(h.messageId));
  expect(Object.fromEntries(r.encryptionContext.map((p) => [p.key, p.value]))).toEqual({ ...h.encryptionContext });
  r.encryptionContext.forEach((p, i) => {
    // Each pair's field is its 2-byte length and its UTF-8 bytes.
    expect(utf8Decode(bytesOf(msg, r, `ec.${i}.key`).subarray(2))).toBe(p.key);
    expect(utf8Decode(bytesOf(msg, r, `ec.${i}.value`).subarray(2))).toBe(p.value);
  });
  expect(r.encryptedDataKeys).toHaveLength(h.encryptedDataKeys.length);
  h.encryptedDataKeys.forEach((k, i) => {
    const got = r.encryptedDataKeys[i]!;
    expect(got.providerId).toBe(k.providerId);
    expect(bytesOf(msg, r, `edk.${i}.providerInfo`)).toEqual(k.providerInfo);
    expect(bytesOf(msg, r, `edk.${i}.encryptedDataKey`)).toEqual(k.ciphertext);
    expect(got.ciphertextLength).toBe(k.ciphertext.length);
    expect(got.length).toBe(6 + utf8Encode(k.providerId).length + k.providerInfo.length + k.ciphertext.length);
    if (k.providerId === 'aws-kms') expect(got.keyArn).toBe(utf8Decode(k.providerInfo));
  });
  expect(r.contentType).toBe(h.contentType);
  expect(field(r, 'contentType').note).toBe(h.contentType);
  expect(r.frameLength).toBe(h.frameLength);
  expect(r.headerLength).toBe(d.read);
  expect(bytesOf(msg, r, 'headerTag')).toEqual(d.auth.tag);
  if (h.version === 1) expect(bytesOf(msg, r, 'headerIv')).toEqual(d.auth.iv);
  else expect(bytesOf(msg, r, 'commitment')).toEqual(h.commitment);
  // The top-level header fields tile the header: each starts where the one before ended.
  const top = r.fields.filter((f) => !f.id.includes('.') && f.offset < d.read);
  let o = 0;
  for (const f of top) {
    if (f.id === 'encryptionContext' || /^edk\./.test(f.id)) continue;
    expect(f.offset, f.id).toBe(o);
    o = f.offset + f.length;
    if (f.id === 'encryptionContextLength') o += Number(f.value);
    if (f.id === 'encryptedDataKeyCount') o += r.encryptedDataKeys.reduce((n, k) => n + k.length, 0);
  }
  expect(o).toBe(d.read);
}
const utf8Encode = (s: string) => new TextEncoder().encode(s);

describe('inspector: the ESDK published vectors, format 1 (python 1.3.5, AWS KMS keys)', () => {
  it('reads a non-framed unsigned message field by field', async () => {
    const msg = read('esdk-python-1.3.5', python.tests[0]!.ciphertext);
    const r = await inspectMessage(bytesSource(msg));
    expect(r.suite?.name).toBe('AES_128_GCM_IV12_TAG16_NO_KDF');
    expect(field(r, 'messageId')).toMatchObject({ offset: 4, length: 16, value: '531f1c4e28456e73fb9296b5e3ca2380' });
    expect(r.encryptedDataKeys[0]).toMatchObject({
      offset: 48,
      providerId: 'aws-kms',
      keyArn: 'arn:aws:kms:us-west-2:658956600833:key/b3537ef1-d8dc-4780-9f5a-55776cbb2f7f',
      ciphertextLength: 151,
    });
    expect(field(r, 'edk.0.providerInfo')).toMatchObject({ offset: 59, length: 75 });
    expect(field(r, 'contentType')).toMatchObject({ offset: 287, value: '0x01', note: 'non-framed' });
    expect(field(r, 'headerTag')).toMatchObject({ offset: 309, length: 16 });
    expect(field(r, 'body.contentLength')).toMatchObject({ offset: 337, length: 8, value: `${plaintextSmall}` });
    expect(field(r, 'body.tag')).toMatchObject({ offset: msg.length - 16, length: 16 });
    expect(r.frames).toBeUndefined();
    expect(r.footer).toBeUndefined();
  });

  for (const t of python.tests) {
    it(`${t.suite} ${t.contentType} ${t.frameLength}: every field, the frames and the footer`, async () => {
      const msg = read('esdk-python-1.3.5', t.ciphertext);
      const r = await inspectMessage(bytesSource(msg));
      expectEveryHeaderField(msg, r);
      expect(r.suite!.id).toBe(t.suite);
      expect(r.contentType).toBe(t.contentType);
      expect(r.frameLength).toBe(t.frameLength);
      const signed = SUITES.get(Number(t.suite))!.signature !== null;
      if (t.contentType === 'framed') {
        const want = Math.floor(plaintextSmall / t.frameLength) + 1;
        expect(r.frames!.count).toBe(want);
        expect(r.frames!.contentLength).toBe(plaintextSmall);
        const last = r.frames!.listed.at(-1)!;
        expect(last).toMatchObject({ final: true, seq: want, contentLength: plaintextSmall % t.frameLength });
        expect(r.frames!.listed.slice(0, -1).every((f, i) => f.seq === i + 1 && f.iv === toHex(frameIv(i + 1)))).toBe(
          true,
        );
      }
      if (signed) {
        expect(r.footer!.offset + r.footer!.length).toBe(msg.length);
        expect(r.footer!.signatureLength).toBe(msg.length - r.footer!.offset - 2);
        expect(bytesOf(msg, r, 'footer.signature')[0]).toBe(0x30); // a DER SEQUENCE
      } else expect(r.footer).toBeUndefined();
    });
  }
});

describe('inspector: the ESDK published vectors, format 2 and raw keys (.NET 4.0.1)', () => {
  for (const name of net.filter((n) => /^(04|05)78|^0014|^0378/.test(n))) {
    it(`${name.slice(0, 40)}: every field`, async () => {
      const msg = read(NET, name);
      const r = await inspectMessage(bytesSource(msg));
      expectEveryHeaderField(msg, r);
      expect(r.suite!.id).toBe(`0x${name.slice(0, 4)}`);
      if (r.version === 2) {
        expect(field(r, 'messageId').length).toBe(32);
        expect(field(r, 'commitment')).toMatchObject({ length: 32, label: 'Algorithm suite data (key commitment)' });
      }
      // Raw AES and RSA keys: the provider ID is the keyring's namespace and there is no key ARN; the raw
      // AES keyring's provider info is its key name, tag length, IV length and IV.
      expect(r.encryptedDataKeys[0]!.providerId).toBe('aws-raw-vectors-persistant');
      expect(r.encryptedDataKeys[0]!.keyArn).toBeUndefined();
      const info = bytesOf(msg, r, 'edk.0.providerInfo');
      const keyName = netManifest.tests[name]!['master-keys'][0]!.key;
      expect(r.encryptedDataKeys[0]!.providerInfo).toBe(
        keyName.startsWith('aes')
          ? `key name "${keyName}", tag 128 bits, IV ${toHex(info.subarray(info.length - 12))}`
          : keyName, // the raw RSA keyring's provider info is its key name
      );
      const end = r.footer ? r.footer.offset + r.footer.length : r.frames!.offset + r.frames!.length;
      expect(end).toBe(msg.length);
    });
  }
});

describe("inspector: Pocket KMS's own messages and their faults", () => {
  it('ok-0578-signed: the aws-kms key ARN, the context, the commitment, the frames and the signature', async () => {
    const msg = pocket('ok-0578-signed');
    const r = await inspectMessage(bytesSource(msg));
    expectEveryHeaderField(msg, r);
    expect(r.encryptedDataKeys[0]!.keyArn).toBe(ARN(1));
    expect(r.encryptionContext.map((p) => p.key)).toEqual(['aws-crypto-public-key', 'purpose']);
    expect(r.footer!.signatureLength).toBeGreaterThan(90);
  });

  const faults: [string, string, (r: MessageInspection, size: number) => void][] = [
    ['truncated-in-header', 'TruncatedMessageError', (r, size) => expect(r.problem!.offset).toBe(size)],
    ['truncated-no-final-frame', 'TruncatedMessageError', (r) => expect(r.frames!.count).toBeGreaterThan(0)],
    ['frames-reordered', 'FrameSequenceError', (r) => expect(r.problem!.offset).toBe(r.headerLength)],
    ['frame-missing', 'FrameSequenceError', (r) => expect(r.frames!.count).toBe(1)],
    ['frame-duplicated', 'FrameSequenceError', () => undefined],
    ['trailing-bytes', 'MalformedMessageError', () => undefined],
    ['not-esdk', 'NotAnEsdkMessageError', (r) => expect(r.problem!.offset).toBe(0)],
    ['version-3', 'UnsupportedFormatError', (r) => expect(r.problem!.offset).toBe(0)],
    ['suite-unknown', 'UnsupportedFormatError', (r) => expect(r.problem!.offset).toBe(1)],
    ['signature-missing', 'TruncatedMessageError', () => undefined],
  ];
  for (const [name, error, more] of faults) {
    it(`${name}: ${error}, naming the offset`, async () => {
      const msg = pocket(name);
      const r = await inspectMessage(bytesSource(msg));
      expect(r.problem?.name).toBe(error);
      expect(r.problem!.message).toContain(`At byte ${r.problem!.offset}:`);
      more(r, msg.length);
    });
  }

  it('changed bytes the decoder would refuse only with the key still inspect cleanly (no key is asked for)', async () => {
    for (const name of ['frame-tag-flipped', 'header-tag-flipped', 'commitment-flipped', 'signature-flipped']) {
      const r = await inspectMessage(bytesSource(pocket(name)));
      expect(r.problem, name).toBeUndefined();
    }
  });

  it('too-many-keys: lists every key (the inspector allows 65,535; decrypting allows fewer)', async () => {
    const r = await inspectMessage(bytesSource(pocket('too-many-keys')));
    expect(r.problem).toBeUndefined();
    expect(r.encryptedDataKeys.map((k) => k.keyArn)).toEqual([ARN(1), ARN(2), ARN(3)]);
  });

  it('reads a Blob slice by slice and finds the same as in memory', async () => {
    const msg = pocket('ok-three-keys');
    expect(await inspectMessage(blobSource(new Blob([msg])))).toEqual(await inspectMessage(bytesSource(msg)));
  });
});

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
