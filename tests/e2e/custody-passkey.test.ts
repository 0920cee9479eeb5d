// User story (ADR 0009): a person with a passphrase adds a passkey in Settings, and from then on the lock
// screen opens with it. Chromium's virtual authenticator (CDP WebAuthn, with PRF) plays the passkey; a
// different authenticator, even one holding a credential with the same ID, and another PRF output for
// that ID, do not open the keystore, and the passphrase still does.
import { generateKeyPairSync } from 'node:crypto';
import type { CDPSession } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadApp, useApp } from './harness';

const env = useApp();
/** The app's address by name. Chromium refuses WebAuthn on http://127.0.0.1 ("SecurityError: This is an
 * invalid domain."): the RP ID defaults to the origin's host, and WebAuthn requires it to be a valid
 * domain, which an IP address is not (WebAuthn L3 §5.1.3 step 8, §5.1.4.1 step 7). localhost is a domain
 * and a secure context, and vite preview on 127.0.0.1 answers it. */
let origin: string;
const PASSPHRASE = 'harbour lantern quartz 77';

let cdp: CDPSession;
let authenticatorId: string;
let keyId: string;
let ciphertext: number[];

async function addAuthenticator(): Promise<string> {
  const r = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      ctap2Version: 'ctap2_1',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      hasPrf: true,
      automaticPresenceSimulation: true,
    },
  });
  return r.authenticatorId;
}

const lockScreen = () => env.browser.page.getByRole('heading', { name: 'Pocket KMS is locked' });

beforeAll(async () => {
  const { page, context } = env.browser;
  origin = env.app.url.replace('//127.0.0.1', '//localhost');
  await loadApp(page, origin);
  cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  authenticatorId = await addAuthenticator();
  await page.waitForFunction(() => (globalThis as any).pocketKms?.info !== undefined, null, { timeout: 30_000 });
  await page.evaluate((passphrase) => (globalThis as any).pocketKms.api.setUpRecovery({ passphrase }), PASSPHRASE);
});

describe('a keystore that opens with a passkey', () => {
  it('adds a passkey in Settings with the current passphrase', async () => {
    const { page } = env.browser;
    await page.reload();
    await expect.poll(() => lockScreen().isVisible(), { timeout: 30_000 }).toBe(true);
    // Only a passphrase yet: no passkey button.
    expect(await page.getByRole('button', { name: 'Unlock with a passkey' }).count()).toBe(0);
    await page.getByLabel('Passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await expect.poll(() => lockScreen().isVisible(), { timeout: 30_000 }).toBe(false);
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    const panel = page.getByRole('region', { name: 'Keystore protection' });
    await expect.poll(() => panel.getByText('Opens with: passphrase', { exact: true }).isVisible()).toBe(true);
    const form = panel.getByRole('form', { name: 'Add a passkey' });
    await form.getByRole('button', { name: 'Add a passkey' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toContain('Current passphrase is empty');
    await form.getByLabel('Current passphrase').fill(PASSPHRASE);
    await form.getByRole('button', { name: 'Add a passkey' }).click();
    await expect
      .poll(() => form.getByRole('status').textContent(), { timeout: 30_000 })
      .toContain('Passkey added. It unlocks this keystore from now on');
    await expect.poll(() => panel.getByText('Opens with: passphrase and 1 passkey').isVisible()).toBe(true);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    ({ keyId, ciphertext } = await page.evaluate(async () => {
      const p = (globalThis as any).pocketKms;
      const { KeyMetadata } = await p.call('CreateKey', { Description: 'opened by a passkey' });
      const { CiphertextBlob } = await p.call('Encrypt', {
        KeyId: KeyMetadata.KeyId,
        Plaintext: new TextEncoder().encode('under a passkey'),
      });
      return { keyId: KeyMetadata.KeyId as string, ciphertext: [...(CiphertextBlob as Uint8Array)] };
    }));
  });

  it('a reload opens locked, and the passkey unlocks it: the ciphertext decrypts', async () => {
    const { page } = env.browser;
    await page.reload();
    await expect.poll(() => lockScreen().isVisible(), { timeout: 30_000 }).toBe(true);
    await page.getByRole('button', { name: 'Unlock with a passkey' }).click();
    await expect.poll(() => lockScreen().isVisible(), { timeout: 30_000 }).toBe(false);
    const plain = await page.evaluate(
      async ([id, blob]) => {
        const { Plaintext } = await (globalThis as any).pocketKms.call('Decrypt', {
          KeyId: id,
          CiphertextBlob: new Uint8Array(blob as number[]),
        });
        return new TextDecoder().decode(Plaintext);
      },
      [keyId, ciphertext] as const,
    );
    expect(plain).toBe('under a passkey');
  });

  it('another authenticator does not unlock it; the passphrase still does', async () => {
    const { page } = env.browser;
    const [first] = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    await expect.poll(() => lockScreen().isVisible()).toBe(true);
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    authenticatorId = await addAuthenticator();

    // No credential of this keystore on it: the browser finds none to offer.
    await page.getByRole('button', { name: 'Unlock with a passkey' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 30_000 })
      .toContain('The passkey prompt was cancelled or timed out.');

    // A credential with the same ID but another key. CDP cannot give an added credential a PRF secret
    // (WebAuthn.Credential has no hmac-secret field), so this one answers without PRF: refused as such.
    const privateKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .privateKey.export({ type: 'pkcs8', format: 'der' })
      .toString('base64');
    await cdp.send('WebAuthn.addCredential', {
      authenticatorId,
      credential: {
        credentialId: first!.credentialId,
        isResidentCredential: true,
        rpId: new URL(origin).hostname,
        privateKey,
        ...(first!.userHandle ? { userHandle: first!.userHandle } : {}),
        signCount: 0,
      },
    });
    await page.getByRole('button', { name: 'Unlock with a passkey' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 30_000 })
      .toContain('This passkey or browser does not support the PRF extension, so it cannot unlock keys.');
    // Another PRF output for this keystore's credential (what another authenticator's would be) is refused
    // by the worker as IncorrectSecretException, which the lock screen words "That passkey does not unlock
    // this keystore." (tests/unit/ui/custody/passkey.test.ts).
    const refused = await page.evaluate(async (id) => {
      const credentialId = Uint8Array.from(atob(id.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
      const prf = crypto.getRandomValues(new Uint8Array(32));
      return (globalThis as any).pocketKms.api.unlock({ prf, credentialId }).then(
        () => 'unlocked',
        (e: Error) => e.name,
      );
    }, first!.credentialId);
    expect(refused).toBe('IncorrectSecretException');
    expect(await lockScreen().isVisible()).toBe(true);

    await page.getByLabel('Passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await expect.poll(() => lockScreen().isVisible(), { timeout: 30_000 }).toBe(false);
    expect(env.browser.errors).toEqual([]);
  });
});
