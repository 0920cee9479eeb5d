// User story (issue 11): a person with a passphrase encrypts text and a 50 MiB file, backs the keystore up
// from Settings, and restores it in a fresh browser profile; both decrypt there. A wrong passphrase and a
// damaged backup are refused by name, and the fresh keystore is left as it was.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAliasedKeys, loadApp, openBrowser, serveApp, type App, type Browser } from './harness';

const PASSPHRASE = 'harbor violet engine 2026';
const SIZE_MIB = 50;
let app: App;
let dir: string;
let a: Browser;
let b: Browser;

const sha256 = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

async function saveFile(page: Page, path: string, savedName: string): Promise<string> {
  await page.getByLabel('Choose files').setInputFiles(path);
  const link = page.getByRole('link', { name: `Save ${savedName}`, exact: true });
  await link.waitFor({ timeout: 120_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const out = join(dir, `out-${Date.now()}`, savedName);
  await download.saveAs(out);
  return out;
}

beforeAll(async () => {
  app = await serveApp();
  dir = mkdtempSync(join(tmpdir(), 'pocket-kms-backup-e2e-'));
  mkdirSync(join(dir, 'in'));
  a = await openBrowser();
  b = await openBrowser();
  await loadApp(a.page, app.url);
  await loadApp(b.page, app.url);
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('backup and restore', () => {
  let blob: number[];
  let encrypted: string;
  let plainHash: string;
  let backupPath: string;

  it('encrypts text and a file under a passphrase-protected keystore, then backs it up from Settings', async () => {
    const { page } = a;
    await page.waitForFunction(() => (globalThis as any).pocketKms?.info !== undefined);
    await page.evaluate((passphrase) => (globalThis as any).pocketKms.api.setUpRecovery({ passphrase }), PASSPHRASE);
    await createAliasedKeys(page, [{ alias: 'alias/backup-e2e', description: 'carried to another browser' }]);
    blob = await page.evaluate(async () => {
      const { CiphertextBlob } = await (globalThis as any).pocketKms.call('Encrypt', {
        KeyId: 'alias/backup-e2e',
        Plaintext: new TextEncoder().encode('travels in a backup'),
      });
      return [...CiphertextBlob];
    });
    const plain = join(dir, 'in', 'big.bin');
    writeFileSync(plain, randomBytes(SIZE_MIB << 20));
    plainHash = sha256(plain);
    await page.reload();
    await page.getByLabel('Passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('link', { name: 'Files', exact: true }).click();
    await page.getByRole('heading', { name: 'Files', level: 1 }).waitFor();
    await expect.poll(() => page.getByLabel('Key', { exact: true }).inputValue()).toMatch(/^alias\/backup-e2e/);
    encrypted = await saveFile(page, plain, 'big.bin.encrypted');
    expect(statSync(encrypted).size).toBeGreaterThan(SIZE_MIB << 20);

    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    const section = page.getByRole('region', { name: 'Backup' });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      section.getByRole('button', { name: 'Back up now' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^pocket-kms-us-east-1-\d{4}-\d{2}-\d{2}\.pkmsbackup$/);
    backupPath = join(dir, 'keystore.pkmsbackup');
    await download.saveAs(backupPath);
    expect(readFileSync(backupPath).subarray(0, 8).toString()).toBe('PKMSBKUP');
    expect(readFileSync(backupPath).includes(Buffer.from('backup-e2e'))).toBe(false);
  });

  it('refuses a wrong passphrase and a damaged file by name, and changes nothing', async () => {
    const { page } = b;
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    const restore = page.getByRole('region', { name: 'Restore' });
    const damaged = join(dir, 'damaged.pkmsbackup');
    const bytes = readFileSync(backupPath);
    bytes[bytes.length - 40]! ^= 1;
    writeFileSync(damaged, bytes);
    for (const [file, passphrase, words] of [
      [backupPath, 'not the right passphrase', 'passphrase'],
      [damaged, PASSPHRASE, 'damaged'],
    ] as const) {
      await restore.getByLabel('Backup file').setInputFiles(file);
      await restore.getByLabel('Backup passphrase').fill(passphrase);
      await restore.getByRole('radio', { name: 'Into an empty keystore' }).check();
      await restore.getByRole('button', { name: 'Restore' }).click();
      await expect.poll(() => restore.getByRole('alert').textContent(), { timeout: 30_000 }).toContain(words);
    }
    const keys = await page.evaluate(
      async () => (await (globalThis as any).pocketKms.call('ListKeys', {})).Keys.length,
    );
    expect(keys).toBe(0);
  });

  it('restores into the fresh profile: the same ARNs, and the text and the file decrypt', async () => {
    const { page } = b;
    const restore = page.getByRole('region', { name: 'Restore' });
    await restore.getByLabel('Backup file').setInputFiles(backupPath);
    await restore.getByLabel('Backup passphrase').fill(PASSPHRASE);
    await restore.getByRole('radio', { name: 'Into an empty keystore' }).check();
    await restore.getByRole('button', { name: 'Restore' }).click();
    await expect
      .poll(() => restore.getByText(/^1 key restored into the empty keystore/).isVisible(), { timeout: 60_000 })
      .toBe(true);
    const text = await page.evaluate(async (blob) => {
      const { Plaintext } = await (globalThis as any).pocketKms.call('Decrypt', {
        CiphertextBlob: new Uint8Array(blob),
      });
      return new TextDecoder().decode(Plaintext);
    }, blob);
    expect(text).toBe('travels in a backup');
    const [infoA, infoB] = await Promise.all(
      [a.page, b.page].map((p) => p.evaluate(() => (globalThis as any).pocketKms.info)),
    );
    expect(infoB.accountId).toBe(infoA.accountId);
    await page.getByRole('link', { name: 'Files', exact: true }).click();
    await page.getByRole('heading', { name: 'Files', level: 1 }).waitFor();
    const decrypted = await saveFile(page, encrypted, 'big.bin');
    expect(sha256(decrypted)).toBe(plainHash);
  });
});
