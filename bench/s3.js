// npm run bench (S3 part): PutObject and GetObject of a disk-backed file (1 GiB by default) with SSE-KMS
// through the service worker's /s3 (ADR 0011), driven by the unmodified @aws-sdk/client-s3 from a page of
// the app, in headless Chromium: multipart in 8 MiB and 64 MiB parts (read from the file as
// @aws-sdk/lib-storage does, 4 in flight; and in 8 MiB slices of the File) and one PutObject of the File,
// each followed by GetObject read as a stream to its end. MB/s are medians over rounds, printed beside the
// Files page's encrypt and decrypt of the same file and the plain copy of it to OPFS, measured in the same
// rounds (bench/files-jobs.js), with peak memory: RSS of all Chromium processes above idle, and JS heap plus
// ArrayBuffers of the page and the service worker (CDP).
// BENCH_S3_MIB (default BENCH_FILE_MIB, else 1024), BENCH_S3_ROUNDS (3), BENCH_S3_QUEUE (4), BENCH_FRAME_KIB,
// BENCH_S3_PARTS_MIB (part sizes, '8,64'; '' for the single PutObject alone), BENCH_S3_CLIENT (JSON of
// S3Client options for the multipart uploads, e.g. {"requestChecksumCalculation":"WHEN_REQUIRED"}).
import { benchFile, heapProbes, MB, mib, openBenchApp, pageBundle, rss, sampled, sampledHeaps } from './lib.js';
import { chooseBenchFile, copyBenchFile, encryptDecrypt, releaseEncryptDecrypt } from './files-jobs.js';

const SIZE = Number(process.env.BENCH_S3_MIB ?? process.env.BENCH_FILE_MIB ?? 1024);
const ROUNDS = Number(process.env.BENCH_S3_ROUNDS ?? 3);
const QUEUE = Number(process.env.BENCH_S3_QUEUE ?? 4);
const FRAME = Number(process.env.BENCH_FRAME_KIB ?? 512) * 1024;
const CLIENT = JSON.parse(process.env.BENCH_S3_CLIENT ?? '{}');
const PARTS_MIB = (process.env.BENCH_S3_PARTS_MIB ?? '8,64').split(',').filter(Boolean).map(Number);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

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
  const runs = { encrypt: [], decrypt: [], copy: [] };
  for (const u of uploads) runs[u.name] = { put: [], get: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const { enc, dec } = await encryptDecrypt(page, profile, keyArn, FRAME, bytes);
    await releaseEncryptDecrypt(page);
    runs.encrypt.push({ mbs: MB(bytes, enc.result.ms), peak: enc.peak });
    runs.decrypt.push({ mbs: MB(bytes, dec.result.ms), peak: dec.peak });
    const copy = await sampled(profile, () => copyBenchFile(page, FRAME));
    runs.copy.push({ mbs: MB(bytes, copy.result), peak: copy.peak });
    for (const u of uploads) {
      const key = `object-${r}`;
      const put = await sampledHeaps(profile, heaps, () => s3(u.op, { key, ...u.args }));
      if (put.result.error) throw new Error(`${u.name}: ${put.result.error}`);
      if (put.result.sse !== 'aws:kms') throw new Error(`${u.name} answered SSE ${put.result.sse}`);
      const got = await sampledHeaps(profile, heaps, () => s3('get', { key }));
      if (got.result.bytes !== bytes || !got.result.ends)
        throw new Error(
          `GetObject after ${u.name} read ${got.result.bytes} bytes, expected ${bytes} (ends ok: ${got.result.ends})`,
        );
      await s3('remove', { key });
      runs[u.name].put.push({ mbs: MB(bytes, put.result.ms), peak: put.peak, heap: put.heap });
      runs[u.name].get.push({ mbs: MB(bytes, got.result.ms), peak: got.peak, heap: got.heap });
    }
  }

  const med = (xs) => ({
    mbs: median(xs.map((x) => x.mbs)),
    peak: median(xs.map((x) => x.peak)),
    ...(xs[0].heap
      ? { page: median(xs.map((x) => x.heap.page)), sw: median(xs.map((x) => x.heap.serviceWorker)) }
      : {}),
  });
  const enc = med(runs.encrypt);
  const dec = med(runs.decrypt);
  const copy = med(runs.copy);
  const row = (name, m, note = '') =>
    console.log(
      name.padEnd(60) +
        m.mbs.toFixed(0).padStart(7) +
        `${mib(m.peak - idle)} MiB`.padStart(11) +
        (m.page === undefined ? '' : `${mib(m.page)} / ${mib(m.sw)} MiB`).padStart(17) +
        (note ? `  ${note}` : ''),
    );
  console.log(
    `\nS3 under /s3, SSE-KMS — ${SIZE} MiB disk-backed file, ${ROUNDS} rounds (medians), ${QUEUE} parts in flight, multipart with S3Client ${Object.keys(CLIENT).length ? JSON.stringify(CLIENT) : 'defaults'}, Chromium ${ctx.browser()?.version() ?? ''}`,
  );
  console.log(
    `memory: RSS = peak of all Chromium processes above idle (${mib(idle)} MiB); heap = peak JS heap + ArrayBuffers of the page / the service worker (idle ${mib(idleHeap.page)} / ${mib(idleHeap.serviceWorker ?? 0)} MiB)`,
  );
  if (singleDefault.error)
    console.log(
      `single PutObject with the SDK's defaults failed (${singleDefault.error.slice(0, 160)}); measured with requestChecksumCalculation: 'WHEN_REQUIRED'`,
    );
  console.log('path'.padEnd(60) + 'MB/s'.padStart(7) + 'RSS'.padStart(11) + 'heap page / SW'.padStart(17));
  row("copy, no encryption (the Files jobs' reader and sink): File → worker → OPFS", copy);
  row('Files page encrypt: File → worker → OPFS', enc, `${(enc.mbs / copy.mbs).toFixed(2)}x the copy`);
  row('Files page decrypt: OPFS → worker → OPFS', dec);
  for (const u of uploads) {
    const p = med(runs[u.name].put);
    const g = med(runs[u.name].get);
    row(
      `S3 PutObject, ${u.name}`,
      p,
      `${(p.mbs / enc.mbs).toFixed(2)}x Files encrypt, ${(p.mbs / copy.mbs).toFixed(2)}x the copy`,
    );
    row(`S3 GetObject of it, streamed to the end`, g, `${(g.mbs / dec.mbs).toFixed(2)}x Files decrypt`);
  }
  console.log(
    '(Files figures are timed in the KMS worker, S3 figures in the page from the first request to the last answer)',
  );
} finally {
  await app.close();
}
