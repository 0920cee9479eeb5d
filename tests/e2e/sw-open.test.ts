// Hardening issue, item 14: a keystore the service worker cannot open (here a newer schema, opened first by
// another tab of a newer version) is answered at /kms as AWS shapes an error, KMSInternalException saying
// what to do, not as a network error; and once the cause is gone the very next request opens it, with no
// restart of the service worker (the failed open is not kept for the worker's life).
import type { Page, Worker } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DB_VERSION, databaseName } from '../../src/store/idb-store';
import { createAccessKey, loadApp, useApp } from './harness';

const BUNDLE = '/__e2e_sw_open__/sdk.js';
const env = useApp({ bundle: { entry: 'tests/e2e/sw-open-entry.ts', dir: '__e2e_sw_open__', name: 'sdk' } });
const DB = databaseName('us-east-1');

async function withSdk(page: Page): Promise<void> {
  await page.addScriptTag({ url: BUNDLE, type: 'module' });
  await page.waitForFunction(() => 'sdkCall' in globalThis);
}

const sdkCall = (page: Page, op: 'CreateKey' | 'ListKeys', c: { accessKeyId: string; secretAccessKey: string }) =>
  page.evaluate(([op, c]) => (globalThis as any).sdkCall(op, c), [op, c] as const);

/** The running service worker, marked: a restarted one starts from a fresh global and has no mark. */
async function markServiceWorker(): Promise<Worker> {
  const sw = env.browser.context.serviceWorkers()[0];
  if (!sw) throw new Error('no service worker is running');
  await sw.evaluate(() => ((globalThis as any).__swOpenMark = 'the same instance'));
  return sw;
}

/** A newer version of the app in another tab: it opens the keystore's database at the next schema. */
async function upgradeFromAnotherTab(page: Page): Promise<void> {
  await page.evaluate(
    ([name, version]) =>
      new Promise<void>((res, rej) => {
        const r = indexedDB.open(name, version);
        r.onsuccess = () => (((globalThis as any).__newerDb = r.result), res());
        r.onerror = () => rej(r.error);
        r.onblocked = () => rej(new Error('the upgrade was blocked'));
      }),
    [DB, DB_VERSION + 1] as const,
  );
}

/** The newer version goes away with its database (IndexedDB cannot go back a version). */
async function removeNewerDatabase(page: Page): Promise<void> {
  await page.evaluate(
    (name) =>
      new Promise<void>((res, rej) => {
        (globalThis as any).__newerDb.close();
        const r = indexedDB.deleteDatabase(name);
        r.onsuccess = () => res();
        r.onerror = () => rej(r.error);
        r.onblocked = () => rej(new Error('the deletion was blocked by an open connection'));
      }),
    DB,
  );
}

describe('/kms when the service worker cannot open the keystore', () => {
  it('answers KMSInternalException saying what to do, and opens the keystore on the next request once it can', async () => {
    const { page } = env.browser;
    await withSdk(page);
    const before = await createAccessKey(page);
    const sw = await markServiceWorker();

    // Nothing has called /kms yet, so the service worker has not opened the keystore: now it cannot.
    await upgradeFromAnotherTab(page);
    const refused = await sdkCall(page, 'ListKeys', before);
    expect(refused).toMatchObject({ ok: false, name: 'KMSInternalException', fault: 'server', status: 500 });
    expect(refused.message).toMatch(/could not open its keystore.*reload the console/i);
    expect(refused.requestId).toMatch(/^[0-9a-f-]{36}$/);
    // Still refused while the cause is there (each request tries to open again).
    expect(await sdkCall(page, 'ListKeys', before)).toMatchObject({ name: 'KMSInternalException', status: 500 });

    // The cause goes away. The console, whose worker gave way to the newer version, reloads and makes the
    // keystore anew with an access key; the service worker is not restarted.
    await removeNewerDatabase(page);
    await loadApp(page, env.app.url);
    await withSdk(page);
    const after = await createAccessKey(page);
    const created = await sdkCall(page, 'CreateKey', after);
    expect(created).toMatchObject({ ok: true });
    expect(created.out).toMatch(/^[0-9a-f-]{36}$/);
    expect(await sdkCall(page, 'ListKeys', after)).toEqual({ ok: true, out: 1 });
    expect(await sw.evaluate(() => (globalThis as any).__swOpenMark)).toBe('the same instance');
  });

  it('gives way to a newer version that upgrades the keystore it had open, and opens it again once it can', async () => {
    const { page } = env.browser;
    const before = await createAccessKey(page);
    expect(await sdkCall(page, 'ListKeys', before)).toEqual({ ok: true, out: 1 });
    const sw = await markServiceWorker();

    // The service worker has the keystore open; a newer version upgrades it, and every instance gives way.
    await upgradeFromAnotherTab(page);
    const refused = await sdkCall(page, 'ListKeys', before);
    expect(refused).toMatchObject({ ok: false, name: 'KMSInternalException', fault: 'server', status: 500 });
    expect(refused.message).toMatch(/reload/i);

    await removeNewerDatabase(page);
    await loadApp(page, env.app.url);
    await withSdk(page);
    const after = await createAccessKey(page);
    expect(await sdkCall(page, 'CreateKey', after)).toMatchObject({ ok: true });
    expect(await sw.evaluate(() => (globalThis as any).__swOpenMark)).toBe('the same instance');
  });
});
