// CreateKey for asymmetric and HMAC key specs (src/kms/ops/keys.ts, src/kms/asymmetric/specs.ts):
// AWS's KeyUsage rules, KeyMetadata algorithm lists, storage per ADR 0005, and no rotation.
import { describe, expect, it } from 'vitest';
import type { KeyPairMaterialRecord } from '../../../../src/kms/records';
import { freshKms, rejectsWith } from '../../helpers/kms';

const VALID: [string, string, Record<string, string[]>][] = [
  ['RSA_2048', 'ENCRYPT_DECRYPT', { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }],
  [
    'RSA_3072',
    'SIGN_VERIFY',
    {
      SigningAlgorithms: [
        'RSASSA_PKCS1_V1_5_SHA_256',
        'RSASSA_PKCS1_V1_5_SHA_384',
        'RSASSA_PKCS1_V1_5_SHA_512',
        'RSASSA_PSS_SHA_256',
        'RSASSA_PSS_SHA_384',
        'RSASSA_PSS_SHA_512',
      ],
    },
  ],
  ['RSA_4096', 'ENCRYPT_DECRYPT', { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }],
  ['ECC_NIST_P256', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_256'] }],
  ['ECC_NIST_P384', 'KEY_AGREEMENT', { KeyAgreementAlgorithms: ['ECDH'] }],
  ['ECC_NIST_P521', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_512'] }],
  ['ECC_SECG_P256K1', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_256'] }],
  ['ECC_NIST_EDWARDS25519', 'SIGN_VERIFY', { SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] }],
  ['ML_DSA_44', 'SIGN_VERIFY', { SigningAlgorithms: ['ML_DSA_SHAKE_256'] }],
  ['ML_DSA_65', 'SIGN_VERIFY', { SigningAlgorithms: ['ML_DSA_SHAKE_256'] }],
  ['ML_DSA_87', 'SIGN_VERIFY', { SigningAlgorithms: ['ML_DSA_SHAKE_256'] }],
  ['ML_KEM_512', 'ENCAPSULATE_DECAPSULATE', { EncapsulationAlgorithms: ['ML_KEM'] }],
  ['ML_KEM_768', 'ENCAPSULATE_DECAPSULATE', { EncapsulationAlgorithms: ['ML_KEM'] }],
  ['ML_KEM_1024', 'ENCAPSULATE_DECAPSULATE', { EncapsulationAlgorithms: ['ML_KEM'] }],
  ['HMAC_224', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_224'] }],
  ['HMAC_256', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_256'] }],
  ['HMAC_384', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_384'] }],
  ['HMAC_512', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_512'] }],
];

const USAGES = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT', 'ENCAPSULATE_DECAPSULATE'];
const ALLOWED: Record<string, string[]> = {
  RSA: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
  ECC_NIST_P: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  ECC_SECG: ['SIGN_VERIFY'],
  ECC_NIST_EDWARDS: ['SIGN_VERIFY'],
  ML_DSA: ['SIGN_VERIFY'],
  ML_KEM: ['ENCAPSULATE_DECAPSULATE'],
  HMAC: ['GENERATE_VERIFY_MAC'],
};
const allowedFor = (spec: string) => Object.entries(ALLOWED).find(([p]) => spec.startsWith(p))![1];

describe('CreateKey with asymmetric and HMAC key specs', { timeout: 60_000 }, () => {
  it.each(VALID)(
    '%s with %s: KeyMetadata lists its algorithms as AWS does; DescribeKey agrees',
    async (spec, usage, lists) => {
      const { call, createKey } = await freshKms();
      const k = await createKey({ KeySpec: spec, KeyUsage: usage });
      expect(k).toMatchObject({
        KeySpec: spec,
        CustomerMasterKeySpec: spec,
        KeyUsage: usage,
        KeyState: 'Enabled',
        Enabled: true,
        Origin: 'AWS_KMS',
        ...lists,
      });
      for (const f of [
        'EncryptionAlgorithms',
        'SigningAlgorithms',
        'MacAlgorithms',
        'KeyAgreementAlgorithms',
        'EncapsulationAlgorithms',
      ]) {
        if (!(f in lists)) expect(k, f).not.toHaveProperty(f);
      }
      expect((await call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata).toEqual(k);
    },
  );

  it.each(VALID.map(([s]) => s).filter((s, i, a) => a.indexOf(s) === i))(
    '%s: every other KeyUsage is ValidationException and creates nothing',
    async (spec) => {
      const { call } = await freshKms();
      for (const usage of USAGES.filter((u) => !allowedFor(spec).includes(u))) {
        await rejectsWith(call('CreateKey', { KeySpec: spec, KeyUsage: usage }), 'ValidationException');
      }
      expect((await call('ListKeys')).Keys).toEqual([]);
    },
  );

  it('KeyUsage defaults to ENCRYPT_DECRYPT: RSA is created, ECC and HMAC without KeyUsage are refused', async () => {
    const { call } = await freshKms();
    expect((await call('CreateKey', { KeySpec: 'RSA_2048' })).KeyMetadata.KeyUsage).toBe('ENCRYPT_DECRYPT');
    await rejectsWith(call('CreateKey', { KeySpec: 'ECC_NIST_P256' }), 'ValidationException');
    await rejectsWith(call('CreateKey', { KeySpec: 'HMAC_256' }), 'ValidationException');
    await rejectsWith(call('CreateKey', { CustomerMasterKeySpec: 'ML_DSA_44' }), 'ValidationException');
    expect(
      (await call('CreateKey', { CustomerMasterKeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata
        .KeySpec,
    ).toBe('ECC_SECG_P256K1');
  });

  it('stores browser-protected keys as non-extractable CryptoKeys plus a sealed copy; software keys only sealed', async () => {
    const { createKey, store } = await freshKms();
    const get = async (id: string) => (await store.read((tx) => tx.getMaterial(id, 1))) as KeyPairMaterialRecord;
    const rsa = await get((await createKey({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })).KeyId);
    expect(Object.keys(rsa.cryptoKeys).sort()).toEqual([
      'RSA-PSS/SHA-256',
      'RSA-PSS/SHA-384',
      'RSA-PSS/SHA-512',
      'RSASSA-PKCS1-v1_5/SHA-256',
      'RSASSA-PKCS1-v1_5/SHA-384',
      'RSASSA-PKCS1-v1_5/SHA-512',
    ]);
    for (const key of Object.values(rsa.cryptoKeys)) {
      expect(key.extractable).toBe(false);
      await expect(crypto.subtle.exportKey('pkcs8', key)).rejects.toThrow();
    }
    const hmac = await get((await createKey({ KeySpec: 'HMAC_512', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyId);
    expect(hmac.cryptoKeys.HMAC!.extractable).toBe(false);
    expect(hmac.publicKey).toBeUndefined();
    for (const spec of ['ECC_SECG_P256K1', 'ML_DSA_65']) {
      const m = await get((await createKey({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' })).KeyId);
      expect(m.cryptoKeys).toEqual({});
      expect(m.sealed.byteLength).toBeGreaterThan(16);
    }
  });

  it('asymmetric and HMAC keys have no rotation (UnsupportedOperationException), as AWS', async () => {
    const { call, createKey } = await freshKms();
    for (const req of [
      { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' },
      { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' },
      { KeySpec: 'ML_KEM_512', KeyUsage: 'ENCAPSULATE_DECAPSULATE' },
    ]) {
      const k = await createKey(req);
      await rejectsWith(call('EnableKeyRotation', { KeyId: k.KeyId }), 'UnsupportedOperationException');
      await rejectsWith(call('DisableKeyRotation', { KeyId: k.KeyId }), 'UnsupportedOperationException');
      await rejectsWith(call('RotateKeyOnDemand', { KeyId: k.KeyId }), 'UnsupportedOperationException');
      await rejectsWith(call('GetKeyRotationStatus', { KeyId: k.KeyId }), 'UnsupportedOperationException');
      await rejectsWith(call('ListKeyRotations', { KeyId: k.KeyId }), 'UnsupportedOperationException');
    }
  });

  it('symmetric operations refuse asymmetric and HMAC keys with InvalidKeyUsageException', async () => {
    const { call, createKey } = await freshKms();
    for (const req of [
      { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' },
      { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' },
      { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' },
    ]) {
      const k = await createKey(req);
      await rejectsWith(call('Encrypt', { KeyId: k.KeyId, Plaintext: new Uint8Array(4) }), 'InvalidKeyUsageException');
      await rejectsWith(call('GenerateDataKey', { KeyId: k.KeyId, KeySpec: 'AES_256' }), 'InvalidKeyUsageException');
      await rejectsWith(
        call('GenerateDataKeyPair', { KeyId: k.KeyId, KeyPairSpec: 'ECC_NIST_P256' }),
        'InvalidKeyUsageException',
      );
    }
  });

  it('an alias cannot move between keys of different spec or usage', async () => {
    const { call, createKey } = await freshKms();
    const a = await createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const b = await createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
    await call('CreateAlias', { AliasName: 'alias/ec', TargetKeyId: a.KeyId });
    await rejectsWith(call('UpdateAlias', { AliasName: 'alias/ec', TargetKeyId: b.KeyId }), 'KMSInvalidStateException');
  });
});
