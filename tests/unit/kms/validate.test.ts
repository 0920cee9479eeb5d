// Request readers (src/kms/validate.ts): each returns the value or throws ValidationException naming
// the parameter, and nothing else, for any input.
import { describe, expect, it } from 'vitest';
import { ValidationException } from '../../../src/kms/errors';
import {
  asRequest,
  optBlob,
  optBool,
  optContext,
  optEnum,
  optInt,
  optString,
  optStringList,
  paging,
  reqBlob,
  reqString,
} from '../../../src/kms/validate';

const V = ValidationException;

/** ~40 hostile values, after noble's tables. */
const HOSTILE: unknown[] = [
  null,
  undefined,
  0,
  -1,
  1.5,
  NaN,
  Infinity,
  -Infinity,
  Number.MAX_SAFE_INTEGER + 2,
  -0,
  2 ** 53,
  1n,
  '',
  ' ',
  'a',
  '0',
  '-1',
  'true',
  'null',
  '\u0000',
  '\uD800',
  'x'.repeat(100_000),
  true,
  false,
  [],
  [1],
  ['a'],
  [null],
  {},
  { a: 1 },
  { length: 3 },
  JSON.parse('{"__proto__":{"polluted":1}}'),
  new Uint8Array(0),
  new Uint8Array(5),
  new Uint16Array(2),
  new ArrayBuffer(4),
  new Date(0),
  new Map([['a', 'b']]),
  new Set(['a']),
  Symbol('s'),
  () => 1,
  Object.create(null),
];

function outcome(fn: () => unknown): 'ok' | 'validation' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationException);
    return 'validation';
  }
}

describe('asRequest', () => {
  it('treats a missing body as an empty request', () => {
    expect(asRequest(undefined)).toEqual({});
    expect(asRequest(null)).toEqual({});
  });
  it.each([1, 'x', true, [], [{}], new Uint8Array(2), new Map(), new Date(0)])(
    'rejects %j with ValidationException',
    (v) => {
      expect(() => asRequest(v)).toThrow(V);
    },
  );
  it('accepts plain and null-prototype objects', () => {
    expect(asRequest({ KeyId: 'k' })).toEqual({ KeyId: 'k' });
    expect(asRequest(Object.create(null))).toEqual({});
  });
});

describe('string readers', () => {
  it('check length bounds and presence', () => {
    expect(optString({ A: 'abc' }, 'A', 1, 3)).toBe('abc');
    expect(optString({}, 'A')).toBeUndefined();
    expect(optString({ A: null }, 'A')).toBeUndefined();
    expect(() => optString({ A: 'abcd' }, 'A', 1, 3)).toThrow(V);
    expect(() => optString({ A: '' }, 'A')).toThrow(V);
    expect(optString({ A: '' }, 'A', 0)).toBe('');
    expect(() => reqString({}, 'KeyId')).toThrow(/'keyId'/);
    expect(() => reqString({ KeyId: 5 }, 'KeyId')).toThrow(V);
  });
});

describe('optInt', () => {
  it.each([
    [1, 'ok'],
    [1024, 'ok'],
    [0, 'validation'],
    [1025, 'validation'],
    [1.5, 'validation'],
    [NaN, 'validation'],
    [Infinity, 'validation'],
    ['5', 'validation'],
    [true, 'validation'],
    [[5], 'validation'],
  ] as const)('%j in 1..1024 → %s', (v, want) => {
    expect(outcome(() => optInt({ N: v }, 'N', 1, 1024))).toBe(want);
  });
  it('names the bound it failed', () => {
    expect(() => optInt({ Limit: 0 }, 'Limit', 1, 5)).toThrow(/'limit'.*greater than or equal to 1/);
    expect(() => optInt({ Limit: 6 }, 'Limit', 1, 5)).toThrow(/less than or equal to 5/);
  });
});

describe('optBool, optEnum', () => {
  it('accept only booleans and listed values', () => {
    expect(optBool({ B: false }, 'B')).toBe(false);
    expect(() => optBool({ B: 'true' }, 'B')).toThrow(V);
    expect(() => optBool({ B: 1 }, 'B')).toThrow(V);
    expect(optEnum({ E: 'A' }, 'E', ['A', 'B'])).toBe('A');
    expect(() => optEnum({ E: 'a' }, 'E', ['A', 'B'])).toThrow(V);
    expect(() => optEnum({ E: ['A'] }, 'E', ['A', 'B'])).toThrow(V);
  });
});

describe('blob readers', () => {
  it('accept Uint8Array (and Buffer) within bounds only', () => {
    expect(optBlob({ P: new Uint8Array(3) }, 'P', 1, 3)?.length).toBe(3);
    expect(optBlob({ P: Buffer.from('ab') }, 'P', 1, 3)?.length).toBe(2);
    expect(() => optBlob({ P: new Uint8Array(4) }, 'P', 1, 3)).toThrow(V);
    expect(() => optBlob({ P: new Uint8Array(0) }, 'P', 1, 3)).toThrow(V);
    expect(() => optBlob({ P: 'AAAA' }, 'P', 1, 3)).toThrow(V);
    expect(() => optBlob({ P: [1, 2] }, 'P', 1, 3)).toThrow(V);
    expect(() => optBlob({ P: new ArrayBuffer(2) }, 'P', 1, 3)).toThrow(V);
    expect(() => reqBlob({}, 'Plaintext', 1, 3)).toThrow(/'plaintext'.*not be null/);
  });
});

describe('optStringList', () => {
  it('checks list type, item count and item length', () => {
    expect(optStringList({ L: ['a', 'b'] }, 'L', 2)).toEqual(['a', 'b']);
    expect(() => optStringList({ L: ['a', 'b', 'c'] }, 'L', 2)).toThrow(V);
    expect(() => optStringList({ L: 'a' }, 'L', 2)).toThrow(V);
    expect(() => optStringList({ L: [''] }, 'L', 2)).toThrow(V);
    expect(() => optStringList({ L: [1] }, 'L', 2)).toThrow(V);
    expect(() => optStringList({ L: ['abc'] }, 'L', 2, 2)).toThrow(V);
  });
});

describe('optContext', () => {
  it('reads a map of strings and treats absence as the empty context', () => {
    expect(optContext({ C: { a: '1', b: '' } }, 'C')).toEqual({ a: '1', b: '' });
    expect(optContext({}, 'C')).toEqual({});
    expect(optContext({ C: null }, 'C')).toEqual({});
  });

  it.each([
    ['a list', [['a', 'b']]],
    ['a string', '{"a":"b"}'],
    ['a number value', { a: 1 }],
    ['a null value', { a: null }],
    ['an object value', { a: { b: 'c' } }],
    ['an empty key', { '': 'x' }],
    ['a Map (not a plain object: its pairs would be lost)', new Map([['a', 'b']])],
    ['a Uint8Array', new Uint8Array(2)],
    ['a Date', new Date(0)],
    ['a lone surrogate in a value (UTF-8 cannot encode it faithfully)', { a: '\uD800' }],
    ['a lone surrogate in a key', { '\uDC00': 'a' }],
    ['a value over 65535 UTF-8 bytes (the canonical encoding cannot hold it)', { a: 'é'.repeat(40_000) }],
  ])('rejects %s with ValidationException', (_why, v) => {
    expect(() => optContext({ C: v }, 'C')).toThrow(V);
  });

  it('keeps a "__proto__" pair as data: it is part of what the ciphertext is bound to', () => {
    const c = optContext({ C: JSON.parse('{"__proto__":"x","a":"b"}') }, 'C');
    expect(Object.keys(c).sort()).toEqual(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(c, '__proto__')?.value).toBe('x');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('accepts a null-prototype object and well-formed astral characters', () => {
    const o = Object.create(null) as Record<string, string>;
    o['🔑'] = '値';
    expect(optContext({ C: o }, 'C')).toEqual({ '🔑': '値' });
  });
});

describe('paging', () => {
  it('applies the default and the bounds of Limit, and the length of Marker', () => {
    expect(paging({}, 100, 50)).toEqual({ limit: 50 });
    expect(paging({ Limit: 100, Marker: 'm' }, 100, 50)).toEqual({ limit: 100, marker: 'm' });
    expect(() => paging({ Limit: 101 }, 100, 50)).toThrow(V);
    expect(() => paging({ Limit: 0 }, 100, 50)).toThrow(V);
    expect(() => paging({ Marker: '' }, 100, 50)).toThrow(V);
    expect(() => paging({ Marker: 'm'.repeat(1025) }, 100, 50)).toThrow(V);
  });
});

describe('hostile-input table', () => {
  const readers: [string, (v: unknown) => unknown][] = [
    ['reqString', (v) => reqString({ F: v }, 'F')],
    ['optInt', (v) => optInt({ F: v }, 'F', 1, 1024)],
    ['optBool', (v) => optBool({ F: v }, 'F')],
    ['optEnum', (v) => optEnum({ F: v }, 'F', ['AES_256'])],
    ['reqBlob', (v) => reqBlob({ F: v }, 'F', 1, 4096)],
    ['optStringList', (v) => optStringList({ F: v }, 'F', 10)],
    ['optContext', (v) => optContext({ F: v }, 'F')],
    ['paging', (v) => paging({ Limit: v, Marker: v }, 100, 50)],
    ['asRequest', (v) => asRequest(v)],
  ];
  it.each(readers)('%s returns or throws ValidationException for every hostile value', (_name, read) => {
    for (const v of HOSTILE) outcome(() => read(v));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
