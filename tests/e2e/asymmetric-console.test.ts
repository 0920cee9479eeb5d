// User story: a person creates a P-256 signing key in the console, reads its public key, signs a
// release note and a release file, verifies them, sees a changed message refused, and checks both
// signatures with the exact openssl commands the page shows. Then an HMAC key makes and checks a MAC,
// an ECDH key agrees with OpenSSL on a secret, and an ML-KEM key encapsulates and decapsulates.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadApp, openBrowser, serveApp, type App } from './harness';

let app: App;
const dir = mkdtempSync(join(tmpdir(), 'pocket-kms-console-'));

beforeAll(async () => {
  app = await serveApp();
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const text = async (l: Locator) => (await l.textContent()) ?? '';

test('sign text and a file (OpenSSL verifies both with the commands shown), make a MAC, agree on an ECDH secret with OpenSSL, encapsulate with ML-KEM', async () => {
  const browser = await openBrowser();
  const { page } = browser;
  try {
    await loadApp(page, app.url);
    await page.getByRole('heading', { level: 1, name: 'Keys' }).waitFor();

    await page.getByRole('button', { name: 'Create key', exact: true }).click();
    const create = page.getByRole('dialog', { name: 'Create key' });
    await create.getByRole('radio', { name: /^Asymmetric/ }).check();
    await create.getByRole('radio', { name: /^Sign and verify/ }).check();
    await create.getByLabel('Key spec').selectOption('ECC_NIST_P256');
    expect(await text(create)).toContain('Browser-protected');
    await create.getByLabel('Alias').fill('release-signing');
    await create.getByRole('button', { name: 'Create key', exact: true }).click();
    await expect.poll(() => text(create.getByRole('status'))).toContain('Key created with alias alias/release-signing');
    await create.getByRole('link', { name: 'Open key' }).click();
    await page.getByRole('heading', { level: 1, name: 'alias/release-signing' }).waitFor();
    expect(await page.getByRole('link', { name: 'Encrypt with this key' }).count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Key rotation' }).count()).toBe(0);

    const publicKey = page.getByRole('region', { name: 'Public key' });
    await expect.poll(() => text(publicKey)).toContain('-----BEGIN PUBLIC KEY-----');
    const pem = (await publicKey.getByLabel('Public key (PEM)').textContent())!;
    expect(await publicKey.getByRole('button', { name: 'Download DER' }).count()).toBe(1);

    const sign = page.getByRole('region', { name: 'Sign and verify' });
    expect(await sign.getByLabel('Signing algorithm').inputValue()).toBe('ECDSA_SHA_256');
    await sign.getByLabel('Text to sign').fill('release 1.2.3');
    await sign.getByRole('button', { name: 'Sign', exact: true }).click();
    await expect.poll(() => sign.getByLabel('Signature (base64)').inputValue()).toMatch(/^M[A-Za-z0-9+/]+=*$/);
    const signature = await sign.getByLabel('Signature (base64)').inputValue();
    await sign.getByRole('button', { name: 'Verify', exact: true }).click();
    await expect.poll(() => text(sign.getByRole('status'))).toContain('Signature valid');

    const command = (await sign.getByLabel('OpenSSL command').textContent())!;
    expect(command).toMatch(/^openssl dgst -sha256 -verify \S+\.pem -signature message\.txt\.sig message\.txt$/);

    // A changed message is refused.
    await sign.getByLabel('Text to sign').fill('release 1.2.4');
    await sign.getByRole('button', { name: 'Verify', exact: true }).click();
    await expect.poll(() => text(sign.getByRole('status'))).toContain('NOT valid');

    // The command works, run where the files it names are.
    const pemName = /-verify (\S+\.pem)/.exec(command)![1]!;
    writeFileSync(join(dir, pemName), pem);
    writeFileSync(join(dir, 'message.txt'), 'release 1.2.3');
    writeFileSync(join(dir, 'message.txt.sig'), Buffer.from(signature, 'base64'));
    const [bin, ...args] = command.split(' ');
    expect(execFileSync(`/usr/bin/${bin}`, args, { cwd: dir }).toString()).toContain('Verified OK');

    // A file: hashed by streaming in the worker, signed as a DIGEST; OpenSSL verifies it over the whole file.
    const artifact = Buffer.alloc(300_000, 'pocket-kms ');
    await sign.getByRole('radio', { name: /^A file/ }).check();
    await sign
      .getByLabel('File to sign')
      .setInputFiles({ name: 'release.tar', mimeType: 'application/x-tar', buffer: artifact });
    await sign.getByLabel('Signature (base64)').fill('');
    await sign.getByRole('button', { name: 'Sign', exact: true }).click();
    await expect.poll(() => sign.getByLabel('Signature (base64)').inputValue()).toMatch(/^M[A-Za-z0-9+/]+=*$/);
    const fileSignature = await sign.getByLabel('Signature (base64)').inputValue();
    await sign.getByRole('button', { name: 'Verify', exact: true }).click();
    await expect.poll(() => text(sign.getByRole('status'))).toContain('Signature valid');
    const fileCommand = (await sign.getByLabel('OpenSSL command').textContent())!;
    expect(fileCommand).toMatch(/-signature release\.tar\.sig release\.tar$/);
    writeFileSync(join(dir, 'release.tar'), artifact);
    writeFileSync(join(dir, 'release.tar.sig'), Buffer.from(fileSignature, 'base64'));
    const [fbin, ...fargs] = fileCommand.split(' ');
    expect(execFileSync(`/usr/bin/${fbin}`, fargs, { cwd: dir }).toString()).toContain('Verified OK');

    // An HMAC key: generate and verify a MAC.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Keys' }).click();
    await page.getByRole('button', { name: 'Create key', exact: true }).click();
    await create.getByRole('radio', { name: /^HMAC/ }).check();
    await create.getByLabel('Key spec').selectOption('HMAC_384');
    await create.getByRole('button', { name: 'Create key', exact: true }).click();
    await create.getByRole('link', { name: 'Open key' }).click();
    const mac = page.getByRole('region', { name: 'Generate and verify MAC' });
    await mac.getByLabel('Message', { exact: true }).fill('webhook body');
    await mac.getByRole('button', { name: 'Generate MAC' }).click();
    await expect.poll(() => mac.getByLabel('MAC (base64)').inputValue()).toMatch(/^[A-Za-z0-9+/]{64}$/);
    await mac.getByRole('button', { name: 'Verify MAC' }).click();
    await expect.poll(() => text(mac.getByRole('status'))).toContain('MAC valid');

    // A key-agreement key: the secret derived with a peer's PEM equals OpenSSL's from the peer's side.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Keys' }).click();
    await page.getByRole('button', { name: 'Create key', exact: true }).click();
    await create.getByRole('radio', { name: /^Asymmetric/ }).check();
    await create.getByRole('radio', { name: /^Key agreement/ }).check();
    await create.getByLabel('Key spec').selectOption('ECC_NIST_P384');
    await create.getByRole('button', { name: 'Create key', exact: true }).click();
    await create.getByRole('link', { name: 'Open key' }).click();
    const kmsPem = page.getByRole('region', { name: 'Public key' }).getByLabel('Public key (PEM)');
    await expect.poll(() => text(kmsPem)).toContain('BEGIN PUBLIC KEY');
    writeFileSync(join(dir, 'kms-ecdh.pem'), (await kmsPem.textContent())!);
    execFileSync('/usr/bin/openssl', [
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-384',
      '-out',
      join(dir, 'peer.pem'),
    ]);
    const peerPub = execFileSync('/usr/bin/openssl', ['pkey', '-in', join(dir, 'peer.pem'), '-pubout']).toString();
    const agree = page.getByRole('region', { name: 'Derive a shared secret' });
    await agree.getByLabel("Other party's public key (PEM)").fill(peerPub);
    await agree.getByRole('button', { name: 'Derive shared secret' }).click();
    await expect.poll(() => agree.getByLabel('Shared secret (base64)').inputValue()).toMatch(/^[A-Za-z0-9+/]{64}$/);
    const theirs = execFileSync('/usr/bin/openssl', [
      'pkeyutl',
      '-derive',
      '-inkey',
      join(dir, 'peer.pem'),
      '-peerkey',
      join(dir, 'kms-ecdh.pem'),
    ]);
    expect(await agree.getByLabel('Shared secret (base64)').inputValue()).toBe(theirs.toString('base64'));

    // An ML-KEM key: encapsulate, then decapsulate the same ciphertext to the same secret.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Keys' }).click();
    await page.getByRole('button', { name: 'Create key', exact: true }).click();
    await create.getByRole('radio', { name: /^Asymmetric/ }).check();
    await create.getByRole('radio', { name: /^Key encapsulation/ }).check();
    await create.getByRole('button', { name: 'Create key', exact: true }).click();
    await create.getByRole('link', { name: 'Open key' }).click();
    const kem = page.getByRole('region', { name: 'Encapsulate and decapsulate' });
    await kem.getByRole('button', { name: 'Encapsulate', exact: true }).click();
    await expect.poll(() => kem.getByLabel('Shared secret (base64)').inputValue()).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const encapsulated = await kem.getByLabel('Shared secret (base64)').inputValue();
    const ciphertext = await kem.getByLabel('Encapsulated secret (base64)').inputValue();
    // An altered ciphertext of the right length decapsulates to another secret (implicit rejection)…
    const altered = Buffer.from(ciphertext, 'base64');
    altered[0]! ^= 1;
    await kem.getByLabel('Encapsulated secret (base64)').fill(altered.toString('base64'));
    await kem.getByRole('button', { name: 'Decapsulate' }).click();
    await expect.poll(() => kem.getByLabel('Shared secret (base64)').inputValue()).not.toBe(encapsulated);
    // …and the real one to the same secret.
    await kem.getByLabel('Encapsulated secret (base64)').fill(ciphertext);
    await kem.getByRole('button', { name: 'Decapsulate' }).click();
    await expect.poll(() => kem.getByLabel('Shared secret (base64)').inputValue()).toBe(encapsulated);
  } finally {
    await browser.close();
  }
});
