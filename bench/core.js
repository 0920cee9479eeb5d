// npm run bench (core part): latency and throughput of the KMS core through the real page → Comlink → worker
// path in headless Chromium, beside raw WebCrypto AES-GCM and raw IndexedDB transactions in the same worker
// (the ceiling and the storage floor). Every figure is measured in alternating rounds (bench/lib.js alternate:
// one warm-up round discarded, medians with their spread), and each ratio divides a round's figure by the same
// round's baseline. BENCH_N calls per round (400; 100 with --quick), BENCH_ROUNDS rounds (5; 3 with --quick).
import { benchAsymmetric, printAsymmetric } from './asymmetric.js';
import { alternate, fmtSpread, openBenchApp, openConsole, QUICK } from './lib.js';

const N = Number(process.env.BENCH_N ?? (QUICK ? 100 : 400));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 3 : 5));
const CEILING = 'raw WebCrypto AES-GCM, 100 B, in the worker (ceiling)';
const IDB_READ = 'IndexedDB read-only transaction, one get (in the worker)';
const IDB_WRITE = 'IndexedDB read-write transaction, one put (in the worker)';
const COMLINK = 'Comlink round trip (no-op)';

const CONCURRENCY = Number(process.env.BENCH_ENDPOINT_CONCURRENCY ?? 16);
const BASELINE = process.env.BENCH_BASELINE_DIR;
const CONC = `Encrypt, ${CONCURRENCY} concurrent callers`;

/** Defines globalThis.coreRound(name, n) in the console page: one round of one figure. */
const prepare = (page) =>
  page.evaluate(async () => {
    const kms = globalThis.pocketKms;
    const { KeyMetadata } = await kms.call('CreateKey', { Description: 'bench' });
    const KeyId = KeyMetadata.KeyId;
    const plaintext = crypto.getRandomValues(new Uint8Array(100));
    const EncryptionContext = { purpose: 'bench' };
    const { CiphertextBlob } = await kms.call('Encrypt', { KeyId, Plaintext: plaintext, EncryptionContext });
    const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
    const figures = (times) => ({
      opsPerSec: 1000 / (times.reduce((a, b) => a + b, 0) / times.length),
      p50: pct(times, 50),
      p99: pct(times, 99),
    });
    const ops = {
      Encrypt: () => kms.call('Encrypt', { KeyId, Plaintext: plaintext, EncryptionContext }),
      Decrypt: () => kms.call('Decrypt', { CiphertextBlob, EncryptionContext }),
      GenerateDataKey: () => kms.call('GenerateDataKey', { KeyId, KeySpec: 'AES_256' }),
      DescribeKey: () => kms.call('DescribeKey', { KeyId }),
      'Comlink round trip (no-op)': () => kms.api.ping(),
    };
    /** One round of `name`: n sequential calls after 20 unmeasured ones (page timers are 0.1 ms coarse), or
     * n calls shared by `concurrency` callers (calls/s over the wall time). */
    globalThis.coreRound = async (name, n, concurrency = 1) => {
      if (name === 'raw') return figures(await kms.api.rawAesGcm(n, 100));
      if (concurrency > 1) {
        const fn = ops[name];
        for (let i = 0; i < 20; i++) await fn();
        const times = [];
        let next = 0;
        const caller = async () => {
          while (next < n) {
            next++;
            const t = performance.now();
            await fn();
            times.push(performance.now() - t);
          }
        };
        const t0 = performance.now();
        await Promise.all(Array.from({ length: concurrency }, caller));
        return { ...figures(times), opsPerSec: n / ((performance.now() - t0) / 1000) };
      }
      if (name === 'idbRead' || name === 'idbWrite') {
        const x = await kms.api.rawIdb(n);
        return figures(name === 'idbRead' ? x.read : x.write);
      }
      const fn = ops[name];
      for (let i = 0; i < 20; i++) await fn();
      const times = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await fn();
        times.push(performance.now() - t);
      }
      return figures(times);
    };
  });

const { page, version, close } = await openConsole('core');
const base = BASELINE ? await openBenchApp('core-baseline', { outDir: BASELINE }) : undefined;
try {
  await prepare(page);
  if (base) {
    await base.page.goto(base.origin);
    await base.page.waitForFunction(() => globalThis.pocketKms?.info !== undefined, null, { timeout: 30_000 });
    await prepare(base.page);
  }
  const round =
    (name, concurrency = 1, p = page) =>
    () =>
      p.evaluate(([name, n, c]) => globalThis.coreRound(name, n, c), [name, N, concurrency]);
  const r = await alternate(
    {
      Encrypt: round('Encrypt'),
      Decrypt: round('Decrypt'),
      GenerateDataKey: round('GenerateDataKey'),
      DescribeKey: round('DescribeKey'),
      [COMLINK]: round(COMLINK),
      [IDB_READ]: round('idbRead'),
      [IDB_WRITE]: round('idbWrite'),
      [CEILING]: round('raw'),
      [CONC]: round('Encrypt', CONCURRENCY),
      ...(base ? { [`baseline, ${CONC}`]: round('Encrypt', CONCURRENCY, base.page) } : {}),
      ...(base ? { 'baseline, Encrypt': round('Encrypt', 1, base.page) } : {}),
    },
    { rounds: ROUNDS },
  );

  console.log(
    `\nPocket KMS core latency — ${N} sequential calls x ${ROUNDS} rounds, alternating, one warm-up round discarded; medians (min–max over rounds), Chromium ${version}`,
  );
  console.log(
    'operation'.padEnd(60) + 'ops/s'.padStart(20) + 'p50 ms'.padStart(22) + 'p99 ms'.padStart(22) + '  p50 vs ceiling',
  );
  console.log('(page timers are 0.1 ms coarse; the ceiling and the IndexedDB floor are timed inside the worker)');
  for (const [name, x] of Object.entries(r.variants)) {
    console.log(
      name.padEnd(60) +
        fmtSpread(x.opsPerSec, 0).padStart(20) +
        fmtSpread(x.p50, 3).padStart(22) +
        fmtSpread(x.p99, 3).padStart(22) +
        `  ${fmtSpread(r.ratio(CEILING, name, 'p50'), 1)}x`,
    );
  }
  console.log(
    `\nEncrypt p50 / raw AES-GCM p50 = ${fmtSpread(r.ratio(CEILING, 'Encrypt', 'p50'), 1)}x (aim: ≤ 3x; not reachable while each call commits its audit record before answering)`,
  );
  const floor = r.per((x) => x.Encrypt.p50 / (x[IDB_WRITE].p50 + x[COMLINK].p50));
  console.log(
    `Encrypt p50 / (one read-write transaction + Comlink round trip) = ${fmtSpread(floor)}x (the storage floor, docs/decisions/0004)`,
  );
  console.log(
    `${CONC} / sequential Encrypt, calls/s: ${fmtSpread(r.ratio('Encrypt', CONC, 'opsPerSec'))}x (calls that arrive while one commits share the next commit, docs/decisions/0013)`,
  );
  if (base) {
    console.log(
      `this build / baseline (${BASELINE}), ${CONC}, calls/s: ${fmtSpread(r.ratio(`baseline, ${CONC}`, CONC, 'opsPerSec'))}x`,
    );
    console.log(
      `this build / baseline, sequential Encrypt p50: ${fmtSpread(r.ratio('baseline, Encrypt', 'Encrypt', 'p50'))}x`,
    );
  }
  if (!QUICK) {
    const asymN = Number(process.env.BENCH_ASYM_N ?? 100);
    printAsymmetric(await benchAsymmetric(page, asymN, ROUNDS), asymN, ROUNDS);
  }
} finally {
  await close();
  await base?.close();
}
