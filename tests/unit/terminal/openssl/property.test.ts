// Properties over random inputs, each checked against the real openssl: enc with -K/-iv and with a
// passphrase and fixed salt, base64 both ways, and dgst, give OpenSSL's bytes for any plaintext.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../../src/format/bytes';
import { HAVE_OPENSSL, runOurs, runReal, type Files } from './harness';

const hex = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map(toHex);
const same = async (args: string[], files: Files, stdin?: Uint8Array) => {
  const ours = await runOurs(args, files, stdin);
  const real = runReal(args, files, stdin);
  expect(Buffer.from(ours.stdout).toString('hex')).toBe(Buffer.from(real.stdout).toString('hex'));
  expect(ours.status).toBe(real.status);
  return ours;
};

describe.skipIf(!HAVE_OPENSSL)('openssl properties against the real OpenSSL', () => {
  it('enc -K/-iv (with and without -a, -nopad) equals OpenSSL and decrypts back', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 100 }), hex(32), hex(16), fc.boolean(), async (data, k, iv, b64) => {
        const files: Files = new Map([['in', data]]);
        const args = ['enc', '-aes-256-cbc', '-K', k, '-iv', iv, '-in', 'in', ...(b64 ? ['-a'] : [])];
        const ct = await same(args, files);
        const back = await runOurs(
          ['enc', '-d', ...args.slice(1, 6), '-in', 'ct', ...(b64 ? ['-a'] : [])],
          new Map([['ct', ct.stdout]]),
        );
        expect(Buffer.from(back.stdout)).toEqual(Buffer.from(data));
      }),
      { numRuns: 25 },
    );
  });

  it('enc with a passphrase and -S (EVP_BytesToKey and PBKDF2) equals OpenSSL', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 64 }),
        fc.stringMatching(/^[A-Za-z0-9]{1,20}$/),
        hex(8),
        fc.constantFrom(['-md', 'md5'], ['-md', 'sha256'], ['-pbkdf2'], ['-iter', '7', '-md', 'sha512']),
        async (data, pass, salt, kdf) => {
          await same(['enc', '-aes-256-cbc', '-k', pass, '-S', salt, ...kdf, '-in', 'in'], new Map([['in', data]]));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('base64 and base64 -d (wrapped and -A) equal OpenSSL', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), fc.boolean(), async (data, oneLine) => {
        const A = oneLine ? ['-A'] : [];
        const enc = await same(['base64', ...A], new Map(), data);
        await same(['base64', '-d', ...A], new Map(), enc.stdout);
      }),
      { numRuns: 25 },
    );
  });

  it('dgst of any bytes equals OpenSSL', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom('-sha256', '-sha384', '-sha512', '-md5'),
        async (data, md) => {
          await same(['dgst', md, 'f'], new Map([['f', data]]));
        },
      ),
      { numRuns: 20 },
    );
  });
});
