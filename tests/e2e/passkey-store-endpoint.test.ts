// The /kms endpoint of a device keystore with a passkey key store (ADR 0016 "The endpoint"): the service worker
// forwards a request only to a console that announced a connected store, and otherwise answers at once without
// asking any window, even with a page of the origin open that is not a console. The store is made through the
// console's worker API with a stand-in passkey (a KEK derived from fixed PRF bytes), so no WebAuthn is needed here;
// tests/e2e/passkey-store.test.ts does it with Chromium's virtual authenticator. Prints latency figures, asserts none.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAccessKey, loadApp, useApp, type Credentials } from './harness';

const env = useApp({ bundle: { entry: 'tests/e2e/passkey-store-entry.ts', dir: '__e2e_cks_ep__', name: 'cks' } });
const N = 25;
let root: Credentials;
let ordinary: string;
let storeKeyId: string;
let storeId: string;
/** The stand-in passkey: its credential ID and PRF output, from which each page derives the same KEK. */
const passkey = {
  credentialId: [...crypto.getRandomValues(new Uint8Array(16))],
  prf: [...crypto.getRandomValues(new Uint8Array(32))],
};

/** Runs a custom key store operation in `page`'s worker with the stand-in passkey. */
function withPasskey(page: Page, op: string, request: object) {
  return page.evaluate(
    async ([op, request, p]) => {
      const base = await crypto.subtle.importKey('raw', new Uint8Array(p.prf), 'HKDF', false, ['deriveKey']);
      const kek = await crypto.subtle.deriveKey(
        {
          name: 'HKDF',
          hash: 'SHA-256',
          salt: new Uint8Array(0),
          info: new TextEncoder().encode('pocket-kms:custom-key-store:kek:v1'),
        },
        base,
        { name: 'AES-KW', length: 256 },
        false,
        ['wrapKey', 'unwrapKey'],
      );
      const passkey = { credentialId: new Uint8Array(p.credentialId), kek };
      return (globalThis as any).pocketKms.api.keyStoreCall(op, request, { passkey });
    },
    [op, request, passkey] as const,
  );
}

/** Counts the service worker's messages to `page` (pings and forwarded requests) from now on. */
async function countMessages(page: Page) {
  await page.evaluate(() => {
    const g = globalThis as any;
    g.__swAsked = 0;
    if (g.__swCounting) return;
    g.__swCounting = true;
    navigator.serviceWorker.addEventListener('message', (e: MessageEvent) => {
      if (/^POCKET_KMS_(PING|FORWARD)$/.test((e.data as { type?: string } | null)?.type ?? '')) g.__swAsked++;
    });
  });
  return () => page.evaluate(() => (globalThis as any).__swAsked as number);
}

const sdk = (page: Page, keyId: string, old?: number[]) =>
  page.evaluate(([o, c, k, old]) => (globalThis as any).storeSdk(o, c, k, 'endpoint', old), [
    env.app.url,
    root,
    keyId,
    old,
  ] as const);

async function p50(page: Page, label: string): Promise<number> {
  const times: number[] = await page.evaluate(([o, c, k, n]) => (globalThis as any).encryptTimes(o, c, k, n), [
    env.app.url,
    root,
    ordinary,
    N,
  ] as const);
  const sorted = times.slice(1).sort((a, b) => a - b); // the first call warms the client up
  const median = sorted[Math.floor(sorted.length / 2)]!;
  console.info(`[figures] Encrypt of an ordinary key through /kms, ${label}: p50 ${median.toFixed(1)} ms (n=${N - 1})`);
  return median;
}

beforeAll(async () => {
  const { page } = env.browser;
  await page.addScriptTag({ url: '/__e2e_cks_ep__/cks.js', type: 'module' });
  await page.waitForFunction(() => 'storeSdk' in globalThis);
  root = await createAccessKey(page);
  ordinary = await page.evaluate(
    async () => (await (globalThis as any).pocketKms.call('CreateKey', { Description: 'ordinary' })).KeyMetadata.KeyId,
  );
  storeId = (await withPasskey(page, 'CreateCustomKeyStore', { CustomKeyStoreName: 'endpoint' })).CustomKeyStoreId;
  await withPasskey(page, 'ConnectCustomKeyStore', { CustomKeyStoreId: storeId });
  storeKeyId = await page.evaluate(
    async (id) =>
      (await (globalThis as any).pocketKms.call('CreateKey', { Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: id }))
        .KeyMetadata.KeyId,
    storeId,
  );
  await page.evaluate(
    (id) => (globalThis as any).pocketKms.call('DisconnectCustomKeyStore', { CustomKeyStoreId: id }),
    storeId,
  );
});

describe('the /kms endpoint of a keystore with a passkey key store', () => {
  it('with no store connected anywhere, answers at once without asking any window, a non-console page open', async () => {
    const { page, context } = env.browser;
    const asked = await countMessages(page);
    await p50(page, 'store disconnected, consoles only');
    // A page of the origin that is not a console (it never answers the service worker).
    const plain = await context.newPage();
    await plain.goto(`${env.app.url}/icon.svg`);
    await p50(page, 'store disconnected, a non-console page open');
    const r = await sdk(page, storeKeyId);
    expect(r.encrypted).toMatchObject({ error: 'KMSInvalidStateException', status: 400 });
    await plain.close();
    expect(await asked()).toBe(0);
  });

  it('forwards to the console that announced a connected store; after Disconnect, asks nobody again', async () => {
    const { page } = env.browser;
    await withPasskey(page, 'ConnectCustomKeyStore', { CustomKeyStoreId: storeId });
    const asked = await countMessages(page);
    const r = await sdk(page, storeKeyId);
    expect(r.decrypted).toEqual({ ok: 'endpoint' });
    expect(await asked()).toBeGreaterThan(0);
    await p50(page, 'store connected in this console');
    await page.evaluate(
      (id) => (globalThis as any).pocketKms.call('DisconnectCustomKeyStore', { CustomKeyStoreId: id }),
      storeId,
    );
    const after = await countMessages(page);
    expect((await sdk(page, storeKeyId)).encrypted).toMatchObject({ error: 'KMSInvalidStateException' });
    expect(await after()).toBe(0);
  });

  it('a restarted service worker still knows the console with the connected store', async () => {
    const { page, context } = env.browser;
    await withPasskey(page, 'ConnectCustomKeyStore', { CustomKeyStoreId: storeId });
    const cdp = await context.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    expect((await sdk(page, storeKeyId)).decrypted).toEqual({ ok: 'endpoint' });
    await cdp.detach();
  });

  it('a console that went away leaves nothing that makes calls wait or go astray', async () => {
    const { page, context } = env.browser;
    await page.evaluate(
      (id) => (globalThis as any).pocketKms.call('DisconnectCustomKeyStore', { CustomKeyStoreId: id }),
      storeId,
    );
    const second = await context.newPage();
    await loadApp(second, env.app.url);
    await second.waitForFunction(() => (globalThis as any).pocketKms?.info !== undefined, null, { timeout: 30_000 });
    await withPasskey(second, 'ConnectCustomKeyStore', { CustomKeyStoreId: storeId });
    // The first page's SDK reaches the store through the second console.
    expect((await sdk(page, storeKeyId)).decrypted).toEqual({ ok: 'endpoint' });
    await second.close();
    const asked = await countMessages(page);
    expect((await sdk(page, storeKeyId)).encrypted).toMatchObject({ error: 'KMSInvalidStateException' });
    expect((await sdk(page, ordinary)).decrypted).toEqual({ ok: 'endpoint' });
    expect(await asked()).toBe(0);
  });
});
