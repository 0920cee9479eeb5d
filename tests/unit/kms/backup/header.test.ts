// Backup header codec: round trip of both KDF variants (fast-check), named validation on the way
// in, and the hostile-input table on the way out.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_HEADER_BODY, decodeBackupHeader, encodeBackupHeader, type BackupKdf } from '../../../../src/kms/backup';
import {
  BackupFormatException,
  UnsupportedBackupVersionException,
  ValidationException,
} from '../../../../src/kms/errors';
import { pbkdf2, rand } from './helpers';

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const kdf: fc.Arbitrary<BackupKdf> = fc.oneof(
  fc.record({
    name: fc.constant('PBKDF2' as const),
    hash: fc.constant('SHA-256' as const),
    iterations: fc.integer({ min: 100_000, max: 10_000_000 }),
    salt: bytes(16, 64),
  }),
  fc.record({
    name: fc.constant('WebAuthn-PRF' as const),
    credentialId: bytes(1, 1023),
    prfSalt: bytes(16, 64),
    hkdf: fc.record({
      name: fc.constant('HKDF' as const),
      hash: fc.constant('SHA-256' as const),
      salt: bytes(0, 64),
      info: bytes(0, 255),
    }),
  }),
);
const fields = {
  kdf: pbkdf2,
  wrappedFileKey: new Uint8Array(40).fill(1),
  fileId: new Uint8Array(32).fill(2),
  frameLength: 4096,
};
const withU32 = (b: Uint8Array, at: number, n: number) => {
  const c = b.slice();
  new DataView(c.buffer).setUint32(at, n);
  return c;
};

describe('backup header codec', () => {
  it('round-trips both KDF variants (property)', () => {
    fc.assert(
      fc.property(
        kdf,
        bytes(40, 40),
        bytes(32, 32),
        fc.integer({ min: 4096, max: 16 * 1024 * 1024 }),
        (k, wrappedFileKey, fileId, frameLength) => {
          const b = encodeBackupHeader({ kdf: k, wrappedFileKey, fileId, frameLength });
          const d = decodeBackupHeader(b);
          expect(d.header).toEqual({ version: 1, kdf: k, wrappedFileKey, fileId, frameLength });
          expect(d.bytes).toEqual(b);
          // A longer input (the frames) does not change what is read.
          expect(decodeBackupHeader(new Uint8Array([...b, 1, 2, 3])).bytes).toEqual(b);
        },
      ),
    );
  });

  it('lays out a PBKDF2 header as docs/FORMAT.md says', () => {
    const b = encodeBackupHeader(fields);
    const hex = Buffer.from(b).toString('hex');
    expect(hex.slice(0, 28)).toBe('504b4d53424b5550' + '0001' + '00000062');
    expect(b.length).toBe(14 + 1 + 4 + 1 + 16 + 40 + 32 + 4);
    expect(hex.slice(28, 40)).toBe('01' + '000927c0' + '10');
  });

  it.each([
    ['kdf.iterations', { ...fields, kdf: { ...pbkdf2, iterations: 99_999 } }],
    ['kdf.iterations', { ...fields, kdf: { ...pbkdf2, iterations: 1.5e5 + 0.5 } }],
    ['salt', { ...fields, kdf: { ...pbkdf2, salt: new Uint8Array(15) } }],
    ['kdf.hash', { ...fields, kdf: { ...pbkdf2, hash: 'SHA-1' } }],
    ['kdf.name', { ...fields, kdf: { name: 'scrypt' } }],
    ['kdf.name', { ...fields, kdf: undefined }],
    [
      'credentialId',
      {
        ...fields,
        kdf: {
          name: 'WebAuthn-PRF',
          credentialId: new Uint8Array(1024),
          prfSalt: rand(32),
          hkdf: { name: 'HKDF', hash: 'SHA-256', salt: rand(0), info: rand(0) },
        },
      },
    ],
    [
      'hkdf.info',
      {
        ...fields,
        kdf: {
          name: 'WebAuthn-PRF',
          credentialId: rand(16),
          prfSalt: rand(32),
          hkdf: { name: 'HKDF', hash: 'SHA-256', salt: rand(0), info: rand(256) },
        },
      },
    ],
    ['wrappedFileKey', { ...fields, wrappedFileKey: new Uint8Array(32) }],
    ['wrappedFileKey', { ...fields, wrappedFileKey: 'not bytes' }],
    ['fileId', { ...fields, fileId: new Uint8Array(16) }],
    ['frameLength', { ...fields, frameLength: 4095 }],
    ['frameLength', { ...fields, frameLength: 16 * 1024 * 1024 + 1 }],
  ])('refuses a bad "%s" with ValidationException naming it', (name, h) => {
    expect(() => encodeBackupHeader(h as never)).toThrow(ValidationException);
    expect(() => encodeBackupHeader(h as never)).toThrow(`"${name}"`);
  });

  const good = encodeBackupHeader(fields);
  const body = good.subarray(14);
  const withBody = (b: Uint8Array) =>
    new Uint8Array([...good.subarray(0, 10), ...[0, 0, b.length >> 8, b.length & 0xff], ...b]);
  const hostile: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['one byte of the magic', good.subarray(0, 1)],
    ['one byte that is not the magic', new Uint8Array([0x7b])],
    ['a JSON file', new TextEncoder().encode('{"keys": []}')],
    ['an ESDK message', new Uint8Array([0x02, 0x05, 0x78, ...rand(40)])],
    ['the magic alone', good.subarray(0, 8)],
    ['the preamble alone', good.subarray(0, 14)],
    ['a wrong magic (lower case)', new Uint8Array([...new TextEncoder().encode('pkmsbkup'), ...good.subarray(8)])],
    [
      'format version 0',
      (() => {
        const c = good.slice();
        c[9] = 0;
        return c;
      })(),
    ],
    ['header length past the end', withU32(good, 10, body.length + 1)],
    ['header length over the limit', withU32(good, 10, MAX_HEADER_BODY + 1)],
    ['header length 2^32-1', withU32(good, 10, 0xffffffff)],
    ['header length 0', withU32(good.subarray(0, 14), 10, 0)],
    ['header length one short', withU32(good.subarray(0, good.length - 1), 10, body.length - 1)],
    ['a header body with a trailing byte', withBody(new Uint8Array([...body, 0]))],
    ['KDF type 0', withBody(new Uint8Array([0, ...body.subarray(1)]))],
    ['KDF type 3', withBody(new Uint8Array([3, ...body.subarray(1)]))],
    ['PBKDF2 iterations 1', withBody(withU32(body, 1, 1))],
    ['PBKDF2 iterations 2^32-1', withBody(withU32(body, 1, 0xffffffff))],
    ['a salt of 0 bytes', withBody(new Uint8Array([...body.subarray(0, 5), 0, ...body.subarray(22)]))],
    ['a salt length past the body', withBody(new Uint8Array([...body.subarray(0, 5), 64, ...body.subarray(6)]))],
    ['frame length 0', withBody(withU32(body, body.length - 4, 0))],
    ['frame length 4095', withBody(withU32(body, body.length - 4, 4095))],
    ['frame length 2^32-1', withBody(withU32(body, body.length - 4, 0xffffffff))],
  ];
  it.each(hostile)('refuses %s with BackupFormatException', (_, b) => {
    expect(() => decodeBackupHeader(b)).toThrow(BackupFormatException);
  });

  it('Precondition: a newer format version is refused, naming it.', () => {
    const c = good.slice();
    c[9] = 2;
    expect(() => decodeBackupHeader(c)).toThrow(UnsupportedBackupVersionException);
    expect(() => decodeBackupHeader(c)).toThrow(/format version 2.*newer Pocket KMS/);
    c[8] = 0xff;
    expect(() => decodeBackupHeader(c)).toThrow(/version 65282/);
  });

  it('Precondition: the file starts with the magic "PKMSBKUP".', () => {
    expect(() => decodeBackupHeader(new Uint8Array([0x50, 0x4b, 0x4d, 0x53, 0x42, 0x4b, 0x55, 0x51, 0, 1]))).toThrow(
      'does not start with "PKMSBKUP"',
    );
  });

  it('Precondition: the header body length is checked against the limit before anything is read or allocated.', () => {
    // Only 14 bytes present: the limit, not the missing bytes, is what is reported.
    expect(() => decodeBackupHeader(withU32(good.subarray(0, 14), 10, MAX_HEADER_BODY + 1))).toThrow(/more than 65536/);
  });

  it('Precondition: the input is bytes.', () => {
    expect(() => decodeBackupHeader('PKMSBKUP' as never)).toThrow(ValidationException);
    expect(() => decodeBackupHeader(null as never)).toThrow(ValidationException);
  });

  it('says a truncated header is truncated, at every length short of the header', () => {
    for (let n = 1; n < good.length; n++)
      expect(() => decodeBackupHeader(good.subarray(0, n)), `length ${n}`).toThrow(BackupFormatException);
    expect(() => decodeBackupHeader(good.subarray(0, 20))).toThrow(/truncated/);
  });
});
