// User story: encrypt a 200 MiB file on the Files page, save it, decrypt it again and check it
// byte for byte; a truncated copy and a copy with one flipped byte fail in plain words and save nothing.
import { createHash, randomBytes } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  writeFileSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeSync,
  closeSync,
  copyFileSync,
  truncateSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAliasedKeys, loadApp, openBrowser, serveApp, type App, type Browser } from './harness';

const SIZE_MIB = 200;
let app: App;
let b: Browser;
let dir: string;

/** Writes SIZE_MIB of pseudo-random data quickly (one random MiB, varied per MiB) and returns its SHA-256. */
function makeFile(path: string, mib: number): string {
  const block = randomBytes(1 << 20);
  const h = createHash('sha256');
  const fd = openSync(path, 'w');
  for (let i = 0; i < mib; i++) {
    block.writeUInt32BE(i, (i * 4096) % ((1 << 20) - 4));
    h.update(block);
    writeSync(fd, block);
  }
  closeSync(fd);
  return h.digest('hex');
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pocket-kms-files-'));
  mkdirSync(join(dir, 'saved'));
  app = await serveApp();
  b = await openBrowser();
  await loadApp(b.page, app.url);
  await createAliasedKeys(b.page, [
    { alias: 'alias/files-e2e', description: 'files e2e' },
    { alias: 'alias/files-e2e-2', description: 'files e2e, second key' },
  ]);
});

afterAll(async () => {
  await b?.close();
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function addAndSave(path: string, savedName: string): Promise<string> {
  const { page } = b;
  await page.getByLabel('Choose files').setInputFiles(path);
  const link = page.getByRole('link', { name: `Save ${savedName}`, exact: true });
  await link.waitFor({ timeout: 90_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const out = join(dir, 'saved', savedName);
  await download.saveAs(out);
  return out;
}

async function outputsOnDisk(): Promise<number> {
  return b.page.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    const d = await root.getDirectoryHandle('pocket-kms-output', { create: true });
    let n = 0;
    for await (const _ of (d as unknown as { keys(): AsyncIterable<string> }).keys()) n++;
    return n;
  });
}

describe('Files page', () => {
  it(`round-trips a ${SIZE_MIB} MiB file byte for byte, and refuses damaged copies`, async () => {
    const { page } = b;
    const plainPath = join(dir, 'big.bin');
    const hash = makeFile(plainPath, SIZE_MIB);

    await page.getByRole('link', { name: 'Files', exact: true }).click();
    await page.getByRole('heading', { name: 'Files', level: 1 }).waitFor();
    await expect.poll(() => page.getByLabel('Key', { exact: true }).inputValue()).toMatch(/^alias\/files-e2e/);
    await page.getByLabel('Key', { exact: true }).selectOption('alias/files-e2e');
    await page.getByRole('button', { name: 'Add context pair' }).click();
    await page.getByLabel('Context key 1').fill('project');
    await page.getByLabel('Context value 1').fill('e2e');

    const t0 = Date.now();
    const encPath = await addAndSave(plainPath, 'big.bin.encrypted');
    const encMs = Date.now() - t0;
    expect(statSync(encPath).size).toBeGreaterThan(SIZE_MIB << 20);

    const t1 = Date.now();
    const decPath = await addAndSave(encPath, 'big.bin');
    const decMs = Date.now() - t1;
    // The header was shown: key, context, suite.
    const row = page.getByRole('listitem', { name: 'Decrypt big.bin.encrypted' });
    await expect.poll(() => row.getByLabel('File header').textContent()).toMatch(/arn:aws:kms:.*project.*e2e.*0x0478/s);
    expect(sha256(decPath)).toBe(hash);
    console.log(`files e2e: ${SIZE_MIB} MiB encrypt+save ${encMs} ms, decrypt+save ${decMs} ms`);
    expect(await outputsOnDisk()).toBe(2);

    // A truncated copy and a copy with one flipped byte in the middle.
    const truncated = join(dir, 'truncated.bin.encrypted');
    copyFileSync(encPath, truncated);
    truncateSync(truncated, statSync(encPath).size - 1000);
    const flipped = join(dir, 'flipped.bin.encrypted');
    copyFileSync(encPath, flipped);
    const fd = openSync(flipped, 'r+');
    const at = Math.floor(statSync(encPath).size / 2);
    const one = Buffer.alloc(1);
    readSync(fd, one, 0, 1, at);
    one[0]! ^= 0x01;
    writeSync(fd, one, 0, 1, at);
    closeSync(fd);

    for (const [path, name, words] of [
      [truncated, 'truncated.bin.encrypted', /incomplete.*truncated/],
      [flipped, 'flipped.bin.encrypted', /changed or damaged/],
    ] as const) {
      await page.getByLabel('Choose files').setInputFiles(path);
      const r = page.getByRole('listitem', { name: `Decrypt ${name}` });
      const alert = r.getByRole('alert');
      await alert.waitFor({ timeout: 60_000 });
      expect(await alert.textContent()).toMatch(words);
      expect(await r.getByRole('link').count()).toBe(0);
    }
    // Nothing of the failed jobs stays on disk.
    expect(await outputsOnDisk()).toBe(2);
    expect(b.errors).toEqual([]);
  });

  it('cancels a running job: no output is offered or left on disk', async () => {
    const { page } = b;
    const before = await outputsOnDisk();
    const plainPath = join(dir, 'cancel.bin');
    makeFile(plainPath, SIZE_MIB);
    // Encrypting 200 MiB takes over a second here; Cancel is clicked as soon as the row appears.
    await page.getByLabel('Choose files').setInputFiles(plainPath);
    const row = page.getByRole('listitem', { name: 'Encrypt cancel.bin' });
    await row.getByRole('button', { name: 'Cancel cancel.bin' }).click();
    await expect.poll(() => row.getByRole('alert').textContent(), { timeout: 30_000 }).toMatch(/Cancelled/);
    expect(await page.getByRole('listitem', { name: 'Encrypt cancel.bin' }).getByRole('link').count()).toBe(0);
    expect(await outputsOnDisk()).toBe(before);
  });

  it('encrypts a picked folder file by file, keeping the folder in the names', async () => {
    const { page } = b;
    const folder = join(dir, 'project');
    mkdirSync(join(folder, 'docs'), { recursive: true });
    writeFileSync(join(folder, 'readme.txt'), 'top level');
    writeFileSync(join(folder, 'docs', 'notes.txt'), 'nested');
    await page.getByLabel('Choose a folder').setInputFiles(folder);
    for (const name of ['project/readme.txt.encrypted', 'project/docs/notes.txt.encrypted']) {
      await page.getByRole('link', { name: `Save ${name}`, exact: true }).waitFor({ timeout: 30_000 });
    }
  });

  it('signs a file under two keys (0x0578) and shows the header before decrypting it', async () => {
    const { page } = b;
    const plainPath = join(dir, 'signed.bin');
    const hash = makeFile(plainPath, 16);
    await page.getByLabel('Sign files').check();
    await page.getByRole('button', { name: 'Add another key' }).click();
    await page.getByLabel('Additional key 1').selectOption('alias/files-e2e-2');
    const encPath = await addAndSave(plainPath, 'signed.bin.encrypted');
    const decPath = await addAndSave(encPath, 'signed.bin');
    expect(sha256(decPath)).toBe(hash);
    const header = page.getByRole('listitem', { name: 'Decrypt signed.bin.encrypted' }).getByLabel('File header');
    const text = (await header.textContent()) ?? '';
    expect(text).toMatch(/0x0578/);
    expect(text).toMatch(/Yes \(ECDSA\)/);
    expect(text.match(/arn:aws:kms:/g)).toHaveLength(2);
    expect(text).not.toContain('aws-crypto-public-key');
    // The page, queue and header fit a 360 px phone without horizontal scrolling.
    await page.setViewportSize({ width: 360, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(b.errors).toEqual([]);
  });
});
