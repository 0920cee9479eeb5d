// CloudTrail records of the asymmetric, HMAC and ML-KEM operations hold no secrets, and count as key usage.
import { describe, expect, it } from 'vitest';
import { b64, freshKms, hex, utf8 } from '../../helpers/kms';

describe('audit of the new operations', () => {
  it('no private key, shared secret, signature, MAC or message reaches a record; GetKeyLastUsage sees the use', async () => {
    const f = await freshKms();
    const { call, createKey } = f;
    const sym = await createKey();
    const pair = await call('GenerateDataKeyPair', {
      KeyId: sym.KeyId,
      KeyPairSpec: 'ECC_NIST_P256',
      EncryptionContext: { c: 'v' },
    });
    const signer = await createKey({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' });
    const message = utf8('a very particular message zqxjv');
    const sig = await call('Sign', { KeyId: signer.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' });
    await call('Verify', {
      KeyId: signer.KeyId,
      Message: message,
      SigningAlgorithm: 'ECDSA_SHA_256',
      Signature: sig.Signature,
    });
    const hmac = await createKey({ KeySpec: 'HMAC_512', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const mac = await call('GenerateMac', { KeyId: hmac.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_512' });
    const kem = await createKey({ KeySpec: 'ML_KEM_1024', KeyUsage: 'ENCAPSULATE_DECAPSULATE' });
    const enc = await call('Encapsulate', { KeyId: kem.KeyId, EncapsulationAlgorithm: 'ML_KEM' });
    await call('Decapsulate', {
      KeyId: kem.KeyId,
      EncapsulationAlgorithm: 'ML_KEM',
      SharedSecretCiphertextBlob: enc.SharedSecretCiphertextBlob,
    });
    const ecdh = await createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
    const derived = await call('DeriveSharedSecret', {
      KeyId: ecdh.KeyId,
      KeyAgreementAlgorithm: 'ECDH',
      PublicKey: pair.PublicKey,
    });

    const all = JSON.stringify(await f.audit());
    for (const secret of [
      pair.PrivateKeyPlaintext,
      pair.PrivateKeyCiphertextBlob,
      sig.Signature,
      mac.Mac,
      enc.SharedSecret,
      enc.SharedSecretCiphertextBlob,
      derived.SharedSecret,
      message,
    ]) {
      expect(all).not.toContain(b64(secret).slice(0, 24));
      expect(all).not.toContain(hex(secret).slice(0, 24));
    }
    expect(all).not.toContain('zqxjv');
    const entries = await f.audit();
    const signEntry = entries.find((e) => e.eventName === 'Sign')!;
    expect(signEntry.record.requestParameters).toEqual({ keyId: signer.KeyId, signingAlgorithm: 'ECDSA_SHA_256' });
    expect(signEntry.record.responseElements).toBeNull();
    expect((await call('GetKeyLastUsage', { KeyId: signer.KeyId })).KeyLastUsage.Operation).toBe('Verify');
    expect((await call('GetKeyLastUsage', { KeyId: kem.KeyId })).KeyLastUsage.Operation).toBe('Decapsulate');
  });

  it('a failed Verify is recorded once, with KMSInvalidSignatureException, and is not key usage', async () => {
    const f = await freshKms();
    const k = await f.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const before = (await f.audit()).length;
    await f
      .call('Verify', {
        KeyId: k.KeyId,
        Message: utf8('m'),
        SigningAlgorithm: 'ECDSA_SHA_256',
        Signature: new Uint8Array(70),
      })
      .catch(() => undefined);
    const entries = await f.audit();
    expect(entries).toHaveLength(before + 1);
    expect(entries.at(-1)).toMatchObject({
      eventName: 'Verify',
      errorCode: 'KMSInvalidSignatureException',
      usedKeyIds: [],
    });
    expect((await f.call('GetKeyLastUsage', { KeyId: k.KeyId })).KeyLastUsage).toEqual({});
  });
});
