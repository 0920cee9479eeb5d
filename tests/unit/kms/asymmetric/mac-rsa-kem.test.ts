// GenerateMac / VerifyMac (ops/mac.ts), RSA Encrypt / Decrypt (ops/rsa-encryption.ts), Encapsulate /
// Decapsulate (ops/kem.ts), DeriveSharedSecret (ops/agreement.ts) and GenerateDataKeyPair (ops/key-pairs.ts).
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  publicEncrypt,
  constants,
} from 'node:crypto';
import { ml_kem512 } from '@noble/post-quantum/ml-kem.js';
import { describe, expect, it } from 'vitest';
import { decodeSpki } from '../../../../src/format/der';
import { freshKms, rejectsWith, utf8 } from '../../helpers/kms';

describe('GenerateMac and VerifyMac', { timeout: 60_000 }, () => {
  it.each([
    ['HMAC_224', 'HMAC_SHA_224', 'sha224', 28],
    ['HMAC_256', 'HMAC_SHA_256', 'sha256', 32],
    ['HMAC_384', 'HMAC_SHA_384', 'sha384', 48],
    ['HMAC_512', 'HMAC_SHA_512', 'sha512', 64],
  ] as const)('%s: round trip, RFC 2104 length, tampering → KMSInvalidMacException', async (spec, alg, _h, len) => {
    const { call, createKey } = await freshKms();
    const k = await createKey({ KeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC' });
    const msg = utf8('integrity');
    const r = await call('GenerateMac', { KeyId: k.KeyId, Message: msg, MacAlgorithm: alg });
    expect(r).toEqual({ Mac: expect.any(Uint8Array), MacAlgorithm: alg, KeyId: k.Arn });
    expect(r.Mac).toHaveLength(len);
    expect((await call('GenerateMac', { KeyId: k.KeyId, Message: msg, MacAlgorithm: alg })).Mac).toEqual(r.Mac);
    expect(await call('VerifyMac', { KeyId: k.KeyId, Message: msg, MacAlgorithm: alg, Mac: r.Mac })).toEqual({
      KeyId: k.Arn,
      MacValid: true,
      MacAlgorithm: alg,
    });
    const bad = r.Mac.slice();
    bad[0] ^= 1;
    await rejectsWith(
      call('VerifyMac', { KeyId: k.KeyId, Message: msg, MacAlgorithm: alg, Mac: bad }),
      'KMSInvalidMacException',
    );
    await rejectsWith(
      call('VerifyMac', { KeyId: k.KeyId, Message: utf8('other'), MacAlgorithm: alg, Mac: r.Mac }),
      'KMSInvalidMacException',
    );
    await rejectsWith(
      call('VerifyMac', { KeyId: k.KeyId, Message: msg, MacAlgorithm: alg, Mac: r.Mac.subarray(1) }),
      'KMSInvalidMacException',
    );
    const other = alg === 'HMAC_SHA_256' ? 'HMAC_SHA_512' : 'HMAC_SHA_256';
    await rejectsWith(
      call('GenerateMac', { KeyId: k.KeyId, Message: msg, MacAlgorithm: other }),
      'InvalidKeyUsageException',
    );
  });

  it('messages of 1 to 4096 bytes; MacAlgorithm required; wrong usage → InvalidKeyUsageException', async () => {
    const { call, createKey } = await freshKms();
    const k = await createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    await call('GenerateMac', { KeyId: k.KeyId, Message: new Uint8Array(4096), MacAlgorithm: 'HMAC_SHA_256' });
    await rejectsWith(
      call('GenerateMac', { KeyId: k.KeyId, Message: new Uint8Array(4097), MacAlgorithm: 'HMAC_SHA_256' }),
      'ValidationException',
    );
    await rejectsWith(
      call('GenerateMac', { KeyId: k.KeyId, Message: new Uint8Array(0), MacAlgorithm: 'HMAC_SHA_256' }),
      'ValidationException',
    );
    await rejectsWith(call('GenerateMac', { KeyId: k.KeyId, Message: utf8('x') }), 'ValidationException');
    const sym = await createKey();
    await rejectsWith(
      call('GenerateMac', { KeyId: sym.KeyId, Message: utf8('x'), MacAlgorithm: 'HMAC_SHA_256' }),
      'InvalidKeyUsageException',
    );
    await call('DisableKey', { KeyId: k.KeyId });
    await rejectsWith(
      call('GenerateMac', { KeyId: k.KeyId, Message: utf8('x'), MacAlgorithm: 'HMAC_SHA_256' }),
      'DisabledException',
    );
  });

  it('MACs are plain HMAC: two HMAC keys give different MACs; a MAC never verifies under another key', async () => {
    const { call, createKey } = await freshKms();
    const a = await createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const b = await createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const { Mac } = await call('GenerateMac', { KeyId: a.KeyId, Message: utf8('m'), MacAlgorithm: 'HMAC_SHA_256' });
    await rejectsWith(
      call('VerifyMac', { KeyId: b.KeyId, Message: utf8('m'), MacAlgorithm: 'HMAC_SHA_256', Mac }),
      'KMSInvalidMacException',
    );
    expect(Buffer.from(Mac).equals(createHmac('sha256', 'not the key').update('m').digest())).toBe(false);
  });
});

describe('RSA Encrypt and Decrypt', { timeout: 60_000 }, () => {
  it.each([
    ['RSA_2048', 214, 190],
    ['RSA_3072', 342, 318],
    ['RSA_4096', 470, 446],
  ] as const)(
    '%s: round trips at the AWS plaintext limits (SHA-1 %i, SHA-256 %i bytes)',
    async (spec, sha1, sha256) => {
      const { call, createKey } = await freshKms();
      const k = await createKey({ KeySpec: spec, KeyUsage: 'ENCRYPT_DECRYPT' });
      for (const [alg, max] of [
        ['RSAES_OAEP_SHA_1', sha1],
        ['RSAES_OAEP_SHA_256', sha256],
      ] as const) {
        const pt = crypto.getRandomValues(new Uint8Array(max));
        const e = await call('Encrypt', { KeyId: k.KeyId, Plaintext: pt, EncryptionAlgorithm: alg });
        expect(e).toMatchObject({ KeyId: k.Arn, EncryptionAlgorithm: alg });
        expect(e.CiphertextBlob).toHaveLength(Number(spec.slice(4)) / 8);
        expect(
          (await call('Decrypt', { KeyId: k.KeyId, CiphertextBlob: e.CiphertextBlob, EncryptionAlgorithm: alg }))
            .Plaintext,
        ).toEqual(pt);
        await rejectsWith(
          call('Encrypt', { KeyId: k.KeyId, Plaintext: new Uint8Array(max + 1), EncryptionAlgorithm: alg }),
          'ValidationException',
        );
        const bad = e.CiphertextBlob.slice();
        bad[5] ^= 1;
        await rejectsWith(
          call('Decrypt', { KeyId: k.KeyId, CiphertextBlob: bad, EncryptionAlgorithm: alg }),
          'InvalidCiphertextException',
        );
      }
    },
  );

  it('Node encrypts with the public key, Pocket KMS decrypts; no encryption context; KeyId required; other algorithm fails', async () => {
    const { call, createKey } = await freshKms();
    const k = await createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    const { PublicKey } = await call('GetPublicKey', { KeyId: k.KeyId });
    const pub = createPublicKey({ key: Buffer.from(PublicKey), format: 'der', type: 'spki' });
    const ct = new Uint8Array(
      publicEncrypt(
        { key: pub, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
        Buffer.from('from node'),
      ),
    );
    expect(
      (await call('Decrypt', { KeyId: k.Arn, CiphertextBlob: ct, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }))
        .Plaintext,
    ).toEqual(utf8('from node'));
    await rejectsWith(
      call('Decrypt', { KeyId: k.KeyId, CiphertextBlob: ct, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }),
      'InvalidCiphertextException',
    );
    await rejectsWith(
      call('Decrypt', { CiphertextBlob: ct, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
      'ValidationException',
    );
    await rejectsWith(
      call('Encrypt', {
        KeyId: k.KeyId,
        Plaintext: utf8('x'),
        EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
        EncryptionContext: { a: 'b' },
      }),
      'ValidationException',
    );
    await rejectsWith(call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') }), 'InvalidKeyUsageException');
    await rejectsWith(call('Decrypt', { KeyId: k.KeyId, CiphertextBlob: ct }), 'InvalidKeyUsageException');
    const signer = await createKey({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    await rejectsWith(
      call('Encrypt', { KeyId: signer.KeyId, Plaintext: utf8('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
      'InvalidKeyUsageException',
    );
  });
});

describe('Encapsulate and Decapsulate (ML-KEM)', { timeout: 60_000 }, () => {
  it.each([
    ['ML_KEM_512', 768],
    ['ML_KEM_768', 1088],
    ['ML_KEM_1024', 1568],
  ] as const)('%s: 32-byte secret, %i-byte ciphertext, implicit rejection', async (spec, ctLen) => {
    const { call, createKey } = await freshKms();
    const k = await createKey({ KeySpec: spec, KeyUsage: 'ENCAPSULATE_DECAPSULATE' });
    const e = await call('Encapsulate', { KeyId: k.KeyId, EncapsulationAlgorithm: 'ML_KEM' });
    expect(e).toMatchObject({ KeyId: k.Arn, EncapsulationAlgorithm: 'ML_KEM' });
    expect(e.SharedSecret).toHaveLength(32);
    expect(e.SharedSecretCiphertextBlob).toHaveLength(ctLen);
    const d = await call('Decapsulate', {
      KeyId: k.KeyId,
      EncapsulationAlgorithm: 'ML_KEM',
      SharedSecretCiphertextBlob: e.SharedSecretCiphertextBlob,
    });
    expect(d).toEqual({ KeyId: k.Arn, SharedSecret: e.SharedSecret, EncapsulationAlgorithm: 'ML_KEM' });
    const bad = e.SharedSecretCiphertextBlob.slice();
    bad[0] ^= 1;
    const r = await call('Decapsulate', {
      KeyId: k.KeyId,
      EncapsulationAlgorithm: 'ML_KEM',
      SharedSecretCiphertextBlob: bad,
    });
    expect(r.SharedSecret).toHaveLength(32);
    expect(r.SharedSecret).not.toEqual(e.SharedSecret);
    await rejectsWith(
      call('Decapsulate', {
        KeyId: k.KeyId,
        EncapsulationAlgorithm: 'ML_KEM',
        SharedSecretCiphertextBlob: bad.subarray(1),
      }),
      'InvalidCiphertextException',
    );
    await rejectsWith(call('Encapsulate', { KeyId: k.KeyId }), 'ValidationException');
  });

  it('a secret encapsulated by @noble with the public key from GetPublicKey decapsulates in Pocket KMS', async () => {
    const { call, createKey } = await freshKms();
    const k = await createKey({ KeySpec: 'ML_KEM_512', KeyUsage: 'ENCAPSULATE_DECAPSULATE' });
    const { PublicKey } = await call('GetPublicKey', { KeyId: k.KeyId });
    const { cipherText, sharedSecret } = ml_kem512.encapsulate(decodeSpki(PublicKey).key);
    const d = await call('Decapsulate', {
      KeyId: k.KeyId,
      EncapsulationAlgorithm: 'ML_KEM',
      SharedSecretCiphertextBlob: cipherText,
    });
    expect(d.SharedSecret).toEqual(sharedSecret);
    const sign = await createKey({ KeySpec: 'ML_DSA_44', KeyUsage: 'SIGN_VERIFY' });
    await rejectsWith(
      call('Encapsulate', { KeyId: sign.KeyId, EncapsulationAlgorithm: 'ML_KEM' }),
      'InvalidKeyUsageException',
    );
  });
});

describe('DeriveSharedSecret', { timeout: 60_000 }, () => {
  it('equals node:crypto ECDH from the peer side; a wrong curve or garbage key is ValidationException', async () => {
    const { call, createKey } = await freshKms();
    const k = await createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
    const { PublicKey } = await call('GetPublicKey', { KeyId: k.KeyId });
    const peer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const peerDer = new Uint8Array(peer.publicKey.export({ format: 'der', type: 'spki' }));
    const r = await call('DeriveSharedSecret', { KeyId: k.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peerDer });
    const theirs = diffieHellman({
      privateKey: peer.privateKey,
      publicKey: createPublicKey({ key: Buffer.from(PublicKey), format: 'der', type: 'spki' }),
    });
    expect(Buffer.from(r.SharedSecret).equals(theirs)).toBe(true);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({
      format: 'der',
      type: 'spki',
    });
    await rejectsWith(
      call('DeriveSharedSecret', { KeyId: k.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: new Uint8Array(p384) }),
      'ValidationException',
    );
    await rejectsWith(
      call('DeriveSharedSecret', { KeyId: k.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: utf8('not a key') }),
      'ValidationException',
    );
    await rejectsWith(call('DeriveSharedSecret', { KeyId: k.KeyId, PublicKey: peerDer }), 'ValidationException');
    const signer = await createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    await rejectsWith(
      call('DeriveSharedSecret', { KeyId: signer.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peerDer }),
      'InvalidKeyUsageException',
    );
  });
});

describe('GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext', { timeout: 60_000 }, () => {
  it('seal the PKCS#8 private key under a symmetric key with the encryption context; node:crypto loads it', async () => {
    const { call, createKey } = await freshKms();
    const k = await createKey();
    const ctx = { app: 'pairs' };
    const r = await call('GenerateDataKeyPair', {
      KeyId: k.KeyId,
      KeyPairSpec: 'ECC_SECG_P256K1',
      EncryptionContext: ctx,
    });
    expect(r).toMatchObject({ KeyId: k.Arn, KeyPairSpec: 'ECC_SECG_P256K1', KeyMaterialId: k.CurrentKeyMaterialId });
    const priv = createPrivateKey({ key: Buffer.from(r.PrivateKeyPlaintext), format: 'der', type: 'pkcs8' });
    expect(
      Buffer.from(createPublicKey(priv).export({ format: 'der', type: 'spki' })).equals(Buffer.from(r.PublicKey)),
    ).toBe(true);
    await rejectsWith(
      call('Decrypt', { CiphertextBlob: r.PrivateKeyCiphertextBlob, EncryptionContext: { app: 'other' } }),
      'InvalidCiphertextException',
    );
    const w = await call('GenerateDataKeyPairWithoutPlaintext', {
      KeyId: k.KeyId,
      KeyPairSpec: 'RSA_2048',
      EncryptionContext: ctx,
    });
    expect(w).not.toHaveProperty('PrivateKeyPlaintext');
    const { Plaintext } = await call('Decrypt', { CiphertextBlob: w.PrivateKeyCiphertextBlob, EncryptionContext: ctx });
    const rsa = createPrivateKey({ key: Buffer.from(Plaintext), format: 'der', type: 'pkcs8' });
    expect(
      Buffer.from(createPublicKey(rsa).export({ format: 'der', type: 'spki' })).equals(Buffer.from(w.PublicKey)),
    ).toBe(true);
  });

  it('KeyPairSpec is required; SM2 and ML-KEM pairs are UnsupportedOperationException; others ValidationException', async () => {
    const { call, createKey } = await freshKms();
    const k = await createKey();
    await rejectsWith(call('GenerateDataKeyPair', { KeyId: k.KeyId }), 'ValidationException');
    await rejectsWith(call('GenerateDataKeyPair', { KeyId: k.KeyId, KeyPairSpec: 'HMAC_256' }), 'ValidationException');
    await rejectsWith(
      call('GenerateDataKeyPair', { KeyId: k.KeyId, KeyPairSpec: 'SM2' }),
      'UnsupportedOperationException',
    );
    await rejectsWith(
      call('GenerateDataKeyPair', { KeyId: k.KeyId, KeyPairSpec: 'ML_KEM_768' }),
      'UnsupportedOperationException',
    );
    await rejectsWith(call('GenerateDataKeyPair', { KeyPairSpec: 'RSA_2048' }), 'ValidationException');
  });
});

describe('ReEncrypt with RSA keys', { timeout: 60_000 }, () => {
  it('RSA → symmetric, symmetric → RSA and RSA → RSA, in one audited call each', async () => {
    const f = await freshKms();
    const { call, createKey } = f;
    const sym = await createKey();
    const a = await createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    const b = await createKey({ KeySpec: 'RSA_3072', KeyUsage: 'ENCRYPT_DECRYPT' });
    const pt = utf8('moving between keys');
    const { CiphertextBlob: rsaBlob } = await call('Encrypt', {
      KeyId: a.KeyId,
      Plaintext: pt,
      EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    });

    const before = (await f.audit()).length;
    const toSym = await call('ReEncrypt', {
      CiphertextBlob: rsaBlob,
      SourceKeyId: a.KeyId,
      SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      DestinationKeyId: sym.KeyId,
      DestinationEncryptionContext: { x: 'y' },
    });
    expect((await f.audit()).length).toBe(before + 1);
    expect(toSym).toMatchObject({
      SourceKeyId: a.Arn,
      KeyId: sym.Arn,
      SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationKeyMaterialId: sym.CurrentKeyMaterialId,
    });
    expect(toSym).not.toHaveProperty('SourceKeyMaterialId');
    expect(
      (await call('Decrypt', { CiphertextBlob: toSym.CiphertextBlob, EncryptionContext: { x: 'y' } })).Plaintext,
    ).toEqual(pt);

    const toRsa = await call('ReEncrypt', {
      CiphertextBlob: toSym.CiphertextBlob,
      SourceEncryptionContext: { x: 'y' },
      DestinationKeyId: b.KeyId,
      DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
    });
    expect(toRsa).toMatchObject({
      SourceKeyId: sym.Arn,
      KeyId: b.Arn,
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
      SourceKeyMaterialId: sym.CurrentKeyMaterialId,
    });
    expect(
      (
        await call('Decrypt', {
          KeyId: b.KeyId,
          CiphertextBlob: toRsa.CiphertextBlob,
          EncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
        })
      ).Plaintext,
    ).toEqual(pt);

    const rsaToRsa = await call('ReEncrypt', {
      CiphertextBlob: toRsa.CiphertextBlob,
      SourceKeyId: b.KeyId,
      SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
      DestinationKeyId: a.Arn,
      DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    });
    expect(
      (
        await call('Decrypt', {
          KeyId: a.KeyId,
          CiphertextBlob: rsaToRsa.CiphertextBlob,
          EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
        })
      ).Plaintext,
    ).toEqual(pt);
  });

  it('SourceKeyId is required for an RSA source; RSA sides take no encryption context; limits and usage hold', async () => {
    const { call, createKey } = await freshKms();
    const sym = await createKey();
    const a = await createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    const { CiphertextBlob } = await call('Encrypt', {
      KeyId: a.KeyId,
      Plaintext: utf8('x'),
      EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    });
    const base = { CiphertextBlob, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationKeyId: sym.KeyId };
    await rejectsWith(call('ReEncrypt', base), 'ValidationException');
    await rejectsWith(
      call('ReEncrypt', { ...base, SourceKeyId: a.KeyId, SourceEncryptionContext: { a: 'b' } }),
      'ValidationException',
    );
    await rejectsWith(call('ReEncrypt', { ...base, SourceKeyId: sym.KeyId }), 'InvalidKeyUsageException');
    const big = await call('Encrypt', { KeyId: sym.KeyId, Plaintext: new Uint8Array(300) });
    await rejectsWith(
      call('ReEncrypt', {
        CiphertextBlob: big.CiphertextBlob,
        DestinationKeyId: a.KeyId,
        DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      }),
      'ValidationException',
    );
    await rejectsWith(
      call('ReEncrypt', {
        CiphertextBlob: big.CiphertextBlob,
        DestinationKeyId: a.KeyId,
        DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
        DestinationEncryptionContext: { a: 'b' },
      }),
      'ValidationException',
    );
    const bad = CiphertextBlob.slice();
    bad[9] ^= 1;
    await rejectsWith(
      call('ReEncrypt', { ...base, CiphertextBlob: bad, SourceKeyId: a.KeyId }),
      'InvalidCiphertextException',
    );
  });
});
