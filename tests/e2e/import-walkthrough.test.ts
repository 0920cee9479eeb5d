// User story: a person brings their own key material through the console. They create a key with external
// origin, choose a wrapping algorithm and wrapping key spec on its page, download the wrapping public key and
// import token, wrap 32 bytes of their own (with Node's crypto, then with the OpenSSL commands the page shows),
// upload material and token, use the key, delete its material behind a confirmation and bring it back with an
// expiry. Real Chromium, the built app.
import { execFileSync } from 'node:child_process';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './axe-scan';
import { useApp } from './harness';

const env = useApp();
const dir = mkdtempSync(join(tmpdir(), 'pocket-kms-import-walk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const text = async (l: Locator) => (await l.textContent()) ?? '';
const hasOpenssl = (() => {
  try {
    execFileSync('bash', ['-c', 'openssl version && xxd -v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

async function save(click: () => Promise<void>): Promise<{ name: string; bytes: Uint8Array }> {
  const [d] = await Promise.all([env.browser.page.waitForEvent('download'), click()]);
  const path = join(dir, d.suggestedFilename());
  await d.saveAs(path);
  return { name: d.suggestedFilename(), bytes: new Uint8Array(readFileSync(path)) };
}

const call = (op: string, body: object) =>
  env.browser.page.evaluate(
    ([op, body]) =>
      (globalThis as any).pocketKms.call(op, body).then(
        (r: any) => JSON.parse(JSON.stringify(r)),
        (e: Error) => ({ error: e.name }),
      ),
    [op, body] as const,
  );

/** Encrypt in the page (the console's own client); the ciphertext stays there as a base64 string. */
const encrypt = (KeyId: string, plaintext: string) =>
  env.browser.page.evaluate(
    async ([KeyId, plaintext]) => {
      const r = await (globalThis as any).pocketKms.call('Encrypt', {
        KeyId,
        Plaintext: new TextEncoder().encode(plaintext),
      });
      return btoa(String.fromCharCode(...r.CiphertextBlob));
    },
    [KeyId, plaintext] as const,
  );

/** Decrypt in the page: the plaintext as text, or the exception's name. */
const decrypt = (ciphertext: string) =>
  env.browser.page.evaluate(
    (b64) =>
      (globalThis as any).pocketKms
        .call('Decrypt', { CiphertextBlob: Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)) })
        .then(
          (r: any) => new TextDecoder().decode(r.Plaintext),
          (e: Error) => e.name,
        ),
    ciphertext,
  );

describe('import walk-through in the console', () => {
  it('creates an external key, imports, uses, deletes and re-imports its material', async () => {
    const { page } = env.browser;
    await page.getByRole('heading', { level: 1, name: 'Keys' }).waitFor();
    await page.getByRole('button', { name: 'Create key', exact: true }).click();
    const create = page.getByRole('dialog', { name: 'Create key' });
    await create.getByRole('radio', { name: /^External \(import key material\)/ }).check();
    await create.getByLabel('Alias').fill('my-own-key');
    await create.getByRole('button', { name: 'Create key', exact: true }).click();
    await create.getByRole('link', { name: 'Open key' }).click();
    await page.getByRole('heading', { level: 1, name: 'alias/my-own-key' }).waitFor();
    const panel = page.getByRole('region', { name: 'Key material' });
    await expect.poll(() => text(panel)).toContain('PendingImport');
    const keyId = (await page.evaluate(() => location.hash)).split('/').pop()!;

    // 1. Wrapping key and token for RSAES_OAEP_SHA_256, wrapped here with Node's crypto (what `openssl pkeyutl
    // -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256` does).
    await panel.getByLabel('Wrapping algorithm').selectOption('RSAES_OAEP_SHA_256');
    await panel.getByLabel('Wrapping key spec').selectOption('RSA_2048');
    await panel.getByRole('button', { name: 'Get wrapping key and import token' }).click();
    await expect.poll(() => text(panel)).toContain('valid until');
    const pub = await save(() => panel.getByRole('button', { name: 'Download wrapping public key' }).click());
    const token = await save(() => panel.getByRole('button', { name: 'Download import token' }).click());
    expect([pub.name, token.name]).toEqual(['WrappingPublicKey.bin', 'ImportToken.bin']);
    const commands = await text(panel.getByRole('region', { name: 'OpenSSL commands' }));
    expect(commands).toContain('-pkeyopt rsa_oaep_md:sha256');
    expect(commands).toContain('-inkey WrappingPublicKey.bin');

    // The walk-through as it stands now (choices, downloads, commands, upload form) is accessible.
    expect(await seriousViolations(page)).toEqual([]);

    const material = randomBytes(32);
    const wrapped = publicEncrypt(
      {
        key: createPublicKey({ key: Buffer.from(pub.bytes), format: 'der', type: 'spki' }),
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: 'sha256',
      },
      material,
    );
    await panel
      .getByLabel('Encrypted key material')
      .setInputFiles({ name: 'EncryptedKeyMaterial.bin', mimeType: 'application/octet-stream', buffer: wrapped });
    await panel.getByLabel('Import token').setInputFiles({
      name: 'ImportToken.bin',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from(token.bytes),
    });
    await panel.getByRole('radio', { name: 'Key material does not expire' }).check();
    await panel.getByRole('button', { name: 'Import key material' }).click();
    await expect.poll(() => text(panel)).toContain('Key material imported. The key is Enabled.');
    expect(await text(panel)).toContain('Does not expire');

    // The key works.
    const ciphertext = await encrypt(keyId, 'my own material');
    expect(await decrypt(ciphertext)).toBe('my own material');

    // 2. Delete the material: a confirmation first, then the key waits for an import and cannot decrypt.
    await panel.getByRole('button', { name: 'Delete key material' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete key material' });
    expect(await confirm.getByRole('button', { name: 'Delete key material' }).isDisabled()).toBe(true);
    await confirm.getByRole('checkbox').check();
    await confirm.getByRole('button', { name: 'Delete key material' }).click();
    await expect.poll(() => text(panel)).toContain('No key material imported');
    expect(await decrypt(ciphertext)).toBe('KMSInvalidStateException');

    // 3. The same material again, wrapped by the OpenSSL commands the page shows for RSA_AES_KEY_WRAP_SHA_256
    // (without the line that makes test material: this is our own), expiring tomorrow.
    await panel.getByLabel('Wrapping algorithm').selectOption('RSA_AES_KEY_WRAP_SHA_256');
    await panel.getByLabel('Wrapping key spec').selectOption('RSA_2048');
    await panel.getByRole('button', { name: 'Get wrapping key and import token' }).click();
    await expect.poll(() => text(panel)).toContain('RSA_AES_KEY_WRAP_SHA_256; valid until');
    const pub2 = await save(() => panel.getByRole('button', { name: 'Download wrapping public key' }).click());
    const token2 = await save(() => panel.getByRole('button', { name: 'Download import token' }).click());
    const shown = await text(panel.getByRole('region', { name: 'OpenSSL commands' }));
    expect(shown).toContain('openssl enc -id-aes256-wrap-pad');
    let wrapped2: Buffer;
    if (hasOpenssl) {
      writeFileSync(join(dir, 'WrappingPublicKey.bin'), pub2.bytes);
      writeFileSync(join(dir, 'PlaintextKeyMaterial.bin'), material);
      const ours = shown.split('\n').slice(1).join('\n');
      execFileSync('bash', ['-c', `set -euo pipefail\n${ours}\n`], { cwd: dir });
      wrapped2 = readFileSync(join(dir, 'EncryptedKeyMaterial.bin'));
    } else {
      throw new Error('openssl and xxd are needed to run the commands the page shows');
    }
    await panel
      .getByLabel('Encrypted key material')
      .setInputFiles({ name: 'EncryptedKeyMaterial.bin', mimeType: 'application/octet-stream', buffer: wrapped2 });
    await panel.getByLabel('Import token').setInputFiles({
      name: 'ImportToken.bin',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from(token2.bytes),
    });
    await panel.getByRole('radio', { name: 'Key material expires' }).check();
    const tomorrow = new Date(Date.now() + 86_400_000);
    const local = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await panel.getByLabel('Expiration date and time').fill(local);
    await panel.getByRole('button', { name: 'Import key material' }).click();
    await expect.poll(() => text(panel)).toContain('Key material imported. The key is Enabled.');
    expect(await text(panel)).toContain('Expires');
    const described = await call('DescribeKey', { KeyId: keyId });
    expect(described.KeyMetadata.ExpirationModel).toBe('KEY_MATERIAL_EXPIRES');
    expect(Math.abs(new Date(described.KeyMetadata.ValidTo).getTime() - tomorrow.getTime())).toBeLessThan(60_000);
    // The old ciphertext decrypts again: it is the same material.
    expect(await decrypt(ciphertext)).toBe('my own material');
    expect(env.browser.errors).toEqual([]);
  }, 120_000);
});
