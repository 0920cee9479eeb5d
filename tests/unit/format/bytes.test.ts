import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fromBase64,
  fromBase64Url,
  fromHex,
  fromPem,
  toBase64,
  toBase64Url,
  toHex,
  toPem,
} from '../../../src/format/bytes';

describe('text forms of bytes', () => {
  it('round-trips hex, base64, base64url and PEM', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        expect(fromHex(toHex(b))).toEqual(b);
        expect(fromHex(toHex(b).toUpperCase())).toEqual(b);
        expect(fromBase64(toBase64(b))).toEqual(b);
        expect(toBase64Url(b)).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(fromBase64Url(toBase64Url(b))).toEqual(b);
        expect(fromPem(toPem(b))).toEqual(b);
      }),
    );
  });

  it('matches Node for hex and base64', () => {
    const b = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(toHex(b)).toBe(Buffer.from(b).toString('hex'));
    expect(toBase64(b)).toBe(Buffer.from(b).toString('base64'));
    expect(toBase64Url(b)).toBe(Buffer.from(b).toString('base64url'));
  });

  it('encodes large inputs without overflowing the stack', () => {
    expect(toBase64(new Uint8Array(1 << 20)).length).toBe(Math.ceil((1 << 20) / 3) * 4);
  });

  it('returns undefined for text that is not even-length hex', () => {
    for (const s of ['0', 'abc', 'zz', '0x00', ' 00', '00 ', 'é0']) expect(fromHex(s), s).toBeUndefined();
    expect(fromHex('')).toEqual(new Uint8Array());
  });

  it('writes PEM in lines of 64 under the label', () => {
    const lines = toPem(new Uint8Array(100), 'CERTIFICATE').split('\n');
    expect(lines[0]).toBe('-----BEGIN CERTIFICATE-----');
    expect(lines.slice(1, 4).map((l) => l.length)).toEqual([64, 64, 8]);
    expect(lines.slice(4)).toEqual(['-----END CERTIFICATE-----', '']);
  });
});
