// Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext), GenerateRandom (src/kms/ops/crypto.ts).
import { describe, expect, it } from 'vitest';
import { ACCOUNT, freshKms, REGION, rejectsWith, text, utf8 } from '../helpers/kms';

const setup = async () => {
  const f = await freshKms();
  const k = await f.createKey();
  await f.call('CreateAlias', { AliasName: 'alias/c', TargetKeyId: k.KeyId });
  return { ...f, k };
};

describe('Encrypt / Decrypt', () => {
  it('return AWS shapes and round-trip', async () => {
    const { call, k } = await setup();
    const enc = await call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('hello') });
    expect(Object.keys(enc).sort()).toEqual(['CiphertextBlob', 'EncryptionAlgorithm', 'KeyId']);
    expect(enc).toMatchObject({ KeyId: k.Arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    expect(enc.CiphertextBlob).toBeInstanceOf(Uint8Array);
    const dec = await call('Decrypt', { CiphertextBlob: enc.CiphertextBlob });
    expect(dec).toEqual({
      KeyId: k.Arn,
      Plaintext: utf8('hello'),
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      KeyMaterialId: k.CurrentKeyMaterialId,
    });
    expect(dec.Plaintext).toBeInstanceOf(Uint8Array);
  });

  it('accept the key as key ID, key ARN, alias name and alias ARN', async () => {
    const { call, k } = await setup();
    for (const id of [k.KeyId, k.Arn, 'alias/c', `arn:aws:kms:${REGION}:${ACCOUNT}:alias/c`]) {
      const enc = await call('Encrypt', { KeyId: id, Plaintext: utf8(id) });
      expect(enc.KeyId).toBe(k.Arn);
      expect(text((await call('Decrypt', { CiphertextBlob: enc.CiphertextBlob, KeyId: id })).Plaintext)).toBe(id);
    }
  });

  it('take 1 to 4096 bytes of plaintext', async () => {
    const { call, k } = await setup();
    for (const n of [1, 4096]) {
      const pt = crypto.getRandomValues(new Uint8Array(n));
      const { CiphertextBlob } = await call('Encrypt', { KeyId: k.KeyId, Plaintext: pt });
      expect((await call('Decrypt', { CiphertextBlob })).Plaintext).toEqual(pt);
    }
    await rejectsWith(call('Encrypt', { KeyId: k.KeyId, Plaintext: new Uint8Array(4097) }), 'ValidationException');
    await rejectsWith(call('Encrypt', { KeyId: k.KeyId, Plaintext: new Uint8Array(0) }), 'ValidationException');
    await rejectsWith(call('Encrypt', { KeyId: k.KeyId }), 'ValidationException');
    await rejectsWith(call('Encrypt', { Plaintext: utf8('x') }), 'ValidationException');
    await rejectsWith(call('Decrypt', {}), 'ValidationException');
  });

  it('accept only SYMMETRIC_DEFAULT for a symmetric key', async () => {
    const { call, k } = await setup();
    const { CiphertextBlob } = await call('Encrypt', {
      KeyId: k.KeyId,
      Plaintext: utf8('x'),
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    });
    await rejectsWith(
      call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
      'InvalidKeyUsageException',
    );
    await rejectsWith(
      call('Decrypt', { CiphertextBlob, KeyId: k.KeyId, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }),
      'InvalidKeyUsageException',
    );
    // AWS: decrypting with an asymmetric algorithm needs KeyId.
    await rejectsWith(
      call('Decrypt', { CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }),
      'ValidationException',
    );
    await rejectsWith(
      call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x'), EncryptionAlgorithm: 'AES' }),
      'ValidationException',
    );
  });

  it('check GrantTokens, answer DryRun with DryRunOperationException and refuse Recipient as unsupported', async () => {
    const { call, k } = await setup();
    await call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x'), GrantTokens: [] });
    await rejectsWith(
      call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x'), GrantTokens: ['t'] }),
      'InvalidGrantTokenException',
    );
    await rejectsWith(
      call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x'), GrantTokens: Array(11).fill('t') }),
      'ValidationException',
    );
    await rejectsWith(
      call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x'), DryRun: true }),
      'DryRunOperationException',
    );
    await rejectsWith(
      call('Decrypt', { CiphertextBlob: new Uint8Array(60), Recipient: {} }),
      'UnsupportedOperationException',
    );
  });

  it('Decrypt with the KeyId of another key is IncorrectKeyException', async () => {
    const { call, k, createKey } = await setup();
    const other = await createKey();
    const { CiphertextBlob } = await call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') });
    await rejectsWith(call('Decrypt', { CiphertextBlob, KeyId: other.KeyId }), 'IncorrectKeyException');
    await rejectsWith(call('Decrypt', { CiphertextBlob, KeyId: other.Arn }), 'IncorrectKeyException');
    await rejectsWith(
      call('Decrypt', { CiphertextBlob, KeyId: '1234abcd-12ab-44cd-96ef-1234567890ab' }),
      'NotFoundException',
    );
  });
});

describe('encryption context', () => {
  const ctx = { tenant: 'acme', purpose: 'backup' };
  const cases: [string, Record<string, string> | undefined][] = [
    ['a wrong value', { tenant: 'acme', purpose: 'restore' }],
    ['an extra pair', { ...ctx, extra: '1' }],
    ['a missing pair', { tenant: 'acme' }],
    ['no context at all', undefined],
    ['a key in another case', { Tenant: 'acme', purpose: 'backup' }],
    ['a value in another case', { tenant: 'ACME', purpose: 'backup' }],
    ['a pair moved across the key/value boundary', { tenantacme: '', purpose: 'backup' }],
  ];
  it.each(cases)('with %s is InvalidCiphertextException', async (_why, wrong) => {
    const { call, k } = await setup();
    const { CiphertextBlob } = await call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x'), EncryptionContext: ctx });
    await rejectsWith(call('Decrypt', { CiphertextBlob, EncryptionContext: wrong }), 'InvalidCiphertextException');
  });

  it('does not depend on the order of pairs', async () => {
    const { call, k } = await setup();
    const { CiphertextBlob } = await call('Encrypt', {
      KeyId: k.KeyId,
      Plaintext: utf8('ok'),
      EncryptionContext: { a: '1', b: '2', c: '3' },
    });
    const dec = await call('Decrypt', { CiphertextBlob, EncryptionContext: { c: '3', a: '1', b: '2' } });
    expect(text(dec.Plaintext)).toBe('ok');
  });

  it('binds a context given without one to the empty context, and vice versa', async () => {
    const { call, k } = await setup();
    const { CiphertextBlob } = await call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') });
    expect(text((await call('Decrypt', { CiphertextBlob, EncryptionContext: {} })).Plaintext)).toBe('x');
    await rejectsWith(call('Decrypt', { CiphertextBlob, EncryptionContext: { a: '' } }), 'InvalidCiphertextException');
  });

  it('keeps a "__proto__" pair bound to the ciphertext', async () => {
    const { call, k } = await setup();
    const proto = JSON.parse('{"__proto__":"x"}');
    const { CiphertextBlob } = await call('Encrypt', {
      KeyId: k.KeyId,
      Plaintext: utf8('p'),
      EncryptionContext: proto,
    });
    await rejectsWith(call('Decrypt', { CiphertextBlob }), 'InvalidCiphertextException');
    expect(
      text((await call('Decrypt', { CiphertextBlob, EncryptionContext: JSON.parse('{"__proto__":"x"}') })).Plaintext),
    ).toBe('p');
  });

  it('rejects contexts that cannot be bound faithfully (ValidationException)', async () => {
    const { call, k } = await setup();
    for (const EncryptionContext of [
      { a: '\uD800' },
      { a: 'x'.repeat(70_000) },
      new Map([['a', 'b']]),
      [['a', 'b']],
      { a: 1 },
    ]) {
      await rejectsWith(
        call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x'), EncryptionContext }),
        'ValidationException',
      );
    }
  });
});

describe('GenerateDataKey', () => {
  it.each([
    [{ KeySpec: 'AES_256' }, 32],
    [{ KeySpec: 'AES_128' }, 16],
    [{ NumberOfBytes: 1 }, 1],
    [{ NumberOfBytes: 1024 }, 1024],
  ])('%j gives a %i-byte key whose CiphertextBlob decrypts to Plaintext', async (spec, len) => {
    const { call, k } = await setup();
    const ctx = { file: 'a.txt' };
    const r = await call('GenerateDataKey', { KeyId: 'alias/c', EncryptionContext: ctx, ...spec });
    expect(Object.keys(r).sort()).toEqual(['CiphertextBlob', 'KeyId', 'KeyMaterialId', 'Plaintext']);
    expect(r).toMatchObject({ KeyId: k.Arn, KeyMaterialId: k.CurrentKeyMaterialId });
    expect(r.Plaintext).toBeInstanceOf(Uint8Array);
    expect(r.Plaintext.length).toBe(len);
    expect((await call('Decrypt', { CiphertextBlob: r.CiphertextBlob, EncryptionContext: ctx })).Plaintext).toEqual(
      r.Plaintext,
    );
    await rejectsWith(call('Decrypt', { CiphertextBlob: r.CiphertextBlob }), 'InvalidCiphertextException');
  });

  it.each([
    ['neither KeySpec nor NumberOfBytes', {}],
    ['both KeySpec and NumberOfBytes', { KeySpec: 'AES_256', NumberOfBytes: 32 }],
    ['NumberOfBytes 0', { NumberOfBytes: 0 }],
    ['NumberOfBytes 1025', { NumberOfBytes: 1025 }],
    ['NumberOfBytes 1.5', { NumberOfBytes: 1.5 }],
    ['NumberOfBytes "32"', { NumberOfBytes: '32' }],
    ['KeySpec AES_512', { KeySpec: 'AES_512' }],
  ])('rejects %s (ValidationException)', async (_why, spec) => {
    const { call, k } = await setup();
    await rejectsWith(call('GenerateDataKey', { KeyId: k.KeyId, ...spec }), 'ValidationException');
    await rejectsWith(call('GenerateDataKeyWithoutPlaintext', { KeyId: k.KeyId, ...spec }), 'ValidationException');
  });

  it('WithoutPlaintext returns no Plaintext field, and its blob decrypts', async () => {
    const { call, k } = await setup();
    const r = await call('GenerateDataKeyWithoutPlaintext', { KeyId: k.KeyId, KeySpec: 'AES_128' });
    expect(Object.keys(r).sort()).toEqual(['CiphertextBlob', 'KeyId', 'KeyMaterialId']);
    expect('Plaintext' in r).toBe(false);
    expect((await call('Decrypt', { CiphertextBlob: r.CiphertextBlob })).Plaintext).toHaveLength(16);
  });
});

describe('GenerateRandom', () => {
  it('returns 1 to 1024 random bytes', async () => {
    const { call } = await freshKms();
    for (const n of [1, 32, 1024]) {
      const r = await call('GenerateRandom', { NumberOfBytes: n });
      expect(Object.keys(r)).toEqual(['Plaintext']);
      expect(r.Plaintext).toBeInstanceOf(Uint8Array);
      expect(r.Plaintext.length).toBe(n);
    }
    const [a, b] = [
      await call('GenerateRandom', { NumberOfBytes: 32 }),
      await call('GenerateRandom', { NumberOfBytes: 32 }),
    ];
    expect(a.Plaintext).not.toEqual(b.Plaintext);
  });

  it.each([[{}], [{ NumberOfBytes: 0 }], [{ NumberOfBytes: 1025 }], [{ NumberOfBytes: -1 }], [{ NumberOfBytes: NaN }]])(
    'rejects %j (ValidationException)',
    async (req) => {
      const { call } = await freshKms();
      await rejectsWith(call('GenerateRandom', req), 'ValidationException');
    },
  );

  it('with a CustomKeyStoreId that names no store: CustomKeyStoreNotFoundException (stores: custom-key-stores.test.ts)', async () => {
    const { call } = await freshKms();
    await rejectsWith(
      call('GenerateRandom', { NumberOfBytes: 8, CustomKeyStoreId: 'cks-1' }),
      'CustomKeyStoreNotFoundException',
    );
  });
});

describe('ReEncrypt', () => {
  it('moves a ciphertext from one key and context to another', async () => {
    const { call, k, createKey } = await setup();
    const dest = await createKey();
    const { CiphertextBlob } = await call('Encrypt', {
      KeyId: k.KeyId,
      Plaintext: utf8('move me'),
      EncryptionContext: { from: 'a' },
    });
    const r = await call('ReEncrypt', {
      CiphertextBlob,
      SourceEncryptionContext: { from: 'a' },
      SourceKeyId: 'alias/c',
      DestinationKeyId: dest.Arn,
      DestinationEncryptionContext: { to: 'b' },
    });
    expect(r).toEqual({
      CiphertextBlob: expect.any(Uint8Array),
      SourceKeyId: k.Arn,
      KeyId: dest.Arn,
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      SourceKeyMaterialId: k.CurrentKeyMaterialId,
      DestinationKeyMaterialId: dest.CurrentKeyMaterialId,
    });
    expect('Plaintext' in r).toBe(false);
    const dec = await call('Decrypt', { CiphertextBlob: r.CiphertextBlob, EncryptionContext: { to: 'b' } });
    expect(dec.KeyId).toBe(dest.Arn);
    expect(text(dec.Plaintext)).toBe('move me');
    await rejectsWith(
      call('Decrypt', { CiphertextBlob: r.CiphertextBlob, EncryptionContext: { from: 'a' } }),
      'InvalidCiphertextException',
    );
  });

  it('rejects a wrong SourceKeyId, a wrong source context, and a missing or disabled destination', async () => {
    const { call, k, createKey } = await setup();
    const [dest, other] = [await createKey(), await createKey()];
    const { CiphertextBlob } = await call('Encrypt', {
      KeyId: k.KeyId,
      Plaintext: utf8('x'),
      EncryptionContext: { a: '1' },
    });
    const base = { CiphertextBlob, SourceEncryptionContext: { a: '1' }, DestinationKeyId: dest.KeyId };
    await rejectsWith(call('ReEncrypt', { ...base, SourceKeyId: other.KeyId }), 'IncorrectKeyException');
    await rejectsWith(
      call('ReEncrypt', { ...base, SourceEncryptionContext: { a: '2' } }),
      'InvalidCiphertextException',
    );
    await rejectsWith(call('ReEncrypt', { ...base, DestinationKeyId: undefined }), 'ValidationException');
    await rejectsWith(call('ReEncrypt', { ...base, DestinationKeyId: 'alias/none' }), 'NotFoundException');
    await rejectsWith(
      call('ReEncrypt', { ...base, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }),
      'InvalidKeyUsageException',
    );
    await call('DisableKey', { KeyId: dest.KeyId });
    await rejectsWith(call('ReEncrypt', base), 'DisabledException');
  });
});

describe('DryRunModifiers IGNORE_CIPHERTEXT (Decrypt, ReEncrypt)', () => {
  const ignore = { DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] };

  it('Decrypt checks the key KeyId names without any ciphertext; without the modifier the ciphertext is checked', async () => {
    const { call, k, createKey } = await setup();
    await rejectsWith(call('Decrypt', { ...ignore, KeyId: k.KeyId }), 'DryRunOperationException');
    // Not read at all, so a blob that is not one is no error.
    await rejectsWith(
      call('Decrypt', { ...ignore, KeyId: 'alias/c', CiphertextBlob: new Uint8Array(60) }),
      'DryRunOperationException',
    );
    await rejectsWith(call('Decrypt', { ...ignore }), 'ValidationException');
    await rejectsWith(call('Decrypt', { DryRun: true, KeyId: k.KeyId }), 'ValidationException');
    await rejectsWith(
      call('Decrypt', { DryRun: true, KeyId: k.KeyId, CiphertextBlob: new Uint8Array(60) }),
      'InvalidCiphertextException',
    );
    const hmac = await createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    await rejectsWith(call('Decrypt', { ...ignore, KeyId: hmac.KeyId }), 'InvalidKeyUsageException');
    const rsa = await createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    await rejectsWith(
      call('Decrypt', { ...ignore, KeyId: rsa.KeyId, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
      'DryRunOperationException',
    );
    await rejectsWith(call('Decrypt', { ...ignore, KeyId: rsa.KeyId }), 'InvalidKeyUsageException');
    await call('DisableKey', { KeyId: k.KeyId });
    await rejectsWith(call('Decrypt', { ...ignore, KeyId: k.KeyId }), 'DisabledException');
  });

  it('applies only to a dry run, and takes only IGNORE_CIPHERTEXT', async () => {
    const { call, k } = await setup();
    const { CiphertextBlob } = await call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') });
    const r = await call('Decrypt', { CiphertextBlob, DryRunModifiers: ['IGNORE_CIPHERTEXT'] });
    expect(text(r.Plaintext)).toBe('x');
    await rejectsWith(call('Decrypt', { CiphertextBlob, DryRunModifiers: ['IGNORE_ALL'] }), 'ValidationException');
  });

  it('ReEncrypt authorizes both keys and needs SourceKeyId', async () => {
    const { kms, call, k, createKey } = await setup();
    const dest = await createKey();
    const req = { ...ignore, SourceKeyId: k.KeyId, DestinationKeyId: dest.KeyId };
    await rejectsWith(call('ReEncrypt', req), 'DryRunOperationException');
    await rejectsWith(call('ReEncrypt', { ...ignore, DestinationKeyId: dest.KeyId }), 'ValidationException');
    // A principal allowed ReEncryptFrom on the source but nothing on the destination.
    const owner = await kms.iam.callerFor(`arn:aws:iam::${ACCOUNT}:root`, { userAgent: 'vitest' });
    const role = await kms.iam.createPrincipal(owner, 'role', 'Mover');
    await call('CreateGrant', { KeyId: k.KeyId, GranteePrincipal: role.arn, Operations: ['ReEncryptFrom'] });
    const mover = await kms.iam.callerFor(role.arn, { userAgent: 'vitest' });
    const e = await rejectsWith(kms.call('ReEncrypt', req, mover), 'AccessDeniedException');
    expect(e.message).toContain('kms:ReEncryptTo');
    await call('CreateGrant', { KeyId: dest.KeyId, GranteePrincipal: role.arn, Operations: ['ReEncryptTo'] });
    await rejectsWith(kms.call('ReEncrypt', req, mover), 'DryRunOperationException');
  });
});
