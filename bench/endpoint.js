// npm run bench (endpoint part, BENCH_ONLY=endpoint): audited Encrypt calls through the service worker's /kms,
// signed as the AWS SDK signs, by one caller (sequential) and by BENCH_ENDPOINT_CONCURRENCY (16) callers at
// once, in alternating rounds (bench/lib.js alternate: a warm-up round discarded, medians and their spread).
// Concurrent callers share IndexedDB commits (docs/decisions/0013); the target is AWS's default quota for
// symmetric cryptographic requests, 5,500 per second per account. BENCH_ENDPOINT_N calls per round (400).
// BENCH_BASELINE_DIR=<a bench build of another commit> runs that build beside this one, round for round.
import { alternate, fmtSpread, openBenchApp, pageBundle, percentile, QUICK } from './lib.js';

const N = Number(process.env.BENCH_ENDPOINT_N ?? (QUICK ? 150 : 400));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 3 : 5));
const CONCURRENCY = Number(process.env.BENCH_ENDPOINT_CONCURRENCY ?? 16);
const BASELINE = process.env.BENCH_BASELINE_DIR;
const BYTES = 100;
const TARGET = 5500;
const WARM = 20;

const bundle = await pageBundle('bench/endpoint-browser-entry.js', { oneFile: true });

/** A bench build served and open, with a key and a root access key; `round` times one round of calls. */
async function open(name, outDir) {
  const app = await openBenchApp(name, { bypassCSP: true, ...(outDir ? { outDir } : {}) });
  const { page, origin } = app;
  await page.goto(origin);
  await page.waitForFunction(
    () => navigator.serviceWorker?.controller != null && globalThis.pocketKms?.info !== undefined,
    null,
    { timeout: 30_000 },
  );
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.addScriptTag({ content: bundle, type: 'module' });
  await page.waitForFunction(() => globalThis.endpointBench !== undefined, null, { timeout: 10_000 });
  const setup = await page.evaluate(async () => {
    const p = globalThis.pocketKms;
    const { KeyMetadata } = await p.call('CreateKey', { Description: 'endpoint bench' });
    const k = await p.api.createAccessKey(`arn:aws:iam::${p.info.accountId}:root`);
    return {
      keyId: KeyMetadata.KeyId,
      region: p.info.region,
      credentials: { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey },
    };
  });
  const args = { ...setup, origin, bytes: BYTES, n: N, warm: WARM };
  const round = async (concurrency, via = 'signed') => {
    const { ms, times } = await page.evaluate((a) => globalThis.endpointBench.encrypt(a), {
      ...args,
      concurrency,
      via,
    });
    return { perSec: times.length / (ms / 1000), p50: percentile(times, 50), p99: percentile(times, 99) };
  };
  return { ...app, round };
}

const apps = [await open('endpoint')];
if (BASELINE) apps.push(await open('endpoint-baseline', BASELINE));
try {
  const [app, base] = apps;
  const conc = `${CONCURRENCY} concurrent`;
  const variants = {
    sequential: () => app.round(1),
    [conc]: () => app.round(CONCURRENCY),
    ...(base
      ? { 'baseline, sequential': () => base.round(1), [`baseline, ${conc}`]: () => base.round(CONCURRENCY) }
      : {}),
    [`floor: ${conc} unsigned requests, refused`]: () => app.round(CONCURRENCY, 'floor'),
    ...(QUICK ? {} : { [`${conc}, whole AWS SDK in the page`]: () => app.round(CONCURRENCY, 'sdk') }),
  };
  const r = await alternate(variants, { rounds: ROUNDS });
  console.log(
    `\nAudited Encrypt of ${BYTES} B through the service worker's /kms, signed as the AWS SDK signs — ${N} calls x ${ROUNDS} rounds, alternating, one warm-up round discarded; medians (min–max over rounds), Chromium ${app.ctx.browser()?.version() ?? ''}${base ? `; baseline: ${BASELINE}` : ''}`,
  );
  console.log('callers'.padEnd(52) + 'calls/s'.padStart(24) + 'p50 ms'.padStart(22) + 'p99 ms'.padStart(22));
  for (const [name, x] of Object.entries(r.variants)) {
    console.log(
      name.padEnd(52) +
        fmtSpread(x.perSec, 0).padStart(24) +
        fmtSpread(x.p50).padStart(22) +
        fmtSpread(x.p99).padStart(22),
    );
  }
  // Each ratio divides a round's figure by the same round's baseline figure, then takes the median over rounds.
  console.log(`${conc} / sequential, calls/s: ${fmtSpread(r.ratio('sequential', conc, 'perSec'))}x`);
  console.log(
    `${conc} Encrypt / the floor (service worker round trip, one read, no call), calls/s: ${fmtSpread(r.ratio(`floor: ${conc} unsigned requests, refused`, conc, 'perSec'))}x`,
  );
  if (base) {
    console.log(`this build / baseline, ${conc} calls/s: ${fmtSpread(r.ratio(`baseline, ${conc}`, conc, 'perSec'))}x`);
    console.log(
      `this build / baseline, sequential p50: ${fmtSpread(r.ratio('baseline, sequential', 'sequential', 'p50'))}x`,
    );
  }
  const perSec = r.variants[conc].perSec.median;
  console.log(
    `${conc} callers: ${perSec.toFixed(0)} audited Encrypt calls/s (target ≥ ${TARGET}, AWS's default quota: ${perSec >= TARGET ? 'met' : `not met, ${((perSec / TARGET) * 100).toFixed(0)}%`}); p99 ${r.variants[conc].p99.median.toFixed(2)} ms; sequential p50 in the same run ${r.variants.sequential.p50.median.toFixed(2)} ms`,
  );
} finally {
  for (const a of apps) await a.close();
}
