// Imported key material end to end (AWS KMS Developer Guide, "Importing key material"): CreateKey with
// Origin EXTERNAL, GetParametersForImport, material wrapped as OpenSSL would, ImportKeyMaterial, use,
// DeleteImportedKeyMaterial and import again, and known answers checked outside Pocket KMS.
import { createDecipheriv, createHmac, createPublicKey, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeEncryptionContext } from '../../../../src/format/encryption-context';
import { freshKms, rejectsWith, utf8, text } from '../../helpers/kms';
import { importMaterial, params, type Alg } from './wrap';

describe('CreateKey with Origin EXTERNAL', () => {
  it('makes a key pending import, with no material, that no cryptographic call can use', async () => {
    const f = await freshKms();
    const k = await f.createKey({ Origin: 'EXTERNAL' });
    expect(k).toMatchObject({
      Origin: 'EXTERNAL',
      KeyState: 'PendingImport',
      Enabled: false,
      KeySpec: 'SYMMETRIC_DEFAULT',
    });
    expect(k).not.toHaveProperty('CurrentKeyMaterialId');
    expect(k).not.toHaveProperty('ExpirationModel');
    expect(await f.store.read((tx) => tx.listMaterials(k.KeyId))).toEqual([]);
    await rejectsWith(f.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') }), 'KMSInvalidStateException');
    await rejectsWith(f.call('GenerateDataKey', { KeyId: k.KeyId, KeySpec: 'AES_256' }), 'KMSInvalidStateException');
    await rejectsWith(f.call('EnableKey', { KeyId: k.KeyId }), 'KMSInvalidStateException');
    await rejectsWith(f.call('DisableKey', { KeyId: k.KeyId }), 'KMSInvalidStateException');
    await rejectsWith(f.call('EnableKeyRotation', { KeyId: k.KeyId }), 'UnsupportedOperationException');
    await rejectsWith(f.call('RotateKeyOnDemand', { KeyId: k.KeyId }), 'KMSInvalidStateException');
    // Aliases, tags and the description work in any state but PendingDeletion, as AWS.
    await f.call('CreateAlias', { AliasName: 'alias/byok', TargetKeyId: k.KeyId });
    await f.call('TagResource', { KeyId: k.KeyId, Tags: [{ TagKey: 't', TagValue: 'v' }] });
  });

  it('is refused for specs whose material Pocket KMS cannot import, and for custom key store origins', async () => {
    const f = await freshKms();
    await rejectsWith(
      f.createKey({ Origin: 'EXTERNAL', KeySpec: 'ML_DSA_44', KeyUsage: 'SIGN_VERIFY' }),
      'UnsupportedOperationException',
    );
    await rejectsWith(f.createKey({ Origin: 'EXTERNAL_KEY_STORE' }), 'UnsupportedOperationException');
    const hmac = await f.createKey({ Origin: 'EXTERNAL', KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    expect(hmac.KeyState).toBe('PendingImport');
  });
});

describe('GetParametersForImport', () => {
  it('returns the key ARN, an RSA public key of the spec, a token and a validity of 24 hours', async () => {
    const f = await freshKms();
    const k = await f.createKey({ Origin: 'EXTERNAL' });
    const p = await params(f, k.KeyId, 'RSAES_OAEP_SHA_256', 'RSA_3072');
    expect(p.KeyId).toBe(k.Arn);
    const pub = createPublicKey({ key: Buffer.from(p.PublicKey), format: 'der', type: 'spki' });
    expect(pub.asymmetricKeyType).toBe('rsa');
    expect(pub.asymmetricKeyDetails?.modulusLength).toBe(3072);
    expect(p.ParametersValidTo).toEqual(new Date(f.clock.now() + 24 * 3_600_000));
    expect(p.ImportToken).toBeInstanceOf(Uint8Array);
  });

  it('refuses keys not of EXTERNAL origin, the deprecated and China-only algorithms, and RSA material under OAEP', async () => {
    const f = await freshKms();
    const own = await f.createKey();
    await rejectsWith(params(f, own.KeyId), 'UnsupportedOperationException');
    const k = await f.createKey({ Origin: 'EXTERNAL' });
    await rejectsWith(
      f.call('GetParametersForImport', {
        KeyId: k.KeyId,
        WrappingAlgorithm: 'RSAES_PKCS1_V1_5',
        WrappingKeySpec: 'RSA_2048',
      }),
      'UnsupportedOperationException',
    );
    await rejectsWith(
      f.call('GetParametersForImport', { KeyId: k.KeyId, WrappingAlgorithm: 'SM2PKE', WrappingKeySpec: 'SM2' }),
      'UnsupportedOperationException',
    );
    await rejectsWith(
      f.call('GetParametersForImport', { KeyId: k.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256' }),
      'ValidationException',
    );
    const rsa = await f.createKey({ Origin: 'EXTERNAL', KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    await rejectsWith(params(f, rsa.KeyId, 'RSAES_OAEP_SHA_256'), 'UnsupportedOperationException');
    // Alias names are not accepted (key ID or key ARN only, as AWS).
    await f.call('CreateAlias', { AliasName: 'alias/x', TargetKeyId: k.KeyId });
    await rejectsWith(params(f, 'alias/x'), 'NotFoundException');
  });
});

describe('a symmetric key with imported material', () => {
  it.each<Alg>(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256'])(
    '%s: encrypts, stops at DeleteImportedKeyMaterial, and decrypts old ciphertext after the same material returns',
    async (alg) => {
      const f = await freshKms();
      const k = await f.createKey({ Origin: 'EXTERNAL' });
      const material = new Uint8Array(randomBytes(32));
      const r = await importMaterial(f, k.KeyId, material, alg);
      expect(r.KeyId).toBe(k.Arn);
      expect(r.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
      const meta = (await f.call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata;
      expect(meta).toMatchObject({
        KeyState: 'Enabled',
        Enabled: true,
        Origin: 'EXTERNAL',
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        CurrentKeyMaterialId: r.KeyMaterialId,
      });
      expect(meta).not.toHaveProperty('ValidTo');

      const { CiphertextBlob } = await f.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('hello import') });
      expect(text((await f.call('Decrypt', { CiphertextBlob })).Plaintext)).toBe('hello import');

      const del = await f.call('DeleteImportedKeyMaterial', { KeyId: k.KeyId });
      expect(del).toEqual({ KeyId: k.Arn, KeyMaterialId: r.KeyMaterialId });
      expect((await f.call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.KeyState).toBe('PendingImport');
      expect(await f.store.read((tx) => tx.listMaterials(k.KeyId))).toEqual([]);
      await rejectsWith(f.call('Decrypt', { CiphertextBlob }), 'KMSInvalidStateException');

      const again = await importMaterial(f, k.KeyId, material, alg);
      expect(again.KeyMaterialId).toBe(r.KeyMaterialId);
      expect(text((await f.call('Decrypt', { CiphertextBlob })).Plaintext)).toBe('hello import');
    },
  );

  it('encrypts with exactly the imported bytes: its blob opens outside Pocket KMS by docs/FORMAT.md alone', async () => {
    const f = await freshKms();
    const k = await f.createKey({ Origin: 'EXTERNAL' });
    const material = randomBytes(32);
    await importMaterial(f, k.KeyId, material);
    const ctx = { purpose: 'known-answer' };
    const blob: Uint8Array = (
      await f.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('kat'), EncryptionContext: ctx })
    ).CiphertextBlob;
    // Header (34 bytes: version, key ID kind, key ID, material version, IV), AES-256-GCM, tag last; AAD is the
    // header and the canonical encryption context.
    const header = blob.subarray(0, 34);
    const d = createDecipheriv('aes-256-gcm', material, blob.subarray(22, 34));
    d.setAAD(Buffer.concat([header, encodeEncryptionContext(ctx)]));
    d.setAuthTag(blob.subarray(blob.length - 16));
    const pt = Buffer.concat([d.update(blob.subarray(34, blob.length - 16)), d.final()]);
    expect(pt.toString()).toBe('kat');
  });

  it('keeps the key Disabled when its material comes back to a disabled key', async () => {
    const f = await freshKms();
    const k = await f.createKey({ Origin: 'EXTERNAL' });
    const material = randomBytes(32);
    await importMaterial(f, k.KeyId, material);
    await f.call('DisableKey', { KeyId: k.KeyId });
    // Reimporting the same material (to change its expiry) leaves a disabled key disabled.
    await importMaterial(f, k.KeyId, material);
    expect((await f.call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.KeyState).toBe('Disabled');
  });
});

describe('HMAC and asymmetric keys with imported material', () => {
  it('HMAC_256: GenerateMac equals Node’s HMAC-SHA-256 under the imported 32 bytes', async () => {
    const f = await freshKms();
    const k = await f.createKey({ Origin: 'EXTERNAL', KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const material = randomBytes(32);
    const r = await importMaterial(f, k.KeyId, material, 'RSAES_OAEP_SHA_1');
    const message = utf8('message to authenticate');
    const { Mac } = await f.call('GenerateMac', { KeyId: k.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' });
    expect(Buffer.from(Mac).equals(createHmac('sha256', material).update(message).digest())).toBe(true);
    // Imported again (same bytes), the material ID is the same; other bytes are refused.
    expect((await importMaterial(f, k.KeyId, material)).KeyMaterialId).toBe(r.KeyMaterialId);
    await rejectsWith(importMaterial(f, k.KeyId, randomBytes(32)), 'IncorrectKeyMaterialException');
    await rejectsWith(importMaterial(f, k.KeyId, randomBytes(16)), 'IncorrectKeyMaterialException');
  });

  it('HMAC_224 (software) through RSA_AES_KEY_WRAP_SHA_256', async () => {
    const f = await freshKms();
    const k = await f.createKey({ Origin: 'EXTERNAL', KeySpec: 'HMAC_224', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const material = randomBytes(28);
    await importMaterial(f, k.KeyId, material, 'RSA_AES_KEY_WRAP_SHA_256');
    const { Mac } = await f.call('GenerateMac', { KeyId: k.KeyId, Message: utf8('m'), MacAlgorithm: 'HMAC_SHA_224' });
    expect(Buffer.from(Mac).equals(createHmac('sha224', material).update('m').digest())).toBe(true);
  });
});
