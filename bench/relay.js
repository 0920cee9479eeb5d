// npm run bench (relay part, BENCH_ONLY=relay): what the local relay (relay/relay.js, issue 18) costs. With one
// keystore and key in headless Chromium, the switch on in Settings, Encrypt of a small plaintext is timed from
// Node with the unmodified @aws-sdk/client-kms through the relay (SigV4 with an access key made in the page),
// from the page with the same SDK against the service worker's /kms, and from the page through the console's
// own client (pocketKms.call); sequential, then with BENCH_RELAY_CONCURRENCY callers. Alternating rounds (lib.js).
// BENCH_RELAY_N (default BENCH_N or 200 calls), BENCH_ROUNDS (3), BENCH_RELAY_BYTES (100), BENCH_RELAY_CONCURRENCY (8).
import { EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { alternate, fmtSpread, openBenchApp, pageBundle } from './lib.js';
import { summary, timedCalls } from './relay-timing.js';

const N = Number(process.env.BENCH_RELAY_N ?? process.env.BENCH_N ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BYTES = Number(process.env.BENCH_RELAY_BYTES ?? 100);
const CONCURRENCY = Number(process.env.BENCH_RELAY_CONCURRENCY ?? 8);
const WARM = 20;

const bundle = await pageBundle('bench/relay-browser-entry.js', { oneFile: true });

// vite.config.ts's localRelay() plugin attaches the relay to this preview server, as under `npm start`.
const app = await openBenchApp('relay', { bypassCSP: true });
const { origin, ctx } = app;
try {
  const { page } = app;
  await page.goto(`${origin}/#/settings`);
  await page.waitForFunction(
    () => navigator.serviceWorker?.controller != null && globalThis.pocketKms?.info !== undefined,
    null,
    { timeout: 30_000 },
  );
  await page.getByLabel('Allow the local relay').check();
  await page.getByTestId('relay-status').waitFor({ state: 'visible', timeout: 10_000 });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.addScriptTag({ content: bundle, type: 'module' });
  await page.waitForFunction(() => globalThis.relayBench !== undefined, null, { timeout: 10_000 });
  const { keyId, region, credentials } = await page.evaluate(async () => {
    const p = globalThis.pocketKms;
    const { KeyMetadata } = await p.call('CreateKey', { Description: 'relay bench' });
    const k = await p.api.createAccessKey(`arn:aws:iam::${p.info.accountId}:root`);
    return {
      keyId: KeyMetadata.KeyId,
      region: p.info.region,
      credentials: { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey },
    };
  });
  const args = { origin, region, credentials, keyId, bytes: BYTES, n: N, warm: WARM };

  // Node: the SDK's default Node handler (keep-alive sockets), as a tool on this machine would use it.
  const kms = new KMSClient({ endpoint: `${origin}/kms`, region, credentials, maxAttempts: 1 });
  const Plaintext = new Uint8Array(Buffer.from(crypto.getRandomValues(new Uint8Array(BYTES))));
  const nodeCall = () =>
    kms.send(new EncryptCommand({ KeyId: keyId, Plaintext, EncryptionContext: { purpose: 'bench' } }));
  const first = await nodeCall();
  if (!(first.CiphertextBlob?.length > BYTES)) throw new Error('Encrypt through the relay answered no ciphertext');

  const paths = {
    'Node, @aws-sdk/client-kms → relay → tab': (concurrency) =>
      timedCalls(nodeCall, { n: N, warm: WARM, concurrency, now: () => performance.now() }),
    'page, @aws-sdk/client-kms → service worker /kms': (concurrency) =>
      page.evaluate((a) => globalThis.relayBench.encrypt(a), { ...args, via: 'sdk', concurrency }),
    'page, console client (pocketKms.call)': (concurrency) =>
      page.evaluate((a) => globalThis.relayBench.encrypt(a), { ...args, via: 'console', concurrency }),
  };
  const [relay, sdk, own] = Object.keys(paths);
  const results = {};
  for (const concurrency of [1, CONCURRENCY]) {
    // Alternating rounds (bench/lib.js alternate): a warm-up round discarded, the three paths in turn, so a noisy
    // moment of the shared machine falls on all of them; each ratio is taken within a round, then the median.
    const variants = Object.fromEntries(
      Object.entries(paths).map(([name, run]) => [name, async () => summary(await run(concurrency))]),
    );
    results[concurrency] = await alternate(variants, { rounds: ROUNDS });
  }
  const relayed = Number(/(\d+) relayed/.exec((await page.getByTestId('relay-status').textContent()) ?? '')?.[1]);

  console.log(
    `\nLocal relay — Encrypt of ${BYTES} B, ${N} calls x ${ROUNDS} rounds after a warm-up round (medians, range over rounds), Chromium ${ctx.browser()?.version() ?? ''}`,
  );
  for (const [concurrency, r] of Object.entries(results)) {
    console.log(`\n${concurrency === '1' ? 'sequential (one caller)' : `${concurrency} concurrent callers`}`);
    console.log('path'.padEnd(52) + 'calls/s'.padStart(22) + 'p50 ms'.padStart(22) + 'p95 ms'.padStart(10));
    for (const [name, x] of Object.entries(r.variants)) {
      console.log(
        name.padEnd(52) +
          fmtSpread(x.perSec, 0).padStart(22) +
          fmtSpread(x.p50).padStart(22) +
          x.p95.median.toFixed(2).padStart(10),
      );
    }
    for (const base of [sdk, own]) {
      console.log(
        `  relay / ${base.replace('page, ', 'page ')}: calls/s ${fmtSpread(r.ratio(base, relay, 'perSec'))}x, p50 ${fmtSpread(r.ratio(base, relay, 'p50'))}x`,
      );
    }
  }
  // The first call, then warm-up and measured calls of every round, sequential and concurrent.
  const expected = 1 + 2 * (ROUNDS + 1) * (WARM + N);
  console.log(`\nThe tab's header counted ${relayed} relayed calls (${expected} made from Node).`);
} finally {
  await app.close();
}
