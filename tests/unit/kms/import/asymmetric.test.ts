// Imported private keys (RSA and NIST-curve ECC, PKCS#8): signatures verify with Node's crypto under the
// public key derived from the imported private key, GetPublicKey returns that key, and the material cannot
// be replaced by another key. Plus the exact OpenSSL command lines of AWS's guide, where `openssl` exists.
import { execFileSync } from 'node:child_process';
import { diffieHellman, generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshKms, rejectsWith, text, utf8 } from '../../helpers/kms';
import { importMaterial, params } from './wrap';

const pkcs8 = (k: ReturnType<typeof generateKeyPairSync>['privateKey']) =>
  new Uint8Array(k.export({ format: 'der', type: 'pkcs8' }));
const spki = (k: ReturnType<typeof generateKeyPairSync>['publicKey']) =>
  new Uint8Array(k.export({ format: 'der', type: 'spki' }));

describe('imported private keys', () => {
  it('ECC_NIST_P256 through RSAES_OAEP_SHA_256: signs with the imported key', async () => {
    const f = await freshKms();
    const k = await f.createKey({ Origin: 'EXTERNAL', KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await importMaterial(f, k.KeyId, pkcs8(pair.privateKey));
    expect((await f.call('GetPublicKey', { KeyId: k.KeyId })).PublicKey).toEqual(spki(pair.publicKey));
    const message = utf8('signed by imported material');
    const { Signature } = await f.call('Sign', { KeyId: k.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' });
    expect(verify('sha256', message, pair.publicKey, Signature)).toBe(true);
    // Another private key is not this key's material.
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await rejectsWith(importMaterial(f, k.KeyId, pkcs8(other.privateKey)), 'IncorrectKeyMaterialException');
    // A key of another curve is not material of this spec.
    const k2 = await f.createKey({ Origin: 'EXTERNAL', KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    await rejectsWith(importMaterial(f, k2.KeyId, pkcs8(p384.privateKey)), 'IncorrectKeyMaterialException');
  });

  it('ECC_NIST_P384 key agreement through RSAES_OAEP_SHA_1 with RSA_3072: the shared secret equals Node’s ECDH', async () => {
    const f = await freshKms();
    const k = await f.createKey({ Origin: 'EXTERNAL', KeySpec: 'ECC_NIST_P384', KeyUsage: 'KEY_AGREEMENT' });
    const mine = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    await importMaterial(f, k.KeyId, pkcs8(mine.privateKey), 'RSAES_OAEP_SHA_1', undefined, 'RSA_3072');
    const peer = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const { SharedSecret } = await f.call('DeriveSharedSecret', {
      KeyId: k.KeyId,
      KeyAgreementAlgorithm: 'ECDH',
      PublicKey: spki(peer.publicKey),
    });
    expect(
      Buffer.from(SharedSecret).equals(diffieHellman({ privateKey: peer.privateKey, publicKey: mine.publicKey })),
    ).toBe(true);
    // P-521 material cannot be wrapped directly by an RSA_2048 key (AWS's rule).
    const p521 = await f.createKey({ Origin: 'EXTERNAL', KeySpec: 'ECC_NIST_P521', KeyUsage: 'SIGN_VERIFY' });
    await rejectsWith(params(f, p521.KeyId, 'RSAES_OAEP_SHA_256', 'RSA_2048'), 'UnsupportedOperationException');
  });

  it('ECC_SECG_P256K1 (software) through RSAES_OAEP_SHA_256: signs with the imported scalar', async () => {
    const f = await freshKms();
    const k = await f.createKey({ Origin: 'EXTERNAL', KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' });
    const pair = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    await importMaterial(f, k.KeyId, pkcs8(pair.privateKey));
    expect((await f.call('GetPublicKey', { KeyId: k.KeyId })).PublicKey).toEqual(spki(pair.publicKey));
    const message = utf8('k1');
    const { Signature } = await f.call('Sign', { KeyId: k.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' });
    expect(verify('sha256', message, pair.publicKey, Signature)).toBe(true);
    // A P-256 key is not secp256k1 material.
    const k2 = await f.createKey({ Origin: 'EXTERNAL', KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' });
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await rejectsWith(importMaterial(f, k2.KeyId, pkcs8(p256.privateKey)), 'IncorrectKeyMaterialException');
    await rejectsWith(importMaterial(f, k2.KeyId, randomBytes(40)), 'IncorrectKeyMaterialException');
  });

  it('RSA_2048 through RSA_AES_KEY_WRAP_SHA_256: signs (PSS) and decrypts with the imported key', async () => {
    const f = await freshKms();
    const signer = await f.createKey({ Origin: 'EXTERNAL', KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const r = await importMaterial(f, signer.KeyId, pkcs8(pair.privateKey), 'RSA_AES_KEY_WRAP_SHA_256');
    expect(r.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    const message = utf8('rsa');
    const { Signature } = await f.call('Sign', {
      KeyId: signer.KeyId,
      Message: message,
      SigningAlgorithm: 'RSASSA_PSS_SHA_256',
    });
    expect(
      verify(
        'sha256',
        message,
        { key: pair.publicKey, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 },
        Signature,
      ),
    ).toBe(true);
    // A 3072-bit key is not RSA_2048 material.
    const k2 = await f.createKey({ Origin: 'EXTERNAL', KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    const big = generateKeyPairSync('rsa', { modulusLength: 3072 });
    await rejectsWith(
      importMaterial(f, k2.KeyId, pkcs8(big.privateKey), 'RSA_AES_KEY_WRAP_SHA_1'),
      'IncorrectKeyMaterialException',
    );
    await importMaterial(f, k2.KeyId, pkcs8(pair.privateKey), 'RSA_AES_KEY_WRAP_SHA_1');
    const { CiphertextBlob } = await f.call('Encrypt', {
      KeyId: k2.KeyId,
      Plaintext: utf8('to the imported RSA key'),
      EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    });
    const out = await f.call('Decrypt', { KeyId: k2.KeyId, CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    expect(text(out.Plaintext)).toBe('to the imported RSA key');
  });
});

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version']);
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasOpenssl)('material wrapped by the OpenSSL commands of AWS’s guide', () => {
  it.each([
    ['RSAES_OAEP_SHA_1', 'sha1'],
    ['RSAES_OAEP_SHA_256', 'sha256'],
    ['RSA_AES_KEY_WRAP_SHA_1', 'sha1'],
    ['RSA_AES_KEY_WRAP_SHA_256', 'sha256'],
  ] as const)(
    '%s',
    async (alg, md) => {
      const f = await freshKms();
      const k = await f.createKey({ Origin: 'EXTERNAL' });
      // RSA_4096 as AWS's guide recommends ("the longest practical"): its key generation can take seconds.
      const p = await params(f, k.KeyId, alg, 'RSA_4096');
      const dir = mkdtempSync(join(tmpdir(), 'pocket-kms-import-'));
      const at = (n: string) => join(dir, n);
      writeFileSync(at('WrappingPublicKey.bin'), p.PublicKey);
      writeFileSync(at('PlaintextKeyMaterial.bin'), randomBytes(32));
      const pkeyutl = (input: string, output: string) =>
        execFileSync('openssl', [
          'pkeyutl',
          '-encrypt',
          '-in',
          at(input),
          '-out',
          at(output),
          '-inkey',
          at('WrappingPublicKey.bin'),
          '-keyform',
          'DER',
          '-pubin',
          '-pkeyopt',
          'rsa_padding_mode:oaep',
          '-pkeyopt',
          `rsa_oaep_md:${md}`,
          '-pkeyopt',
          `rsa_mgf1_md:${md}`,
        ]);
      if (alg.startsWith('RSAES')) pkeyutl('PlaintextKeyMaterial.bin', 'EncryptedKeyMaterial.bin');
      else {
        execFileSync('openssl', ['rand', '-out', at('aes-key.bin'), '32']);
        const hex = readFileSync(at('aes-key.bin')).toString('hex');
        execFileSync('openssl', [
          'enc',
          '-id-aes256-wrap-pad',
          '-K',
          hex,
          '-iv',
          'A65959A6',
          '-in',
          at('PlaintextKeyMaterial.bin'),
          '-out',
          at('key-material-wrapped.bin'),
        ]);
        pkeyutl('aes-key.bin', 'aes-key-wrapped.bin');
        writeFileSync(
          at('EncryptedKeyMaterial.bin'),
          Buffer.concat([readFileSync(at('aes-key-wrapped.bin')), readFileSync(at('key-material-wrapped.bin'))]),
        );
      }
      await f.call('ImportKeyMaterial', {
        KeyId: k.KeyId,
        ImportToken: p.ImportToken,
        EncryptedKeyMaterial: new Uint8Array(readFileSync(at('EncryptedKeyMaterial.bin'))),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      });
      const { CiphertextBlob } = await f.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('openssl') });
      expect(text((await f.call('Decrypt', { CiphertextBlob })).Plaintext)).toBe('openssl');
    },
    60_000,
  );
});
