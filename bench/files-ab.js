// The files paths against their copies and against a bench build of another commit, in alternating rounds
// (issue 20, item 1): decrypt OPFS → worker → OPFS and encrypt File → worker → OPFS, each beside the plain
// copy of the same bytes through the jobs' reader and sink, in this build and (BENCH_BASELINE_DIR) in the other
// build's own browser, round for round. `node bench/files-ab.js` after `vite build --mode bench`; BENCH_FILE_MIB
// (256), BENCH_FILE_ROUNDS (5), BENCH_FRAME_KIB (512). BENCH_PROFILE=<file.cpuprofile> instead records one
// decrypt of this build in the KMS worker with the CDP profiler (open the file in Chromium's DevTools).
import { writeFileSync } from 'node:fs';
import { alternate, benchFile, cpuSeconds, fmtSpread, MB, openBenchApp, settle } from './lib.js';
import { chooseBenchFile } from './files-jobs.js';

const MIB = Number(process.env.BENCH_FILE_MIB ?? 256);
const ROUNDS = Number(process.env.BENCH_FILE_ROUNDS ?? 5);
const FRAME = Number(process.env.BENCH_FRAME_KIB ?? 512) * 1024;
const BASELINE = process.env.BENCH_BASELINE_DIR;
const PROFILE = process.env.BENCH_PROFILE;
/** Frame workers of the decrypt and encrypt rounds (the jobs' `workers` option); a comma list runs each. */
const WORKERS = (process.env.BENCH_AB_WORKERS ?? 'default')
  .split(',')
  .map((w) => (w === 'default' ? undefined : Number(w)));
const bytes = MIB * 2 ** 20;
const file = benchFile(MIB);

/** Opens a build, chooses the bench file, creates a key and encrypts the file once (what decrypt rounds read). */
async function prepare(name, outDir) {
  const app = await openBenchApp(name, outDir ? { outDir } : {});
  await app.page.goto(app.origin);
  await app.page.waitForFunction(() => globalThis.pocketKms?.info !== undefined, null, { timeout: 30_000 });
  await chooseBenchFile(app.page, file);
  const encBytes = await app.page.evaluate(async (frame) => {
    const api = globalThis.pocketKms.api;
    const keyArn = (await globalThis.pocketKms.call('CreateKey', { Description: 'files a/b' })).KeyMetadata.Arn;
    globalThis.benchKeyArn = keyArn;
    const f = document.getElementById('bench-file').files[0];
    const r = await api.encryptFile('bench-ab-src', f, { keyIds: [keyArn], frameLength: frame });
    globalThis.benchAbSource = r.file;
    return r.bytesOut;
  }, FRAME);
  return { ...app, encBytes };
}

/** One round's figures of `app`: MB/s of decrypt, encrypt and the two copies. */
function variants(app, prefix) {
  // MB/s of the job (timed in the worker) and the browser's CPU seconds per GB over the whole call.
  const timed = (n, body, arg) => async () => {
    settle();
    const cpu0 = cpuSeconds(app.profile);
    const ms = await app.page.evaluate(body, arg);
    return { mbs: MB(n, ms), cpu: (cpuSeconds(app.profile) - cpu0) / (n / 1e9) };
  };
  const w = (workers) => (workers === undefined ? '' : `, ${workers} frame workers`);
  const jobs = {};
  for (const workers of WORKERS) {
    jobs[`${prefix}decrypt${w(workers)}`] = timed(
      bytes,
      async (workers) => {
        const api = globalThis.pocketKms.api;
        const r = await api.decryptFile('bench-ab-dec', globalThis.benchAbSource, workers ? { workers } : {});
        await api.releaseFile('bench-ab-dec');
        return r.ms;
      },
      workers ?? 0,
    );
    jobs[`${prefix}encrypt${w(workers)}`] = timed(
      bytes,
      async ({ frame, workers }) => {
        const api = globalThis.pocketKms.api;
        const f = document.getElementById('bench-file').files[0];
        const o = { keyIds: [globalThis.benchKeyArn], frameLength: frame, ...(workers ? { workers } : {}) };
        const r = await api.encryptFile('bench-ab-enc', f, o);
        await api.releaseFile('bench-ab-enc');
        return r.ms;
      },
      { frame: FRAME, workers: workers ?? 0 },
    );
  }
  return {
    ...jobs,
    [`${prefix}copy OPFS → OPFS`]: timed(
      app.encBytes,
      (frame) => globalThis.pocketKms.api.copyRate(globalThis.benchAbSource, frame),
      FRAME,
    ),
    // The same copy in the decrypt's frame-aligned read unit (one frame, 32 bytes more than a frame's content).
    [`${prefix}copy OPFS → OPFS, frame-sized reads`]: timed(
      app.encBytes,
      (unit) => globalThis.pocketKms.api.copyRate(globalThis.benchAbSource, unit),
      FRAME + 32,
    ),
    [`${prefix}copy File → OPFS`]: timed(
      bytes,
      (frame) => globalThis.pocketKms.api.copyRate(document.getElementById('bench-file').files[0], frame),
      FRAME,
    ),
  };
}

/** Records one decrypt in the KMS worker with the CDP profiler (Target messages, as heapProbes reaches the SW). */
async function profileDecrypt(app) {
  const cdp = await app.ctx.newCDPSession(app.page);
  const { targetInfos } = await cdp.send('Target.getTargets');
  const worker = targetInfos.find((t) => t.type === 'worker' && !t.title.includes('frames'));
  if (!worker) throw new Error(`no worker target among ${targetInfos.map((t) => `${t.type}:${t.title}`).join(', ')}`);
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: worker.targetId, flatten: false });
  let id = 0;
  const waiting = new Map();
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const m = JSON.parse(e.message);
    if (m.id !== undefined) (waiting.get(m.id)?.(m.result ?? m.error), waiting.delete(m.id));
  });
  const send = (method, params = {}) =>
    new Promise((resolve) => {
      waiting.set(++id, resolve);
      void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
    });
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 200 });
  await send('Profiler.start');
  const ms = await app.page.evaluate(async (workers) => {
    const api = globalThis.pocketKms.api;
    const r = await api.decryptFile('bench-ab-dec', globalThis.benchAbSource, workers ? { workers } : {});
    await api.releaseFile('bench-ab-dec');
    return r.ms;
  }, WORKERS[0] ?? 0);
  const { profile } = await send('Profiler.stop');
  writeFileSync(PROFILE, JSON.stringify(profile));
  console.log(`decrypt ${MB(bytes, ms).toFixed(0)} MB/s while profiled; profile in ${PROFILE}`);
}

const app = await prepare('files-ab');
const base = BASELINE ? await prepare('files-ab-baseline', BASELINE) : undefined;
try {
  if (PROFILE) await profileDecrypt(app);
  else {
    const r = await alternate(
      { ...variants(app, ''), ...(base ? variants(base, 'baseline ') : {}) },
      {
        rounds: ROUNDS,
        onRound: (i, x) =>
          console.log(
            `round ${i + 1}: ${Object.entries(x)
              .map(([n, f]) => `${n} ${f.mbs.toFixed(0)} MB/s ${f.cpu.toFixed(2)} s/GB`)
              .join(', ')}`,
          ),
      },
    );
    console.log(`\n${MIB} MiB, frame ${FRAME / 1024} KiB, ${ROUNDS} rounds + 1 warm-up; MB/s medians (min–max)`);
    console.log('path'.padEnd(40) + 'MB/s'.padStart(24) + 'CPU s per GB (all processes)'.padStart(34));
    for (const [name, x] of Object.entries(r.variants))
      console.log(name.padEnd(40) + fmtSpread(x.mbs, 0).padStart(24) + fmtSpread(x.cpu, 2).padStart(34));
    const w = (workers) => (workers === undefined ? '' : `, ${workers} frame workers`);
    for (const p of base ? ['', 'baseline '] : [''])
      for (const workers of WORKERS) {
        const [d, e] = [`${p}decrypt${w(workers)}`, `${p}encrypt${w(workers)}`];
        console.log(
          `${d} / its copy: ${fmtSpread(r.ratio(`${p}copy OPFS → OPFS`, d, 'mbs'))}x; CPU per byte ${fmtSpread(r.ratio(`${p}copy OPFS → OPFS`, d, 'cpu'))}x the copy's`,
        );
        console.log(
          `${e} / its copy: ${fmtSpread(r.ratio(`${p}copy File → OPFS`, e, 'mbs'))}x; CPU per byte ${fmtSpread(r.ratio(`${p}copy File → OPFS`, e, 'cpu'))}x the copy's`,
        );
      }
    if (base) {
      for (const workers of WORKERS)
        for (const path of ['decrypt', 'encrypt']) {
          const n = `${path}${w(workers)}`;
          console.log(
            `${n}, this build / baseline: ${fmtSpread(r.ratio(`baseline ${n}`, n, 'mbs'))}x MB/s, ${fmtSpread(r.ratio(`baseline ${n}`, n, 'cpu'))}x CPU per byte`,
          );
        }
    }
  }
} finally {
  await app.close();
  await base?.close();
}
