// Sign / Verify / GetPublicKey (src/kms/ops/sign.ts): every signing spec and algorithm, RAW and DIGEST,
// tampering, AWS's limits and usage errors, key states. OpenSSL cross-checks are in openssl.test.ts.
import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import { shake256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import { decodeSpki } from '../../../../src/format/der';
import { freshKms, rejectsWith, utf8 } from '../../helpers/kms';
import { digest, messageTypes, SIGNING } from './helpers';

describe('Sign and Verify round trips', { timeout: 60_000 }, () => {
  it.each(Object.entries(SIGNING))(
    '%s: every algorithm, RAW and DIGEST; tampering fails with KMSInvalidSignatureException',
    async (spec, algs) => {
      const { call, createKey } = await freshKms();
      const k = await createKey({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' });
      expect(k.SigningAlgorithms).toEqual(expect.arrayContaining(algs));
      const msg = utf8(`release artifact signed with ${spec}`);
      for (const alg of algs) {
        for (const type of messageTypes(alg)) {
          const Message = type === 'DIGEST' ? digest(alg, msg) : msg;
          const s = await call('Sign', { KeyId: k.KeyId, Message, MessageType: type, SigningAlgorithm: alg });
          expect(s).toMatchObject({ KeyId: k.Arn, SigningAlgorithm: alg });
          const v = await call('Verify', {
            KeyId: k.KeyId,
            Message,
            MessageType: type,
            SigningAlgorithm: alg,
            Signature: s.Signature,
          });
          expect(v).toEqual({ KeyId: k.Arn, SignatureValid: true, SigningAlgorithm: alg });
          const badSig = s.Signature.slice();
          badSig[badSig.length >> 1] ^= 1;
          await rejectsWith(
            call('Verify', { KeyId: k.KeyId, Message, MessageType: type, SigningAlgorithm: alg, Signature: badSig }),
            'KMSInvalidSignatureException',
          );
          const badMsg = Message.slice();
          badMsg[0]! ^= 1;
          await rejectsWith(
            call('Verify', {
              KeyId: k.KeyId,
              Message: badMsg,
              MessageType: type,
              SigningAlgorithm: alg,
              Signature: s.Signature,
            }),
            'KMSInvalidSignatureException',
          );
          await rejectsWith(
            call('Verify', {
              KeyId: k.KeyId,
              Message,
              MessageType: type,
              SigningAlgorithm: alg,
              Signature: s.Signature.subarray(0, 10),
            }),
            'KMSInvalidSignatureException',
          );
        }
      }
    },
    60_000,
  );

  it('a RAW signature verifies as DIGEST of the same message and vice versa (one message, two spellings)', async () => {
    const { call, createKey } = await freshKms();
    for (const [spec, alg] of [
      ['ECC_NIST_P256', 'ECDSA_SHA_256'],
      ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_256'],
      ['RSA_2048', 'RSASSA_PSS_SHA_256'],
      ['ECC_SECG_P256K1', 'ECDSA_SHA_256'],
      ['ECC_NIST_P521', 'ECDSA_SHA_512'],
    ] as const) {
      const k = await createKey({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' });
      const msg = utf8('same message');
      const raw = await call('Sign', { KeyId: k.KeyId, Message: msg, SigningAlgorithm: alg });
      await call('Verify', {
        KeyId: k.KeyId,
        Message: digest(alg, msg),
        MessageType: 'DIGEST',
        SigningAlgorithm: alg,
        Signature: raw.Signature,
      });
      const dig = await call('Sign', {
        KeyId: k.KeyId,
        Message: digest(alg, msg),
        MessageType: 'DIGEST',
        SigningAlgorithm: alg,
      });
      await call('Verify', { KeyId: k.KeyId, Message: msg, SigningAlgorithm: alg, Signature: dig.Signature });
    }
  });

  it('RSASSA-PKCS1-v1_5 over a digest (software) equals WebCrypto over the message (deterministic scheme)', async () => {
    const { call, createKey } = await freshKms();
    const k = await createKey({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    const msg = utf8('deterministic');
    const a = await call('Sign', { KeyId: k.KeyId, Message: msg, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_384' });
    const b = await call('Sign', {
      KeyId: k.KeyId,
      Message: digest('RSASSA_PKCS1_V1_5_SHA_384', msg),
      MessageType: 'DIGEST',
      SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_384',
    });
    expect(b.Signature).toEqual(a.Signature);
  });

  it('ECDSA signatures are DER (SEQUENCE of two INTEGERs), as AWS returns them', async () => {
    const { call, createKey } = await freshKms();
    for (const [spec, alg] of [
      ['ECC_NIST_P256', 'ECDSA_SHA_256'],
      ['ECC_NIST_P384', 'ECDSA_SHA_384'],
      ['ECC_NIST_P521', 'ECDSA_SHA_512'],
      ['ECC_SECG_P256K1', 'ECDSA_SHA_256'],
    ]) {
      const k = await createKey({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' });
      const { Signature } = await call('Sign', { KeyId: k.KeyId, Message: utf8('der'), SigningAlgorithm: alg });
      expect(Signature[0]).toBe(0x30);
      expect(Signature[Signature[1] & 0x80 ? 3 : 2]).toBe(0x02);
    }
  });

  it('ML-DSA with EXTERNAL_MU: μ computed outside (FIPS 204 §6.2) signs to a signature that verifies RAW, and back', async () => {
    const { call, createKey } = await freshKms();
    const k = await createKey({ KeySpec: 'ML_DSA_44', KeyUsage: 'SIGN_VERIFY' });
    const { PublicKey } = await call('GetPublicKey', { KeyId: k.KeyId });
    const pk = decodeSpki(PublicKey).key;
    const msg = utf8('a large artifact, represented by mu');
    // μ = SHAKE256(SHAKE256(pk, 64) ‖ 0x00 ‖ 0x00 ‖ M, 64): pure ML-DSA with an empty context.
    const tr = shake256(pk, { dkLen: 64 });
    const mu = shake256(new Uint8Array([...tr, 0, 0, ...msg]), { dkLen: 64 });
    const s = await call('Sign', {
      KeyId: k.KeyId,
      Message: mu,
      MessageType: 'EXTERNAL_MU',
      SigningAlgorithm: 'ML_DSA_SHAKE_256',
    });
    await call('Verify', {
      KeyId: k.KeyId,
      Message: msg,
      SigningAlgorithm: 'ML_DSA_SHAKE_256',
      Signature: s.Signature,
    });
    expect(ml_dsa44.verify(s.Signature, msg, pk)).toBe(true);
    const raw = await call('Sign', { KeyId: k.KeyId, Message: msg, SigningAlgorithm: 'ML_DSA_SHAKE_256' });
    await call('Verify', {
      KeyId: k.KeyId,
      Message: mu,
      MessageType: 'EXTERNAL_MU',
      SigningAlgorithm: 'ML_DSA_SHAKE_256',
      Signature: raw.Signature,
    });
    await rejectsWith(
      call('Sign', {
        KeyId: k.KeyId,
        Message: mu.subarray(1),
        MessageType: 'EXTERNAL_MU',
        SigningAlgorithm: 'ML_DSA_SHAKE_256',
      }),
      'ValidationException',
    );
    await rejectsWith(
      call('Sign', {
        KeyId: k.KeyId,
        Message: digest('ECDSA_SHA_512', msg),
        MessageType: 'DIGEST',
        SigningAlgorithm: 'ML_DSA_SHAKE_256',
      }),
      'ValidationException',
    );
  });

  it('Ed25519ph signs SHA-512 of the given digest again (AWS: the input is hashed twice)', async () => {
    const { ed25519ph } = await import('@noble/curves/ed25519.js');
    const { call, createKey } = await freshKms();
    const k = await createKey({ KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' });
    const { PublicKey } = await call('GetPublicKey', { KeyId: k.KeyId });
    const d = digest('ED25519_PH_SHA_512', utf8('prehashed'));
    const { Signature } = await call('Sign', {
      KeyId: k.KeyId,
      Message: d,
      MessageType: 'DIGEST',
      SigningAlgorithm: 'ED25519_PH_SHA_512',
    });
    expect(ed25519ph.verify(Signature, d, decodeSpki(PublicKey).key)).toBe(true);
    expect(Signature).toHaveLength(64);
  });
});

describe('Sign and Verify: AWS limits and errors', { timeout: 60_000 }, () => {
  it('RAW messages of 1 to 4096 bytes; DIGEST must match the hash length; EXTERNAL_MU only for ML-DSA', async () => {
    const { call, createKey } = await freshKms();
    const k = await createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const sign = (r: Record<string, unknown>) =>
      call('Sign', { KeyId: k.KeyId, SigningAlgorithm: 'ECDSA_SHA_256', ...r });
    await sign({ Message: new Uint8Array(4096) });
    await rejectsWith(sign({ Message: new Uint8Array(4097) }), 'ValidationException');
    await rejectsWith(sign({ Message: new Uint8Array(0) }), 'ValidationException');
    await rejectsWith(sign({}), 'ValidationException');
    await rejectsWith(sign({ Message: new Uint8Array(31), MessageType: 'DIGEST' }), 'ValidationException');
    await rejectsWith(sign({ Message: new Uint8Array(48), MessageType: 'DIGEST' }), 'ValidationException');
    await rejectsWith(sign({ Message: new Uint8Array(64), MessageType: 'EXTERNAL_MU' }), 'ValidationException');
    await rejectsWith(sign({ Message: utf8('x'), MessageType: 'HASHED' }), 'ValidationException');
    await rejectsWith(call('Sign', { KeyId: k.KeyId, Message: utf8('x') }), 'ValidationException');
    await rejectsWith(
      call('Sign', { KeyId: k.KeyId, Message: utf8('x'), SigningAlgorithm: 'ECDSA_SHA_512' }),
      'InvalidKeyUsageException',
    );
    await rejectsWith(
      call('Sign', { KeyId: k.KeyId, Message: utf8('x'), SigningAlgorithm: 'RSASSA_PSS_SHA_256' }),
      'InvalidKeyUsageException',
    );
    await rejectsWith(
      call('Verify', { KeyId: k.KeyId, Message: utf8('x'), SigningAlgorithm: 'ECDSA_SHA_256' }),
      'ValidationException',
    );
  });

  it('Ed25519: ED25519_SHA_512 takes RAW only, ED25519_PH_SHA_512 DIGEST (64 bytes) only', async () => {
    const { call, createKey } = await freshKms();
    const k = await createKey({ KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' });
    await rejectsWith(
      call('Sign', {
        KeyId: k.KeyId,
        Message: new Uint8Array(64),
        MessageType: 'DIGEST',
        SigningAlgorithm: 'ED25519_SHA_512',
      }),
      'ValidationException',
    );
    await rejectsWith(
      call('Sign', { KeyId: k.KeyId, Message: utf8('x'), SigningAlgorithm: 'ED25519_PH_SHA_512' }),
      'ValidationException',
    );
    await rejectsWith(
      call('Sign', {
        KeyId: k.KeyId,
        Message: new Uint8Array(32),
        MessageType: 'DIGEST',
        SigningAlgorithm: 'ED25519_PH_SHA_512',
      }),
      'ValidationException',
    );
  });

  it('keys of another usage answer InvalidKeyUsageException; symmetric keys too', async () => {
    const { call, createKey } = await freshKms();
    for (const req of [
      {},
      { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' },
      { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' },
      { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' },
    ]) {
      const k = await createKey(req);
      await rejectsWith(
        call('Sign', { KeyId: k.KeyId, Message: utf8('x'), SigningAlgorithm: 'RSASSA_PSS_SHA_256' }),
        'InvalidKeyUsageException',
      );
      await rejectsWith(
        call('Verify', {
          KeyId: k.KeyId,
          Message: utf8('x'),
          SigningAlgorithm: 'ECDSA_SHA_256',
          Signature: new Uint8Array(8),
        }),
        'InvalidKeyUsageException',
      );
    }
  });

  it('key states: Disabled → DisabledException, PendingDeletion → KMSInvalidStateException, also after a cached use', async () => {
    const { call, createKey } = await freshKms();
    const k = await createKey({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' });
    await call('CreateAlias', { AliasName: 'alias/signer', TargetKeyId: k.KeyId });
    const req = { KeyId: 'alias/signer', Message: utf8('x'), SigningAlgorithm: 'ECDSA_SHA_256' };
    await call('Sign', req);
    await call('DisableKey', { KeyId: k.KeyId });
    await rejectsWith(call('Sign', req), 'DisabledException');
    await rejectsWith(call('GetPublicKey', { KeyId: k.KeyId }), 'DisabledException');
    await call('ScheduleKeyDeletion', { KeyId: k.KeyId, PendingWindowInDays: 7 });
    await rejectsWith(call('Sign', req), 'KMSInvalidStateException');
    await call('CancelKeyDeletion', { KeyId: k.KeyId });
    await call('EnableKey', { KeyId: k.KeyId });
    await call('Sign', req);
  });

  it('an alias moved to another signing key signs with the new key (the cache is re-checked)', async () => {
    const { call, createKey } = await freshKms();
    const a = await createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const b = await createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    await call('CreateAlias', { AliasName: 'alias/s', TargetKeyId: a.KeyId });
    const req = { KeyId: 'alias/s', Message: utf8('x'), SigningAlgorithm: 'ECDSA_SHA_256' };
    expect((await call('Sign', req)).KeyId).toBe(a.Arn);
    await call('UpdateAlias', { AliasName: 'alias/s', TargetKeyId: b.KeyId });
    const s = await call('Sign', req);
    expect(s.KeyId).toBe(b.Arn);
    await call('Verify', { ...req, KeyId: b.KeyId, Signature: s.Signature });
  });
});

describe('GetPublicKey', { timeout: 60_000 }, () => {
  it('returns SPKI DER with KeySpec, KeyUsage and the algorithm list of the usage', async () => {
    const { call, createKey } = await freshKms();
    const cases = [
      [
        { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' },
        { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] },
      ],
      [{ KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' }, { SigningAlgorithms: ['ECDSA_SHA_384'] }],
      [{ KeySpec: 'ECC_NIST_P521', KeyUsage: 'KEY_AGREEMENT' }, { KeyAgreementAlgorithms: ['ECDH'] }],
      [{ KeySpec: 'ML_KEM_768', KeyUsage: 'ENCAPSULATE_DECAPSULATE' }, { EncapsulationAlgorithms: ['ML_KEM'] }],
      [{ KeySpec: 'ML_DSA_87', KeyUsage: 'SIGN_VERIFY' }, { SigningAlgorithms: ['ML_DSA_SHAKE_256'] }],
    ] as const;
    for (const [req, lists] of cases) {
      const k = await createKey(req);
      const r = await call('GetPublicKey', { KeyId: k.Arn });
      expect(r).toEqual({
        KeyId: k.Arn,
        PublicKey: expect.any(Uint8Array),
        CustomerMasterKeySpec: req.KeySpec,
        KeySpec: req.KeySpec,
        KeyUsage: req.KeyUsage,
        ...lists,
      });
      expect(() => decodeSpki(r.PublicKey)).not.toThrow();
    }
  });

  it('symmetric and HMAC keys have no public key (UnsupportedOperationException)', async () => {
    const { call, createKey } = await freshKms();
    for (const req of [{}, { KeySpec: 'HMAC_384', KeyUsage: 'GENERATE_VERIFY_MAC' }]) {
      const k = await createKey(req);
      await rejectsWith(call('GetPublicKey', { KeyId: k.KeyId }), 'UnsupportedOperationException');
    }
  });
});
