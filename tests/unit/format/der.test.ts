// The DER codecs (src/kms/asymmetric/der.ts) and hostile signatures / public keys at the API.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DerError,
  decodePkcs8,
  decodeRsaPublic,
  decodeSpki,
  ecPrivateScalar,
  encodeSecp256k1Pkcs8,
  encodeSpki,
  OID,
  readTlv,
  tlv,
} from '../../../src/format/der';
import { freshKms, rejectsWith, utf8 } from '../helpers/kms';

const HOSTILE: Uint8Array[] = [
  new Uint8Array(0),
  new Uint8Array([0x30]),
  new Uint8Array([0x30, 0x00]),
  new Uint8Array([0x30, 0x80]),
  new Uint8Array([0x30, 0x85, 1, 1, 1, 1, 1]),
  new Uint8Array([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
  new Uint8Array([0x30, 0x02, 0x02]),
  new Uint8Array([0x30, 0x03, 0x30, 0x01, 0x06]),
  new Uint8Array([0x02, 0x01, 0x00]),
  new Uint8Array([0x30, 0x05, 0x30, 0x00, 0x03, 0x01, 0x01]),
  new Uint8Array([0x30, 0x81, 0x01, 0x00]),
  new Uint8Array(300).fill(0x30),
  new Uint8Array(300).fill(0xff),
  utf8('-----BEGIN PUBLIC KEY-----'),
];

describe('DER readers', () => {
  it.each(HOSTILE.map((b, i) => [i, b] as const))(
    'hostile input #%i: only DerError, never another exception',
    (_i, b) => {
      for (const f of [decodeSpki, decodePkcs8, decodeRsaPublic, ecPrivateScalar]) {
        try {
          f(b);
        } catch (e) {
          expect(e).toBeInstanceOf(DerError);
        }
      }
    },
  );

  it('encodeSpki / decodeSpki round-trip any key bytes and OIDs (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.constantFrom(...Object.values(OID)),
        fc.option(fc.constantFrom(OID.p256, OID.secp256k1), { nil: undefined }),
        (key, alg, param) => {
          const d = decodeSpki(encodeSpki(alg, key, param));
          expect(d.algOid).toBe(alg);
          expect(d.paramOid).toBe(param);
          expect(d.key).toEqual(key);
        },
      ),
    );
  });

  it('never reads past the input for random bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        try {
          const t = readTlv(b);
          expect(t.end).toBeLessThanOrEqual(b.length);
        } catch (e) {
          expect(e).toBeInstanceOf(DerError);
        }
      }),
    );
  });

  it('tlv uses the short and long length forms (X.690 §8.1.3)', () => {
    expect([...tlv(0x04, new Uint8Array(3))].slice(0, 2)).toEqual([0x04, 3]);
    expect([...tlv(0x04, new Uint8Array(200))].slice(0, 3)).toEqual([0x04, 0x81, 200]);
    expect([...tlv(0x04, new Uint8Array(300))].slice(0, 4)).toEqual([0x04, 0x82, 1, 44]);
  });

  it('a secp256k1 PKCS#8 gives its scalar back', () => {
    const d = new Uint8Array(32).fill(7);
    expect(ecPrivateScalar(encodeSecp256k1Pkcs8(d, new Uint8Array(65).fill(4)))).toEqual(d);
  });
});

describe('hostile signatures and public keys at the API', () => {
  it.each(HOSTILE.map((b, i) => [i, b] as const))(
    'signature #%i is KMSInvalidSignatureException (or ValidationException when empty) for every family',
    async (_i, sig) => {
      const { call, createKey } = await freshKms();
      for (const [spec, alg] of [
        ['ECC_NIST_P256', 'ECDSA_SHA_256'],
        ['ECC_SECG_P256K1', 'ECDSA_SHA_256'],
        ['RSA_2048', 'RSASSA_PSS_SHA_256'],
        ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512'],
        ['ML_DSA_44', 'ML_DSA_SHAKE_256'],
      ]) {
        const k = await createKey({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' });
        await rejectsWith(
          call('Verify', { KeyId: k.KeyId, Message: utf8('m'), SigningAlgorithm: alg, Signature: sig }),
          sig.length === 0 ? 'ValidationException' : 'KMSInvalidSignatureException',
        );
      }
    },
    30_000,
  );

  it.each(HOSTILE.map((b, i) => [i, b] as const))(
    'DeriveSharedSecret public key #%i is ValidationException',
    async (_i, pk) => {
      const { call, createKey } = await freshKms();
      const k = await createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
      await rejectsWith(
        call('DeriveSharedSecret', { KeyId: k.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: pk }),
        'ValidationException',
      );
    },
  );
});
