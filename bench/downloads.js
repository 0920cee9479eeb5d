// npm run bench (streamed downloads part): the Files page's "Download each result as it is made",
// end to end — File → KMS worker → service worker → Chromium's download manager → disk — on the same
// disk-backed file as bench/files.js, encrypt then decrypt (checked byte for byte), with peak memory
// (RSS of every Chromium process of this run, above idle), beside File.stream()'s read rate of the
// file and Chromium's download manager saving the same file from a local HTTP server (its ceiling
// here), both in the same run. Timed from choosing the file to the download's completion.
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import { ARGS, BENCH_DIST, benchFile, CHROMIUM, MB, mib, rss, sampled } from './lib.js';

const SIZE = Number(process.env.BENCH_FILE_MIB ?? 1024);
const sha256 = (path) =>
  new Promise((ok, no) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (c) => h.update(c))
      .on('end', () => ok(h.digest('hex')))
      .on('error', no);
  });

const file = benchFile(SIZE);
const bytes = SIZE * 2 ** 20;
const server = await preview({
  logLevel: 'silent',
  build: { outDir: BENCH_DIST },
  preview: { host: '127.0.0.1', port: 0 },
});
const url = server.resolvedUrls.local[0];
const profile = mkdtempSync(join(tmpdir(), 'pocket-kms-bench-downloads-'));
const saved = mkdtempSync(join(tmpdir(), 'pocket-kms-bench-saved-'));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  args: ARGS,
  headless: true,
  acceptDownloads: true,
  downloadsPath: saved,
});
try {
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto(url);
  await page.waitForFunction(
    () => navigator.serviceWorker?.controller != null && globalThis.pocketKms?.info !== undefined,
    null,
    { timeout: 30_000 },
  );
  await page.evaluate(async () => {
    const { KeyMetadata } = await globalThis.pocketKms.call('CreateKey', { Description: 'downloads bench' });
    await globalThis.pocketKms.call('CreateAlias', {
      AliasName: 'alias/bench-downloads',
      TargetKeyId: KeyMetadata.KeyId,
    });
    const input = Object.assign(document.createElement('input'), { type: 'file', id: 'bench-file', hidden: true });
    document.body.append(input);
  });
  await page.setInputFiles('#bench-file', file);
  const read = await page.evaluate(() =>
    globalThis.pocketKms.api.readRate(document.getElementById('bench-file').files[0], 'jobs'),
  );
  await page.goto(`${url}#/files`);
  await page.waitForFunction(
    () => document.getElementById('file-key-0')?.value.startsWith('alias/bench-downloads'),
    null,
    { timeout: 30_000 },
  );
  await page.getByLabel('Download each result as it is made').check();
  await new Promise((r) => setTimeout(r, 1000));
  const idle = rss(profile);

  /** Chooses `path` on the Files page; resolves when its download has finished. */
  const job = (path) =>
    sampled(profile, async () => {
      const t0 = performance.now();
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 120_000 }),
        page.getByLabel('Choose files').setInputFiles(path),
      ]);
      const failure = await download.failure();
      if (failure) throw new Error(`the download failed: ${failure}`);
      const out = await download.path();
      return { ms: performance.now() - t0, out };
    });
  // The ceiling: Chromium's download manager alone, saving the plain file from a local server.
  const plain = createServer((_, res) => {
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Disposition': 'attachment; filename="plain.bin"',
      'Content-Length': bytes,
    });
    createReadStream(file).pipe(res);
  });
  await new Promise((r) => plain.listen(0, '127.0.0.1', r));
  const tab = await ctx.newPage();
  const t0 = performance.now();
  const [direct] = await Promise.all([
    tab.waitForEvent('download', { timeout: 120_000 }),
    tab.goto(`http://127.0.0.1:${plain.address().port}/plain.bin`).catch(() => undefined),
  ]);
  rmSync(await direct.path());
  const directMs = performance.now() - t0;
  await tab.close();
  plain.close();

  const enc = await job(file);
  const dec = await job(enc.result.out);
  if (statSync(dec.result.out).size !== bytes || (await sha256(dec.result.out)) !== (await sha256(file)))
    throw new Error('the decrypted download differs from the input');

  const readMBs = MB(bytes, read);
  const row = (name, mbs, peak, note = '') =>
    console.log(
      name.padEnd(74) +
        mbs.toFixed(0).padStart(8) +
        (peak === undefined ? '' : `${mib(peak - idle)} MiB`).padStart(14) +
        (note ? `  ${note}` : ''),
    );
  console.log(
    `\nStreamed downloads — ${SIZE} MiB disk-backed file, through the Files page, Chromium ${ctx.browser()?.version() ?? ''}; memory = peak RSS of all Chromium processes above idle (${mib(idle)} MiB)`,
  );
  console.log('path'.padEnd(74) + 'MB/s'.padStart(8) + 'peak memory'.padStart(14));
  row("File.stream() BYOB read of the same file (in the worker), the jobs' own reader", readMBs, undefined);
  const dl = MB(bytes, directMs);
  row("Chromium's download manager alone: the plain file from a local HTTP server", dl, undefined);
  const e = MB(bytes, enc.result.ms);
  const d = MB(bytes, dec.result.ms);
  row(
    'encrypt: File → worker → service worker → download on disk',
    e,
    enc.peak,
    `${(e / readMBs).toFixed(2)}x read rate (target ≥ 0.85x), ${(e / dl).toFixed(2)}x the plain download`,
  );
  row(
    'decrypt: download → worker → service worker → download on disk',
    d,
    dec.peak,
    `${(d / readMBs).toFixed(2)}x read rate (target ≥ 0.75x), ${(d / dl).toFixed(2)}x the plain download; checked byte for byte`,
  );
} finally {
  await ctx.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
  rmSync(saved, { recursive: true, force: true });
}
