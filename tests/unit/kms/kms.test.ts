// The public entry Kms.call and Kms.open (src/kms/kms.ts): dispatch, the hostile-input table
// (STYLE.md), and several instances over one database.
import { describe, expect, it } from 'vitest';
import { exceptionClasses, KmsError } from '../../../src/kms/errors';
import { Kms } from '../../../src/kms/kms';
import { OPERATIONS } from '../../../src/kms/operations';
import { LocalLocks, systemRandom } from '../../../src/kms/ports';
import { IdbStore } from '../../../src/store/idb-store';
import { freshKms, rejectsWith, TestClock, utf8, type Fresh } from '../helpers/kms';
import type { SymmetricMaterialRecord } from '../../../src/kms/records';

/** ~40 hostile values (noble's table, plus what Comlink's structured clone can deliver). */
const HOSTILE: [string, unknown][] = [
  ['null', null],
  ['undefined', undefined],
  ['0', 0],
  ['-1', -1],
  ['1.5', 1.5],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-0', -0],
  ['2^53+2', 2 ** 53 + 2],
  ['bigint', 10n],
  ['true', true],
  ['false', false],
  ['empty string', ''],
  ['space', ' '],
  ['"a"', 'a'],
  ['"null"', 'null'],
  ['NUL', '\u0000'],
  ['lone surrogate', '\uD800'],
  ['1 MB string', 'x'.repeat(1 << 20)],
  ['path traversal', '../../etc/passwd'],
  ['base64 of a blob', 'AQIDBA=='],
  ['ARN of another account', 'arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-44cd-96ef-1234567890ab'],
  ['[]', []],
  ['[1]', [1]],
  ['["a"]', ['a']],
  ['[null]', [null]],
  ['nested arrays', [[[[]]]]],
  ['{}', {}],
  ['{a:1}', { a: 1 }],
  ['{length:3}', { length: 3 }],
  ['nested object', { a: { b: { c: {} } } }],
  ['__proto__ pollution', JSON.parse('{"__proto__":{"polluted":"yes"}}')],
  ['constructor pollution', JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}')],
  ['null-prototype object', Object.create(null)],
  ['Uint8Array(0)', new Uint8Array(0)],
  ['Uint8Array(5)', new Uint8Array(5)],
  ['Uint8Array(4097)', new Uint8Array(4097)],
  ['Uint16Array', new Uint16Array(3)],
  ['ArrayBuffer', new ArrayBuffer(8)],
  ['Date', new Date(0)],
  ['invalid Date', new Date(NaN)],
  ['Map', new Map([['a', 'b']])],
  ['Set', new Set(['a'])],
  ['symbol', Symbol('s')],
  ['function', () => 'x'],
];

const isPlain = (v: unknown) =>
  typeof v === 'object' && v !== null && [Object.prototype, null].includes(Object.getPrototypeOf(v));
const absent = (v: unknown) => v === null || v === undefined;

interface Case {
  op: string;
  field?: string;
  base: (id: string) => Record<string, unknown>;
  ok: (v: unknown) => boolean;
}
const CASES: Case[] = [
  { op: 'Encrypt', field: 'KeyId', base: () => ({ Plaintext: utf8('x') }), ok: () => false },
  {
    op: 'Encrypt',
    field: 'Plaintext',
    base: (id) => ({ KeyId: id }),
    ok: (v) => v instanceof Uint8Array && v.length >= 1 && v.length <= 4096,
  },
  {
    op: 'Encrypt',
    field: 'EncryptionContext',
    base: (id) => ({ KeyId: id, Plaintext: utf8('x') }),
    ok: (v) => absent(v) || (isPlain(v) && Object.keys(v as object).length === 0),
  },
  { op: 'Encrypt', field: 'EncryptionAlgorithm', base: (id) => ({ KeyId: id, Plaintext: utf8('x') }), ok: absent },
  {
    op: 'Encrypt',
    field: 'GrantTokens',
    base: (id) => ({ KeyId: id, Plaintext: utf8('x') }),
    ok: (v) => absent(v) || (Array.isArray(v) && v.length === 0),
  }, // a token this keystore did not issue: InvalidGrantTokenException
  { op: 'CreateKey', field: 'KeySpec', base: () => ({}), ok: absent },
  { op: 'CreateKey', field: 'Policy', base: () => ({}), ok: absent },
  { op: 'CreateKey', field: 'Tags', base: () => ({}), ok: (v) => absent(v) || (Array.isArray(v) && v.length === 0) },
  { op: 'CreateKey', field: 'MultiRegion', base: () => ({}), ok: (v) => absent(v) || typeof v === 'boolean' },
  {
    op: 'CreateKey',
    field: 'Description',
    base: () => ({}),
    ok: (v) => absent(v) || (typeof v === 'string' && v.length <= 8192),
  },
  { op: 'CreateKey', base: () => ({}), ok: (v) => absent(v) || isPlain(v) }, // the whole request
  { op: 'CreateAlias', field: 'AliasName', base: (id) => ({ TargetKeyId: id }), ok: () => false },
  { op: 'CreateAlias', field: 'TargetKeyId', base: () => ({ AliasName: 'alias/hostile' }), ok: () => false },
  { op: 'CreateAlias', base: () => ({}), ok: () => false },
  { op: 'GenerateDataKey', field: 'NumberOfBytes', base: (id) => ({ KeyId: id }), ok: () => false },
  { op: 'GenerateDataKey', field: 'KeySpec', base: (id) => ({ KeyId: id }), ok: () => false },
  { op: 'GenerateDataKey', field: 'KeyId', base: () => ({ KeySpec: 'AES_256' }), ok: () => false },
  { op: 'GenerateDataKey', base: () => ({}), ok: () => false },
  // Asymmetric operations against a symmetric key: every value is refused, never with an internal error.
  { op: 'Sign', field: 'Message', base: (id) => ({ KeyId: id, SigningAlgorithm: 'ECDSA_SHA_256' }), ok: () => false },
  {
    op: 'Sign',
    field: 'MessageType',
    base: (id) => ({ KeyId: id, Message: utf8('x'), SigningAlgorithm: 'ECDSA_SHA_256' }),
    ok: () => false,
  },
  { op: 'Sign', field: 'SigningAlgorithm', base: (id) => ({ KeyId: id, Message: utf8('x') }), ok: () => false },
  {
    op: 'Verify',
    field: 'Signature',
    base: (id) => ({ KeyId: id, Message: utf8('x'), SigningAlgorithm: 'ECDSA_SHA_256' }),
    ok: () => false,
  },
  { op: 'GenerateMac', field: 'MacAlgorithm', base: (id) => ({ KeyId: id, Message: utf8('x') }), ok: () => false },
  {
    op: 'DeriveSharedSecret',
    field: 'PublicKey',
    base: (id) => ({ KeyId: id, KeyAgreementAlgorithm: 'ECDH' }),
    ok: () => false,
  },
  {
    op: 'Decapsulate',
    field: 'SharedSecretCiphertextBlob',
    base: (id) => ({ KeyId: id, EncapsulationAlgorithm: 'ML_KEM' }),
    ok: () => false,
  },
  { op: 'GetPublicKey', field: 'KeyId', base: () => ({}), ok: () => false },
  { op: 'GenerateDataKeyPair', field: 'KeyPairSpec', base: (id) => ({ KeyId: id }), ok: () => false },
  { op: 'Sign', base: () => ({}), ok: () => false },
];

const snapshot = async (f: Fresh) => ({
  keys: (await f.call('ListKeys')).Keys,
  aliases: (await f.call('ListAliases')).Aliases,
});

describe('Kms.call dispatch', () => {
  it('rejects a name AWS KMS does not have (UnknownOperationException)', async () => {
    const { call } = await freshKms();
    for (const op of ['NoSuchOp', 'encrypt', '', '__proto__', 'constructor', 'toString'])
      await rejectsWith(call(op, {}), 'UnknownOperationException');
  });

  it('has a handler for every operation of AWS KMS: none is left "not yet"', async () => {
    const { call } = await freshKms();
    expect(OPERATIONS.filter((o) => o.status === 'not yet').map((o) => o.name)).toEqual([]);
    // Dispatch reaches each handler: an empty request is refused by the operation itself, never as unsupported.
    for (const o of OPERATIONS) {
      const e = await call(o.name, {}).then(
        () => undefined,
        (x: unknown) => x as Error,
      );
      if (e?.name === 'UnsupportedOperationException')
        expect(e.message).not.toMatch(/is not supported by Pocket KMS yet/);
    }
  });
});

describe('hostile-input table', () => {
  it.each(CASES.map((c) => [`${c.op}${c.field ? `.${c.field}` : ' (whole request)'}`, c] as const))(
    '%s: every value is accepted or refused with a client KmsError; nothing else changes',
    async (_label, c) => {
      const f = await freshKms();
      const k = await f.createKey();
      await f.call('CreateAlias', { AliasName: 'alias/existing', TargetKeyId: k.KeyId });
      const before = await snapshot(f);
      const auditBefore = (await f.audit()).length;
      let created = 0;
      for (const [label, v] of HOSTILE) {
        const req = c.field ? { ...c.base(k.KeyId), [c.field]: v } : v;
        const r = await f.call(c.op, req).then(
          (x) => ({ x }),
          (e: unknown) => ({ e }),
        );
        if ('e' in r) {
          expect(r.e, label).toBeInstanceOf(KmsError);
          const e = r.e as KmsError;
          expect(Object.keys(exceptionClasses), label).toContain(e.name);
          expect(e.name, label).not.toBe('KMSInternalException');
          expect(e.fault, label).toBe('client');
          expect(c.ok(v), `${label} was refused with ${e.name}`).toBe(false);
        } else {
          expect(c.ok(v), `${label} was accepted`).toBe(true);
          if (c.op === 'CreateKey') created++;
        }
      }
      const after = await snapshot(f);
      expect(after.aliases).toEqual(before.aliases);
      expect(after.keys.length).toBe(before.keys.length + created);
      expect(after.keys).toEqual(expect.arrayContaining(before.keys));
      // Every call, even one carrying values no store can hold, has its audit record (plus the two List calls).
      expect((await f.audit()).length).toBe(auditBefore + HOSTILE.length + 2);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    },
  );

  it('a cyclic request (structured clone keeps cycles) is handled and audited', async () => {
    const f = await freshKms();
    const k = await f.createKey();
    const req: Record<string, unknown> = { KeyId: k.KeyId, Plaintext: utf8('c') };
    req.Self = req;
    expect((await f.call('Encrypt', req)).KeyId).toBe(k.Arn);
    const bad: Record<string, unknown> = { KeyId: k.KeyId };
    bad.EncryptionContext = bad;
    await rejectsWith(f.call('Encrypt', { ...bad, Plaintext: utf8('c') }), 'ValidationException');
    expect((await f.audit()).slice(-2).map((e) => e.eventName)).toEqual(['Encrypt', 'Encrypt']);
  });
});

describe('several instances over one database', () => {
  const openOne = async (name: string) => {
    const store = await IdbStore.open(name);
    return {
      store,
      kms: await Kms.open({ store, clock: new TestClock(), random: systemRandom, locks: new LocalLocks() }),
    };
  };

  it('concurrent first opens agree on region, account and domain key', async () => {
    const name = `shared-${Math.random()}`;
    const [a, b, c] = await Promise.all([openOne(name), openOne(name), openOne(name)]);
    expect(a.kms.keystore.accountId).toMatch(/^[1-9]\d{11}$/);
    expect(a.kms.keystore.region).toBe('us-east-1');
    expect(b.kms.keystore).toEqual(a.kms.keystore);
    expect(c.kms.keystore).toEqual(a.kms.keystore);
    // The same domain key: material wrapped by one instance unwraps under the others' key (AES-KW checks integrity).
    const created = (await a.kms.call(
      'CreateKey',
      {},
      {
        type: 'Root',
        arn: 'x',
        accountId: a.kms.keystore.accountId,
        principalId: 'p',
        userAgent: 'u',
        sourceIPAddress: '1',
      },
    )) as { KeyMetadata: { KeyId: string } };
    const [m] = (await a.store.read((tx) => tx.listMaterials(created.KeyMetadata.KeyId))) as SymmetricMaterialRecord[];
    for (const o of [b, c]) {
      await expect(
        crypto.subtle.unwrapKey(
          'raw',
          m!.wrapped,
          (o.kms as unknown as { env: { custodian: { roots(): { domainKey: CryptoKey } } } }).env.custodian.roots()
            .domainKey,
          'AES-KW',
          'AES-GCM',
          false,
          ['decrypt'],
        ),
      ).resolves.toBeInstanceOf(CryptoKey);
    }
    const foreign = await crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, false, ['unwrapKey']);
    await expect(
      crypto.subtle.unwrapKey('raw', m!.wrapped, foreign, 'AES-KW', 'AES-GCM', false, ['decrypt']),
    ).rejects.toThrow();
  });

  it('a reopened keystore keeps its identity whatever options are passed', async () => {
    const name = `reopen-${Math.random()}`;
    const first = await openOne(name);
    const store = await IdbStore.open(name);
    const again = await Kms.open({
      store,
      clock: new TestClock(),
      random: systemRandom,
      locks: new LocalLocks(),
      region: 'eu-west-1',
      accountId: '444455556666',
    });
    expect(again.keystore).toEqual(first.kms.keystore);
  });

  it('a key created in one instance is visible and usable in the other', async () => {
    const name = `pair-${Math.random()}`;
    const [a, b] = await Promise.all([freshKms({ name }), freshKms({ name })]);
    const k = await a.createKey();
    await a.call('CreateAlias', { AliasName: 'alias/shared', TargetKeyId: k.KeyId });
    expect((await b.call('DescribeKey', { KeyId: 'alias/shared' })).KeyMetadata.KeyId).toBe(k.KeyId);
    const { CiphertextBlob } = await b.call('Encrypt', {
      KeyId: 'alias/shared',
      Plaintext: utf8('across'),
      EncryptionContext: { x: 'y' },
    });
    expect(
      new TextDecoder().decode((await a.call('Decrypt', { CiphertextBlob, EncryptionContext: { x: 'y' } })).Plaintext),
    ).toBe('across');
    await Promise.all([
      a.call('RotateKeyOnDemand', { KeyId: k.KeyId }),
      b.call('RotateKeyOnDemand', { KeyId: k.KeyId }),
    ]);
    expect((await a.store.read((tx) => tx.listMaterials(k.KeyId))).map((m) => m.version)).toEqual([1, 2, 3]);
    expect(
      new TextDecoder().decode((await b.call('Decrypt', { CiphertextBlob, EncryptionContext: { x: 'y' } })).Plaintext),
    ).toBe('across');
  });
});
