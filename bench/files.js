// npm run bench (files part): encrypts and decrypts a disk-backed file (1 GiB by default) through
// the real page → Comlink → worker path to the origin private file system, in headless Chromium,
// and prints MB/s and peak memory (RSS of every Chromium process of this run) beside, in the same
// run: File.stream() read rate of the same file (default reads, and the jobs' own BYOB reader
// into reused buffers), raw WebCrypto AES-GCM at the frame size in the worker, and the official
// @aws-crypto/client-browser with its defaults on 64 MiB.
// BENCH_FILE_MIB=4096 for the 4 GiB memory check; BENCH_FRAME_KIB to try other frame lengths; BENCH_FILE_POOLS (1,2,4). The ratios to the
// copies and to each path's slowest stage are then measured again in alternating rounds (bench/files-rounds.js,
// BENCH_FILE_ROUNDS, 3; 0 skips them); the single-pass table above them is kept for memory.
import { cpus } from 'node:os';
import { benchFile, MB, openBenchApp, pageBundle, rss, sampled, settle } from './lib.js';
import { chooseBenchFile, copyBenchFile, encryptDecrypt, releaseEncryptDecrypt } from './files-jobs.js';
import { filesRounds } from './files-rounds.js';

const MIB = Number(process.env.BENCH_FILE_MIB ?? 1024);
const FRAME = Number(process.env.BENCH_FRAME_KIB ?? 512) * 1024;
const ESDK_MIB = Number(process.env.BENCH_ESDK_MIB ?? 64);
/** Rounds of the alternating measurement (bench/files-rounds.js); 0 skips it. */
const FILE_ROUNDS = Number(process.env.BENCH_FILE_ROUNDS ?? 3);
/** Frame-worker pools to run the jobs in again (BENCH_FILE_POOLS, a comma list; empty skips them). */
const POOLS = (process.env.BENCH_FILE_POOLS ?? '1,2,4').split(',').filter(Boolean).map(Number);

const file = benchFile(MIB);
const esdkBundle = await pageBundle('bench/esdk-browser-entry.js', { define: { global: 'globalThis' } });

// bypassCSP only so the bench can inject the client-browser bundle; the app itself is unchanged.
const app = await openBenchApp('files', { bypassCSP: true });
const { profile, ctx } = app;
const url = app.origin;
try {
  const { page } = app;
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => globalThis.pocketKms?.info !== undefined, null, { timeout: 30_000 });
  await chooseBenchFile(page, file);
  const keyArn = await page.evaluate(
    async () => (await globalThis.pocketKms.call('CreateKey', { Description: 'files bench' })).KeyMetadata.Arn,
  );
  await new Promise((r) => setTimeout(r, 1000));
  const idle = rss(profile);
  const bytes = MIB * 2 ** 20;

  // The jobs' own reader in the KMS worker: BYOB reads into reused buffers (src/worker/blob-source.ts).
  const readByob = await sampled(profile, () =>
    page.evaluate(() => globalThis.pocketKms.api.readRate(document.getElementById('bench-file').files[0], 'jobs')),
  );
  const read = await sampled(profile, () =>
    page.evaluate(() => globalThis.pocketKms.api.readRate(document.getElementById('bench-file').files[0])),
  );
  const write = await page.evaluate(({ bytes, FRAME }) => globalThis.pocketKms.api.writeRate(bytes, FRAME), {
    bytes: MIB * 2 ** 20,
    FRAME,
  });
  const raw = await page.evaluate(({ FRAME }) => globalThis.pocketKms.api.rawAesGcm(400, FRAME), { FRAME });
  const rawMs = raw.sort((a, b) => a - b)[Math.floor(raw.length / 2)];
  const { enc, dec } = await encryptDecrypt(page, profile, keyArn, FRAME, bytes);
  const readOpfs = await page.evaluate(() => globalThis.pocketKms.api.readRate(globalThis.benchEncrypted));
  // The message pipeline alone, in memory, on as many bytes as the official SDK gets: like for like.
  const inMemory = await page.evaluate(
    ({ keyArn, n, FRAME }) => globalThis.pocketKms.api.pipelineRate(keyArn, n, FRAME),
    { keyArn, n: ESDK_MIB * 2 ** 20, FRAME },
  );
  // The I/O ceilings of the two jobs: the same input streamed into OPFS with no encryption.
  settle();
  const copyIn = await copyBenchFile(page, FRAME);
  settle();
  const copyOpfs = await page.evaluate(
    (FRAME) => globalThis.pocketKms.api.copyRate(globalThis.benchEncrypted, FRAME),
    FRAME,
  );
  await releaseEncryptDecrypt(page);
  // Frame workers: the same jobs with body frames sealed and opened in parallel in a pool.
  const pools = [];
  for (const workers of POOLS) {
    const e = await sampled(profile, () =>
      page.evaluate(
        ({ keyArn, FRAME, workers }) =>
          globalThis.pocketKms.api
            .encryptFile(`bench-enc-${workers}`, document.getElementById('bench-file').files[0], {
              keyIds: [keyArn],
              frameLength: FRAME,
              workers,
            })
            .then((r) => {
              globalThis.benchPooled = r.file;
              return { ms: r.ms, out: r.bytesOut };
            }),
        { keyArn, FRAME, workers },
      ),
    );
    const d = await sampled(profile, () =>
      page.evaluate(
        (workers) =>
          globalThis.pocketKms.api
            .decryptFile(`bench-dec-${workers}`, globalThis.benchPooled, { workers })
            .then((r) => ({ ms: r.ms, out: r.bytesOut })),
        workers,
      ),
    );
    if (d.result.out !== bytes)
      throw new Error(`decrypt with ${workers} workers wrote ${d.result.out} bytes, expected ${bytes}`);
    await page.evaluate(async (workers) => {
      globalThis.benchPooled = undefined;
      await globalThis.pocketKms.api.releaseFile(`bench-enc-${workers}`);
      await globalThis.pocketKms.api.releaseFile(`bench-dec-${workers}`);
    }, workers);
    pools.push({ workers, e, d });
  }
  let esdk = { result: { error: '' } };
  try {
    await page.addScriptTag({ content: esdkBundle, type: 'module' });
    await page.waitForFunction(() => typeof globalThis.esdkBrowserBench === 'function', null, { timeout: 10_000 });
    esdk = await sampled(profile, () =>
      page.evaluate((b) => globalThis.esdkBrowserBench(b), ESDK_MIB * 2 ** 20).catch((e) => ({ error: String(e) })),
    );
  } catch {
    // Its asn1.js / bn.js need Node's Buffer; without a 'buffer' polyfill package the bundle does not load.
    esdk.result.error = `the bundle did not load (${pageErrors.at(-1) ?? 'timeout'}; it needs a Node 'buffer' polyfill, not installed)`;
  }

  // Ratios divide by the faster of the two ways to read (the jobs read with BYOB).
  const readMBs = Math.max(MB(bytes, read.result), MB(bytes, readByob.result));
  const row = (name, mbs, peak, note = '') =>
    console.log(
      name.padEnd(74) +
        mbs.toFixed(0).padStart(8) +
        (peak === undefined ? '' : `${((peak - idle) / 2 ** 20).toFixed(0)} MiB`).padStart(14) +
        (note ? `  ${note}` : ''),
    );
  console.log(
    `\nFiles — ${MIB} MiB disk-backed file, frame ${FRAME / 1024} KiB, Chromium ${ctx.browser()?.version() ?? ''}; memory = peak RSS of all Chromium processes above idle (${(idle / 2 ** 20).toFixed(0)} MiB)`,
  );
  console.log('path'.padEnd(74) + 'MB/s'.padStart(8) + 'peak memory'.padStart(14));
  row('File.stream() read of the same file (in the worker)', MB(bytes, read.result), read.peak, 'default reads');
  row(
    "File.stream() BYOB read of the same file (in the worker), the jobs' own reader",
    MB(bytes, readByob.result),
    readByob.peak,
    'as the jobs read',
  );
  row('File.stream() read of the encrypted output in OPFS (decrypt input)', MB(enc.result.out, readOpfs), undefined);
  row(
    `OPFS write, ${FRAME / 1024} KiB writes through a sync access handle (in the worker)`,
    MB(bytes, write),
    undefined,
  );
  row(`raw WebCrypto AES-GCM, ${FRAME / 1024} KiB calls (in the worker)`, MB(FRAME, rawMs), undefined);
  row("copy, no encryption (the jobs' reader and sink): File → worker → OPFS", MB(bytes, copyIn), undefined);
  row("copy, no encryption (the jobs' reader and sink): OPFS → worker → OPFS", MB(enc.result.out, copyOpfs), undefined);
  const encMBs = MB(bytes, enc.result.ms);
  const decMBs = MB(bytes, dec.result.ms);
  row(
    'Pocket KMS encrypt: File → worker → OPFS',
    encMBs,
    enc.peak,
    `${(encMBs / readMBs).toFixed(2)}x read rate (target ≥ 0.85x), ${(encMBs / MB(bytes, copyIn)).toFixed(2)}x the copy`,
  );
  row(
    'Pocket KMS decrypt: OPFS → worker → OPFS',
    decMBs,
    dec.peak,
    `${(decMBs / readMBs).toFixed(2)}x read rate (target ≥ 0.75x), ${(decMBs / MB(enc.result.out, copyOpfs)).toFixed(2)}x the copy`,
  );
  for (const p of pools) {
    const e = MB(bytes, p.e.result.ms);
    const d = MB(bytes, p.d.result.ms);
    row(
      `Pocket KMS encrypt, ${p.workers} frame workers`,
      e,
      p.e.peak,
      `${(e / readMBs).toFixed(2)}x read rate, ${(e / encMBs).toFixed(2)}x one worker`,
    );
    row(
      `Pocket KMS decrypt, ${p.workers} frame workers`,
      d,
      p.d.peak,
      `${(d / readMBs).toFixed(2)}x read rate, ${(d / decMBs).toFixed(2)}x one worker`,
    );
  }
  const mib = (b) => (b / 2 ** 20).toFixed(0);
  console.log(
    `memory above the BYOB File.stream() read alone, as the jobs read (what the pipeline holds beyond Chromium's own read buffers): encrypt ${mib(enc.peak - readByob.peak)} MiB, decrypt ${mib(dec.peak - readByob.peak)} MiB (target: all < 64 MiB above idle)`,
  );
  if (esdk.result.error)
    console.log(`@aws-crypto/client-browser, defaults, ${ESDK_MIB} MiB: failed (${esdk.result.error})`);
  else {
    const e = MB(ESDK_MIB * 2 ** 20, esdk.result.encryptMs);
    const d = MB(ESDK_MIB * 2 ** 20, esdk.result.decryptMs);
    row(`@aws-crypto/client-browser encrypt, defaults, ${ESDK_MIB} MiB in memory`, e, esdk.peak);
    row(`@aws-crypto/client-browser decrypt, defaults, ${ESDK_MIB} MiB in memory`, d, undefined);
    const me = MB(ESDK_MIB * 2 ** 20, inMemory.encryptMs);
    const md = MB(ESDK_MIB * 2 ** 20, inMemory.decryptMs);
    row(`Pocket KMS encrypt, ${ESDK_MIB} MiB in memory (the pipeline alone, in the worker)`, me, undefined);
    row(`Pocket KMS decrypt, ${ESDK_MIB} MiB in memory (the pipeline alone, in the worker)`, md, undefined);
    console.log(
      `Pocket KMS / client-browser, both in memory: encrypt ${(me / e).toFixed(1)}x, decrypt ${(md / d).toFixed(1)}x (target ≥ 8x)`,
    );
    console.log(
      `Pocket KMS from and to disk / client-browser in memory: encrypt ${(MB(bytes, enc.result.ms) / e).toFixed(1)}x, decrypt ${(MB(bytes, dec.result.ms) / d).toFixed(1)}x`,
    );
  }
  console.log(
    `("one worker" = the jobs' default: on fewer than 3 logical cores frames are sealed in the KMS worker itself, else a calibrated pool; n frame workers = a pool of n; this machine has ${cpus().length} logical cores)`,
  );
  // The ratios that hold: the same paths again in alternating rounds beside their copies and stages.
  if (FILE_ROUNDS > 0) await filesRounds(page, { keyArn, frame: FRAME, bytes, rounds: FILE_ROUNDS });
} finally {
  await app.close();
}
