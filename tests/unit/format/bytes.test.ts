import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fromBase64,
  fromBase64Url,
  fromHex,
  fromPem,
  pemBlocks,
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

describe('pemBlocks', () => {
  it('returns every block with its label, in order, and round-trips toPem', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }), (a, b) => {
        const text = `junk before\n${toPem(a, 'RSA PRIVATE KEY')}between\r\n${toPem(b, 'PUBLIC KEY')}`;
        const blocks = pemBlocks(text);
        expect(blocks.map((x) => x.label)).toEqual(['RSA PRIVATE KEY', 'PUBLIC KEY']);
        expect([toHex(blocks[0]!.der), toHex(blocks[1]!.der)]).toEqual([toHex(a), toHex(b)]);
      }),
    );
  });

  it('leaves out truncated blocks, mismatched END labels, headers and bad base64', () => {
    const pem = toPem(new Uint8Array([1, 2, 3]), 'PUBLIC KEY');
    expect(pemBlocks(pem.slice(0, 40))).toEqual([]);
    expect(pemBlocks(pem.replace('END PUBLIC KEY', 'END PRIVATE KEY'))).toEqual([]);
    expect(pemBlocks(pem.replace('AQID', 'Proc-Type: 4,ENCRYPTED\nAQID'))).toEqual([]);
    expect(pemBlocks(pem.replace('AQID', 'AQ@D'))).toEqual([]);
    expect(pemBlocks(pem.replace('AQID', 'AQI'))).toEqual([]);
    expect(pemBlocks('')).toEqual([]);
  });
});
