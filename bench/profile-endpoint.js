// `node bench/profile-endpoint.js [signed|floor|sdk]` (after `vite build --mode bench`): where the time of an
// audited Encrypt through the service worker's /kms goes (issue 20, item 2). 16 callers in the page as
// bench/endpoint.js has them; CPU profiles of the page and the service worker (self time per function, and
// idle), and the IndexedDB transactions the service worker opens per call. Profiles are written to
// BENCH_PROFILE_DIR (default: the system's temp folder) as .cpuprofile files for Chromium's DevTools.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBenchApp, pageBundle } from './lib.js';

const via = process.argv[2] ?? 'signed';
const N = Number(process.env.BENCH_ENDPOINT_N ?? 600);
const out = process.env.BENCH_PROFILE_DIR ?? mkdtempSync(join(tmpdir(), 'pocket-kms-profile-'));
const bundle = await pageBundle('bench/endpoint-browser-entry.js', { oneFile: true });
const app = await openBenchApp('profile', { bypassCSP: true });
const { page, origin, ctx } = app;
try {
  await page.goto(origin);
  await page.waitForFunction(
    () => navigator.serviceWorker?.controller != null && globalThis.pocketKms?.info !== undefined,
    null,
    { timeout: 30_000 },
  );
  await page.addScriptTag({ content: bundle, type: 'module' });
  await page.waitForFunction(() => globalThis.endpointBench !== undefined, null, { timeout: 10_000 });
  const setup = await page.evaluate(async () => {
    const p = globalThis.pocketKms;
    const { KeyMetadata } = await p.call('CreateKey', {});
    const k = await p.api.createAccessKey(`arn:aws:iam::${p.info.accountId}:root`);
    return {
      keyId: KeyMetadata.KeyId,
      region: p.info.region,
      credentials: { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey },
    };
  });

  // The service worker is its own target: reached through the page's CDP session (as lib.js heapProbes).
  const cdp = await ctx.newCDPSession(page);
  const { targetInfos } = await cdp.send('Target.getTargets');
  const sw = targetInfos.find((t) => t.type === 'service_worker');
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: sw.targetId, flatten: false });
  let id = 0;
  const waiting = new Map();
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const m = JSON.parse(e.message);
    if (m.id !== undefined) (waiting.get(m.id)?.(m.result ?? m.error), waiting.delete(m.id));
  });
  const swSend = (method, params = {}) =>
    new Promise((resolve) => {
      waiting.set(++id, resolve);
      void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
    });
  const counting = `(() => {
    const open = IDBDatabase.prototype.transaction;
    globalThis.__transactions = {};
    IDBDatabase.prototype.transaction = function (stores, mode, options) {
      const k = (mode ?? 'readonly') + ', ' + [].concat(stores).length + ' stores';
      globalThis.__transactions[k] = (globalThis.__transactions[k] ?? 0) + 1;
      return open.call(this, stores, mode, options);
    };
  })()`;
  await swSend('Runtime.evaluate', { expression: counting });
  const run = () =>
    page.evaluate((a) => globalThis.endpointBench.encrypt(a), {
      ...setup,
      origin,
      bytes: 100,
      n: N,
      warm: 20,
      concurrency: 16,
      via,
    });
  await run();
  const counted = await swSend('Runtime.evaluate', {
    expression: 'JSON.stringify(globalThis.__transactions)',
    returnByValue: true,
  });
  for (const s of [swSend, (m, p) => cdp.send(m, p)]) {
    await s('Profiler.enable');
    await s('Profiler.setSamplingInterval', { interval: 100 });
    await s('Profiler.start');
  }
  const r = await run();
  const profiles = {
    'service worker': (await swSend('Profiler.stop')).profile,
    page: (await cdp.send('Profiler.stop')).profile,
  };
  console.log(
    `\n${via}: ${N} calls by 16 callers, ${(N / (r.ms / 1000)).toFixed(0)} calls/s, Chromium ${ctx.browser()?.version()}`,
  );
  console.log(`IndexedDB transactions the service worker opened for ${N + 21} calls: ${counted.result.value}`);
  for (const [name, profile] of Object.entries(profiles)) {
    writeFileSync(join(out, `${via}-${name.replace(' ', '-')}.cpuprofile`), JSON.stringify(profile));
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map();
    let total = 0;
    profile.samples.forEach((s, i) => {
      const f = byId.get(s).callFrame;
      const k = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}${f.lineNumber >= 0 ? `:${f.lineNumber}` : ''}`;
      self.set(k, (self.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0));
      total += profile.timeDeltas[i] ?? 0;
    });
    console.log(`\n${name}: ${(total / 1000).toFixed(0)} ms sampled; self time, ms per call:`);
    for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15))
      console.log(`${(v / 1000 / N).toFixed(3).padStart(9)}  ${k}`);
  }
  console.log(`\nprofiles in ${out}`);
} finally {
  await app.close();
}
