// Header codec: round trip (fast-check), "need more bytes" at every prefix, and each field
// tampered → the right named error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeHeader,
  encodeHeaderAuth,
  encodeHeaderBody,
  MalformedMessageError,
  NotAnEsdkMessageError,
  SUITES,
  TooManyEncryptedDataKeysError,
  UnsupportedFormatError,
  type MessageHeader,
} from '../../../src/format';
import { checkLeadingByte, decodeHeaderOrNeed } from '../../../src/format/header';

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const edk = fc.record({
  providerId: fc.string({ maxLength: 20 }),
  providerInfo: bytes(0, 60),
  ciphertext: bytes(0, 200),
});
const ctx = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 10 }).filter((s) => s.isWellFormed()),
  fc.string({ maxLength: 10 }).filter((s) => s.isWellFormed()),
  { maxKeys: 5 },
);

const v2 = fc.record({
  suiteId: fc.constantFrom(0x0478, 0x0578),
  messageId: bytes(32, 32),
  encryptionContext: ctx,
  encryptedDataKeys: fc.array(edk, { minLength: 1, maxLength: 4 }),
  frameLength: fc.integer({ min: 1, max: 0xffffffff }),
  commitment: bytes(32, 32),
});
const v1 = fc.record({
  suiteId: fc.constantFrom(0x0014, 0x0078, 0x0178, 0x0378),
  messageId: bytes(16, 16),
  encryptionContext: ctx,
  encryptedDataKeys: fc.array(edk, { minLength: 1, maxLength: 4 }),
  frameLength: fc.integer({ min: 0, max: 0xffffffff }),
});

const toHeader = (
  r: { suiteId: number; frameLength: number; commitment?: Uint8Array } & Omit<
    MessageHeader,
    'suite' | 'version' | 'contentType' | 'frameLength' | 'commitment'
  >,
  version: 1 | 2,
): MessageHeader => {
  const { suiteId, ...rest } = r;
  return { ...rest, version, suite: SUITES.get(suiteId)!, contentType: r.frameLength === 0 ? 'non-framed' : 'framed' };
};

function serialize(h: MessageHeader): Uint8Array {
  const iv = new Uint8Array(12).fill(7);
  const tag = new Uint8Array(16).fill(9);
  return new Uint8Array(Buffer.concat([encodeHeaderBody(h, iv), encodeHeaderAuth(h.version, { iv, tag })]));
}

describe('header codec', () => {
  it('round-trips format 2 headers', () => {
    fc.assert(
      fc.property(v2, (r) => {
        const h = toHeader(r, 2);
        const b = serialize(h);
        const d = decodeHeader(b, { maxEncryptedDataKeys: 10 })!;
        expect(d.read).toBe(b.length);
        expect({ ...d.header, encryptionContext: { ...d.header.encryptionContext } }).toEqual(h);
        expect(d.auth.tag).toEqual(new Uint8Array(16).fill(9));
        expect(d.auth.iv).toEqual(new Uint8Array(12));
      }),
    );
  });

  it('onField reports each field once, in order, tiling the header; decoding is the same with or without it', () => {
    fc.assert(
      fc.property(v2, (r) => {
        const b = serialize(toHeader(r, 2));
        const seen: { f: string; offset: number; length: number; index: number | undefined }[] = [];
        const d = decodeHeader(b, {
          onField: (f, offset, length, index) => void seen.push({ f, offset, length, index }),
        });
        expect(d).toEqual(decodeHeader(b));
        // Leaves only (whole data key entries aside) follow each other byte for byte up to the end.
        let o = 0;
        for (const s of seen.filter((x) => x.f !== 'encryptedDataKeyEntry')) {
          expect(s.offset, s.f).toBe(o);
          o += s.length;
        }
        expect(o).toBe(b.length);
        expect(seen.filter((x) => x.f === 'encryptedDataKeyEntry').map((x) => x.index)).toEqual(
          r.encryptedDataKeys.map((_, i) => i),
        );
      }),
    );
  });

  it('round-trips format 1 headers, framed and non-framed', () => {
    fc.assert(
      fc.property(v1, (r) => {
        const h = toHeader(r, 1);
        const b = serialize(h);
        const d = decodeHeader(b)!;
        expect(d.read).toBe(b.length);
        expect({ ...d.header, encryptionContext: { ...d.header.encryptionContext } }).toEqual(h);
        expect(d.auth.iv).toEqual(new Uint8Array(12).fill(7));
      }),
    );
  });

  it('asks for more bytes at every proper prefix, whatever follows', () => {
    fc.assert(
      fc.property(v2, (r) => {
        const b = serialize(toHeader(r, 2));
        for (let n = 0; n < b.length; n++) expect(decodeHeader(b.subarray(0, n))).toBeUndefined();
        // Extra bytes after the header are not the header's business.
        expect(decodeHeader(new Uint8Array(Buffer.concat([b, Buffer.from([1, 2, 3])])))!.read).toBe(b.length);
      }),
      { numRuns: 30 },
    );
  });

  it('says at every proper prefix how many bytes it needs: more than it has, never more than the header', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          v2.map((r) => toHeader(r, 2)),
          v1.map((r) => toHeader(r, 1)),
        ),
        (h) => {
          const b = serialize(h);
          for (let n = 0; n < b.length; n++) {
            const d = decodeHeaderOrNeed(b.subarray(0, n));
            expect('need' in d && d.need > n && d.need <= b.length).toBe(true);
          }
          expect(decodeHeaderOrNeed(b)).toMatchObject({ read: b.length });
        },
      ),
      { numRuns: 30 },
    );
  });

  it('never throws anything but a FormatError on hostile input', () => {
    fc.assert(
      fc.property(bytes(0, 300), (b) => {
        try {
          decodeHeader(b);
        } catch (e) {
          expect((e as Error).name).toMatch(/Error$/);
          expect(e).not.toBeInstanceOf(RangeError);
          expect(e).not.toBeInstanceOf(TypeError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('header fields tampered', () => {
  const h: MessageHeader = {
    version: 2,
    suite: SUITES.get(0x0478)!,
    messageId: new Uint8Array(32).fill(1),
    encryptionContext: { a: 'b' },
    encryptedDataKeys: [{ providerId: 'aws-kms', providerInfo: new Uint8Array(3), ciphertext: new Uint8Array(5) }],
    contentType: 'framed',
    frameLength: 4096,
    commitment: new Uint8Array(32).fill(2),
  };
  const good = serialize(h);
  // Offsets in this header: 0 version, 1–2 suite, 3–34 message ID, 35–36 context length, 37–44 context,
  // 45–46 key count, then the key (2+7, 2+3, 2+5 = 21 bytes: 47–67), 68 content type, 69–72 frame length.
  const at = (i: number, v: number) => {
    const b = good.slice();
    b[i] = v;
    return b;
  };
  const cases: [string, Uint8Array, new (m: string) => Error][] = [
    ['version 0x00', at(0, 0), NotAnEsdkMessageError],
    ['version 0x41 (text)', at(0, 0x41), NotAnEsdkMessageError],
    ['version 0x03', at(0, 3), UnsupportedFormatError],
    ['suite 0x0479', at(2, 0x79), UnsupportedFormatError],
    ['suite 0x0178 in format 2', at(1, 0x01), MalformedMessageError],
    ['context length longer than the context', at(36, 12), MalformedMessageError],
    ['context pair count 2', at(38, 2), MalformedMessageError],
    ['no encrypted data keys', at(46, 0), MalformedMessageError],
    ['content type 1 (non-framed) in format 2 with a frame length', at(68, 1), MalformedMessageError],
    ['content type 3', at(68, 3), MalformedMessageError],
    [
      'frame length 0',
      (() => {
        const b = good.slice();
        b.fill(0, 69, 73);
        return b;
      })(),
      MalformedMessageError,
    ],
  ];
  for (const [name, b, E] of cases) it(`${name} → ${E.name}`, () => expect(() => decodeHeader(b)).toThrow(E));

  it('too many keys → TooManyEncryptedDataKeysError before reading them', () => {
    expect(() => decodeHeader(at(46, 11).subarray(0, 47))).toThrow(TooManyEncryptedDataKeysError);
    expect(() => decodeHeader(good, { maxEncryptedDataKeys: 0 })).toThrow(TooManyEncryptedDataKeysError);
  });

  it('the leading byte alone decides "not a message"', () => {
    expect(() => checkLeadingByte(0x50)).toThrow(NotAnEsdkMessageError);
    expect(() => decodeHeader(new Uint8Array([0x25]))).toThrow(NotAnEsdkMessageError);
  });
});
