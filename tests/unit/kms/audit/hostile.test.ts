// Hostile input to the audit codecs (STYLE.md): the tar reader, PEM and DER decoders, the validator fed
// garbage archives, and the chain's canonical JSON; plus round-trip properties (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../../src/kms/audit/chain';
import { fromHex, fromPem, toHex as hex } from '../../../../src/format/bytes';
import { derToP1363, gzip, p1363ToDer } from '../../../../src/kms/audit/digest';
import { checkPolicy } from '../../../../src/kms/audit/retention';
import { readTar, tarEnd, tarEntry, type TarMember } from '../../../../src/kms/audit/tar';
import { validateExport } from '../../../../src/kms/audit/validate';

async function* once(b: Uint8Array) {
  yield b;
}

async function readAll(b: Uint8Array): Promise<TarMember[]> {
  const out: TarMember[] = [];
  for await (const m of readTar(once(b))) out.push({ path: m.path, bytes: m.bytes.slice() });
  return out;
}

const HOSTILE: unknown[] = [
  undefined,
  null,
  0,
  -1,
  NaN,
  Infinity,
  '',
  ' ',
  'a'.repeat(10_000),
  '\u0000',
  '\ud800',
  '__proto__',
  {},
  [],
  [[]],
  { toString: () => 'x' },
  true,
  1n,
  Symbol('s'),
  () => 1,
];

describe('audit codecs under hostile input', () => {
  it('readTar: an empty stream has no members; garbage and truncation are RangeErrors, never hangs', async () => {
    expect(await readAll(new Uint8Array(0))).toEqual([]);
    expect(await readAll(tarEnd())).toEqual([]);
    await expect(readAll(new Uint8Array(512).fill(0x41))).rejects.toBeInstanceOf(RangeError);
    const one = tarEntry('a.txt', new Uint8Array(1000).fill(1));
    await expect(readAll(one.subarray(0, 700))).rejects.toBeInstanceOf(RangeError);
    // A header cut short ends the archive (like tar, a short final block is ignored).
    expect(await readAll(one.subarray(0, 100))).toEqual([]);
  });

  it('tarEntry refuses names it cannot represent', () => {
    expect(() => tarEntry('x'.repeat(256), new Uint8Array())).toThrow(RangeError);
    expect(() => tarEntry('y'.repeat(150), new Uint8Array())).toThrow(RangeError); // no '/' to split at
  });

  it('tar round-trips any names and contents, whole and in any chunking', async () => {
    const name = fc.stringMatching(/^[a-zA-Z0-9._-]{1,40}(\/[a-zA-Z0-9._-]{1,40}){0,3}$/);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(name, fc.uint8Array({ maxLength: 1500 })), { maxLength: 5 }),
        fc.integer({ min: 1, max: 1100 }),
        async (files, step) => {
          const parts = [...files.map(([p, b]) => tarEntry(p, b)), tarEnd()];
          const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
          let at = 0;
          for (const p of parts) {
            all.set(p, at);
            at += p.length;
          }
          async function* chunks() {
            for (let i = 0; i < all.length; i += step) yield all.subarray(i, i + step);
          }
          const back: [string, number[]][] = [];
          for await (const m of readTar(chunks())) back.push([m.path, [...m.bytes]]);
          expect(back).toEqual(files.map(([p, b]) => [p, [...b]]));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('fromPem, derToP1363 and fromHex reject what they do not understand', () => {
    for (const bad of [
      '',
      'PUBLIC KEY',
      '-----BEGIN PUBLIC KEY-----\n!!\n-----END PUBLIC KEY-----',
      '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----',
    ]) {
      expect(() => fromPem(bad)).toThrow();
    }
    for (const bad of [
      [],
      [0x30],
      [0x30, 0x02, 0x02, 0x00],
      [0x31, 0],
      [0x30, 6, 2, 1, 1, 2, 1],
      [0x30, 4, 2, 40, 1, 1],
    ]) {
      expect(derToP1363(Uint8Array.from(bad))).toBeUndefined();
    }
    expect(fromHex('abc')).toBeUndefined();
    expect(fromHex('zz')).toBeUndefined();
    expect(fromHex('00ff')).toEqual(Uint8Array.from([0, 255]));
  });

  it('DER and P1363 signatures convert both ways for any r and s', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (raw) => {
        expect(hex(derToP1363(p1363ToDer(raw))!)).toBe(hex(raw));
      }),
    );
  });

  it('validateExport reports garbage archives as not valid, without throwing', async () => {
    const digestPath = 'AWSLogs/1/CloudTrail-Digest/r/2026/01/01/d.json.gz';
    const logPath = 'AWSLogs/1/CloudTrail/r/2026/01/01/l.json.gz';
    const enc = (s: string) => new TextEncoder().encode(s);
    const cases: TarMember[][] = [
      [],
      [{ path: digestPath, bytes: enc('not gzip') }],
      [{ path: digestPath, bytes: await gzip(enc('[]')) }],
      [
        { path: digestPath, bytes: await gzip(enc('{"logFiles": "nope"}')) },
        { path: `${digestPath}.sig`, bytes: new Uint8Array(3) },
      ],
      [
        {
          path: digestPath,
          bytes: await gzip(enc('{"logFiles": [null, 1, {"s3Object": 5}], "previousDigestS3Object": "x"}')),
        },
      ],
      [
        { path: logPath, bytes: enc('garbage') },
        { path: 'public-key.pem', bytes: enc('garbage') },
      ],
    ];
    for (const members of cases) {
      const r = await validateExport(members);
      expect(r.valid).toBe(false);
    }
  });

  it('retention policies: every hostile value is a TypeError', () => {
    for (const v of HOSTILE) expect(() => checkPolicy(v)).toThrow(TypeError);
    for (const v of HOSTILE) expect(() => checkPolicy({ mode: 'days', days: v })).toThrow(TypeError);
    for (const v of HOSTILE) expect(() => checkPolicy({ mode: 'records', records: v })).toThrow(TypeError);
  });

  it('canonical JSON does not depend on key order, and keeps every value JSON keeps', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const shuffled = JSON.parse(JSON.stringify(v), (_k, x) =>
          x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).reverse()) : x,
        );
        expect(canonicalJson(shuffled)).toBe(canonicalJson(v));
        expect(JSON.parse(canonicalJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });
});
