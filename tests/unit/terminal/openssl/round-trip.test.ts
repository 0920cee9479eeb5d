// Command lines whose output is random (rand, salts, OAEP and PKCS#1 v1.5 encryption, ECDSA and PSS
// signatures): what the terminal makes, the real openssl must read (decrypt, verify), and what the
// real openssl makes, the terminal must read — including the KMS lab sheets' own lines.

import { beforeAll, describe, expect, it } from 'vitest';
import { fromBase64 } from '../../../../src/format/bytes';
import { HAVE_OPENSSL, runOurs, runReal, type Files, type Run } from './harness';
import { makeFixtures } from './fixtures';

const split = (l: string) => l.split(' ');
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Runs `make` with one side, then `read` with the other over the files `make` left. */
async function cross(
  files: Files,
  make: string,
  read: string,
  maker: 'ours' | 'real',
): Promise<{ made: Run; read: Run }> {
  const made = maker === 'ours' ? await runOurs(split(make), files) : runReal(split(make), files);
  const read_ = maker === 'ours' ? runReal(split(read), made.files) : await runOurs(split(read), made.files);
  return { made, read: read_ };
}

const PAIRS: { name: string; make: string; read: string; expectOut?: string; expectFile?: [string, string] }[] = [
  {
    name: 'KMS lab: RSA-OAEP-SHA-256 with the DER public key from GetPublicKey',
    make: 'pkeyutl -encrypt -pubin -inkey public_key.der -keyform DER -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -in plaintext -out ciphertext',
    read: 'pkeyutl -decrypt -inkey rsa.pem -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -in ciphertext',
    expectOut: 'attack at dawn',
  },
  {
    name: 'OAEP with SHA-1 (the default digest) and a PEM key',
    make: 'pkeyutl -encrypt -pubin -inkey rsapub.pem -pkeyopt rsa_padding_mode:oaep -in plaintext -out ct',
    read: 'pkeyutl -decrypt -inkey rsa-pkcs1.pem -pkeyopt rsa_padding_mode:oaep -in ct',
    expectOut: 'attack at dawn',
  },
  {
    name: 'PKCS#1 v1.5 encryption (pkeyutl default padding)',
    make: 'pkeyutl -encrypt -pubin -inkey rsapub.pem -in plaintext -out ct',
    read: 'pkeyutl -decrypt -inkey rsa.pem -in ct',
    expectOut: 'attack at dawn',
  },
  {
    name: 'PKCS#1 v1.5 encryption of an empty file',
    make: 'pkeyutl -encrypt -pubin -inkey rsapub.pem -in empty -out ct',
    read: 'pkeyutl -decrypt -inkey rsa.pem -in ct',
    expectOut: '',
  },
  {
    name: 'deprecated rsautl -oaep with a DER public key',
    make: 'rsautl -encrypt -oaep -pubin -keyform DER -inkey public_key.der -in plaintext -out ct',
    read: 'rsautl -decrypt -oaep -inkey rsa.pem -in ct',
    expectOut: 'attack at dawn',
  },
  {
    name: 'OAEP with an explicit -keyform PEM and a label',
    make: 'pkeyutl -encrypt -pubin -inkey rsapub.pem -keyform PEM -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha512 -pkeyopt rsa_oaep_label:0102ff -in plaintext -out ct',
    read: 'pkeyutl -decrypt -inkey rsa.pem -keyform PEM -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha512 -pkeyopt rsa_oaep_label:0102ff -in ct',
    expectOut: 'attack at dawn',
  },
  {
    name: 'rsautl -sign then -verify (PKCS#1 v1.5 type 1, the payload comes back)',
    make: 'rsautl -sign -inkey rsa.pem -in plaintext -out sig.bin',
    read: 'rsautl -verify -pubin -inkey rsapub.pem -in sig.bin',
    expectOut: 'attack at dawn',
  },
  {
    name: 'enc with a passphrase and a random salt (EVP_BytesToKey, MD5)',
    make: 'enc -aes-256-cbc -md md5 -k secret -in msg -out ct',
    read: 'enc -d -aes-256-cbc -md md5 -k secret -in ct',
    expectOut: 'The quick brown fox jumps over the lazy dog\n',
  },
  {
    name: 'enc -pbkdf2 -iter with base64',
    make: 'enc -aes-256-cbc -pbkdf2 -iter 2000 -pass pass:secret -a -in long.txt -out ct.b64',
    read: 'enc -d -aes-256-cbc -pbkdf2 -iter 2000 -pass pass:secret -a -in ct.b64',
    expectOut: 'x'.repeat(1000),
  },
  {
    name: 'enc -aes256 -pbkdf2 -base64 -A (one line)',
    make: 'enc -aes256 -pbkdf2 -k secret -base64 -A -in msg -out ct.b64',
    read: 'enc -d -aes256 -pbkdf2 -k secret -base64 -A -in ct.b64',
    expectOut: 'The quick brown fox jumps over the lazy dog\n',
  },
  ...(['ec', 'ec384', 'ec521', 'k1'] as const).map((k) => ({
    name: `ECDSA over ${k}: DER signature from dgst -sign, checked by dgst -verify`,
    make: `dgst -sha256 -sign ${k}.pem -out sig.bin msg`,
    read: `dgst -sha256 -verify ${k}pub.pem -signature sig.bin msg`,
    expectOut: 'Verified OK\n',
  })),
  {
    name: 'KMS-style ECDSA_SHA_384 verification with a DER public key',
    make: 'dgst -sha384 -sign ec384.pem -out sig.bin msg',
    read: 'dgst -sha384 -verify ec384pub.der -keyform DER -signature sig.bin msg',
    expectOut: 'Verified OK\n',
  },
  {
    name: 'RSA-PSS (salt length max when signing, auto when verifying)',
    make: 'dgst -sha256 -sigopt rsa_padding_mode:pss -sign rsa.pem -out sig.bin msg',
    read: 'dgst -sha256 -sigopt rsa_padding_mode:pss -verify rsapub.pem -signature sig.bin msg',
    expectOut: 'Verified OK\n',
  },
  {
    name: 'KMS RSASSA_PSS_SHA_256: salt as long as the digest',
    make: 'dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sign rsa.pem -out sig.bin msg',
    read: 'dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest -sigopt rsa_mgf1_md:sha256 -verify rsapub.pem -signature sig.bin msg',
    expectOut: 'Verified OK\n',
  },
  {
    name: 'KMS RSASSA_PKCS1_V1_5_SHA_256 checked with dgst -verify',
    make: 'dgst -sha256 -sign rsa.pem -out sig.bin msg',
    read: 'dgst -sha256 -verify rsapub.pem -signature sig.bin msg',
    expectOut: 'Verified OK\n',
  },
  {
    name: 'pkeyutl -verify of an ECDSA signature over a digest (KMS MessageType DIGEST)',
    make: 'pkeyutl -sign -inkey ec.pem -in digest32 -out sig.bin',
    read: 'pkeyutl -verify -pubin -inkey ecpub.pem -in digest32 -sigfile sig.bin',
    expectOut: 'Signature Verified Successfully\n',
  },
  {
    name: 'pkeyutl -verify of a PSS signature over a digest',
    make: 'pkeyutl -sign -inkey rsa.pem -in digest32 -pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:32 -out sig.bin',
    read: 'pkeyutl -verify -pubin -inkey rsapub.pem -in digest32 -sigfile sig.bin -pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:-1',
    expectOut: 'Signature Verified Successfully\n',
  },
];

describe.skipIf(!HAVE_OPENSSL)('openssl: random outputs read back by the other side', () => {
  let files: Files;
  beforeAll(() => {
    files = makeFixtures();
  });

  for (const p of PAIRS) {
    for (const maker of ['ours', 'real'] as const) {
      it(`${p.name} (made by ${maker === 'ours' ? 'the terminal' : 'OpenSSL'})`, async () => {
        const r = await cross(files, p.make, p.read, maker);
        expect(r.made.status, r.made.stderr).toBe(0);
        expect({ status: r.read.status, out: text(r.read.stdout) }).toEqual({ status: 0, out: p.expectOut });
      });
    }
  }

  it('a signature with one byte changed fails on both sides ("Verification failure", status 1)', async () => {
    const made = await runOurs(split('dgst -sha256 -sign ec.pem -out sig.bin msg'), files);
    const sig = made.files.get('sig.bin')!;
    sig[sig.length - 1]! ^= 1;
    for (const run of [runReal, runOurs]) {
      const r = await run(split('dgst -sha256 -verify ecpub.pem -signature sig.bin msg'), made.files);
      expect({ status: r.status, out: text(r.stdout) }).toEqual({ status: 1, out: 'Verification failure\n' });
    }
  });

  it('ECDH: both sides derive the same secret from either end of the pair', async () => {
    const ours = await runOurs(split('pkeyutl -derive -inkey ec.pem -peerkey peerpub.pem'), files);
    const real = runReal(split('pkeyutl -derive -inkey peer.pem -peerkey ecpub.pem'), files);
    expect(ours.stdout.length).toBe(32);
    expect(Buffer.from(ours.stdout).equals(Buffer.from(real.stdout))).toBe(true);
  });

  it('rand -hex, -base64 and -out give the asked number of bytes, differently each time', async () => {
    const hex = await runOurs(split('rand -hex 16'), files);
    expect(text(hex.stdout)).toMatch(/^[0-9a-f]{32}\n$/);
    const b64 = await runOurs(split('rand -base64 100'), files);
    const lines = text(b64.stdout).split('\n');
    expect(lines.map((l) => l.length)).toEqual([64, 64, 8, 0]);
    expect(fromBase64(lines.join('')).length).toBe(100);
    const raw = await runOurs(split('rand -out key.bin 32'), files);
    expect(raw.files.get('key.bin')!.length).toBe(32);
    const again = await runOurs(split('rand -hex 16'), files);
    expect(text(again.stdout)).not.toBe(text(hex.stdout));
    const real = runReal(split('rand -base64 100'), files);
    expect(
      text(real.stdout)
        .split('\n')
        .map((l) => l.length),
    ).toEqual([64, 64, 8, 0]);
  });
});
