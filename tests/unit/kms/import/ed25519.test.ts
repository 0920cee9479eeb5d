// Imported Ed25519 material (ECC_NIST_EDWARDS25519, an asymmetric signing key, which AWS's current model lets
// GetParametersForImport take: "All KMS key types are supported"): RFC 8032 section 7.1 TEST 2 as the
// known answer — the public key GetPublicKey returns and the signature Sign makes are the RFC's own bytes.
import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { freshKms, rejectsWith } from '../../helpers/kms';
import { importMaterial } from './wrap';

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
// RFC 8032 7.1 TEST 2.
const SEED = '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb';
const PUBLIC = '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c';
const SIGNATURE =
  '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00';
/** RFC 8410 PKCS#8 of a seed, and SPKI of a public key. */
const pkcs8 = (seed: string) => hex(`302e020100300506032b657004220420${seed}`);
const spki = (pub: string) => hex(`302a300506032b6570032100${pub}`);

describe('imported ECC_NIST_EDWARDS25519 material', () => {
  it.each(['RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1'] as const)(
    'through %s: RFC 8032 TEST 2’s public key and signature',
    async (alg) => {
      const f = await freshKms();
      const k = await f.createKey({ Origin: 'EXTERNAL', KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' });
      expect(k.KeyState).toBe('PendingImport');
      await importMaterial(f, k.KeyId, pkcs8(SEED), alg);
      expect((await f.call('GetPublicKey', { KeyId: k.KeyId })).PublicKey).toEqual(spki(PUBLIC));
      const { Signature } = await f.call('Sign', {
        KeyId: k.KeyId,
        Message: hex('72'),
        MessageType: 'RAW',
        SigningAlgorithm: 'ED25519_SHA_512',
      });
      expect(Buffer.from(Signature).toString('hex')).toBe(SIGNATURE);
    },
  );

  it('Ed25519ph signatures of the imported key verify with Node’s crypto; another key is refused', async () => {
    const f = await freshKms();
    const k = await f.createKey({ Origin: 'EXTERNAL', KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' });
    const pair = generateKeyPairSync('ed25519');
    await importMaterial(f, k.KeyId, new Uint8Array(pair.privateKey.export({ format: 'der', type: 'pkcs8' })));
    const Message = new TextEncoder().encode('release 2.0');
    const { Signature } = await f.call('Sign', {
      KeyId: k.KeyId,
      Message,
      MessageType: 'RAW',
      SigningAlgorithm: 'ED25519_SHA_512',
    });
    expect(verify(null, Message, pair.publicKey, Signature)).toBe(true);
    const other = generateKeyPairSync('ed25519');
    await rejectsWith(
      importMaterial(f, k.KeyId, new Uint8Array(other.privateKey.export({ format: 'der', type: 'pkcs8' }))),
      'IncorrectKeyMaterialException',
    );
    // A P-256 key is not Ed25519 material.
    const k2 = await f.createKey({ Origin: 'EXTERNAL', KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' });
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await rejectsWith(
      importMaterial(f, k2.KeyId, new Uint8Array(p256.privateKey.export({ format: 'der', type: 'pkcs8' }))),
      'IncorrectKeyMaterialException',
    );
  });

  it('ML-DSA keys still cannot be EXTERNAL (Pocket KMS does not import them)', async () => {
    const f = await freshKms();
    await rejectsWith(
      f.call('CreateKey', { Origin: 'EXTERNAL', KeySpec: 'ML_DSA_65', KeyUsage: 'SIGN_VERIFY' }),
      'UnsupportedOperationException',
    );
  });
});
