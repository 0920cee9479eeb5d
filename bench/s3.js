// npm run bench (S3 part): PutObject and GetObject of a disk-backed file (1 GiB by default) with SSE-KMS
// through the service worker's /s3 (ADR 0011), driven by the unmodified @aws-sdk/client-s3 from a page of
// the app, in headless Chromium, in alternating rounds (bench/lib.js alternate): multipart in 8 MiB and 64 MiB parts (read from the file as
// @aws-sdk/lib-storage does, 4 in flight; and in 8 MiB slices of the File) and one PutObject of the File,
// each followed by GetObject read as a stream to its end. MB/s are medians over rounds, printed beside the
// Files page's encrypt and decrypt of the same file and the plain copy of it to OPFS, measured in the same
// rounds (bench/files-jobs.js), with peak memory: RSS of all Chromium processes above idle, and JS heap plus
// ArrayBuffers of the page and the service worker (CDP).
// BENCH_S3_MIB (default BENCH_FILE_MIB, else 1024), BENCH_S3_ROUNDS (3), BENCH_S3_QUEUE (4), BENCH_FRAME_KIB,
// BENCH_S3_PARTS_MIB (part sizes, '8,64'; '' for the single PutObject alone), BENCH_S3_CLIENT (JSON of
// S3Client options for the multipart uploads, e.g. {"requestChecksumCalculation":"WHEN_REQUIRED"}).
import {
  alternate,
  benchFile,
  fmtSpread,
  heapProbes,
  MB,
  mib,
  openBenchApp,
  pageBundle,
  rss,
  sampled,
  sampledHeaps,
} from './lib.js';
import { chooseBenchFile, copyBenchFile, encryptDecrypt, releaseEncryptDecrypt } from './files-jobs.js';

const SIZE = Number(process.env.BENCH_S3_MIB ?? process.env.BENCH_FILE_MIB ?? 1024);
const ROUNDS = Number(process.env.BENCH_S3_ROUNDS ?? 3);
const QUEUE = Number(process.env.BENCH_S3_QUEUE ?? 4);
const FRAME = Number(process.env.BENCH_FRAME_KIB ?? 512) * 1024;
const CLIENT = JSON.parse(process.env.BENCH_S3_CLIENT ?? '{}');
const PARTS_MIB = (process.env.BENCH_S3_PARTS_MIB ?? '8,64').split(',').filter(Boolean).map(Number);

const file = benchFile(SIZE);
const bytes = SIZE * 2 ** 20;
const bundle = await pageBundle('bench/s3-browser-entry.js');
const app = await openBenchApp('s3', { bypassCSP: true });
const { origin, profile, ctx } = app;
try {
  const { page } = app;
  await page.goto(origin);
  await page.waitForFunction(
    () => navigator.serviceWorker?.controller != null && globalThis.pocketKms?.info !== undefined,
    null,
    { timeout: 30_000 },
  );
  await page.addScriptTag({ content: bundle, type: 'module' });
  await page.waitForFunction(() => globalThis.s3Bench !== undefined, null, { timeout: 10_000 });
  await chooseBenchFile(page, file);
  const { keyArn, credentials } = await page.evaluate(async () => {
    const p = globalThis.pocketKms;
    const { KeyMetadata } = await p.call('CreateKey', { Description: 's3 bench' });
    await p.call('CreateAlias', { AliasName: 'alias/bench-s3', TargetKeyId: KeyMetadata.KeyId });
    const k = await p.api.createAccessKey(`arn:aws:iam::${p.info.accountId}:root`);
    return { keyArn: KeyMetadata.Arn, credentials: { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey } };
  });
  const base = { origin, credentials, bucket: 'bench-s3', keyId: 'alias/bench-s3' };
  const s3 = (op, args) =>
    page.evaluate(({ op, args }) => globalThis.s3Bench[op](args), { op, args: { ...base, ...args } });
  await s3('createBucket', {});

  // Warm up the S3 database, the file system and the SDK; and learn whether one PutObject of a File goes
  // through with the SDK's defaults: its flexible checksums take a Blob body for a stream and fail in the page
  // ("readableStream.getReader is not a function", aws/aws-sdk-js-v3#6834), so checksums only when required.
  const warm = 16 * 2 ** 20;
  await s3('multipart', { key: 'warm', partBytes: 8 * 2 ** 20, queue: QUEUE, limit: warm });
  await s3('get', { key: 'warm' });
  await s3('remove', { key: 'warm' });
  const singleDefault = await s3('put', { key: 'warm', limit: warm });
  const singleConfig = singleDefault.error ? { requestChecksumCalculation: 'WHEN_REQUIRED' } : {};
  if (singleDefault.error) await s3('put', { key: 'warm', limit: warm, config: singleConfig });
  await s3('remove', { key: 'warm' }).catch(() => undefined);

  const heaps = await heapProbes(ctx, page);
  await new Promise((r) => setTimeout(r, 1000));
  const idle = rss(profile);
  const idleHeap = await heaps();

  const uploads = [
    ...PARTS_MIB.map((p) => ({
      name: `multipart, ${p} MiB parts`,
      op: 'multipart',
      args: { partBytes: p * 2 ** 20, queue: QUEUE, config: CLIENT },
    })),
    // Parts as slices of the File rather than bytes: fetch streams a Blob body to the service worker far faster
    // than an ArrayBufferView one (the SDK needs checksums only when required to accept a Blob, as above).
    ...PARTS_MIB.filter((p) => p === 8).map((p) => ({
      name: `multipart, ${p} MiB File slices as parts`,
      op: 'multipart',
      args: { partBytes: p * 2 ** 20, queue: QUEUE, config: { ...CLIENT, ...singleConfig }, blobParts: true },
    })),
    { name: 'single PutObject of the File', op: 'put', args: { config: singleConfig } },
  ];
  // Alternating rounds (bench/lib.js alternate): the Files jobs and each upload in turn, a warm-up round discarded;
  // every ratio is taken within a round, then its median and range over rounds.
  let round = 0;
  const variants = {
    files: async () => {
      const { enc, dec } = await encryptDecrypt(page, profile, keyArn, FRAME, bytes);
      await releaseEncryptDecrypt(page);
      const copy = await sampled(profile, () => copyBenchFile(page, FRAME));
      return {
        encrypt: MB(bytes, enc.result.ms),
        encPeak: enc.peak,
        decrypt: MB(bytes, dec.result.ms),
        decPeak: dec.peak,
        copy: MB(bytes, copy.result),
        copyPeak: copy.peak,
      };
    },
  };
  for (const u of uploads) {
    variants[u.name] = async () => {
      const key = `object-${round++}`;
      const put = await sampledHeaps(profile, heaps, () => s3(u.op, { key, ...u.args }));
      if (put.result.error) throw new Error(`${u.name}: ${put.result.error}`);
      if (put.result.sse !== 'aws:kms') throw new Error(`${u.name} answered SSE ${put.result.sse}`);
      const got = await sampledHeaps(profile, heaps, () => s3('get', { key }));
      if (got.result.bytes !== bytes || !got.result.ends)
        throw new Error(
          `GetObject after ${u.name} read ${got.result.bytes} bytes, expected ${bytes} (ends ok: ${got.result.ends})`,
        );
      await s3('remove', { key });
      return {
        put: MB(bytes, put.result.ms),
        putPeak: put.peak,
        putPage: put.heap.page,
        putSw: put.heap.serviceWorker,
        get: MB(bytes, got.result.ms),
        getPeak: got.peak,
        getPage: got.heap.page,
        getSw: got.heap.serviceWorker,
      };
    };
  }
  const r = await alternate(variants, { rounds: ROUNDS });
  const f = r.variants.files;
  const fig = (v, name, peak, page, sw) => ({
    mbs: v[name],
    peak: v[peak].median,
    ...(page ? { page: v[page].median, sw: v[sw].median } : {}),
  });
  const per = (fn) => fmtSpread(r.per(fn));
  const enc = fig(f, 'encrypt', 'encPeak');
  const dec = fig(f, 'decrypt', 'decPeak');
  const copy = fig(f, 'copy', 'copyPeak');
  const row = (name, m, note = '') =>
    console.log(
      name.padEnd(60) +
        fmtSpread(m.mbs, 0).padStart(16) +
        `${mib(m.peak - idle)} MiB`.padStart(11) +
        (m.page === undefined ? '' : `${mib(m.page)} / ${mib(m.sw)} MiB`).padStart(17) +
        (note ? `  ${note}` : ''),
    );
  console.log(
    `\nS3 under /s3, SSE-KMS — ${SIZE} MiB disk-backed file, ${ROUNDS} alternating rounds after a warm-up round (median (range)), ${QUEUE} parts in flight, multipart with S3Client ${Object.keys(CLIENT).length ? JSON.stringify(CLIENT) : 'defaults'}, Chromium ${ctx.browser()?.version() ?? ''}`,
  );
  console.log(
    `memory: RSS = peak of all Chromium processes above idle (${mib(idle)} MiB); heap = peak JS heap + ArrayBuffers of the page / the service worker (idle ${mib(idleHeap.page)} / ${mib(idleHeap.serviceWorker ?? 0)} MiB)`,
  );
  if (singleDefault.error)
    console.log(
      `single PutObject with the SDK's defaults failed (${singleDefault.error.slice(0, 160)}); measured with requestChecksumCalculation: 'WHEN_REQUIRED'`,
    );
  console.log('path'.padEnd(60) + 'MB/s'.padStart(16) + 'RSS'.padStart(11) + 'heap page / SW'.padStart(17));
  row("copy, no encryption (the Files jobs' reader and sink): File → worker → OPFS", copy);
  row('Files page encrypt: File → worker → OPFS', enc, `${per((x) => x.files.encrypt / x.files.copy)}x the copy`);
  row('Files page decrypt: OPFS → worker → OPFS', dec, `${per((x) => x.files.decrypt / x.files.copy)}x the copy`);
  for (const u of uploads) {
    const v = r.variants[u.name];
    row(
      `S3 PutObject, ${u.name}`,
      fig(v, 'put', 'putPeak', 'putPage', 'putSw'),
      `${per((x) => x[u.name].put / x.files.encrypt)}x Files encrypt, ${per((x) => x[u.name].put / x.files.copy)}x the copy`,
    );
    row(
      `S3 GetObject of it, streamed to the end`,
      fig(v, 'get', 'getPeak', 'getPage', 'getSw'),
      `${per((x) => x[u.name].get / x.files.decrypt)}x Files decrypt`,
    );
  }
  console.log(
    '(Files figures are timed in the KMS worker, S3 figures in the page from the first request to the last answer)',
  );
} finally {
  await app.close();
}
