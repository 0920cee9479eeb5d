// Shared by the browser benchmarks: the Chromium to launch, the bench file, and memory sampling.
import { execSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The bench build (`vite build --mode bench`): the app plus the worker's diagnostics (bench/worker/). */
export const BENCH_DIST = process.env.BENCH_OUT_DIR ?? 'dist-bench';
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const MB = (bytes, ms) => bytes / 1e6 / (ms / 1000);
export const mib = (b) => (b / 2 ** 20).toFixed(0);

/** The bench file of `size` MiB, generated once (one random MiB, varied per MiB so frames differ). */
export function benchFile(size) {
  const path = join(tmpdir(), `pocket-kms-bench-${size}mib.bin`);
  if (existsSync(path) && statSync(path).size === size * 2 ** 20) return path;
  const block = randomBytes(2 ** 20);
  const fd = openSync(path, 'w');
  for (let i = 0; i < size; i++) {
    block.writeUInt32BE(i, (i * 4096) % (2 ** 20 - 4));
    writeSync(fd, block);
  }
  closeSync(fd);
  return path;
}

/** Sum of VmRSS (bytes) over the processes whose command line names this run's profile directory. */
export function rss(profile) {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(profile)) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      /* the process ended */
    }
  }
  return total;
}

/** CPU seconds (user + system) spent so far by the processes whose command line names this run's profile
 * directory: on a shared machine a path's CPU time per byte holds where its wall time swings with the load. */
export function cpuSeconds(profile) {
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(profile)) continue;
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      total += (Number(f[11]) + Number(f[12])) / tick;
    } catch {
      /* the process ended */
    }
  }
  return total;
}

/** Writes the kernel's dirty pages out before a measured phase, so a phase does not pay for the
 * writeback of the gigabyte the previous one wrote (it made decrypt look 2–3x slower than it is). */
export function settle() {
  execSync('sync');
}

/** Runs fn while sampling memory every 50 ms; returns fn's result and the peak. Samples start once
 * fn does: the RSS at the start is often the previous phase's garbage, which the GC frees within the
 * first few MiB of the new phase (it was counted in the decrypt peak, ~200 MiB of default reads). */
export async function sampled(profile, fn) {
  settle();
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, rss(profile))), 50);
  try {
    const result = await fn();
    return { result, peak: Math.max(peak, rss(profile)) };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Serves the bench build (dist-bench, with vite.config.ts's plugins, as `npm start`; or `outDir`, e.g. a baseline
 * build of another commit, or dist/ for scripts/screenshot*.js) on a free port and opens it in a fresh headless
 * Chromium profile; `close()` ends the browser and the server and removes the profile. `bypassCSP` only so a bench
 * can inject a bundle of its own (the app is unchanged); `context`: more of Playwright's context options.
 */
export async function openBenchApp(name, { bypassCSP = false, outDir = BENCH_DIST, context = {} } = {}) {
  const { preview } = await import('vite');
  const { chromium } = await import('playwright-core');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const server = await preview({
    logLevel: 'silent',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0 },
  });
  const origin = server.resolvedUrls.local[0].replace(/\/$/, '');
  const profile = mkdtempSync(join(tmpdir(), `pocket-kms-bench-${name}-`));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ARGS,
    headless: true,
    bypassCSP,
    ...context,
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  return {
    origin,
    profile,
    ctx,
    page,
    async close() {
      await ctx.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The console of the bench build, loaded and with its keystore open. */
export async function openConsole(name) {
  const app = await openBenchApp(name);
  await app.page.goto(app.origin);
  await app.page.waitForFunction(() => globalThis.pocketKms?.info !== undefined, null, { timeout: 30_000 });
  return { page: app.page, version: app.ctx.browser()?.version() ?? '', close: app.close };
}

/** A browser bundle of a bench's own entry (one ES module, minified), as text to inject into the page. */
export async function pageBundle(entry, { define, oneFile = false } = {}) {
  const { build } = await import('vite');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const outDir = mkdtempSync(join(tmpdir(), 'pocket-kms-bench-bundle-'));
  await build({
    logLevel: 'silent',
    configFile: false,
    publicDir: false,
    ...(define ? { define } : {}),
    build: {
      outDir,
      emptyOutDir: true,
      minify: true,
      // One file: lazy imports would otherwise be chunks the injected script cannot load.
      ...(oneFile ? { rolldownOptions: { output: { codeSplitting: false } } } : {}),
      lib: { entry, formats: ['es'], fileName: () => 'bundle.js' },
    },
  });
  const text = readFileSync(join(outDir, 'bundle.js'), 'utf8');
  rmSync(outDir, { recursive: true, force: true });
  return text;
}

/**
 * A probe of the JS heap plus ArrayBuffer backing stores (CDP Runtime.getHeapUsage), in bytes, of `page` and
 * of the origin's service worker, reached through the page's CDP session (a persistent context has no
 * browser session). The service worker's figure is undefined when it has no target.
 */
export async function heapProbes(ctx, page) {
  const cdp = await ctx.newCDPSession(page);
  const { targetInfos } = await cdp.send('Target.getTargets');
  const sw = targetInfos.find((t) => t.type === 'service_worker');
  let swUsage = async () => undefined;
  if (sw) {
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: sw.targetId, flatten: false });
    let id = 0;
    const waiting = new Map();
    cdp.on('Target.receivedMessageFromTarget', (e) => {
      const m = JSON.parse(e.message);
      if (m.id !== undefined) (waiting.get(m.id)?.(m.result), waiting.delete(m.id));
    });
    swUsage = () =>
      new Promise((resolve) => {
        waiting.set(++id, resolve);
        void cdp.send('Target.sendMessageToTarget', {
          sessionId,
          message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }),
        });
      });
  }
  const bytes = (h) => (h ? h.usedSize + (h.backingStorageSize ?? 0) : undefined);
  return async () => ({ page: bytes(await cdp.send('Runtime.getHeapUsage')), serviceWorker: bytes(await swUsage()) });
}

/** `sampled` plus the peaks of `heaps()` (heapProbes), polled every 200 ms while fn runs. */
export async function sampledHeaps(profile, heaps, fn) {
  const heap = { page: 0, serviceWorker: 0 };
  let running = true;
  const poll = (async () => {
    while (running) {
      const h = await heaps();
      heap.page = Math.max(heap.page, h.page ?? 0);
      heap.serviceWorker = Math.max(heap.serviceWorker, h.serviceWorker ?? 0);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  try {
    return { ...(await sampled(profile, fn)), heap };
  } finally {
    running = false;
    await poll;
  }
}

// ——— Figures that hold from run to run (issue 20, item 3) ———

/** `npm run bench -- --quick` (or BENCH_QUICK=1): a development loop of under a minute, fewer calls and rounds. */
export const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';

/** The value at percentile `p` of `xs` (nearest rank). */
export const percentile = (xs, p) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
export const median = (xs) => percentile(xs, 50);

/** A median with its spread over rounds: `{ median, min, max, values }`. */
export function spread(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), values };
}

/** "12.3 (11.9–13.0)": a median and its range over rounds, `digits` decimals. */
export const fmtSpread = (s, digits = 2) =>
  `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;

/**
 * Alternating rounds (A/B/A/B…, or A/B/C…) of measurements taken beside each other, so that a noisy moment of a
 * shared machine falls on every variant alike: one warm-up round first, discarded, then `rounds` rounds in which
 * every variant runs once, in turn. `variants` maps a name to an async function returning one round's figures
 * (an object of numbers). Returns, per variant and figure, the median and the spread over rounds
 * (`result.variants[name][figure]`), and `ratio(a, b, figure)`: the median over rounds of b/a, each round's b
 * divided by the same round's a, with its spread; `per(fn)` any figure of one round's results, over rounds.
 */
export async function alternate(variants, { rounds = 3, warmup = 1, onRound } = {}) {
  const names = Object.keys(variants);
  const got = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < warmup + rounds; r++) {
    // The order within a round alternates too (A/B, then B/A), so neither variant always runs first.
    const order = r % 2 === 0 ? names : [...names].reverse();
    for (const n of order) {
      const x = await variants[n]();
      if (r >= warmup) got[n].push(x);
    }
    if (r >= warmup) onRound?.(r - warmup, Object.fromEntries(names.map((n) => [n, got[n].at(-1)])));
  }
  const summarize = (xs) => Object.fromEntries(Object.keys(xs[0]).map((f) => [f, spread(xs.map((x) => x[f]))]));
  return {
    rounds: got,
    variants: Object.fromEntries(names.map((n) => [n, summarize(got[n])])),
    ratio: (a, b, figure) => spread(got[b].map((x, i) => x[figure] / got[a][i][figure])),
    /** Any figure computed from one round's results of every variant (`{ name: figures }`), over rounds. */
    per: (fn) => spread(got[names[0]].map((_, i) => fn(Object.fromEntries(names.map((n) => [n, got[n][i]]))))),
  };
}
