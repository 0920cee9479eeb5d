// Snapshot serialization (CBOR subset): round trips (fast-check), what is refused on the way in
// (CryptoKey, other types, cycles), and a hostile-input table for the decoder.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSnapshot, encodeSnapshot } from '../../../../src/kms/backup';
import { BackupFormatException, BackupValueException } from '../../../../src/kms/errors';
import { MAX_DEPTH, decodeValue, encodeValue } from '../../../../src/kms/backup/values';
import { realisticSnapshot, withoutUndefinedMembers } from './helpers';

const hex = (s: string) => new Uint8Array((s.match(/../g) ?? []).map((h) => parseInt(h, 16)));
const roundTrip = (v: unknown) => decodeValue(encodeValue(v));

// Any UTF-16 code unit, lone surrogates included: IndexedDB stores such strings, so must a backup.
const unit = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('é', '🔑', '\uFEFF', 'a'),
);
const str = fc.string({ unit, maxLength: 12 });
const leaf = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double(),
  fc.integer(),
  fc.constantFrom(
    Number.MAX_SAFE_INTEGER,
    -Number.MAX_SAFE_INTEGER,
    2 ** 53,
    -(2 ** 63),
    2 ** 32,
    2 ** 32 - 1,
    23,
    24,
    255,
    256,
    -24,
    -25,
    -0,
  ),
  str,
  fc.uint8Array({ maxLength: 40 }),
  fc.uint8Array({ maxLength: 40 }).map((b) => b.slice().buffer),
);
const { value: jsonWithBytes } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
  array: fc.array(fc.oneof(tie('value'), fc.constant(undefined)), { maxLength: 5 }),
  // ("constructor" is tested apart: toStrictEqual compares own `constructor` members by identity.)
  object: fc.dictionary(
    fc.oneof(
      str.filter((k) => k !== 'constructor'),
      fc.constantFrom('__proto__', '$b64', '$ab64'),
    ),
    fc.oneof(tie('value'), fc.constant(undefined)),
    { maxKeys: 5 },
  ),
}));

describe('snapshot serialization', () => {
  it('round-trips any JSON-with-bytes value, undefined members coming back absent (property)', () => {
    fc.assert(
      fc.property(jsonWithBytes, (v) => {
        expect(roundTrip(v)).toStrictEqual(withoutUndefinedMembers(v));
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips a realistic snapshot, bytes keeping their type', () => {
    const s = realisticSnapshot();
    const back = decodeSnapshot(encodeSnapshot(s));
    expect(back).toStrictEqual(withoutUndefinedMembers(s));
    const m = back.stores.materials![0] as Record<string, unknown>;
    expect(m.wrapped).toBeInstanceOf(ArrayBuffer);
    expect('kind' in m).toBe(false);
    expect((back.stores.materials![3] as { iv: unknown }).iv).toBeInstanceOf(Uint8Array);
  });

  it('keeps "__proto__" an own member, never the prototype', () => {
    const v = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const back = roundTrip(v) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.hasOwn(back, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps a member named "constructor" as plain data', () => {
    const back = roundTrip({ constructor: [1] }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(back.constructor).toEqual([1]);
  });

  it('keeps member order, -0, NaN, a leading BOM and lone surrogates', () => {
    const v = { z: 1, a: -0, n: NaN, i: -Infinity, bom: '\uFEFFx', lone: 'a\uD800b', pair: '🔑' };
    const back = roundTrip(v) as Record<string, unknown>;
    expect(Object.keys(back)).toEqual(Object.keys(v));
    expect(back).toStrictEqual(v);
  });

  it('writes a view of a larger buffer as its own bytes only', () => {
    const big = new Uint8Array([9, 1, 2, 3, 9]);
    expect(roundTrip(big.subarray(1, 4))).toStrictEqual(new Uint8Array([1, 2, 3]));
  });

  it('refuses a CryptoKey, naming where it is', async () => {
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']);
    const s = realisticSnapshot(1);
    (s.stores.materials![1] as Record<string, unknown>).key = key;
    expect(() => encodeSnapshot(s)).toThrow(BackupValueException);
    expect(() => encodeSnapshot(s)).toThrow('"snapshot.stores.materials[1].key" is a CryptoKey');
  });

  it.each([
    ['a Date', new Date(0)],
    ['a Map', new Map()],
    ['a Set', new Set()],
    ['a bigint', 1n],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a Uint16Array', new Uint16Array(2)],
    ['a class instance', new (class Thing {})()],
    ['a SharedArrayBuffer-less DataView', new DataView(new ArrayBuffer(2))],
  ])('refuses %s with BackupValueException', (_, v) => {
    expect(() => encodeValue({ x: [v] })).toThrow(BackupValueException);
  });

  it('Precondition: nesting stays within MAX_DEPTH (a deeper or self-referring value is refused).', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => encodeValue(cyclic)).toThrow(BackupValueException);
    let deep: unknown = 1;
    for (let i = 0; i < MAX_DEPTH; i++) deep = [deep];
    expect(() => encodeValue(deep)).not.toThrow();
    expect(() => encodeValue([deep])).toThrow(BackupValueException);
    // The decoder refuses it too, before recursing further.
    const bytes = new Uint8Array(MAX_DEPTH + 2).fill(0x81);
    bytes[MAX_DEPTH + 1] = 0x01;
    expect(() => decodeValue(bytes)).toThrow(BackupFormatException);
    expect(() => decodeValue(bytes.subarray(1))).not.toThrow();
  });

  it.each([
    ['snapshot not an object', []],
    ['missing createdAt', { app: 'a', schemaVersion: 1, stores: {} }],
    ['app not a string', { createdAt: 1, app: 1, schemaVersion: 1, stores: {} }],
    ['schemaVersion negative', { createdAt: 1, app: 'a', schemaVersion: -1, stores: {} }],
    ['a store that is not an array', { createdAt: 1, app: 'a', schemaVersion: 1, stores: { keys: {} } }],
    ['an extra field', { createdAt: 1, app: 'a', schemaVersion: 1, stores: {}, extra: 1 }],
  ])('refuses a snapshot with %s, at both ends', (_, s) => {
    expect(() => encodeSnapshot(s as never)).toThrow(BackupValueException);
    expect(() => decodeSnapshot(encodeValue(s))).toThrow(BackupFormatException);
  });

  // What encodeValue never writes; a decoder that accepted it would have two readings of one file.
  it.each([
    ['nothing', ''],
    ['a head cut short', '19'],
    ['a text string cut short', '63616263'.slice(0, 6)],
    ['a count past the end', '9a00010000'],
    ['an integer not in its shortest form', '1817'],
    ['a 2-byte integer that fits in 1', '1900ff'],
    ['an integer past 2^53-1', '1b0020000000000000'],
    ['a negative integer past -(2^53-1)', '3b001fffffffffffff'],
    ['an integer written as a float', 'fb3ff0000000000000'],
    ['a half-precision float', 'f93c00'],
    ['a single-precision float', 'fa3f800000'],
    ['an indefinite-length array', '9fff'],
    ['a reserved additional info', '1c'],
    ['a simple value other than false/true/null/undefined', 'f0'],
    ['an unknown tag', 'c101'],
    ['tag 64 over text', 'd84061'.padEnd(8, '61')],
    ['tag 65 over odd bytes', 'd84143d800aa'],
    ['tag 65 over a well-formed string', 'd841420061'],
    ['invalid UTF-8', '62c328'],
    ['an overlong UTF-8 encoding', '62c0af'],
    ['a map key that is a number', 'a10101'],
    ['a repeated map key', 'a2616101616102'],
    ['a map member whose value is undefined', 'a16161f7'],
    ['bytes after the value', '0101'],
  ])('refuses %s with BackupFormatException', (_, h) => {
    expect(() => decodeValue(hex(h))).toThrow(BackupFormatException);
  });

  it('reads what it writes, byte for byte (a fixed vector)', () => {
    const v = { a: new Uint8Array([1]), b: new Uint8Array([2]).buffer, c: [null, undefined, true, -1, 1.5, 'é'] };
    expect(Buffer.from(encodeValue(v)).toString('hex')).toBe(
      'a3' + '6161d8404101' + '61624102' + '6163' + '86f6f7f520fb3ff800000000000062c3a9',
    );
  });
});
