// User stories: a person works in a second Region. The header's Region switcher makes us-west-2 on demand
// and moves the console there and back; a multi-Region key replicated to us-west-2 decrypts there what
// us-east-1 encrypted, through the unmodified AWS SDK with a client signing for each Region (ADR 0015). Then
// the key goes to a second browser profile: a replica request made there, a package made here, imported there,
// where the same ciphertext decrypts.
import { beforeAll, describe, expect, it } from 'vitest';
import { createAccessKey, loadApp, openBrowser, useApp, type Credentials } from './harness';

const env = useApp({ bundle: { entry: 'tests/e2e/multi-region-entry.ts', dir: '__e2e__', name: 'multi-region' } });
let root: Credentials;

beforeAll(async () => {
  // Made before the second Region, which copies the account's access keys (IAM is global).
  root = await createAccessKey(env.browser.page);
});

const info = () => env.browser.page.evaluate(() => (globalThis as any).pocketKms.info as { region: string });

describe('Regions', () => {
  it('the switcher makes a new Region, moves the console to it and back, and remembers it', async () => {
    const { page } = env.browser;
    const switcher = page.getByLabel('Region', { exact: true });
    await expect(switcher.inputValue()).resolves.toBe('us-east-1');
    await switcher.selectOption({ label: 'New Region…' });
    await page.getByLabel('New Region ID').fill('us-west-2');
    await page.getByRole('button', { name: 'Open' }).click();
    await page.waitForFunction(() => (globalThis as any).pocketKms.info?.region === 'us-west-2');
    await expect.poll(() => switcher.inputValue()).toBe('us-west-2');
    // The new Region is the same account, with its own (empty) keystore.
    const keys = await page.evaluate(() => (globalThis as any).pocketKms.call('ListKeys', {}));
    expect(keys.Keys).toEqual([]);
    await expect
      .poll(() => switcher.locator('option').allTextContents())
      .toEqual(['us-east-1', 'us-west-2', 'New Region…']);

    await switcher.selectOption('us-east-1');
    await page.waitForFunction(() => (globalThis as any).pocketKms.info?.region === 'us-east-1');
    await page.reload();
    await page.waitForFunction(() => (globalThis as any).pocketKms?.info !== undefined);
    expect((await info()).region).toBe('us-east-1');
    await expect(page.getByLabel('Region', { exact: true }).locator('option').allTextContents()).resolves.toContain(
      'us-west-2',
    );
    const bad = page.getByLabel('Region', { exact: true });
    await bad.selectOption({ label: 'New Region…' });
    await page.getByLabel('New Region ID').fill('the-moon');
    await page.getByRole('button', { name: 'Open' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'the-moon' }).textContent()).resolves.toContain(
      'not an AWS Region ID',
    );
  });

  it('a key replicated to us-west-2 decrypts there what us-east-1 encrypted, through the AWS SDK', async () => {
    const { page } = env.browser;
    const keyId = await page.evaluate(async () => {
      const p = (globalThis as any).pocketKms;
      const { KeyMetadata } = await p.call('CreateKey', { MultiRegion: true });
      await p.call('ReplicateKey', { KeyId: KeyMetadata.KeyId, ReplicaRegion: 'us-west-2' });
      return KeyMetadata.KeyId as string;
    });
    expect(keyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    await page.addScriptTag({ url: '/__e2e__/multi-region.js', type: 'module' });
    await page.waitForFunction(() => 'crossRegion' in globalThis);
    const r = await page.evaluate(([origin, c, k]) => (globalThis as any).crossRegion(origin, c, k), [
      env.app.url,
      root,
      keyId,
    ] as const);
    expect(r).toEqual({
      encryptedWith: expect.stringMatching(`^arn:aws:kms:us-east-1:\\d{12}:key/${keyId}$`),
      decrypted: 'east to west',
      decryptedWith: expect.stringMatching(`^arn:aws:kms:us-west-2:\\d{12}:key/${keyId}$`),
      replicaType: 'REPLICA',
      unknownRegion: 'UnrecognizedClientException',
    });
  });
});

describe('replica to another browser', () => {
  const PASSPHRASE = 'a long enough passphrase for both';
  const protect = (page: import('playwright-core').Page) =>
    page.evaluate(async (p) => {
      await (globalThis as any).pocketKms.api.setUpRecovery({ passphrase: p });
      await (globalThis as any).pocketKms.reopen();
    }, PASSPHRASE);

  it('a package answering the second profile\u2019s request makes a replica there that decrypts this profile\u2019s ciphertext', async () => {
    const { page } = env.browser;
    const other = await openBrowser();
    try {
      await loadApp(other.page, env.app.url);
      await other.page.waitForFunction(() => (globalThis as any).pocketKms?.info !== undefined);
      await protect(page);
      await protect(other.page);
      const { keyId, blob, file } = await page.evaluate(async () => {
        const p = (globalThis as any).pocketKms;
        const { KeyMetadata } = await p.call('CreateKey', { MultiRegion: true, Description: 'travelling key' });
        const { CiphertextBlob } = await p.call('Encrypt', {
          KeyId: KeyMetadata.KeyId,
          Plaintext: new TextEncoder().encode('made in the first profile'),
        });
        // An AWS Encryption SDK message too (its data key names this profile's key ARN).
        const enc = await p.api.encryptFile('mr-enc', new Blob(['a file from the first profile']), {
          keyIds: [KeyMetadata.KeyId],
        });
        const file = Array.from(new Uint8Array(await enc.file.arrayBuffer()));
        return { keyId: KeyMetadata.KeyId as string, blob: Array.from(CiphertextBlob as Uint8Array), file };
      });

      // The destination makes the request on its Keys page.
      await other.page.goto(`${env.app.url}/#/keys`);
      await other.page.getByText('Receive a replica from another device').click();
      await other.page.getByRole('button', { name: 'Make replica request' }).click();
      const requestText = await other.page.getByLabel('Replica request', { exact: true }).inputValue();
      const theirs = await other.page.getByTestId('request-fingerprint').textContent();

      // The source answers it on the key's page, with its passphrase.
      await page.goto(`${env.app.url}/#/keys/${keyId}`);
      await page.getByLabel('Replica request', { exact: true }).fill(requestText);
      await page.getByLabel('Keystore passphrase').fill(PASSPHRASE);
      await page.getByRole('button', { name: 'Make replica package' }).click();
      await expect(page.getByTestId('package-fingerprint').textContent()).resolves.toBe(theirs);
      const packageText = await page.getByLabel('Replica package', { exact: true }).inputValue();

      // The destination imports it; the replica decrypts the first profile's ciphertext.
      await other.page.getByLabel('Replica package', { exact: true }).fill(packageText);
      await other.page.getByRole('button', { name: 'Import replica package' }).click();
      await other.page.getByText(`a replica of`).waitFor();
      const plain = await other.page.evaluate(async (b) => {
        const p = (globalThis as any).pocketKms;
        const r = await p.call('Decrypt', { CiphertextBlob: new Uint8Array(b) });
        return new TextDecoder().decode(r.Plaintext);
      }, blob);
      expect(plain).toBe('made in the first profile');
      const opened = await other.page.evaluate(async (f) => {
        const r = await (globalThis as any).pocketKms.api.decryptFile('mr-dec', new Blob([new Uint8Array(f)]), {});
        return r.file.text();
      }, file);
      expect(opened).toBe('a file from the first profile');

      // The same package again: refused by name, nothing changed.
      await other.page.getByLabel('Replica package', { exact: true }).fill(packageText);
      await other.page.getByRole('button', { name: 'Import replica package' }).click();
      await expect(other.page.getByRole('alert').first().textContent()).resolves.toMatch(
        /used already|no open request/,
      );
    } finally {
      await other.close();
    }
  });
});
