// User story (issue 11): a person with a passphrase picks a backup folder once; creating a key and rotating
// it each rewrite the backup there, whole (no partial file left), and Settings shows the folder and the
// last backup. Headless Chromium cannot drive the folder picker, so the folder is one of the origin
// private file system, handed to the worker API as the console's picker would.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useApp } from './harness';

const PASSPHRASE = 'lantern quarry mosaic 2026';
const FILE = 'pocket-kms-us-east-1.pkmsbackup';
const t = useApp();

interface Entry {
  size: number;
  head: string;
  sha256: string;
}

/** The backups folder's files: size, first eight bytes as text, and SHA-256. */
function readFolder(page: Page): Promise<Record<string, Entry>> {
  return page.evaluate(async () => {
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('backups', { create: true });
    const out: Record<string, Entry> = {};
    for await (const [name, handle] of (dir as any).entries()) {
      const bytes = new Uint8Array(await (await (handle as FileSystemFileHandle).getFile()).arrayBuffer());
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
      out[name] = {
        size: bytes.length,
        head: String.fromCharCode(...bytes.subarray(0, 8)),
        sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join(''),
      };
    }
    return out;
  });
}

const lastBackupAt = (page: Page) =>
  page.evaluate(async () => ((await (globalThis as any).pocketKms.api.backupFolder()).lastBackupAt ?? 0) as number);
const pageNow = (page: Page) => page.evaluate(() => Date.now());

describe('continuous backup to a folder', () => {
  let keyId: string;

  it('writes a first backup as soon as the folder is chosen', async () => {
    const { page } = t.browser;
    await page.waitForFunction(() => (globalThis as any).pocketKms?.info !== undefined, null, { timeout: 30_000 });
    await page.evaluate((passphrase) => (globalThis as any).pocketKms.api.setUpRecovery({ passphrase }), PASSPHRASE);
    const info = await page.evaluate(async () => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('backups', { create: true });
      const { handle: _handle, ...rest } = await (globalThis as any).pocketKms.api.setBackupFolder(dir);
      return rest;
    });
    expect(info).toMatchObject({ folderName: 'backups', permission: 'granted', lastBackupAt: expect.any(Number) });
    expect(info.lastError).toBeUndefined();
    const files = await readFolder(page);
    expect(Object.keys(files)).toEqual([FILE]);
    expect(files[FILE]!.head).toBe('PKMSBKUP');
  });

  it('rewrites the backup within seconds of CreateKey, leaving no partial file', async () => {
    const { page } = t.browser;
    keyId = await page.evaluate(async () => {
      const { KeyMetadata } = await (globalThis as any).pocketKms.call('CreateKey', { Description: 'continuously' });
      return KeyMetadata.KeyId as string;
    });
    // After the call returned: the write it scheduled is debounced, so it comes later than this.
    const before = await pageNow(page);
    await expect.poll(() => lastBackupAt(page), { timeout: 15_000 }).toBeGreaterThan(before);
    const files = await readFolder(page);
    expect(Object.keys(files)).toEqual([FILE]);
    expect(files[FILE]!.head).toBe('PKMSBKUP');
  });

  it('rewrites it again after RotateKeyOnDemand: the file changes', async () => {
    const { page } = t.browser;
    const old = (await readFolder(page))[FILE]!;
    await page.evaluate((KeyId) => (globalThis as any).pocketKms.call('RotateKeyOnDemand', { KeyId }), keyId);
    const before = await pageNow(page);
    await expect.poll(() => lastBackupAt(page), { timeout: 15_000 }).toBeGreaterThan(before);
    const files = await readFolder(page);
    expect(Object.keys(files)).toEqual([FILE]);
    expect(files[FILE]!.head).toBe('PKMSBKUP');
    expect(files[FILE]!.sha256).not.toBe(old.sha256);
    expect(files[FILE]!.size).toBeGreaterThan(old.size);
  });

  it('shows the folder and the last backup in Settings, and stops when asked', async () => {
    const { page } = t.browser;
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    const section = page.getByRole('region', { name: 'Backup' });
    await expect
      .poll(() => section.getByRole('status').filter({ hasText: 'Backing up to' }).textContent())
      .toMatch(/Backing up to backups · last backup \S/);
    await section.getByRole('button', { name: 'Stop backing up to this folder' }).click();
    await section.getByRole('button', { name: 'Back up continuously to a folder…' }).waitFor();
    expect(await page.evaluate(() => (globalThis as any).pocketKms.api.backupFolder())).toEqual({});
  });
});
