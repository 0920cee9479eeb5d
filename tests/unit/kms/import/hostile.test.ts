// Hostile inputs to the import operations (STYLE.md "hostile-input table"): each member of an otherwise
// valid request replaced by values of every wrong kind is refused with a client KmsError (never an internal
// error), nothing changes, and the token still works afterwards.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { exceptionClasses, KmsError } from '../../../../src/kms/errors';
import { freshKms } from '../../helpers/kms';
import { keystoreState, params, wrap } from './wrap';

const WRONG_KINDS: unknown[] = [
  null,
  0,
  -1,
  NaN,
  '',
  'x'.repeat(10_000),
  '\uD800',
  [],
  {},
  JSON.parse('{"__proto__":{"polluted":"yes"}}'),
  new Uint16Array(4),
  new ArrayBuffer(8),
  new Date(NaN),
  new Map(),
  Symbol('s'),
  () => 1,
];

const bytes = (n: number) => new Uint8Array(randomBytes(n));

describe('hostile inputs to ImportKeyMaterial', () => {
  it.each([
    ['ImportToken', [bytes(0), bytes(1), bytes(27), bytes(28), bytes(72), bytes(6144), bytes(6145), 'AQID']],
    ['EncryptedKeyMaterial', [bytes(0), bytes(1), bytes(255), bytes(256), bytes(257), bytes(6144), bytes(6145)]],
    ['ValidTo', [new Date(0), new Date(8.64e15), 1_800_000_000, '2030-01-01T00:00:00Z']],
    ['ExpirationModel', ['KEY_MATERIAL_EXPIRE', 'key_material_expires']],
    ['ImportType', ['EXISTING_KEY_MATERIAL', 'NEW', 'new_key_material']],
    ['KeyMaterialDescription', ['d'.repeat(257)]],
    ['KeyMaterialId', ['a'.repeat(63), 'A'.repeat(64), 'g'.repeat(64), 'a'.repeat(65)]],
    ['KeyId', ['alias/none', 'arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-44cd-96ef-1234567890ab']],
  ] as const)('%s', async (field, values) => {
    const f = await freshKms();
    const k = await f.createKey({ Origin: 'EXTERNAL' });
    const p = await params(f, k.KeyId);
    const good = {
      KeyId: k.KeyId,
      ImportToken: p.ImportToken,
      EncryptedKeyMaterial: wrap(p.PublicKey, randomBytes(32), 'RSAES_OAEP_SHA_256'),
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    };
    const before = await keystoreState(f);
    // Values that are valid for the member (an optional member left null; any short string as a description).
    const valid = (v: unknown) =>
      (v === null && !['ImportToken', 'EncryptedKeyMaterial', 'KeyId'].includes(field)) ||
      (field === 'KeyMaterialDescription' && typeof v === 'string' && v.length <= 256);
    for (const v of [...values, ...WRONG_KINDS].filter((x) => !valid(x))) {
      // ValidTo is refused with KEY_MATERIAL_DOES_NOT_EXPIRE whatever it is: try it with EXPIRES.
      const req =
        field === 'ValidTo'
          ? { ...good, ExpirationModel: 'KEY_MATERIAL_EXPIRES', [field]: v }
          : { ...good, [field]: v };
      const e = await f.call('ImportKeyMaterial', req).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e, `${field} = ${String(v).slice(0, 40)}`).toBeInstanceOf(KmsError);
      const err = e as KmsError;
      expect(Object.keys(exceptionClasses)).toContain(err.name);
      expect(err.name, String(v).slice(0, 40)).not.toBe('KMSInternalException');
      expect(err.fault).toBe('client');
    }
    expect(await keystoreState(f)).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await f.call('ImportKeyMaterial', good)).KeyId).toBe(k.Arn);
  });
});

describe('hostile inputs to GetParametersForImport and DeleteImportedKeyMaterial', () => {
  it('refuses every wrong value with a client KmsError and changes nothing', async () => {
    const f = await freshKms();
    const k = await f.createKey({ Origin: 'EXTERNAL' });
    const before = await keystoreState(f);
    const base = { KeyId: k.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' };
    const tries: [string, Record<string, unknown>][] = [];
    for (const v of [...WRONG_KINDS, 'RSA_1024', 'rsa_2048', 'RSAES_OAEP_SHA_512'])
      for (const field of ['WrappingAlgorithm', 'WrappingKeySpec', 'KeyId'])
        tries.push(['GetParametersForImport', { ...base, [field]: v }]);
    for (const v of [...WRONG_KINDS.filter((x) => x !== null), 'cd'.repeat(32), 'x'.repeat(65)])
      tries.push(['DeleteImportedKeyMaterial', { KeyId: k.KeyId, KeyMaterialId: v }]);
    for (const [op, req] of tries) {
      const e = await f.call(op, req).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e, `${op} ${JSON.stringify(req).slice(0, 80)}`).toBeInstanceOf(KmsError);
      expect((e as KmsError).fault).toBe('client');
    }
    expect(await keystoreState(f)).toBe(before);
  });
});
