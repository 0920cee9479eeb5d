// User story: a person works in a second Region. The header's Region switcher makes us-west-2 on demand
// and moves the console there and back; a multi-Region key replicated to us-west-2 decrypts there what
// us-east-1 encrypted, through the unmodified AWS SDK with a client signing for each Region (ADR 0015).
import { beforeAll, describe, expect, it } from 'vitest';
import { createAccessKey, useApp, type Credentials } from './harness';

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
    await expect(switcher.inputValue()).resolves.toBe('us-west-2');
    // The new Region is the same account, with its own (empty) keystore.
    const keys = await page.evaluate(() => (globalThis as any).pocketKms.call('ListKeys', {}));
    expect(keys.Keys).toEqual([]);
    const options = await switcher.locator('option').allTextContents();
    expect(options).toEqual(['us-east-1', 'us-west-2', 'New Region…']);

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
