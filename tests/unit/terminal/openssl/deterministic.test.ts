// Command lines whose output OpenSSL 3 fixes (enc with -K/-iv or -S, dgst, PKCS#1 v1.5 signatures,
// base64, pkey conversions, errors): the terminal's stdout, files, stderr lines and exit status must
// equal the real /usr/bin/openssl's, byte for byte.

import { beforeAll, describe, expect, it } from 'vitest';
import { HAVE_OPENSSL, humanLines, runOurs, runReal, written, type Files } from './harness';
import { makeFixtures } from './fixtures';

const K = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const IV = '0f0e0d0c0b0a09080706050403020100';

/** One line per case; `stdin` is piped in. Split on spaces (no case needs quoting). */
const CASES: { line: string; stdin?: string; stdinFile?: string }[] = [
  // enc with a raw key
  { line: `enc -aes-256-cbc -K ${K} -iv ${IV} -in plaintext` },
  { line: `enc -e -aes256 -K ${K} -iv ${IV} -in long.txt -out ct.bin` },
  { line: `enc -aes-128-cbc -K ${K.slice(0, 32)} -iv ${IV} -in msg -a` },
  { line: `enc -aes-256-cbc -K ${K} -iv ${IV} -in long.txt -base64` },
  { line: `enc -aes-256-cbc -K ${K} -iv ${IV} -in long.txt -base64 -A` },
  { line: `enc -aes-256-cbc -K ${K} -iv ${IV} -in block32 -nopad` },
  { line: `enc -aes-256-cbc -K ${K} -iv ${IV} -in msg -nopad` },
  { line: `enc -aes-256-cbc -K 0011 -iv 00 -in plaintext` },
  { line: `enc -aes-256-cbc -K ${K}ff -iv ${IV}ff -in plaintext` },
  { line: `enc -aes-256-cbc -K 0z -iv ${IV} -in plaintext` },
  { line: `enc -aes-256-cbc -K ${K} -in plaintext` },
  // (-p with -K but without -nosalt prints an uninitialised salt in OpenSSL 3.0: not comparable)
  { line: `enc -aes-256-cbc -K ${K} -iv ${IV} -nosalt -in plaintext -p` },
  { line: `enc -aes-256-cbc -K ${K} -iv ${IV} -nosalt -P` },
  { line: `enc -aes-256-cbc -K ${K} -iv ${IV}`, stdin: 'from stdin' },
  // enc with a passphrase and a fixed salt
  { line: 'enc -aes-256-cbc -k secret -S 0102030405060708 -in plaintext' },
  { line: 'enc -aes-256-cbc -k secret -S 0102030405060708 -md md5 -in plaintext -a' },
  { line: 'enc -aes-256-cbc -k secret -nosalt -md md5 -in plaintext -p' },
  { line: 'enc -aes-256-cbc -pass pass:secret -S 0102030405060708 -pbkdf2 -in plaintext -a' },
  { line: 'enc -aes-256-cbc -pass env:SECRET_PASS -S 0102030405060708 -pbkdf2 -iter 1000 -in msg -a -A' },
  { line: 'enc -aes-256-cbc -pass file:pass.txt -S 01020304 -iter 5 -md sha512 -in msg -P' },
  { line: 'enc -aes-256-cbc -k secret -S 0102030405060708 -iter 0x10 -P' },
  { line: 'enc -aes-256-cbc -k secret -S 0102030405060708 -pbkdf2 -iter 3000 -md md5 -P' },
  { line: 'enc -aes-128-cbc -k secret -S 0102030405060708 -pbkdf2 -md sha224 -in msg' },
  { line: 'enc -aes-256-cbc -k secret -S 0102030405060708 -iter 0 -in msg' },
  { line: 'enc -aes-256-cbc -k secret -S 0102030405060708 -iter 99999999999 -in msg' },
  { line: 'enc -aes-256-cbc -k secret -salt -S 0102030405060708 -pbkdf2 -in long.txt -out ct.bin' },
  // enc refusals
  { line: `enc -aes-256-gcm -K ${K} -iv ${IV} -in plaintext` },
  { line: 'enc -foo -k x -in plaintext' },
  { line: 'enc -aes-256-cbc -k x -in missing.txt' },
  { line: 'enc -aes-256-cbc -k x -md nosuchmd -in plaintext' },
  { line: 'enc -aes-256-cbc -k x -in plaintext extra' },
  { line: 'enc -aes-256-cbc -k x -in' },
  // base64
  { line: 'base64 -in long.txt' },
  { line: 'base64 -A -in long.txt' },
  { line: 'base64 -in empty' },
  { line: 'base64', stdin: 'hello' },
  { line: 'base64 -d', stdin: 'aGVsbG8gd29y\nbGQ=\n' },
  { line: 'base64 -d', stdin: 'aGVsbG8gd29ybGQ' },
  { line: 'base64 -d -A', stdin: 'aGVsbG8gd29ybGQ=' },
  { line: 'base64 -d', stdin: 'aGVs*bG8=' },
  { line: 'base64 -d', stdin: 'aGVsbG8gd29ybGQ=' },
  { line: 'base64 -d', stdin: 'junk line!\n\naGVsbG8=\nd29y\n' },
  { line: 'base64 -d', stdin: 'aGVsbG8=d29y\n' },
  { line: 'base64 -d', stdin: 'aGVs\n*bG8=\n' },
  { line: 'base64 -d', stdin: 'aGVsbG8g d29y\tbGQ=\n' },
  { line: 'base64 -d -A', stdin: 'aGVsbG8gd29ybGQ' },
  { line: 'base64 -d -A', stdin: 'aGVs\nbG8=' },
  { line: 'enc -d -aes-256-cbc -K 00 -iv 00 -in msg' },
  { line: 'enc -d -aes-256-cbc -k x -in plaintext' },
  { line: 'enc -d -aes-256-cbc -k x -in msg -md md5' },
  { line: 'enc -base64 -d -out dec.bin', stdin: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n' },
  // dgst
  { line: 'dgst -sha256 msg' },
  { line: 'dgst -sha384 msg plaintext' },
  { line: 'dgst -sha512 -r msg' },
  { line: 'dgst -sha256 -c msg' },
  { line: 'dgst -sha256 -binary -out d.bin msg' },
  { line: 'dgst -sha1 msg' },
  { line: 'dgst -md5 msg' },
  { line: 'dgst', stdin: 'abc' },
  { line: 'sha256 msg' },
  { line: 'dgst -sha256 -hmac key msg' },
  { line: 'dgst -sha256 missing.txt msg' },
  { line: 'dgst -nosuchmd msg' },
  { line: 'dgst -sha256 -sign rsa.pem -out sig.bin msg' },
  { line: 'dgst -sha512 -sign rsa-pkcs1.pem -hex msg' },
  { line: 'dgst -sha256 -sign rsa.der -keyform DER msg' },
  { line: 'dgst -sha256 -sign rsapub.pem msg' },
  { line: 'dgst -sha256 -verify rsapub.pem msg' },
  { line: 'dgst -sha256 -verify rsapub.pem -signature missing.sig msg' },
  { line: 'dgst -sha256 -sign rsa.pem msg plaintext' },
  // pkey conversions
  { line: 'pkey -pubin -inform DER -outform PEM -in public_key.der' },
  { line: 'pkey -pubin -in rsapub.pem -outform DER -out pub.der' },
  { line: 'pkey -pubin -in rsapub-pkcs1.pem' },
  { line: 'pkey -in rsa-pkcs1.pem' },
  { line: 'pkey -in rsa.der -inform DER -pubout' },
  { line: 'pkey -in ec-sec1.pem' },
  { line: 'pkey -in ec.pem -pubout -outform DER' },
  { line: 'pkey -pubin -in ecpub-compressed.pem' },
  { line: 'pkey -pubin -in k1pub.der -inform DER' },
  { line: 'pkey -in ec521.pem -pubout' },
  { line: 'pkey -in rsapub.pem' },
  { line: 'pkey -pubout -outform DER', stdinFile: 'rsa.pem' },
  { line: 'pkey', stdinFile: 'ec-sec1.pem' },
  { line: 'pkey -pubin -in missing.pem' },
  { line: 'pkey -inform XYZ -in rsa.pem' },
  // pkeyutl / rsautl, deterministic parts
  { line: 'pkeyutl -sign -inkey rsa.pem -in digest32 -pkeyopt digest:sha256 -out s.bin' },
  { line: 'pkeyutl -sign -inkey rsa.pem -in digest32' },
  { line: 'pkeyutl -derive -inkey ec.pem -peerkey peerpub.pem -out shared.bin' },
  { line: 'pkeyutl -derive -inkey ec.pem -peerkey rsapub.pem' },
  { line: 'pkeyutl -derive -inkey k1.pem -peerkey k1pub.pem' },
  { line: 'pkeyutl -derive -inkey ec521.pem -peerkey ec521pub.der -peerform DER' },
  { line: 'pkeyutl -sign -inkey rsa.pem -pkeyopt rsa_padding_mode:none -in modsize' },
  { line: 'pkeyutl -sign -inkey rsa.pem -in digest32 -pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:oaep' },
  { line: 'pkeyutl -encrypt -pubin -inkey rsapub.pem -pkeyopt rsa_padding_mode:pss -in plaintext' },
  { line: 'pkeyutl -sign -inkey rsa.pem -in msg -pkeyopt digest:sha256' },
  { line: 'rsautl -sign -raw -inkey rsa.pem -in modsize' },
  { line: 'pkeyutl -encrypt -pubin -inkey ecpub.pem -in plaintext' },
  { line: 'pkeyutl -encrypt -inkey rsapub.pem -in plaintext' },
  { line: 'pkeyutl -encrypt -pubin -inkey rsapub.pem -in long.txt' },
  { line: 'pkeyutl -encrypt -pubin -inkey rsapub.pem -pkeyopt foo:bar -in plaintext' },
  { line: 'pkeyutl -verify -pubin -inkey rsapub.pem -in plaintext' },
  { line: 'pkeyutl -encrypt -pubin -inkey rsapub.pem -pkeyopt rsa_padding_mode:none -in modsize' },
  { line: 'pkeyutl -bogus' },
  { line: 'rsautl -sign -inkey rsa.pem -in plaintext' },
  { line: 'rsautl -encrypt -pubin -inkey ecpub.pem -in plaintext' },
  // rand refusals and the dispatcher
  { line: 'rand -hex 0' },
  { line: 'rand -hex 1 2' },
  { line: 'rand' },
  { line: 'rand -hex abc' },
  { line: 'rand -hex 4k' },
  { line: 'rand -out' },
  { line: 'rand -foo 4' },
  { line: 'rand -hex 99999999999' },
  { line: 'nosuchcommand' },
];

describe.skipIf(!HAVE_OPENSSL)('openssl: byte-identical to OpenSSL 3 where the output is fixed', () => {
  let files: Files;
  beforeAll(() => {
    files = makeFixtures();
  });

  it.each(CASES)('openssl $line', async ({ line, stdin, stdinFile }) => {
    const args = line.split(' ');
    const input = stdinFile ? files.get(stdinFile) : stdin === undefined ? undefined : new TextEncoder().encode(stdin);
    const real = runReal(args, files, input);
    const ours = await runOurs(args, files, input);
    expect({
      status: ours.status,
      stdout: Buffer.from(ours.stdout).toString('hex'),
      stderr: humanLines(ours.stderr),
      files: written(files, ours.files),
    }).toEqual({
      status: real.status,
      stdout: Buffer.from(real.stdout).toString('hex'),
      stderr: humanLines(real.stderr),
      files: written(files, real.files),
    });
  });
});

if (!HAVE_OPENSSL)
  console.warn('tests/unit/terminal/openssl: /usr/bin/openssl is absent, so the comparison tables are skipped');
