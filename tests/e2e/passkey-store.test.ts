// User story (issue 16, ADR 0016): a person creates a passkey key store on the Key stores page, connects it
// with the passkey (Chromium's virtual authenticator with PRF), creates a key in it and encrypts through the
// console and through the unmodified AWS SDK at /kms; disconnected, both get AWS's exception; reconnected,
// old ciphertexts decrypt. Script in the page finds nothing usable for the store's key even while connected;
// another authenticator cannot connect; a restored backup brings the store back still locked; a store that allows
// recovery connects with the keystore's secret alone.
import type { CDPSession } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessKey, loadApp, openBrowser, useApp, type Browser, type Credentials } from './harness';

const env = useApp({ bundle: { entry: 'tests/e2e/passkey-store-entry.ts', dir: '__e2e_cks__', name: 'cks' } });
/** WebAuthn needs a domain (not 127.0.0.1): tests/e2e/custody-passkey.test.ts says why. */
let origin: string;
let cdp: CDPSession;
let authenticatorId: string;
let root: Credentials;
let storeId: string;
let keyId: string;
let sdkCiphertext: number[];
let other: Browser | undefined;
const PASSPHRASE = 'lantern harbour quartz 16';

async function addAuthenticator(c: CDPSession, hasPrf = true): Promise<string> {
  const r = await c.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      ctap2Version: 'ctap2_1',
      transport: 'usb',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      hasPrf,
      automaticPresenceSimulation: true,
    },
  });
  return r.authenticatorId;
}

const store = () => env.browser.page.getByRole('region', { name: 'Key store hardware' });
const connection = () => store().getByTestId('connection-state').textContent();
/** The page's last outcome: what was done, or the error. */
const status = async () => (await env.browser.page.getByTestId('key-stores-outcome').allTextContents()).join(' ');
const sdk = (old?: number[]) =>
  env.browser.page.evaluate(([o, c, k, old]) => (globalThis as any).storeSdk(o, c, k, 'through the SDK', old), [
    origin,
    root,
    keyId,
    old,
  ] as const);

/** What script in the page can do with what the origin stores, for one key (serialized into the page). */
async function probe(id: string) {
  const req = <T>(r: IDBRequest<T>) =>
    new Promise<T>((ok, fail) => ((r.onsuccess = () => ok(r.result)), (r.onerror = () => fail(r.error))));
  const keys: CryptoKey[] = [];
  const target: Uint8Array<ArrayBuffer>[] = [];
  const control: Uint8Array<ArrayBuffer>[] = [];
  let usableStored = 0;
  const bytes = (v: ArrayBuffer | Uint8Array) => new Uint8Array(v instanceof ArrayBuffer ? v : v.slice().buffer);
  const walk = (v: unknown, depth = 0): void => {
    if (depth > 12 || v === null || typeof v !== 'object') return;
    if (v instanceof CryptoKey) return void keys.push(v);
    if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return;
    const r = v as Record<string, unknown>;
    // A store's slots and recovery copy: the store key, wrapped.
    if (r.wrappedKey instanceof Uint8Array) target.push(bytes(r.wrappedKey));
    if (r.recovery instanceof Uint8Array) target.push(bytes(r.recovery));
    for (const x of Object.values(r)) walk(x, depth + 1);
  };
  for (const { name } of await indexedDB.databases()) {
    if (!name) continue;
    const db = await req(indexedDB.open(name));
    for (const s of [...db.objectStoreNames]) {
      for (const value of await req(db.transaction(s).objectStore(s).getAll())) {
        const m = value as Record<string, unknown>;
        if (s === 'materials' && m.keyId === id) {
          target.push(bytes(m.wrapped as ArrayBuffer));
          if (m.key instanceof CryptoKey) usableStored++;
        } else if (s === 'materials' && m.wrapped) control.push(bytes(m.wrapped as ArrayBuffer));
        walk(value);
      }
    }
    db.close();
  }
  const opens = async (wrapped: Uint8Array<ArrayBuffer>) => {
    for (const k of keys) {
      if (k.algorithm.name !== 'AES-KW' || !k.usages.includes('unwrapKey')) continue;
      for (const alg of ['AES-GCM', 'AES-KW'])
        if (
          await crypto.subtle
            .unwrapKey('raw', wrapped, k, 'AES-KW', alg, true, alg === 'AES-KW' ? ['wrapKey'] : ['encrypt'])
            .then(
              () => true,
              () => false,
            )
        )
          return true;
    }
    return false;
  };
  let opened = 0;
  for (const t of target) if (await opens(t)) opened++;
  let controlOpened = 0;
  for (const c of control) if (await opens(c)) controlOpened++;
  return {
    cryptoKeys: keys.length,
    targets: target.length,
    opened,
    usableStored,
    controls: control.length,
    controlOpened,
  };
}

beforeAll(async () => {
  const { page, context } = env.browser;
  origin = env.app.url.replace('//127.0.0.1', '//localhost');
  await loadApp(page, origin);
  cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  authenticatorId = await addAuthenticator(cdp);
  await page.addScriptTag({ url: '/__e2e_cks__/cks.js', type: 'module' });
  await page.waitForFunction(() => 'storeSdk' in globalThis);
  root = await createAccessKey(page);
});

afterAll(async () => {
  await other?.close();
});

describe('a key store that opens only with your passkey', () => {
  it('creates a store with a passkey, connects it, and makes a key in it', async () => {
    const { page } = env.browser;
    await page.getByRole('link', { name: 'Key stores', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Key stores' }).waitFor();
    // The person is told before creating that the passkey is then the only way.
    expect(await page.getByText("this store's passkeys are the only way to use its keys").isVisible()).toBe(true);
    await page.getByLabel('Name', { exact: true }).fill('hardware');
    await page.getByRole('button', { name: 'Create with a passkey' }).click();
    await expect.poll(status, { timeout: 30_000 }).toContain('Key store hardware created');
    expect(await connection()).toBe('DISCONNECTED');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);

    await store().getByRole('button', { name: 'Connect with a passkey' }).click();
    await expect.poll(connection, { timeout: 30_000 }).toBe('CONNECTED');
    storeId = (await store().locator('dd.mono').first().textContent())!;
    expect(storeId).toMatch(/^cks-[0-9a-f]{17}$/);
    await store().getByRole('button', { name: 'Create a key in this store' }).click();
    await expect.poll(status, { timeout: 30_000 }).toMatch(/Key [0-9a-f-]{36} created in hardware/);
    keyId = /Key ([0-9a-f-]{36})/.exec((await status())!)![1]!;
  });

  it('the key page names its store; Encrypt / Decrypt work through the console', async () => {
    const { page } = env.browser;
    await page.goto(`${origin}/#/keys/${keyId}`);
    await expect.poll(() => page.getByText(storeId).first().isVisible(), { timeout: 30_000 }).toBe(true);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Keys', exact: true }).click();
    await expect.poll(() => page.getByText(`in key store ${storeId}`).isVisible(), { timeout: 30_000 }).toBe(true);
    await page.getByRole('link', { name: 'Encrypt / Decrypt', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Encrypt / Decrypt' }).waitFor();
    const enc = page.getByRole('region', { name: 'Encrypt', exact: true });
    await enc.getByLabel('KMS key').selectOption({ value: keyId });
    await enc.getByLabel('Plaintext').fill('through the console');
    await enc.getByRole('button', { name: 'Encrypt', exact: true }).click();
    await enc.getByLabel('Ciphertext (base64)').waitFor({ timeout: 30_000 });
    await enc.getByRole('button', { name: 'Decrypt it below' }).click();
    const dec = page.getByRole('region', { name: 'Decrypt', exact: true });
    await dec.getByRole('button', { name: 'Decrypt', exact: true }).click();
    await expect
      .poll(() => dec.getByLabel('Decrypted text').inputValue(), { timeout: 30_000 })
      .toBe('through the console');
  });

  it('the unmodified AWS SDK encrypts and decrypts with the connected store key at /kms', async () => {
    const r = await sdk();
    expect(r.encrypted).toHaveProperty('ok');
    expect(r.decrypted).toEqual({ ok: 'through the SDK' });
    expect(r.stores).toEqual({ ok: [{ id: storeId, state: 'CONNECTED', type: 'AWS_CLOUDHSM' }] });
    sdkCiphertext = (r.encrypted as { ok: number[] }).ok;
    // Over /kms there is no passkey: the store cannot be connected from there.
    const connect = await env.browser.page.evaluate(([o, c, id]) => (globalThis as any).connectOverSdk(o, c, id), [
      origin,
      root,
      storeId,
    ] as const);
    expect(connect).toEqual({ ok: expect.anything() }); // already connected in this console: AWS answers {}
  });

  it('script in the page finds nothing usable for the store key, even while connected', async () => {
    const { page } = env.browser;
    // A key of the ordinary (device) keystore is the positive control: the same probe opens it.
    await page.evaluate(() => (globalThis as any).pocketKms.call('CreateKey', { Description: 'control' }));
    const loot = await page.evaluate(probe, keyId);
    expect(loot.targets).toBeGreaterThanOrEqual(2); // the material and the store key's slot
    expect(loot.usableStored).toBe(0);
    expect(loot.opened).toBe(0);
    expect(loot.controls).toBeGreaterThan(0);
    expect(loot.controlOpened).toBe(loot.controls);
  });

  it('disconnected: console and SDK get KMSInvalidStateException; reconnected, old ciphertexts decrypt', async () => {
    const { page } = env.browser;
    await page.getByRole('link', { name: 'Key stores', exact: true }).click();
    await store().getByRole('button', { name: 'Disconnect' }).click();
    await expect.poll(connection, { timeout: 30_000 }).toBe('DISCONNECTED');
    const r = await sdk(sdkCiphertext);
    expect(r.encrypted).toMatchObject({ error: 'KMSInvalidStateException', status: 400 });
    expect((r.encrypted as { message: string }).message).toContain(
      'connect it with its passkey in the Pocket KMS console',
    );
    expect(r.decrypted).toMatchObject({ error: 'KMSInvalidStateException' });
    const viaConsole = await page.evaluate(
      (blob) =>
        (globalThis as any).pocketKms.call('Decrypt', { CiphertextBlob: new Uint8Array(blob) }).then(
          () => 'decrypted',
          (e: Error) => e.name,
        ),
      sdkCiphertext,
    );
    expect(viaConsole).toBe('KMSInvalidStateException');
    const connect = await page.evaluate(([o, c, id]) => (globalThis as any).connectOverSdk(o, c, id), [
      origin,
      root,
      storeId,
    ] as const);
    expect(connect).toMatchObject({ error: 'CustomKeyStoreInvalidStateException' });

    await store().getByRole('button', { name: 'Connect with a passkey' }).click();
    await expect.poll(connection, { timeout: 30_000 }).toBe('CONNECTED');
    expect((await sdk(sdkCiphertext)).decrypted).toEqual({ ok: 'through the SDK' });
  });

  it('a restored backup brings the store back still locked to the passkey', async () => {
    const { page } = env.browser;
    const file = await page.evaluate(async (passphrase) => {
      const api = (globalThis as any).pocketKms.api;
      await api.setUpRecovery({ passphrase });
      return [...new Uint8Array(await (await api.backup()).arrayBuffer())];
    }, PASSPHRASE);
    // Setting a secret deletes access keys (ADR 0009): a new one for the SDK.
    root = await createAccessKey(page);
    // Setting the secret left the store key alone: still connected here, the old ciphertext decrypts.
    expect((await sdk(sdkCiphertext)).decrypted).toEqual({ ok: 'through the SDK' });
    other = await openBrowser();
    const b = other.page;
    const otherOrigin = env.app.url.replace('//127.0.0.1', '//localhost');
    await loadApp(b, otherOrigin);
    await b.waitForFunction(() => (globalThis as any).pocketKms?.info !== undefined, null, { timeout: 30_000 });
    const after = await b.evaluate(
      async ([bytes, passphrase, id, blob]) => {
        const p = (globalThis as any).pocketKms;
        await p.api.restore(new Blob([new Uint8Array(bytes as number[])]), { passphrase, mode: 'empty' });
        await p.reopen?.();
        await p.api.unlock({ passphrase }).catch(() => undefined);
        const name = (e: Error) => e.name;
        const decrypt = await p.api
          .call('Decrypt', { CiphertextBlob: new Uint8Array(blob as number[]) })
          .then(() => 'decrypted', name);
        const recovery = await p.api
          .keyStoreCall('ConnectCustomKeyStore', { CustomKeyStoreId: id }, { recovery: true })
          .then(() => 'connected', name);
        // Another authenticator's PRF output for the store's own credential: the store does not open.
        const [info] = await p.api.keyStoreInfo();
        const base = await crypto.subtle.importKey('raw', crypto.getRandomValues(new Uint8Array(32)), 'HKDF', false, [
          'deriveKey',
        ]);
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
        await p.api.keyStoreCall(
          'ConnectCustomKeyStore',
          { CustomKeyStoreId: id },
          { passkey: { credentialId: info.credentialIds[0], kek } },
        );
        const described = (await p.api.call('DescribeCustomKeyStores', { CustomKeyStoreId: id })).CustomKeyStores[0];
        return { decrypt, recovery, state: described.ConnectionState, code: described.ConnectionErrorCode };
      },
      [file, PASSPHRASE, storeId, sdkCiphertext] as const,
    );
    expect(after).toEqual({
      decrypt: 'KMSInvalidStateException',
      recovery: 'CustomKeyStoreInvalidStateException',
      state: 'FAILED',
      code: 'INVALID_CREDENTIALS',
    });
  });

  it('a spare passkey on a second authenticator opens the store on its own', async () => {
    const { page } = env.browser;
    await page.getByRole('link', { name: 'Key stores', exact: true }).click();
    const spare = await addAuthenticator(cdp);
    const presence = (id: string, enabled: boolean) =>
      cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId: id, enabled });
    // One prompt per click, and only the authenticator meant for it answers (as a person touches one key).
    await presence(spare, false);
    await store().getByRole('button', { name: 'Add a spare passkey' }).click();
    await expect.poll(status, { timeout: 30_000 }).toContain('Register the spare passkey');
    await presence(authenticatorId, false);
    await presence(spare, true);
    await store().getByRole('button', { name: 'Register the spare passkey' }).click();
    await expect.poll(status, { timeout: 30_000 }).toContain('Spare passkey added to hardware');
    expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId: spare })).credentials).toHaveLength(1);
    await store().getByRole('button', { name: 'Disconnect' }).click();
    await expect.poll(connection, { timeout: 30_000 }).toBe('DISCONNECTED');
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    authenticatorId = spare;
    await store().getByRole('button', { name: 'Connect with a passkey' }).click();
    await expect.poll(connection, { timeout: 30_000 }).toBe('CONNECTED');
    expect((await sdk(sdkCiphertext)).decrypted).toEqual({ ok: 'through the SDK' });
  });

  it('another tab uses the connection through /kms; reloading the connecting tab ends it', async () => {
    const { page, context } = env.browser;
    const second = await context.newPage();
    await loadApp(second, origin);
    await second.addScriptTag({ url: '/__e2e_cks__/cks.js', type: 'module' });
    await second.waitForFunction(() => 'storeSdk' in globalThis);
    const fromSecond = () =>
      second.evaluate(([o, c, k, old]) => (globalThis as any).storeSdk(o, c, k, 'from another tab', old), [
        origin,
        root,
        keyId,
        sdkCiphertext,
      ] as const);
    // The service worker forwards to the tab whose worker holds the store connected.
    expect((await fromSecond()).decrypted).toEqual({ ok: 'through the SDK' });
    // A reload ends that tab's worker, and the store key with it (as closing the tab does).
    await page.reload();
    // The keystore has a passphrase since the backup test: the reloaded console opens locked.
    await page.getByLabel('Passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await page.getByRole('link', { name: 'Key stores', exact: true }).click();
    await expect.poll(connection, { timeout: 30_000 }).toBe('DISCONNECTED');
    const after = (await fromSecond()).decrypted;
    expect(after).toMatchObject({ error: 'KMSInvalidStateException' });
    expect(after.message).toContain('connect it with its passkey');
    await second.close();
    await page.addScriptTag({ url: '/__e2e_cks__/cks.js', type: 'module' });
    await page.waitForFunction(() => 'storeSdk' in globalThis);
  });

  it('locking the screen disconnects the store, where the browser says so (Idle Detection)', async () => {
    const { page } = env.browser;
    await cdp.send('Browser.grantPermissions', { permissions: ['idleDetection'], origin });
    await page.getByRole('button', { name: 'Disconnect when the screen locks' }).click();
    await expect
      .poll(() => page.getByText('Every key store disconnects when this device').isVisible(), { timeout: 30_000 })
      .toBe(true);
    await store().getByRole('button', { name: 'Connect with a passkey' }).click();
    await expect.poll(connection, { timeout: 30_000 }).toBe('CONNECTED');
    const connected = () => page.evaluate(() => (globalThis as any).pocketKms.api.connectedKeyStores());
    expect(await connected()).toEqual([storeId]);
    await cdp.send('Emulation.setIdleOverride', { isUserActive: true, isScreenUnlocked: false });
    await expect.poll(connected, { timeout: 30_000 }).toEqual([]);
    await cdp.send('Emulation.clearIdleOverride');
    expect((await sdk(sdkCiphertext)).decrypted).toMatchObject({ error: 'KMSInvalidStateException' });
    await page.reload();
    await page.getByLabel('Passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await page.getByRole('link', { name: 'Key stores', exact: true }).click();
    await page.addScriptTag({ url: '/__e2e_cks__/cks.js', type: 'module' });
    await page.waitForFunction(() => 'storeSdk' in globalThis);
  });

  it('another authenticator, without the store’s passkey, cannot connect it', async () => {
    const { page } = env.browser;
    await page.getByRole('link', { name: 'Key stores', exact: true }).click();
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    authenticatorId = await addAuthenticator(cdp);
    await store().getByRole('button', { name: 'Connect with a passkey' }).click();
    await expect.poll(status, { timeout: 30_000 }).toContain('none of this store\u2019s passkeys is on this device');
    expect(await connection()).not.toBe('CONNECTED');
    expect((await sdk(sdkCiphertext)).decrypted).toMatchObject({ error: 'KMSInvalidStateException' });
  });

  it('a store that allows recovery connects with the keystore secret, no passkey prompt; one without offers no such button', async () => {
    const { page } = env.browser;
    await page.getByLabel('Name', { exact: true }).fill('recoverable');
    await page.getByLabel("Also let the keystore's secret open this store (recovery)").check();
    expect(await page.getByText('it protects no more than the keystore').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Create with a passkey' }).click();
    await expect.poll(status, { timeout: 30_000 }).toContain('Key store recoverable created');
    const rec = page.getByRole('region', { name: 'Key store recoverable' });
    const recovery = (s: typeof rec) => s.getByRole('button', { name: 'Connect with the keystore secret' });
    expect(await rec.getByText('1 and the keystore secret').isVisible()).toBe(true);
    expect(await recovery(store()).count()).toBe(0);
    // No passkey may answer now: a prompt would wait for a touch that never comes.
    await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: false });
    const signCounts = async () =>
      (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials.map((c) => c.signCount);
    const before = await signCounts();
    await recovery(rec).click();
    await expect.poll(() => rec.getByTestId('connection-state').textContent(), { timeout: 30_000 }).toBe('CONNECTED');
    expect(await signCounts()).toEqual(before);
    await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: true });
    await rec.getByRole('button', { name: 'Create a key in this store' }).click();
    await expect.poll(status, { timeout: 30_000 }).toMatch(/Key [0-9a-f-]{36} created in recoverable/);
    const recKey = /Key ([0-9a-f-]{36})/.exec(await status())![1]!;
    const viaSdk = await page.evaluate(([o, c, k]) => (globalThis as any).storeSdk(o, c, k, 'recovered'), [
      origin,
      root,
      recKey,
    ] as const);
    expect(viaSdk.decrypted).toEqual({ ok: 'recovered' });
    const viaConsole = await page.evaluate(async (k) => {
      const call = (op: string, req: object) => (globalThis as any).pocketKms.call(op, req);
      const { CiphertextBlob } = await call('Encrypt', { KeyId: k, Plaintext: new TextEncoder().encode('console') });
      return new TextDecoder().decode((await call('Decrypt', { CiphertextBlob })).Plaintext);
    }, recKey);
    expect(viaConsole).toBe('console');
    // Disconnected, the recovery button is back; the passkey-only store still has none.
    await rec.getByRole('button', { name: 'Disconnect' }).click();
    await expect.poll(() => recovery(rec).count(), { timeout: 30_000 }).toBe(1);
    expect(await recovery(store()).count()).toBe(0);
  });

  it('a passkey without PRF creates nothing, and the page says why', async () => {
    const { page } = env.browser;
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    authenticatorId = await addAuthenticator(cdp, false);
    await page.getByLabel('Name', { exact: true }).fill('no-prf');
    await page.getByRole('button', { name: 'Create with a passkey' }).click();
    await expect.poll(status, { timeout: 30_000 }).toContain('does not support the PRF extension');
    expect(await page.getByRole('region', { name: 'Key store no-prf' }).count()).toBe(0);
    // The SDK's refused calls are logged by the browser as failed loads (HTTP 400): nothing else may be.
    expect(env.browser.errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
  });
});
