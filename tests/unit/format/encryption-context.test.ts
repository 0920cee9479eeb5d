// Canonical encryption-context encoding (src/format/encryption-context.ts), the ESDK's key-value
// pairs serialization: count, then (key length, key, value length, value) sorted by key bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEncryptionContext, encodeEncryptionContext } from '../../../src/format/encryption-context';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (...parts: (number[] | string)[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...new TextEncoder().encode(p)] : p)));

describe('encodeEncryptionContext', () => {
  it('encodes the empty context as zero bytes', () => {
    expect(encodeEncryptionContext({}).length).toBe(0);
  });

  it('writes count and length-prefixed pairs, big-endian', () => {
    expect(hex(encodeEncryptionContext({ a: 'bc' }))).toBe(hex(bytes([0, 1, 0, 1], 'a', [0, 2], 'bc')));
  });

  it('sorts pairs by the UTF-8 bytes of their keys, not by insertion or UTF-16 order', () => {
    // U+FF5E (3 UTF-8 bytes, EF BD 9E) sorts before U+1F511 (F0 9F 94 91) by bytes, but after it in
    // UTF-16 code units (FF5E > D83D). And "B" (0x42) sorts before "a" (0x61).
    const ctx = { '🔑': '1', '～': '2', a: '3', B: '4' };
    const enc = encodeEncryptionContext(ctx);
    const want = bytes(
      [0, 4],
      [0, 1],
      'B',
      [0, 1],
      '4',
      [0, 1],
      'a',
      [0, 1],
      '3',
      [0, 3],
      '～',
      [0, 1],
      '2',
      [0, 4],
      '🔑',
      [0, 1],
      '1',
    );
    expect(hex(enc)).toBe(hex(want));
  });

  it('is independent of insertion order', () => {
    expect(hex(encodeEncryptionContext({ x: '1', y: '2', z: '3' }))).toBe(
      hex(encodeEncryptionContext({ z: '3', x: '1', y: '2' })),
    );
  });

  it('keeps empty values and non-ASCII text', () => {
    const ctx = { département: 'Île-de-France', empty: '' };
    const d = decodeEncryptionContext(encodeEncryptionContext(ctx));
    expect(d).toMatchObject({ ok: true, value: ctx });
  });

  it('Precondition: each key and value fits a 16-bit length', () => {
    expect(() => encodeEncryptionContext({ a: 'x'.repeat(0x10000) })).toThrow(RangeError);
    expect(encodeEncryptionContext({ a: 'x'.repeat(0xffff) }).length).toBe(2 + 2 + 1 + 2 + 0xffff);
  });
});

describe('decodeEncryptionContext', () => {
  const good = () => encodeEncryptionContext({ a: '1', b: '2' });

  it('reports how many bytes it read, so a header parser can go on', () => {
    const enc = good();
    const withTail = new Uint8Array([...enc, 9, 9, 9]);
    expect(decodeEncryptionContext(withTail)).toEqual({ ok: true, value: { a: '1', b: '2' }, read: enc.length });
  });

  it('decodes from a view into a larger buffer', () => {
    const enc = good();
    const big = new Uint8Array(enc.length + 10);
    big.set(enc, 5);
    expect(decodeEncryptionContext(big.subarray(5, 5 + enc.length))).toMatchObject({
      ok: true,
      value: { a: '1', b: '2' },
    });
  });

  it('fails, without throwing, on every truncation', () => {
    const enc = good();
    for (let n = 1; n < enc.length; n++)
      expect(decodeEncryptionContext(enc.subarray(0, n)).ok, `length ${n}`).toBe(false);
  });

  it('fails on duplicate keys', () => {
    expect(decodeEncryptionContext(bytes([0, 2], [0, 1], 'a', [0, 1], '1', [0, 1], 'a', [0, 1], '2')).ok).toBe(false);
  });

  it('reads keys out of order, as the SDKs do (published vectors list aws-crypto-public-key last)', () => {
    const r = decodeEncryptionContext(bytes([0, 2], [0, 1], 'b', [0, 1], '1', [0, 1], 'a', [0, 1], '2'));
    expect(r.ok && { ...r.value }).toEqual({ b: '1', a: '2' });
  });

  it('fails on invalid UTF-8', () => {
    expect(decodeEncryptionContext(bytes([0, 1], [0, 1], [0xff], [0, 0])).ok).toBe(false);
    expect(decodeEncryptionContext(bytes([0, 1], [0, 1], 'a', [0, 2], [0xc3, 0x28])).ok).toBe(false);
  });

  it('fails on a count larger than the pairs present', () => {
    expect(decodeEncryptionContext(bytes([0, 3], [0, 1], 'a', [0, 1], '1')).ok).toBe(false);
  });

  it('keeps a "__proto__" key as data', () => {
    const d = decodeEncryptionContext(bytes([0, 1], [0, 9], '__proto__', [0, 1], 'x'));
    expect(d.ok).toBe(true);
    if (d.ok) expect(Object.getOwnPropertyDescriptor(d.value, '__proto__')?.value).toBe('x');
  });

  it('never throws, whatever the bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        const d = decodeEncryptionContext(b);
        if (d.ok) expect(d.read).toBeLessThanOrEqual(b.length);
      }),
    );
  });
});

describe('round trip (property)', () => {
  // Well-formed strings only: a lone surrogate has no UTF-8 encoding (validate.ts rejects it).
  const str = fc.string({ unit: 'binary', maxLength: 20 });
  const ctxArb = fc.dictionary(
    str.filter((k) => k.length > 0),
    str,
    { maxKeys: 12 },
  );

  it('decode(encode(ctx)) equals ctx, and encoding is canonical', () => {
    fc.assert(
      fc.property(ctxArb, (ctx) => {
        const enc = encodeEncryptionContext(ctx);
        const d = decodeEncryptionContext(enc);
        expect(d.ok).toBe(true);
        if (!d.ok) return;
        expect(d.read).toBe(enc.length);
        expect(Object.entries(d.value).sort()).toEqual(Object.entries(ctx).sort());
        // Re-encoding the decoded value, built in another order, gives the same bytes.
        const reordered = Object.fromEntries(Object.entries(ctx).reverse());
        expect(hex(encodeEncryptionContext(reordered))).toBe(hex(enc));
      }),
      { numRuns: 300 },
    );
  });

  it('different contexts encode differently', () => {
    fc.assert(
      fc.property(ctxArb, ctxArb, (a, b) => {
        const same = JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
        expect(hex(encodeEncryptionContext(a)) === hex(encodeEncryptionContext(b))).toBe(same);
      }),
    );
  });
});
