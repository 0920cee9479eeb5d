// User story: with "Download each result as it is made", a file is encrypted and decrypted straight
// into the browser's downloads through the service worker, byte for byte; a damaged file (a flipped
// byte in a frame, or a signed file whose signature no longer verifies) leaves a download the
// browser marks failed, never a finished one, and the page says why.
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
  copyFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Download } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAliasedKeys, loadApp, openBrowser, serveApp, type App, type Browser } from './harness';

let app: App;
let b: Browser;
let dir: string;

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function flipByte(from: string, to: string, at: number): void {
  copyFileSync(from, to);
  const fd = openSync(to, 'r+');
  const one = Buffer.alloc(1);
  readSync(fd, one, 0, 1, at);
  one[0]! ^= 0x01;
  writeSync(fd, one, 0, 1, at);
  closeSync(fd);
}

/** Adds a file and returns the download the page starts for it. */
async function addAndDownload(path: string): Promise<Download> {
  const [download] = await Promise.all([
    b.page.waitForEvent('download', { timeout: 60_000 }),
    b.page.getByLabel('Choose files').setInputFiles(path),
  ]);
  return download;
}

async function saved(download: Download, name: string): Promise<string> {
  expect(await download.failure()).toBeNull();
  const out = join(dir, 'saved', name);
  await download.saveAs(out);
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pocket-kms-files-dl-'));
  mkdirSync(join(dir, 'saved'));
  app = await serveApp();
  b = await openBrowser();
  await loadApp(b.page, app.url);
  await createAliasedKeys(b.page, [{ alias: 'alias/downloads-e2e', description: 'streamed downloads e2e' }]);
  await b.page.getByRole('link', { name: 'Files', exact: true }).click();
  await b.page.getByRole('heading', { name: 'Files', level: 1 }).waitFor();
  await b.page.waitForFunction(() =>
    (document.getElementById('file-key-0') as HTMLSelectElement | null)?.value.startsWith('alias/downloads-e2e'),
  );
  await b.page.getByLabel('Download each result as it is made').check();
});

afterAll(async () => {
  await b?.close();
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Files page, streamed downloads', () => {
  it('encrypts and decrypts straight into downloads, byte for byte, keeping nothing in the browser', async () => {
    const { page } = b;
    const plain = join(dir, 'report.bin');
    writeFileSync(plain, randomBytes(24 << 20));
    const enc = await addAndDownload(plain);
    expect(enc.suggestedFilename()).toBe('report.bin.encrypted');
    const encPath = await saved(enc, 'report.bin.encrypted');
    expect(statSync(encPath).size).toBeGreaterThan(24 << 20);
    const row = page.getByRole('listitem', { name: 'Encrypt report.bin' });
    await expect.poll(() => row.textContent(), { timeout: 30_000 }).toMatch(/Downloaded as report\.bin\.encrypted/);
    expect(await row.getByRole('link').count()).toBe(0);

    const dec = await addAndDownload(encPath);
    expect(dec.suggestedFilename()).toBe('report.bin');
    expect(sha256(await saved(dec, 'report.bin'))).toBe(sha256(plain));
    // Streamed results never touch the origin private file system.
    const kept = await page.evaluate(async () => {
      const root = await navigator.storage.getDirectory();
      const d = await root.getDirectoryHandle('pocket-kms-output', { create: true });
      let n = 0;
      for await (const _ of (d as unknown as { keys(): AsyncIterable<string> }).keys()) n++;
      return n;
    });
    expect(kept).toBe(0);
    expect(b.errors).toEqual([]);
  });

  it('a flipped byte part-way through fails the download after the frames before it, and says why', async () => {
    const { page } = b;
    const plain = join(dir, 'damaged.bin');
    writeFileSync(plain, randomBytes(16 << 20));
    const encPath = await saved(await addAndDownload(plain), 'damaged.bin.encrypted');
    const flipped = join(dir, 'flipped.bin.encrypted');
    flipByte(encPath, flipped, Math.floor(statSync(encPath).size * 0.75));
    const dl = await addAndDownload(flipped);
    expect(await dl.failure()).not.toBeNull();
    const row = page.getByRole('listitem', { name: 'Decrypt flipped.bin.encrypted' });
    await expect.poll(() => row.getByRole('alert').textContent(), { timeout: 30_000 }).toMatch(/changed or damaged/);
    expect(await row.textContent()).toMatch(/lists it as failed/);
  });

  it('a signed file whose signature fails: every frame authenticates, yet the download fails', async () => {
    const { page } = b;
    await page.getByLabel('Sign files').check();
    const plain = join(dir, 'signed.bin');
    writeFileSync(plain, randomBytes(8 << 20));
    const encPath = await saved(await addAndDownload(plain), 'signed.bin.encrypted');
    await page.getByLabel('Sign files').uncheck();
    // The last bytes are the footer's DER signature: changing one leaves every frame intact.
    const forged = join(dir, 'forged.bin.encrypted');
    flipByte(encPath, forged, statSync(encPath).size - 5);
    const dl = await addAndDownload(forged);
    expect(await dl.failure()).not.toBeNull();
    const row = page.getByRole('listitem', { name: 'Decrypt forged.bin.encrypted' });
    await expect.poll(() => row.getByRole('alert').textContent(), { timeout: 30_000 }).toMatch(/signature/i);
  });

  it('Cancel on the page stops a streamed job at once and fails its download', async () => {
    const { page } = b;
    const plain = join(dir, 'large.bin');
    const block = randomBytes(1 << 20);
    const fd = openSync(plain, 'w');
    for (let i = 0; i < 300; i++) writeSync(fd, block.fill(i, 0, 4));
    closeSync(fd);
    const dl = await addAndDownload(plain);
    const row = page.getByRole('listitem', { name: 'Encrypt large.bin' });
    await row.getByRole('button', { name: 'Cancel large.bin' }).click();
    expect(await dl.failure()).not.toBeNull();
    await expect.poll(() => row.getByRole('alert').textContent(), { timeout: 30_000 }).toMatch(/Cancelled/);
    expect(await row.textContent()).not.toMatch(/Downloaded as/);
  });

  it('a file that is not an encrypted file starts no download at all', async () => {
    const { page } = b;
    const notEsdk = join(dir, 'notes.txt.encrypted');
    writeFileSync(notEsdk, 'not an encrypted file');
    let downloads = 0;
    const count = () => downloads++;
    page.on('download', count);
    await page.getByLabel('Choose files').setInputFiles(notEsdk);
    const row = page.getByRole('listitem', { name: 'Decrypt notes.txt.encrypted' });
    await expect
      .poll(() => row.getByRole('alert').textContent(), { timeout: 30_000 })
      .toMatch(/not an AWS Encryption SDK message|not an encrypted file/i);
    await page.waitForTimeout(500);
    page.off('download', count);
    expect(downloads).toBe(0);
    expect(await row.textContent()).not.toMatch(/lists it as failed/);
  });
});
