// npm run bench: latency and throughput of the KMS core through the real page → Comlink → worker
// path in headless Chromium, printed beside raw WebCrypto AES-GCM in the same worker (the ceiling).
// Figures are medians of several rounds; machines are shared and noisy, so read the ratios.
// BENCH_ONLY=s3 (or a comma list of core, files, downloads, custody, audit, s3, relay) runs only those parts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import { ARGS, BENCH_DIST, CHROMIUM } from './lib.js';
import { benchAsymmetric, printAsymmetric } from './asymmetric.js';

const N = Number(process.env.BENCH_N ?? 400);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PARTS = ['core', 'endpoint', 'files', 'downloads', 'custody', 'audit', 's3', 'relay'];
const only = process.env.BENCH_ONLY?.split(',').map((p) => p.trim());
const unknown = only?.filter((p) => !PARTS.includes(p)) ?? [];
if (unknown.length) throw new Error(`BENCH_ONLY names no part ${unknown.join(', ')}: choose from ${PARTS.join(', ')}`);
/** Whether to run a part: named in BENCH_ONLY, or when it is unset not skipped by BENCH_<PART>=0. */
const want = (part) => (only ? only.includes(part) : process.env[`BENCH_${part.toUpperCase()}`] !== '0');

if (want('core')) {
  const server = await preview({
    logLevel: 'silent',
    build: { outDir: BENCH_DIST },
    preview: { host: '127.0.0.1', port: 0 },
  });
  const url = server.resolvedUrls.local[0];
  const dir = mkdtempSync(join(tmpdir(), 'pocket-kms-bench-'));
  const ctx = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, args: ARGS, headless: true });
  try {
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.goto(url);
    await page.waitForFunction(() => globalThis.pocketKms?.info !== undefined, null, { timeout: 30_000 });
    const result = await page.evaluate(
      async ({ N, ROUNDS }) => {
        const kms = globalThis.pocketKms;
        const pct = (xs, p) =>
          [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
        const median = (xs) => pct(xs, 50);
        const { KeyMetadata } = await kms.call('CreateKey', { Description: 'bench' });
        const KeyId = KeyMetadata.KeyId;
        const plaintext = crypto.getRandomValues(new Uint8Array(100));
        const { CiphertextBlob } = await kms.call('Encrypt', {
          KeyId,
          Plaintext: plaintext,
          EncryptionContext: { purpose: 'bench' },
        });
        const ops = {
          Encrypt: () => kms.call('Encrypt', { KeyId, Plaintext: plaintext, EncryptionContext: { purpose: 'bench' } }),
          Decrypt: () => kms.call('Decrypt', { CiphertextBlob, EncryptionContext: { purpose: 'bench' } }),
          GenerateDataKey: () => kms.call('GenerateDataKey', { KeyId, KeySpec: 'AES_256' }),
          DescribeKey: () => kms.call('DescribeKey', { KeyId }),
          'Comlink round trip (no-op)': () => kms.api.ping(),
        };
        const out = {};
        for (const [name, fn] of Object.entries(ops)) {
          const rounds = [];
          for (let r = 0; r < ROUNDS; r++) {
            for (let i = 0; i < 20; i++) await fn();
            const times = [];
            const t0 = performance.now();
            for (let i = 0; i < N; i++) {
              const t = performance.now();
              await fn();
              times.push(performance.now() - t);
            }
            rounds.push({ opsPerSec: N / ((performance.now() - t0) / 1000), p50: pct(times, 50), p99: pct(times, 99) });
          }
          out[name] = {
            opsPerSec: median(rounds.map((x) => x.opsPerSec)),
            p50: median(rounds.map((x) => x.p50)),
            p99: median(rounds.map((x) => x.p99)),
          };
        }
        const raw = [];
        for (let r = 0; r < ROUNDS; r++) {
          const times = await kms.api.rawAesGcm(N, 100);
          raw.push({
            opsPerSec: 1000 / (times.reduce((a, b) => a + b, 0) / times.length),
            p50: pct(times, 50),
            p99: pct(times, 99),
          });
        }
        const idb = [];
        for (let r = 0; r < ROUNDS; r++) idb.push(await kms.api.rawIdb(N));
        for (const [label, pick] of [
          ['IndexedDB read-only transaction, one get (in the worker)', (x) => x.read],
          ['IndexedDB read-write transaction, one put (in the worker)', (x) => x.write],
        ]) {
          const rounds = idb.map((x) => {
            const t = pick(x);
            return { opsPerSec: 1000 / (t.reduce((a, b) => a + b, 0) / t.length), p50: pct(t, 50), p99: pct(t, 99) };
          });
          out[label] = {
            opsPerSec: median(rounds.map((x) => x.opsPerSec)),
            p50: median(rounds.map((x) => x.p50)),
            p99: median(rounds.map((x) => x.p99)),
          };
        }
        out['raw WebCrypto AES-GCM, 100 B, in the worker (ceiling)'] = {
          opsPerSec: median(raw.map((x) => x.opsPerSec)),
          p50: median(raw.map((x) => x.p50)),
          p99: median(raw.map((x) => x.p99)),
        };
        return out;
      },
      { N, ROUNDS },
    );

    const ceiling = result['raw WebCrypto AES-GCM, 100 B, in the worker (ceiling)'];
    console.log(
      `\nPocket KMS core latency — ${N} sequential calls x ${ROUNDS} rounds (medians), Chromium ${ctx.browser()?.version() ?? ''}`,
    );
    console.log(
      'operation'.padEnd(56) +
        'ops/s'.padStart(10) +
        'p50 ms'.padStart(10) +
        'p99 ms'.padStart(10) +
        '  p50 vs ceiling',
    );
    console.log('(page timers are 0.1 ms coarse; the ceiling is timed in batches of 20 calls inside the worker)');
    for (const [name, r] of Object.entries(result)) {
      console.log(
        name.padEnd(56) +
          r.opsPerSec.toFixed(0).padStart(10) +
          r.p50.toFixed(3).padStart(10) +
          r.p99.toFixed(3).padStart(10) +
          `  ${(r.p50 / ceiling.p50).toFixed(1)}x`,
      );
    }
    const floor =
      result['IndexedDB read-write transaction, one put (in the worker)'].p50 +
      result['Comlink round trip (no-op)'].p50;
    console.log(
      `\nEncrypt p50 / raw AES-GCM p50 = ${(result.Encrypt.p50 / ceiling.p50).toFixed(1)}x (aim: ≤ 3x; not reachable while each call commits its audit record before answering)`,
    );
    console.log(
      `Encrypt p50 / (one read-write transaction + Comlink round trip) = ${(result.Encrypt.p50 / floor).toFixed(2)}x (the storage floor, docs/decisions/0004)`,
    );
    const asymN = Number(process.env.BENCH_ASYM_N ?? 100);
    printAsymmetric(await benchAsymmetric(page, asymN, ROUNDS), asymN, ROUNDS);
  } finally {
    await ctx.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Audited Encrypt through the service worker's /kms, sequential and 16 concurrent callers (bench/endpoint.js).
if (want('endpoint')) await import('./endpoint.js');
// The file-encryption benchmark (bench/files.js) runs after, in its own browser; BENCH_FILES=0 skips it.
if (want('files')) await import('./files.js');
// The same file through the Files page to streamed downloads (bench/downloads.js); BENCH_DOWNLOADS=0 skips it.
if (want('downloads')) await import('./downloads.js');
// The custody benchmark (bench/custody.js): KDF guesses/s, unlock, before/after, backup; BENCH_CUSTODY=0 skips it.
if (want('custody')) await import('./custody.js');
// The audit-trail benchmark (bench/audit.js), also in its own browser; BENCH_AUDIT=0 skips it.
if (want('audit')) await import('./audit.js');
// S3 under /s3 with SSE-KMS beside the Files page's rate (bench/s3.js); BENCH_S3=0 skips it.
if (want('s3')) await import('./s3.js');
// Encrypt from Node through the local relay beside the same calls from the page (bench/relay.js); BENCH_RELAY=0 skips it.
if (want('relay')) await import('./relay.js');
