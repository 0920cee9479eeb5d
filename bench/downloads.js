// npm run bench (streamed downloads part): the Files page's "Download each result as it is made",
// end to end — File → KMS worker → service worker → Chromium's download manager → disk — on the same
// disk-backed file as bench/files.js, encrypt then decrypt (checked byte for byte), with peak memory
// (RSS of every Chromium process of this run, above idle), beside File.stream()'s read rate of the
// file and Chromium's download manager saving the same file from a local HTTP server (its ceiling
// here), in alternating rounds (bench/lib.js alternate). Timed from choosing the file to the download's completion.
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import { alternate, ARGS, BENCH_DIST, benchFile, CHROMIUM, fmtSpread, MB, mib, QUICK, rss, sampled } from './lib.js';

const SIZE = Number(process.env.BENCH_FILE_MIB ?? 1024);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 2 : 3));
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
  const readOnce = () =>
    page.evaluate(() => globalThis.pocketKms.api.readRate(document.getElementById('bench-file').files[0], 'jobs'));
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
  const directOnce = async () => {
    const tab = await ctx.newPage();
    const t0 = performance.now();
    const [direct] = await Promise.all([
      tab.waitForEvent('download', { timeout: 120_000 }),
      tab.goto(`http://127.0.0.1:${plain.address().port}/plain.bin`).catch(() => undefined),
    ]);
    const saved = await direct.path();
    const ms = performance.now() - t0;
    rmSync(saved);
    await tab.close();
    return ms;
  };
  let checked = 0;
  const encDecOnce = async () => {
    const enc = await job(file);
    const dec = await job(enc.result.out);
    if (statSync(dec.result.out).size !== bytes || (await sha256(dec.result.out)) !== (await sha256(file)))
      throw new Error('the decrypted download differs from the input');
    checked++;
    rmSync(enc.result.out);
    rmSync(dec.result.out);
    return {
      encrypt: MB(bytes, enc.result.ms),
      decrypt: MB(bytes, dec.result.ms),
      encPeak: enc.peak - idle,
      decPeak: dec.peak - idle,
    };
  };
  // Alternating rounds (bench/lib.js alternate): read, plain download, encrypt + decrypt in turn, a warm-up
  // round discarded; every ratio is taken within a round, then its median and range over rounds.
  const r = await alternate(
    {
      read: async () => ({ mbs: MB(bytes, await readOnce()) }),
      download: async () => ({ mbs: MB(bytes, await directOnce()) }),
      job: encDecOnce,
    },
    { rounds: ROUNDS },
  );
  plain.close();

  const ratio = (figure, base) => fmtSpread(r.per((x) => x.job[figure] / x[base].mbs));
  const row = (name, mbs, peak, note = '') =>
    console.log(
      name.padEnd(78) +
        fmtSpread(mbs, 0).padStart(16) +
        (peak === undefined ? '' : `${mib(peak.median)} MiB`).padStart(14) +
        (note ? `  ${note}` : ''),
    );
  console.log(
    `\nStreamed downloads — ${SIZE} MiB disk-backed file, through the Files page, Chromium ${ctx.browser()?.version() ?? ''}; ${ROUNDS} alternating rounds after a warm-up round, median (range); memory = peak RSS of all Chromium processes above idle (${mib(idle)} MiB)`,
  );
  console.log('path'.padEnd(78) + 'MB/s'.padStart(16) + 'peak memory'.padStart(14));
  row("File.stream() BYOB read of the same file (in the worker), the jobs' own reader", r.variants.read.mbs);
  row("Chromium's download manager alone: the plain file from a local HTTP server", r.variants.download.mbs);
  row(
    'encrypt: File → worker → service worker → download on disk',
    r.variants.job.encrypt,
    r.variants.job.encPeak,
    `${ratio('encrypt', 'read')}x read rate (target ≥ 0.85x), ${ratio('encrypt', 'download')}x the plain download`,
  );
  row(
    'decrypt: download → worker → service worker → download on disk',
    r.variants.job.decrypt,
    r.variants.job.decPeak,
    `${ratio('decrypt', 'read')}x read rate (target ≥ 0.75x), ${ratio('decrypt', 'download')}x the plain download`,
  );
  console.log(`(every decrypted download, ${checked} of them, checked byte for byte against the input)`);
} finally {
  await ctx.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
  rmSync(saved, { recursive: true, force: true });
}
