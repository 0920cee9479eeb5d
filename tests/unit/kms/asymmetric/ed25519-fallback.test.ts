// A browser without WebCrypto Ed25519 (before Firefox 129 or Safari 17): ECC_NIST_EDWARDS25519 keys and
// data key pairs fall back to @noble/curves, in the same PKCS#8 / SPKI formats. Simulated by refusing
// Ed25519 in generateKey before the core first asks (each test file gets fresh modules).
import { createPrivateKey, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { KeyPairMaterialRecord } from '../../../../src/kms/records';
import { freshKms, rejectsWith, utf8 } from '../../helpers/kms';

const real = crypto.subtle.generateKey.bind(crypto.subtle);
vi.spyOn(crypto.subtle, 'generateKey').mockImplementation(((
  alg: AlgorithmIdentifier,
  extractable: boolean,
  usages: KeyUsage[],
) => {
  const name = typeof alg === 'string' ? alg : alg.name;
  if (name === 'Ed25519') return Promise.reject(new DOMException('Unrecognized name.', 'NotSupportedError'));
  return real(alg as AlgorithmIdentifier, extractable, usages);
}) as typeof crypto.subtle.generateKey);

describe('Ed25519 without WebCrypto Ed25519', () => {
  it('creates a software key whose signatures node:crypto verifies; both algorithms round-trip', async () => {
    const { call, createKey, store } = await freshKms();
    const k = await createKey({ KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' });
    const m = (await store.read((tx) => tx.getMaterial(k.KeyId, 1))) as KeyPairMaterialRecord;
    expect(m.cryptoKeys).toEqual({});
    const { PublicKey } = await call('GetPublicKey', { KeyId: k.KeyId });
    const msg = utf8('fallback');
    const { Signature } = await call('Sign', { KeyId: k.KeyId, Message: msg, SigningAlgorithm: 'ED25519_SHA_512' });
    const pub = createPublicKey({ key: Buffer.from(PublicKey), format: 'der', type: 'spki' });
    expect(nodeVerify(null, msg, pub, Signature)).toBe(true);
    await call('Verify', { KeyId: k.KeyId, Message: msg, SigningAlgorithm: 'ED25519_SHA_512', Signature });
    const bad = Signature.slice();
    bad[0] ^= 1;
    await rejectsWith(
      call('Verify', { KeyId: k.KeyId, Message: msg, SigningAlgorithm: 'ED25519_SHA_512', Signature: bad }),
      'KMSInvalidSignatureException',
    );
    const d = new Uint8Array(64).fill(9);
    const ph = await call('Sign', {
      KeyId: k.KeyId,
      Message: d,
      MessageType: 'DIGEST',
      SigningAlgorithm: 'ED25519_PH_SHA_512',
    });
    await call('Verify', {
      KeyId: k.KeyId,
      Message: d,
      MessageType: 'DIGEST',
      SigningAlgorithm: 'ED25519_PH_SHA_512',
      Signature: ph.Signature,
    });
  });

  it('GenerateDataKeyPair gives an RFC 8410 PKCS#8 that node:crypto loads and that matches the public key', async () => {
    const { call, createKey } = await freshKms();
    const sym = await createKey();
    const r = await call('GenerateDataKeyPair', { KeyId: sym.KeyId, KeyPairSpec: 'ECC_NIST_EDWARDS25519' });
    const priv = createPrivateKey({ key: Buffer.from(r.PrivateKeyPlaintext), format: 'der', type: 'pkcs8' });
    expect(priv.asymmetricKeyType).toBe('ed25519');
    expect(
      Buffer.from(createPublicKey(priv).export({ format: 'der', type: 'spki' })).equals(Buffer.from(r.PublicKey)),
    ).toBe(true);
  });
});
