// User story and attack (issue 11, ADR 0009): a person sets a passphrase; from then on a script in the
// page finds no usable key in anything the origin stores, locked or unlocked (and before, it finds them
// all: the same attack is the positive control); the console opens locked; /kms answers the locked error
// until a console unlocks it, and keeps working after its service worker is stopped.
import { beforeAll, describe, expect, it } from 'vitest';
import { attack } from './custody-attacker';
import { createAccessKey, loadApp, useApp, type Credentials } from './harness';

const env = useApp({ bundle: { entry: 'tests/e2e/sdk-entry.ts', dir: '__e2e_custody__', name: 'sdk' } });
const PASSPHRASE = 'tulip anchor velvet orbit 42';

let keyId: string;
let ciphertext: number[];
let root: Credentials;

/** Keys of every kind, a rotation, an access key and the audit signing key: everything the store keeps. */
beforeAll(async () => {
  const { page } = env.browser;
  await page.addScriptTag({ url: '/__e2e_custody__/sdk.js', type: 'module' });
  await page.waitForFunction(() => 'probe' in globalThis && (globalThis as any).pocketKms?.info !== undefined);
  ({ keyId, ciphertext } = await page.evaluate(async () => {
    const p = (globalThis as any).pocketKms;
    const { KeyMetadata } = await p.call('CreateKey', { Description: 'files' });
    await p.call('RotateKeyOnDemand', { KeyId: KeyMetadata.KeyId });
    for (const [KeySpec, KeyUsage] of [
      ['RSA_2048', 'SIGN_VERIFY'],
      ['ECC_NIST_P256', 'SIGN_VERIFY'],
      ['ECC_SECG_P256K1', 'SIGN_VERIFY'],
      ['ML_DSA_44', 'SIGN_VERIFY'],
      ['HMAC_256', 'GENERATE_VERIFY_MAC'],
    ])
      await p.call('CreateKey', { KeySpec, KeyUsage });
    const { CiphertextBlob } = await p.call('Encrypt', {
      KeyId: KeyMetadata.KeyId,
      Plaintext: new TextEncoder().encode('before'),
    });
    await p.api.auditPublicKey();
    return { keyId: KeyMetadata.KeyId as string, ciphertext: [...(CiphertextBlob as Uint8Array)] };
  }));
  root = await createAccessKey(page);
});

describe('a keystore locked at rest by a passphrase', () => {
  it('without a secret, the attacker takes every key (the attack works), and the console says so', async () => {
    const { page } = env.browser;
    await expect.poll(() => page.getByRole('region', { name: 'Keystore protection' }).isVisible()).toBe(true);
    const loot = await page.evaluate(attack);
    expect(loot.cryptoKeys).toBeGreaterThan(5);
    expect(loot.usable.some((u) => u.includes('raw key bytes exported'))).toBe(true);
    expect(loot.usable.some((u) => u.includes('secret bytes decrypted'))).toBe(true);
    expect(loot.usable.some((u) => u.includes('signs a SigV4 string'))).toBe(true);
  });

  it('sets a passphrase in the console: existing keys keep working, the old access key is gone', async () => {
    const { page } = env.browser;
    await page
      .getByRole('region', { name: 'Keystore protection' })
      .getByRole('button', { name: 'Set a passphrase' })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Set a passphrase' });
    await dialog.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await dialog.getByLabel('Confirm passphrase').fill(PASSPHRASE + 'x');
    await dialog.getByRole('button', { name: 'Set passphrase' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('does not match');
    await dialog.getByLabel('Confirm passphrase').fill(PASSPHRASE);
    await dialog.getByRole('button', { name: 'Set passphrase' }).click();
    await expect
      .poll(() => page.getByText('Passphrase set: the keys are locked at rest.').isVisible(), { timeout: 30_000 })
      .toBe(true);
    await expect.poll(() => page.getByText(/^1 access key deleted/).isVisible()).toBe(true);
    expect(await page.getByRole('region', { name: 'Keystore protection' }).count()).toBe(0);
    const plain = await page.evaluate(async (blob) => {
      const { Plaintext } = await (globalThis as any).pocketKms.call('Decrypt', {
        CiphertextBlob: new Uint8Array(blob),
      });
      return new TextDecoder().decode(Plaintext);
    }, ciphertext);
    expect(plain).toBe('before');
  });

  it('a script in the page finds no usable key in anything stored, unlocked or locked', async () => {
    const { page } = env.browser;
    root = await createAccessKey(page);
    await page.evaluate(async (id) => {
      const p = (globalThis as any).pocketKms;
      await p.call('RotateKeyOnDemand', { KeyId: id });
      await p.call('CreateKey', { KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' });
      await p.api.auditPublicKey();
    }, keyId);
    for (const state of ['unlocked', 'locked']) {
      if (state === 'locked') await page.getByRole('button', { name: 'Lock', exact: true }).click();
      const loot = await page.evaluate(attack);
      expect(loot.records, state).toBeGreaterThan(20);
      expect(loot.byteStrings, state).toBeGreaterThan(10);
      expect(loot.cryptoKeys, state).toBe(0);
      expect(loot.usable, state).toEqual([]);
    }
    const text = JSON.stringify(
      await page.evaluate(async () => await (globalThis as any).pocketKms.api.auditEvents({ limit: 500 })),
    );
    expect(text).not.toContain(PASSPHRASE);
    expect(text).toContain('EnableKeystoreSecret');
  });

  it('locked, the console asks for the passphrase and /kms answers KMSInvalidStateException', async () => {
    const { page } = env.browser;
    await expect.poll(() => page.getByRole('heading', { name: 'Pocket KMS is locked' }).isVisible()).toBe(true);
    const locked = await page.evaluate(([o, c, k, b]) => (globalThis as any).probe(o, c, k, b), [
      env.app.url,
      root,
      keyId,
      ciphertext,
    ] as const);
    expect(locked).toEqual({
      encrypt: 'KMSInvalidStateException 400',
      decrypt: 'KMSInvalidStateException 400',
      describe: 'KMSInvalidStateException 400',
    });
    await page.getByLabel('Passphrase').fill('not the passphrase');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('The passphrase is not correct.');
    await page.getByLabel('Passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Pocket KMS is locked' }).count()).toBe(0);
    const unlocked = await page.evaluate(([o, c, k, b]) => (globalThis as any).probe(o, c, k, b), [
      env.app.url,
      root,
      keyId,
      ciphertext,
    ] as const);
    expect(unlocked).toEqual({ encrypt: 'allowed', decrypt: 'allowed', describe: 'allowed' });
  });

  it('a stopped service worker needs nothing back: /kms works again without a second unlock', async () => {
    const { page, context } = env.browser;
    const cdp = await context.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    const after = await page.evaluate(([o, c, k, b]) => (globalThis as any).probe(o, c, k, b), [
      env.app.url,
      root,
      keyId,
      ciphertext,
    ] as const);
    expect(after).toEqual({ encrypt: 'allowed', decrypt: 'allowed', describe: 'allowed' });
  });

  it('the key page says how each key is protected', async () => {
    const { page } = env.browser;
    await page.goto(`${env.app.url}/#/keys/${keyId}`);
    await expect.poll(() => page.getByText(/^Protected: Stored only wrapped under the secret/).isVisible()).toBe(true);
  });

  it('a reload opens the console locked', async () => {
    const { page } = env.browser;
    await loadApp(page, env.app.url);
    await expect.poll(() => page.getByRole('heading', { name: 'Pocket KMS is locked' }).isVisible()).toBe(true);
    await page.getByLabel('Passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Pocket KMS is locked' }).count()).toBe(0);
  });
});
