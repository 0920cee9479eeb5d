// CreateKey, DescribeKey, ListKeys, UpdateKeyDescription, EnableKey, DisableKey, GetKeyLastUsage
// (src/kms/ops/keys.ts), the key-state rules for a Disabled key, and key material at rest.
import { describe, expect, it } from 'vitest';
import { ACCOUNT, freshKms, REGION, rejectsWith, utf8, walk } from '../helpers/kms';
import type { SymmetricMaterialRecord } from '../../../src/kms/records';

const arnOf = (id: string) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`;

describe('CreateKey', () => {
  it('returns AWS KeyMetadata for a symmetric key', async () => {
    const { createKey, clock } = await freshKms();
    const k = await createKey({ Description: 'my key' });
    expect(k).toEqual({
      AWSAccountId: ACCOUNT,
      KeyId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      Arn: arnOf(k.KeyId),
      CreationDate: new Date(clock.now()),
      Enabled: true,
      Description: 'my key',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
      CurrentKeyMaterialId: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(k.CreationDate).toBeInstanceOf(Date);
  });

  it('defaults the description to empty and accepts the explicit symmetric defaults', async () => {
    const { createKey } = await freshKms();
    const k = await createKey({
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      Origin: 'AWS_KMS',
      MultiRegion: false,
      Description: '',
    });
    expect(k.Description).toBe('');
    expect((await createKey({ CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT' })).KeySpec).toBe('SYMMETRIC_DEFAULT');
  });

  it('gives every key a distinct ID and material ID', async () => {
    const { createKey } = await freshKms();
    const ks = await Promise.all([1, 2, 3, 4].map(() => createKey()));
    expect(new Set(ks.map((k) => k.KeyId)).size).toBe(4);
    expect(new Set(ks.map((k) => k.CurrentKeyMaterialId)).size).toBe(4);
  });

  it.each([
    ['KeySpec SM2 (China Regions only)', { KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' }, 'UnsupportedOperationException'],
    ['HMAC_256 without KeyUsage (defaults to ENCRYPT_DECRYPT)', { KeySpec: 'HMAC_256' }, 'ValidationException'],
    ['Origin AWS_CLOUDHSM without CustomKeyStoreId', { Origin: 'AWS_CLOUDHSM' }, 'ValidationException'],
    [
      'Origin EXTERNAL_KEY_STORE (no external key stores)',
      { Origin: 'EXTERNAL_KEY_STORE' },
      'UnsupportedOperationException',
    ],
    [
      'Origin EXTERNAL for ML_KEM_512 (no import)',
      { Origin: 'EXTERNAL', KeySpec: 'ML_KEM_512', KeyUsage: 'ENCAPSULATE_DECAPSULATE' },
      'UnsupportedOperationException',
    ],
    [
      'CustomKeyStoreId without Origin AWS_CLOUDHSM',
      { CustomKeyStoreId: 'cks-1234567890abcdef0' },
      'ValidationException',
    ],
    ['an unknown KeySpec', { KeySpec: 'AES_256' }, 'ValidationException'],
    ['an unknown KeyUsage', { KeyUsage: 'ENCRYPT' }, 'ValidationException'],
    ['SIGN_VERIFY with SYMMETRIC_DEFAULT', { KeyUsage: 'SIGN_VERIFY' }, 'ValidationException'],
    ['a description of 8193 characters', { Description: 'd'.repeat(8193) }, 'ValidationException'],
    ['a numeric description', { Description: 5 }, 'ValidationException'],
    ['an empty policy', { Policy: '' }, 'ValidationException'],
    ['a policy that is not JSON', { Policy: '{' }, 'MalformedPolicyDocumentException'],
    ['an aws: tag', { Tags: [{ TagKey: 'aws:x', TagValue: 'v' }] }, 'TagException'],
    [
      '51 tags',
      { Tags: Array.from({ length: 51 }, (_, i) => ({ TagKey: `k${i}`, TagValue: '' })) },
      'LimitExceededException',
    ],
    ['a string BypassPolicyLockoutSafetyCheck', { BypassPolicyLockoutSafetyCheck: 'true' }, 'ValidationException'],
  ])('rejects %s', async (_why, req, name) => {
    const { call } = await freshKms();
    await rejectsWith(call('CreateKey', req), name);
    expect((await call('ListKeys')).Keys).toEqual([]);
  });

  it('accepts exactly 50 tags and a description of 8192 characters', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey({
      Description: 'd'.repeat(8192),
      Tags: Array.from({ length: 50 }, (_, i) => ({ TagKey: `k${i}`, TagValue: 'v' })),
    });
    expect((await call('ListResourceTags', { KeyId: k.KeyId })).Tags).toHaveLength(50);
  });
});

describe('DescribeKey', () => {
  it('finds a key by key ID, key ARN, alias name and alias ARN', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    await call('CreateAlias', { AliasName: 'alias/d', TargetKeyId: k.KeyId });
    for (const id of [k.KeyId, k.Arn, 'alias/d', `arn:aws:kms:${REGION}:${ACCOUNT}:alias/d`]) {
      expect((await call('DescribeKey', { KeyId: id })).KeyMetadata).toEqual(k);
    }
  });

  it.each([
    ['an unknown key ID', () => '1234abcd-12ab-44cd-96ef-1234567890ab'],
    ['an unknown alias', () => 'alias/none'],
    ['a malformed key ID', () => 'not-a-key'],
  ])('rejects %s with NotFoundException', async (_why, id) => {
    const { call } = await freshKms();
    await rejectsWith(call('DescribeKey', { KeyId: id() }), 'NotFoundException');
  });

  it('rejects the ARN of the same key in another region or account with NotFoundException', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    await call('CreateAlias', { AliasName: 'alias/d', TargetKeyId: k.KeyId });
    for (const id of [
      `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${k.KeyId}`,
      `arn:aws:kms:${REGION}:444455556666:key/${k.KeyId}`,
      `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/d`,
      `arn:aws:kms:${REGION}:444455556666:alias/d`,
    ]) {
      await rejectsWith(call('DescribeKey', { KeyId: id }), 'NotFoundException');
      await rejectsWith(call('Encrypt', { KeyId: id, Plaintext: utf8('x') }), 'NotFoundException');
    }
  });

  it('requires KeyId (ValidationException)', async () => {
    const { call } = await freshKms();
    await rejectsWith(call('DescribeKey', {}), 'ValidationException');
    await rejectsWith(call('DescribeKey', { KeyId: '' }), 'ValidationException');
    await rejectsWith(call('DescribeKey', { KeyId: 'k'.repeat(2049) }), 'ValidationException');
  });
});

describe('CreateKey spec fields', () => {
  it('refuses KeySpec together with the deprecated CustomerMasterKeySpec (ValidationException) and creates nothing', async () => {
    const { call } = await freshKms();
    await rejectsWith(
      call('CreateKey', { KeySpec: 'SYMMETRIC_DEFAULT', CustomerMasterKeySpec: 'RSA_2048' }),
      'ValidationException',
    );
    expect((await call('ListKeys')).Keys).toEqual([]);
  });
});

describe('ListKeys', () => {
  it('walks every key exactly once with Limit and Marker', async () => {
    const { createKey, call } = await freshKms();
    const ids = (await Promise.all(Array.from({ length: 7 }, () => createKey()))).map((k) => k.KeyId).sort();
    for (const limit of [1, 2, 3, 7, 1000]) {
      const { items, pages } = await walk<{ KeyId: string; KeyArn: string }>(
        call,
        'ListKeys',
        { Limit: limit },
        'Keys',
      );
      expect(items.map((k) => k.KeyId).sort()).toEqual(ids);
      expect(items.every((k) => k.KeyArn === arnOf(k.KeyId))).toBe(true);
      expect(pages).toBe(Math.ceil(7 / limit));
    }
  });

  it('pages 100 keys at a time by default, as AWS', async () => {
    const { call, createKey } = await freshKms();
    await Promise.all(Array.from({ length: 101 }, () => createKey()));
    const first = await call('ListKeys');
    expect(first.Keys).toHaveLength(100);
    expect(first.Truncated).toBe(true);
    expect((await call('ListKeys', { Marker: first.NextMarker })).Keys).toHaveLength(1);
  });

  it("filters by ResourceOwners: SELF lists the keystore's keys, OTHER_ACCOUNTS_VIA_RAM none (nothing is shared through RAM)", async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    const ids = async (req: object) => (await call('ListKeys', req)).Keys.map((x: { KeyId: string }) => x.KeyId);
    expect(await ids({ ResourceOwners: ['SELF'] })).toEqual([k.KeyId]);
    expect(await ids({ ResourceOwners: ['SELF', 'OTHER_ACCOUNTS_VIA_RAM'] })).toEqual([k.KeyId]);
    expect(await ids({ ResourceOwners: ['OTHER_ACCOUNTS_VIA_RAM'] })).toEqual([]);
    await rejectsWith(call('ListKeys', { ResourceOwners: ['OTHERS'] }), 'ValidationException');
    await rejectsWith(call('ListKeys', { ResourceOwners: 'SELF' }), 'ValidationException');
  });

  it('answers an empty keystore with Keys [] and Truncated false', async () => {
    const { call } = await freshKms();
    expect(await call('ListKeys')).toEqual({ Keys: [], Truncated: false });
  });

  it.each([['garbage'], ['!!!'], ['%%%%'], ['AAAA']])(
    'rejects Marker %j with InvalidMarkerException',
    async (marker) => {
      const { createKey, call } = await freshKms();
      await createKey();
      await rejectsWith(call('ListKeys', { Marker: marker }), 'InvalidMarkerException');
    },
  );

  it.each([0, 1001, 1.5, '10'])('rejects Limit %j with ValidationException', async (limit) => {
    const { call } = await freshKms();
    await rejectsWith(call('ListKeys', { Limit: limit }), 'ValidationException');
  });
});

describe('UpdateKeyDescription, EnableKey, DisableKey', () => {
  it('updates the description (also of a disabled key)', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey({ Description: 'old' });
    await call('DisableKey', { KeyId: k.KeyId });
    expect(await call('UpdateKeyDescription', { KeyId: k.Arn, Description: 'new' })).toEqual({});
    expect((await call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.Description).toBe('new');
    await rejectsWith(call('UpdateKeyDescription', { KeyId: k.KeyId }), 'ValidationException');
    await rejectsWith(
      call('UpdateKeyDescription', { KeyId: k.KeyId, Description: 'd'.repeat(8193) }),
      'ValidationException',
    );
  });

  it('disables and enables, returning empty responses', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    expect(await call('DisableKey', { KeyId: k.KeyId })).toEqual({});
    expect((await call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata).toMatchObject({
      KeyState: 'Disabled',
      Enabled: false,
    });
    expect(await call('DisableKey', { KeyId: k.KeyId })).toEqual({}); // idempotent, as in AWS
    expect(await call('EnableKey', { KeyId: k.KeyId })).toEqual({});
    expect((await call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata).toMatchObject({
      KeyState: 'Enabled',
      Enabled: true,
    });
  });

  it('refuses to change a key pending deletion (KMSInvalidStateException)', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    await call('ScheduleKeyDeletion', { KeyId: k.KeyId, PendingWindowInDays: 7 });
    for (const op of ['EnableKey', 'DisableKey'])
      await rejectsWith(call(op, { KeyId: k.KeyId }), 'KMSInvalidStateException');
    await rejectsWith(call('UpdateKeyDescription', { KeyId: k.KeyId, Description: 'x' }), 'KMSInvalidStateException');
    await rejectsWith(call('EnableKey', { KeyId: '1234abcd-12ab-44cd-96ef-1234567890ab' }), 'NotFoundException');
  });
});

describe('a Disabled key (AWS key-state table)', () => {
  it('refuses cryptographic operations with DisabledException but still answers management calls', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    const { CiphertextBlob } = await call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') });
    await call('DisableKey', { KeyId: k.KeyId });
    await rejectsWith(call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') }), 'DisabledException');
    await rejectsWith(call('Decrypt', { CiphertextBlob }), 'DisabledException');
    await rejectsWith(call('GenerateDataKey', { KeyId: k.KeyId, KeySpec: 'AES_256' }), 'DisabledException');
    await rejectsWith(
      call('GenerateDataKeyWithoutPlaintext', { KeyId: k.KeyId, KeySpec: 'AES_256' }),
      'DisabledException',
    );
    await rejectsWith(
      call('ReEncrypt', { CiphertextBlob, DestinationKeyId: (await createKey()).KeyId }),
      'DisabledException',
    );
    expect((await call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.KeyState).toBe('Disabled');
    expect((await call('GetKeyPolicy', { KeyId: k.KeyId })).Policy).toContain('Statement');
    expect(await call('TagResource', { KeyId: k.KeyId, Tags: [{ TagKey: 't', TagValue: 'v' }] })).toEqual({});
    expect((await call('ListResourceTags', { KeyId: k.KeyId })).Tags).toEqual([{ TagKey: 't', TagValue: 'v' }]);
    expect(await call('CreateAlias', { AliasName: 'alias/disabled', TargetKeyId: k.KeyId })).toEqual({});
    await call('EnableKey', { KeyId: k.KeyId });
    expect((await call('Decrypt', { CiphertextBlob })).KeyId).toBe(k.Arn);
  });
});

describe('GetKeyLastUsage', () => {
  it('reports no usage for a new key, then the last successful cryptographic operation', async () => {
    const { createKey, call, clock, audit } = await freshKms();
    const k = await createKey();
    const created = clock.now();
    expect(await call('GetKeyLastUsage', { KeyId: k.KeyId })).toEqual({
      KeyId: k.KeyId,
      KeyLastUsage: {},
      TrackingStartDate: new Date(created),
      KeyCreationDate: new Date(created),
    });
    clock.advanceDays(1);
    const { CiphertextBlob } = await call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') });
    clock.advanceDays(1);
    await call('Decrypt', { CiphertextBlob });
    const decryptEvent = (await audit()).at(-1)!;
    clock.advanceDays(1);
    await rejectsWith(call('Decrypt', { CiphertextBlob, EncryptionContext: { a: 'b' } }), 'InvalidCiphertextException');
    await call('DescribeKey', { KeyId: k.KeyId });
    const r = await call('GetKeyLastUsage', { KeyId: k.Arn });
    expect(r.KeyLastUsage).toEqual({
      Operation: 'Decrypt',
      Timestamp: new Date(created + 2 * 86_400_000),
      CloudTrailEventId: decryptEvent.record.eventID,
      KmsRequestId: decryptEvent.record.requestID,
    });
  });

  it('takes a key ID or key ARN only (alias → NotFoundException)', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    await call('CreateAlias', { AliasName: 'alias/u', TargetKeyId: k.KeyId });
    await rejectsWith(call('GetKeyLastUsage', { KeyId: 'alias/u' }), 'NotFoundException');
    await rejectsWith(call('GetKeyLastUsage', {}), 'ValidationException');
  });
});

describe('key material at rest', () => {
  it('is non-extractable, with an AES-KW copy (40 bytes) under a non-extractable domain key', async () => {
    const { createKey, call, store, kms } = await freshKms();
    const k = await createKey();
    await call('RotateKeyOnDemand', { KeyId: k.KeyId });
    const materials = (await store.read((tx) => tx.listMaterials(k.KeyId))) as SymmetricMaterialRecord[];
    expect(materials).toHaveLength(2);
    for (const m of materials) {
      expect(m.key).toBeInstanceOf(CryptoKey);
      expect(m.key!.extractable).toBe(false);
      expect(m.key!.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 });
      expect(m.wrapped).toBeInstanceOf(ArrayBuffer);
      expect(m.wrapped.byteLength).toBe(40);
      await expect(crypto.subtle.exportKey('raw', m.key!)).rejects.toThrow();
    }
    const domain = await store.read((tx) => tx.getMeta<CryptoKey>('domainKey'));
    expect(domain!.extractable).toBe(false);
    expect(domain!.algorithm.name).toBe('AES-KW');
    expect(
      (kms as unknown as { env: { custodian: { roots(): { domainKey: CryptoKey } } } }).env.custodian.roots().domainKey
        .extractable,
    ).toBe(false);
    // The wrapped copy is the same material: unwrapped under the domain key, it opens a blob.
    const unwrapped = await crypto.subtle.unwrapKey('raw', materials[1]!.wrapped, domain!, 'AES-KW', 'AES-GCM', false, [
      'decrypt',
    ]);
    const { CiphertextBlob } = await call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('wrapped') });
    const { openBlob } = await import('../../../src/kms/material/blob');
    const pt = await openBlob(unwrapped, CiphertextBlob, CiphertextBlob.slice(22, 34), {});
    expect(new TextDecoder().decode(pt)).toBe('wrapped');
  });
});
