// Cross-checks against the OpenSSL 3 command line (/usr/bin/openssl): Pocket KMS signatures verify
// with the PEM from GetPublicKey; OpenSSL's RSA-OAEP ciphertext decrypts here; DeriveSharedSecret
// equals `pkeyutl -derive`; data key pair private keys load in OpenSSL and match their public keys.
// OpenSSL 3.0 has no ML-DSA, ML-KEM or Ed25519ph, so those are checked against @noble only (sign.test.ts, kem.test.ts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshKms, utf8 } from '../../helpers/kms';
import { digest, pem } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'pocket-kms-openssl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(data: Uint8Array | string): string {
  const p = join(dir, `f${n++}`);
  writeFileSync(p, data);
  return p;
}

/** Runs openssl; returns stdout, throws with stderr when it exits non-zero. */
function openssl(...args: string[]): Buffer {
  return execFileSync('/usr/bin/openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

describe(
  'OpenSSL verifies Pocket KMS signatures made with the public key from GetPublicKey',
  { timeout: 60_000 },
  () => {
    const cases: [string, string, string[]][] = [
      ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_256', ['-sha256']],
      ['RSA_3072', 'RSASSA_PKCS1_V1_5_SHA_384', ['-sha384']],
      ['RSA_4096', 'RSASSA_PKCS1_V1_5_SHA_512', ['-sha512']],
      [
        'RSA_2048',
        'RSASSA_PSS_SHA_256',
        ['-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32'],
      ],
      [
        'RSA_2048',
        'RSASSA_PSS_SHA_384',
        ['-sha384', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:48'],
      ],
      [
        'RSA_3072',
        'RSASSA_PSS_SHA_512',
        ['-sha512', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:64'],
      ],
      ['ECC_NIST_P256', 'ECDSA_SHA_256', ['-sha256']],
      ['ECC_NIST_P384', 'ECDSA_SHA_384', ['-sha384']],
      ['ECC_NIST_P521', 'ECDSA_SHA_512', ['-sha512']],
      ['ECC_SECG_P256K1', 'ECDSA_SHA_256', ['-sha256']],
    ];

    it.each(cases)(
      '%s %s: RAW with `openssl dgst -verify`, DIGEST with `openssl pkeyutl -verify`',
      async (spec, alg, opts) => {
        const { call, createKey } = await freshKms();
        const k = await createKey({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' });
        const pub = file(pem((await call('GetPublicKey', { KeyId: k.KeyId })).PublicKey));
        const msg = utf8(`artifact ${spec} ${alg}`);
        const raw = await call('Sign', { KeyId: k.KeyId, Message: msg, SigningAlgorithm: alg });
        expect(
          openssl('dgst', ...opts, '-verify', pub, '-signature', file(raw.Signature), file(msg)).toString(),
        ).toContain('Verified OK');
        const d = digest(alg, msg);
        const dig = await call('Sign', { KeyId: k.KeyId, Message: d, MessageType: 'DIGEST', SigningAlgorithm: alg });
        const pk = [
          '-pkeyopt',
          `digest:${opts[0]!.slice(1)}`,
          ...opts
            .slice(1)
            .filter((o) => o !== '-sigopt')
            .flatMap((o) => ['-pkeyopt', o]),
        ];
        expect(
          openssl(
            'pkeyutl',
            '-verify',
            '-pubin',
            '-inkey',
            pub,
            '-in',
            file(d),
            '-sigfile',
            file(dig.Signature),
            ...pk,
          ).toString(),
        ).toContain('Signature Verified Successfully');
        // A tampered message fails in OpenSSL too.
        expect(() =>
          openssl('dgst', ...opts, '-verify', pub, '-signature', file(raw.Signature), file(utf8('other'))),
        ).toThrow();
      },
      60_000,
    );

    it('ECC_NIST_EDWARDS25519 ED25519_SHA_512: `openssl pkeyutl -verify -rawin`', async () => {
      const { call, createKey } = await freshKms();
      const k = await createKey({ KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' });
      const pub = file(pem((await call('GetPublicKey', { KeyId: k.KeyId })).PublicKey));
      const msg = utf8('ed25519 artifact');
      const { Signature } = await call('Sign', { KeyId: k.KeyId, Message: msg, SigningAlgorithm: 'ED25519_SHA_512' });
      expect(
        openssl(
          'pkeyutl',
          '-verify',
          '-pubin',
          '-inkey',
          pub,
          '-rawin',
          '-in',
          file(msg),
          '-sigfile',
          file(Signature),
        ).toString(),
      ).toContain('Signature Verified Successfully');
      expect(() =>
        openssl(
          'pkeyutl',
          '-verify',
          '-pubin',
          '-inkey',
          pub,
          '-rawin',
          '-in',
          file(utf8('other')),
          '-sigfile',
          file(Signature),
        ),
      ).toThrow();
    });
  },
);

describe('RSA-OAEP: OpenSSL encrypts, Pocket KMS decrypts', { timeout: 60_000 }, () => {
  it.each([
    ['RSA_2048', 'RSAES_OAEP_SHA_256', 'sha256'],
    ['RSA_2048', 'RSAES_OAEP_SHA_1', 'sha1'],
    ['RSA_3072', 'RSAES_OAEP_SHA_256', 'sha256'],
    ['RSA_4096', 'RSAES_OAEP_SHA_1', 'sha1'],
  ])('%s %s', async (spec, alg, md) => {
    const { call, createKey } = await freshKms();
    const k = await createKey({ KeySpec: spec, KeyUsage: 'ENCRYPT_DECRYPT' });
    const pub = file(pem((await call('GetPublicKey', { KeyId: k.KeyId })).PublicKey));
    const pt = utf8(`secret for ${spec} ${alg}`);
    const ct = openssl(
      'pkeyutl',
      '-encrypt',
      '-pubin',
      '-inkey',
      pub,
      '-in',
      file(pt),
      '-pkeyopt',
      'rsa_padding_mode:oaep',
      '-pkeyopt',
      `rsa_oaep_md:${md}`,
      '-pkeyopt',
      `rsa_mgf1_md:${md}`,
    );
    const r = await call('Decrypt', { KeyId: k.KeyId, CiphertextBlob: new Uint8Array(ct), EncryptionAlgorithm: alg });
    expect(r.Plaintext).toEqual(pt);
    expect(r).toMatchObject({ KeyId: k.Arn, EncryptionAlgorithm: alg });
  });
});

describe('DeriveSharedSecret equals `openssl pkeyutl -derive` from the other side', { timeout: 60_000 }, () => {
  it.each([
    ['ECC_NIST_P256', 'P-256'],
    ['ECC_NIST_P384', 'P-384'],
    ['ECC_NIST_P521', 'P-521'],
  ])('%s', async (spec, curve) => {
    const { call, createKey } = await freshKms();
    const k = await createKey({ KeySpec: spec, KeyUsage: 'KEY_AGREEMENT' });
    const kmsPub = file(pem((await call('GetPublicKey', { KeyId: k.KeyId })).PublicKey));
    const peer = join(dir, `peer${n++}.pem`);
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`, '-out', peer);
    const peerDer = new Uint8Array(openssl('pkey', '-in', peer, '-pubout', '-outform', 'DER'));
    const r = await call('DeriveSharedSecret', { KeyId: k.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peerDer });
    const theirs = new Uint8Array(openssl('pkeyutl', '-derive', '-inkey', peer, '-peerkey', kmsPub));
    expect(r.SharedSecret).toEqual(theirs);
    expect(r).toMatchObject({ KeyId: k.Arn, KeyAgreementAlgorithm: 'ECDH', KeyOrigin: 'AWS_KMS' });
  });
});

describe('GenerateDataKeyPair private keys load in OpenSSL and match the public key', { timeout: 60_000 }, () => {
  it.each([
    'RSA_2048',
    'RSA_3072',
    'RSA_4096',
    'ECC_NIST_P256',
    'ECC_NIST_P384',
    'ECC_NIST_P521',
    'ECC_SECG_P256K1',
    'ECC_NIST_EDWARDS25519',
  ])(
    '%s',
    async (spec) => {
      const { call, createKey } = await freshKms();
      const k = await createKey();
      const ctx = { purpose: 'openssl-check' };
      const r = await call('GenerateDataKeyPair', { KeyId: k.KeyId, KeyPairSpec: spec, EncryptionContext: ctx });
      const { Plaintext } = await call('Decrypt', {
        CiphertextBlob: r.PrivateKeyCiphertextBlob,
        EncryptionContext: ctx,
      });
      expect(Plaintext).toEqual(r.PrivateKeyPlaintext);
      const priv = file(Plaintext);
      const derived = new Uint8Array(openssl('pkey', '-inform', 'DER', '-in', priv, '-pubout', '-outform', 'DER'));
      expect(derived).toEqual(r.PublicKey);
      if (spec !== 'ECC_NIST_EDWARDS25519')
        expect(openssl('pkey', '-inform', 'DER', '-in', priv, '-check', '-noout').toString()).toMatch(/valid/i);
      // The key signs, and OpenSSL verifies with the public key: the pair is whole.
      const msg = file(utf8('pair'));
      const sig = join(dir, `sig${n++}`);
      const rawin = spec === 'ECC_NIST_EDWARDS25519' ? ['-rawin'] : [];
      const privPem = file(pem(Plaintext, 'PRIVATE KEY'));
      const pubPem = file(pem(r.PublicKey));
      if (rawin.length) {
        openssl('pkeyutl', '-sign', '-inkey', privPem, '-rawin', '-in', msg, '-out', sig);
        expect(
          openssl('pkeyutl', '-verify', '-pubin', '-inkey', pubPem, '-rawin', '-in', msg, '-sigfile', sig).toString(),
        ).toContain('Verified Successfully');
      } else {
        openssl('dgst', '-sha256', '-sign', privPem, '-out', sig, msg);
        expect(openssl('dgst', '-sha256', '-verify', pubPem, '-signature', sig, msg).toString()).toContain(
          'Verified OK',
        );
      }
      expect(readFileSync(sig).length).toBeGreaterThan(0);
    },
    60_000,
  );
});
