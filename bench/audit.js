// npm run bench (audit part): what recording costs (Encrypt with its hash-chained audit record vs the
// same loop with appending disabled), then a trail of BENCH_AUDIT_RECORDS synthetic records (default
// 1,000,000): append rate, LookupEvents and Event history latency, chain verification, export MB/s.
// Runs in its own headless Chromium against dist/ (run.js builds it first). BENCH_AUDIT=0 skips it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import { ARGS, BENCH_DIST, CHROMIUM, fmtSpread, spread } from './lib.js';

const N = Number(process.env.BENCH_N ?? 400);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RECORDS = Number(process.env.BENCH_AUDIT_RECORDS ?? 1_000_000);

// BENCH_OUT_DIR serves another build than dist/ (a long run while dist/ is rebuilt).
const server = await preview({
  logLevel: 'silent',
  build: { outDir: BENCH_DIST },
  preview: { host: '127.0.0.1', port: 0 },
});
const dir = mkdtempSync(join(tmpdir(), 'pocket-kms-bench-audit-'));
const ctx = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, args: ARGS, headless: true });
try {
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto(server.resolvedUrls.local[0]);
  await page.waitForFunction(() => globalThis.pocketKms?.info !== undefined, null, { timeout: 30_000 });
  const r = await page.evaluate(
    async ({ N, ROUNDS, RECORDS }) => {
      const api = globalThis.pocketKms.api;
      const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const rate = (ms) => 1000 / (ms.reduce((a, b) => a + b, 0) / ms.length);
      // Alternating rounds as bench/lib.js alternate has them: a warm-up round discarded, then rounds that each
      // measure audited and unaudited Encrypt beside each other, A/B then B/A; the cost is taken within a round.
      const rounds = [];
      for (let i = 0; i < ROUNDS + 1; i++) {
        const c = await api.auditCost(N, i % 2 === 1);
        if (i > 0) rounds.push({ audited: rate(c.audited), unaudited: rate(c.unaudited) });
      }
      const out = { rounds };
      out.seedMs = await api.seedAuditRecords(RECORDS);
      const time = async (fn, n = 10) => {
        await fn();
        const ts = [];
        for (let i = 0; i < n; i++) {
          const t = performance.now();
          await fn();
          ts.push(performance.now() - t);
        }
        return median(ts);
      };
      const keyId = '00000000-0000-4000-8000-000000000003';
      const now = Date.now();
      out.lookup = {
        'LookupEvents, newest 50': await time(() => api.lookupEvents({ MaxResults: 50 })),
        'LookupEvents, EventName=Decrypt (10% of records)': await time(() =>
          api.lookupEvents({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'Decrypt' }] }),
        ),
        'LookupEvents, ResourceName=one key (1/16)': await time(() =>
          api.lookupEvents({ LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: keyId }] }),
        ),
        'LookupEvents, last hour': await time(() =>
          api.lookupEvents({ StartTime: new Date(now - 3_600_000), EndTime: new Date(now) }),
        ),
        'LookupEvents, EventName=CreateKey (none: whole trail)': await time(
          () => api.lookupEvents({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateKey' }] }),
          2,
        ),
        'Event history, first page (hide reads)': await time(() => api.auditEvents({ limit: 50, hideReads: true })),
      };
      let t = performance.now();
      const chain = await api.verifyAuditTrail();
      out.verify = { ms: performance.now() - t, checked: chain.checked, intact: chain.intact };
      out.exports = {};
      for (const format of ['cloudtrail', 'jsonl', 'csv']) {
        t = performance.now();
        const { id } = await api.exportAudit({ format });
        let bytes = 0;
        for (let c = await api.exportNext(id); c; c = await api.exportNext(id)) bytes += c.length;
        out.exports[format] = { ms: performance.now() - t, bytes };
      }
      return out;
    },
    { N, ROUNDS, RECORDS },
  );
  const records = r.verify.checked;
  console.log(`\nAudit trail — Chromium ${ctx.browser()?.version() ?? ''}`);
  const audited = spread(r.rounds.map((x) => x.audited));
  const unaudited = spread(r.rounds.map((x) => x.unaudited));
  const cost = spread(r.rounds.map((x) => (1 - x.audited / x.unaudited) * 100));
  console.log(`(${ROUNDS} alternating rounds of ${N} calls after a warm-up round: median (range))`);
  console.log(
    `Encrypt with its audit record appended (hash-chained, same transaction): ${fmtSpread(audited, 0)} calls/s = records/s`,
  );
  console.log(
    `Encrypt with appending disabled:                                          ${fmtSpread(unaudited, 0)} calls/s (recording costs ${fmtSpread(cost, 0)}%, per round)`,
  );
  console.log(
    `Synthetic append, 5,000 records per transaction: ${(RECORDS / (r.seedMs / 1000)).toFixed(0)} records/s (${RECORDS.toLocaleString('en')} in ${(r.seedMs / 1000).toFixed(1)} s)`,
  );
  console.log(`\nLatency over ${records.toLocaleString('en')} records (median ms):`);
  for (const [k, v] of Object.entries(r.lookup)) console.log(`  ${k.padEnd(56)}${v.toFixed(1).padStart(10)}`);
  console.log(
    `  ${'Verify the whole chain'.padEnd(56)}${r.verify.ms.toFixed(0).padStart(10)}  (${(records / (r.verify.ms / 1000)).toFixed(0)} records/s, intact: ${r.verify.intact})`,
  );
  console.log('\nExport of the whole trail through page → Comlink → worker (no download):');
  for (const [f, v] of Object.entries(r.exports)) {
    console.log(
      `  ${f.padEnd(12)}${(v.bytes / 1e6).toFixed(1).padStart(9)} MB in ${(v.ms / 1000).toFixed(1).padStart(6)} s = ${(v.bytes / 1e6 / (v.ms / 1000)).toFixed(1).padStart(6)} MB/s, ${(records / (v.ms / 1000)).toFixed(0)} records/s`,
    );
  }
} finally {
  await ctx.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
