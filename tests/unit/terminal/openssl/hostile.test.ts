// Hostile input: truncated and mislabelled PEM, garbage DER, keys of the wrong type, empty files,
// wrong passwords, a huge -iter. The command line must fail as OpenSSL 3 fails (same stderr lines,
// same status, same partial output); the functions underneath throw their named errors.

import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { toPem } from '../../../../src/format/bytes';
import { HAVE_OPENSSL, humanLines, runOurs, runReal, written, type Files } from './harness';
import { makeFixtures } from './fixtures';
import { decodeKey, KeyDecodeError } from '../../../../src/terminal/openssl/keys';
import { pkcs1Decrypt, RsaError } from '../../../../src/terminal/openssl/rsa';
import { derToRaw, rawToDer } from '../../../../src/terminal/openssl/sign';
import { base64Decode, base64Text } from '../../../../src/terminal/openssl/stdio';
import { parseCInt } from '../../../../src/terminal/openssl/args';
import { AbortedError, pbkdf2 } from '../../../../src/terminal/openssl/cipher';

const enc = new TextEncoder();

/** Extra files the hostile lines use, made from the fixtures. */
function hostileFiles(f: Files): Files {
  const pem = new TextDecoder().decode(f.get('rsapub.pem'));
  const out = new Map(f);
  out.set('trunc.pem', enc.encode(pem.slice(0, 200)));
  out.set('noend.pem', enc.encode(pem.replace(/-----END PUBLIC KEY-----\n$/, '')));
  out.set('cert-label.pem', enc.encode(pem.replaceAll('PUBLIC KEY', 'CERTIFICATE')));
  out.set(
    'garbage.der',
    Uint8Array.from({ length: 300 }, (_, i) => (i * 37) & 255),
  );
  out.set('short.der', f.get('public_key.der')!.slice(0, 100));
  out.set('empty.sig', new Uint8Array(0));
  out.set('huge.sig', new Uint8Array(600).fill(1));
  out.set('ct-short', new Uint8Array(17).fill(9));
  return out;
}

const LINES: { line: string; stdin?: string }[] = [
  // truncated, unterminated, mislabelled and garbage keys
  { line: 'pkeyutl -encrypt -pubin -inkey trunc.pem -in plaintext' },
  { line: 'pkeyutl -encrypt -pubin -inkey noend.pem -in plaintext' },
  { line: 'dgst -sha256 -verify cert-label.pem -signature empty.sig msg' },
  { line: 'pkey -pubin -in trunc.pem' },
  { line: 'pkey -pubin -inform DER -in garbage.der' },
  { line: 'pkey -pubin -inform DER -in short.der' },
  { line: 'pkeyutl -encrypt -pubin -keyform DER -inkey rsapub.pem -in plaintext' },
  { line: 'pkeyutl -encrypt -pubin -keyform DER -inkey empty -in plaintext' },
  { line: 'dgst -sha256 -sign garbage.der msg' },
  // keys of the wrong type
  { line: 'pkeyutl -encrypt -pubin -inkey ecpub.pem -pkeyopt rsa_padding_mode:oaep -in plaintext' },
  { line: 'pkeyutl -decrypt -inkey ec.pem -in plaintext' },
  { line: 'pkeyutl -derive -inkey rsa.pem -peerkey peerpub.pem' },
  { line: 'pkeyutl -derive -inkey ec.pem -peerkey ec384pub.pem' },
  { line: 'pkeyutl -sign -inkey rsapub.pem -in digest32' },
  { line: 'dgst -sha256 -sign ecpub.pem msg' },
  { line: 'rsautl -encrypt -oaep -pubin -inkey ecpub.pem -in plaintext' },
  // empty and wrong-sized input
  { line: 'enc -d -aes-256-cbc -k secret -in empty' },
  { line: `enc -d -aes-256-cbc -K ${'00'.repeat(32)} -iv ${'00'.repeat(16)} -in empty` },
  { line: `enc -d -aes-256-cbc -K ${'00'.repeat(32)} -iv ${'00'.repeat(16)} -in ct-short -out out.bin` },
  { line: 'dgst -sha256 empty' },
  { line: 'base64 -d -in empty' },
  { line: 'dgst -sha256 -verify rsapub.pem -signature empty.sig msg' },
  { line: 'dgst -sha256 -verify ecpub.pem -signature huge.sig msg' },
  { line: 'pkeyutl -verify -pubin -inkey ecpub.pem -in digest32 -sigfile empty.sig' },
  { line: 'pkeyutl -decrypt -inkey rsa.pem -in ct-short' },
  { line: 'pkeyutl -decrypt -inkey rsa.pem -in modsize' },
  {
    line: 'pkeyutl -encrypt -pubin -inkey rsapub.pem -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -in long.txt',
  },
  // hex, numbers and options
  { line: 'enc -aes-256-cbc -K abc -iv 12345 -in plaintext' },
  { line: 'enc -aes-256-cbc -k x -S 0x0102 -in plaintext' },
  { line: 'enc -aes-256-cbc -k x -iter -5 -in plaintext' },
  { line: 'enc -aes-256-cbc -k x -iter=7 -S 01 -P' },
  { line: 'rand -hex -- 4k' },
  { line: 'dgst -sha256 -verify rsapub.pem -signature huge.sig msg' },
  { line: 'dgst -sha256 -verify ec384pub.pem -signature huge.sig msg' },
  { line: 'pkey -in rsa.pem -outform XML' },
  { line: 'dgst -sha256 -sign garbage.der -out s.bin msg' },
  { line: 'dgst -sha256 -out d.txt missing.txt' },
  { line: 'dgst -sha512 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:300 -sign rsa.pem -out s.bin msg' },
  { line: 'pkeyutl -encrypt -pubin -inkey rsapub.pem -in long.txt -out ct.bin' },
  { line: 'pkeyutl -decrypt -inkey rsa.pem -in ct-short -out pt.bin' },
  { line: 'enc -aes-256-cbc -k x -S zz -in msg -out ct.bin' },
  { line: 'enc -d -aes-256-cbc -k x -in msg -out pt.bin' },
  { line: 'rand -out sub/dir/r.bin 8' },
  { line: 'pkey -in rsa.pem -out sub/dir/k.pem' },
  { line: 'pkeyutl -sign -inkey rsa.pem -in digest32 -pkeyopt rsa_oaep_md:sha256' },
  { line: 'pkeyutl -decrypt -inkey rsa.pem -in modsize -pkeyopt digest:sha256' },
  { line: 'pkeyutl -sign -inkey ec.pem -in digest32 -pkeyopt rsa_padding_mode:pss' },
  { line: 'pkeyutl -verify -pubin -inkey ecpub.pem -in long.txt -sigfile huge.sig' },
  { line: 'pkeyutl -derive -inkey ec.pem -peerkey peerpub.pem -pkeyopt digest:sha256' },
  { line: 'dgst -sha512 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:300 -sign rsa.pem msg' },
  { line: 'dgst -sha256 -sigopt rsa_padding_mode:pss -sign ec.pem msg' },
  { line: 'dgst -sha256 -sigopt foo:bar -sign rsa.pem msg' },
  { line: 'dgst -sha256 -sigopt rsa_padding_mode:pss -sign trunc.pem msg' },
  { line: 'pkey', stdin: 'not a key' },
  { line: 'pkey -pubin', stdin: '' },
];

describe.skipIf(!HAVE_OPENSSL)('openssl: hostile command lines fail as OpenSSL 3 fails', () => {
  let files: Files;
  beforeAll(() => {
    files = hostileFiles(makeFixtures());
  });

  it.each(LINES)('openssl $line', async ({ line, stdin }) => {
    const args = line.split(' ');
    const input = stdin === undefined ? undefined : enc.encode(stdin);
    const real = runReal(args, files, input);
    const ours = await runOurs(args, files, input);
    const view = (r: typeof ours) => ({
      status: r.status,
      stdout: Buffer.from(r.stdout).toString('hex'),
      stderr: humanLines(r.stderr),
      files: written(files, r.files),
    });
    expect(view(ours)).toEqual(view(real));
  });

  it('a wrong password is "bad decrypt" with status 1 and the same partial output as OpenSSL', async () => {
    const made = runReal('enc -aes-256-cbc -pbkdf2 -k right -in long.txt -out ct'.split(' '), files);
    for (const pass of ['wrong', 'Right', 'right ']) {
      const args = ['enc', '-d', '-aes-256-cbc', '-pbkdf2', '-k', pass, '-in', 'ct', '-out', 'pt'];
      const real = runReal(args, made.files);
      const ours = await runOurs(args, made.files);
      expect(humanLines(ours.stderr)).toBe('bad decrypt\n');
      expect({ status: ours.status, pt: Buffer.from(ours.files.get('pt')!).toString('hex') }).toEqual({
        status: real.status,
        pt: Buffer.from(real.files.get('pt')!).toString('hex'),
      });
    }
  });

  it('Ctrl-C during a native (WebCrypto) PBKDF2 returns 130 at once', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 5);
    const r = await runOurs('enc -aes-256-cbc -k x -iter 1000000 -in msg'.split(' '), files, undefined, ctl.signal);
    expect(r.status).toBe(130);
  });

  it('a huge -iter stops on Ctrl-C with status 130', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 100);
    const t0 = Date.now();
    const r = await runOurs('enc -aes-256-cbc -k x -iter 2147483647 -in msg'.split(' '), files, undefined, ctl.signal);
    expect(r.status).toBe(130);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('openssl: where the terminal deliberately says more than OpenSSL 3', () => {
  const files: Files = new Map([['msg', enc.encode('m')]]);
  beforeAll(async () => {
    const pair = await crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    );
    const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
    files.set('rsa.pem', enc.encode(toPem(pkcs8, 'PRIVATE KEY')));
  });

  it('an unknown -sigopt rsa_padding_mode is refused (OpenSSL 3.0 silently signs with PKCS#1 v1.5)', async () => {
    const r = await runOurs('dgst -sha256 -sigopt rsa_padding_mode:bogus -sign rsa.pem msg'.split(' '), files);
    expect({ status: r.status, stderr: r.stderr }).toEqual({
      status: 1,
      stderr: 'Signature parameter error "rsa_padding_mode:bogus"\n',
    });
  });
  it('a passphrase prompt is replaced by a message naming -k and -pass (the terminal cannot prompt)', async () => {
    const r = await runOurs('enc -aes-256-cbc -in msg'.split(' '), files);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot prompt.*-k <password>.*-pass pass:/);
  });
  it('an Ed25519 key (which OpenSSL reads) is named as a key this terminal does not run', async () => {
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.alloc(32, 7)]);
    files.set('ed.pem', enc.encode(toPem(spki, 'PUBLIC KEY')));
    const r = await runOurs('pkeyutl -verify -pubin -inkey ed.pem -in msg -sigfile msg'.split(' '), files);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^Could not read public key from ed.pem\nopenssl: ed.pem holds a key this terminal does not run \(unsupported key algorithm \(OID 2b6570\)/,
    );
  });

  it('PSS with an MGF1 digest other than the signature digest is refused by name', async () => {
    const r = await runOurs(
      'dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_mgf1_md:sha1 -sign rsa.pem msg'.split(' '),
      files,
    );
    expect({ status: r.status, stderr: r.stderr }).toEqual({
      status: 1,
      stderr:
        'dgst: rsa_mgf1_md:sha1 differs from the signature digest; this terminal runs PSS with MGF1 over that digest\n',
    });
  });

  it('commands and ciphers OpenSSL has but the terminal lacks are named as such', async () => {
    const x509 = await runOurs(['x509', '-in', 'cert.pem'], files);
    expect(x509.stderr).toMatch(/^openssl: 'x509' is an OpenSSL command this terminal does not have/);
    const ctr = await runOurs('enc -aes-256-ctr -K 00 -iv 00 -in msg'.split(' '), files);
    expect(ctr.stderr).toMatch(/^enc: Cipher aes-256-ctr is not available in this terminal/);
    expect([x509.status, ctr.status]).toEqual([1, 1]);
  });
});

describe('openssl internals reject hostile input with named errors', () => {
  const BAD_KEYS: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['a BEGIN line only', enc.encode('-----BEGIN PUBLIC KEY-----\nMIIB\n')],
    ['bad base64 in PEM', enc.encode('-----BEGIN PUBLIC KEY-----\n@@@@\n-----END PUBLIC KEY-----\n')],
    ['a SEQUENCE with a length past the end', Uint8Array.from([0x30, 0x82, 0xff, 0xff, 0x02, 0x01, 0x00])],
    ['an INTEGER alone', Uint8Array.from([0x02, 0x01, 0x05])],
    [
      'an EC key on an unknown curve',
      Uint8Array.from([0x30, 0x0b, 0x30, 0x09, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]),
    ],
    ['indefinite length', Uint8Array.from([0x30, 0x80, 0x00, 0x00])],
  ];
  it.each(BAD_KEYS)('decodeKey refuses %s (KeyDecodeError)', (_name, bytes) => {
    expect(() => decodeKey(bytes, 'public')).toThrow(KeyDecodeError);
    expect(() => decodeKey(bytes, 'private')).toThrow(KeyDecodeError);
  });

  it('decodeKey refuses a public key where a private key is needed', () => {
    const spki = Uint8Array.from(
      Buffer.from('3059301306072a8648ce3d020106082a8648ce3d03010703420004' + '11'.repeat(64), 'hex'),
    );
    expect(() => decodeKey(spki, 'private', 'DER')).toThrow(KeyDecodeError);
    // …and a point that is not on the curve as a public key.
    expect(() => decodeKey(spki, 'public', 'DER')).toThrow(KeyDecodeError);
  });

  it('PKCS#1 v1.5 decryption of a block with the wrong shape is an RsaError', () => {
    const key = {
      type: 'rsa' as const,
      n: 3233n,
      e: 17n,
      priv: { d: 2753n, p: 61n, q: 53n, dp: 53n, dq: 49n, qi: 38n },
    };
    expect(() => pkcs1Decrypt(key, Uint8Array.from([0, 65]))).toThrow(RsaError);
    expect(() => pkcs1Decrypt(key, Uint8Array.from([1]))).toThrow(RsaError);
  });

  it('PBKDF2 stops with AbortedError when aborted', async () => {
    const ctl = new AbortController();
    ctl.abort();
    await expect(pbkdf2('sha256', enc.encode('x'), new Uint8Array(8), 1 << 20, 48, ctl.signal)).rejects.toBeInstanceOf(
      AbortedError,
    );
  });

  it('ECDSA DER: r||s round-trips, and non-canonical DER is refused', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (raw) => {
        expect(Buffer.from(derToRaw(rawToDer(raw), 32)!)).toEqual(Buffer.from(raw));
      }),
    );
    const der = rawToDer(new Uint8Array(64).fill(1));
    const padded = Uint8Array.from([0x30, der[1]! + 1, 0x02, 0x21, 0x00, ...der.subarray(4)]);
    expect(derToRaw(padded, 32)).toBeUndefined();
    expect(derToRaw(new Uint8Array(0), 32)).toBeUndefined();
    expect(derToRaw(Uint8Array.from([0x30, 0x02, 0x02, 0x00]), 32)).toBeUndefined();
  });

  it('base64 text and its reading round-trip for any bytes, wrapped or on one line', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        expect(Buffer.from(base64Decode(enc.encode(base64Text(b, false)), false))).toEqual(Buffer.from(b));
        expect(Buffer.from(base64Decode(enc.encode(base64Text(b, true)), true))).toEqual(Buffer.from(b));
      }),
    );
  });

  it('numbers are read as strtol base 0 reads them, within int range', () => {
    expect([
      parseCInt('0x10'),
      parseCInt('010'),
      parseCInt('-7'),
      parseCInt('4k'),
      parseCInt('2147483648'),
      parseCInt(''),
    ]).toEqual([16, 8, -7, 'nan', 'range', 'nan']);
  });
});
