// User story (issue 14): on a phone-sized screen and with the keyboard only, a workshop attendee opens
// the message inspector, picks a file Pocket KMS encrypted, and sees its header field by field (suite,
// the key ARN of its encrypted data key, the context, the commitment), its frames and its footer,
// without any key being asked for; then pastes a CiphertextBlob and sees the key ID it names.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAliasedKeys, loadApp, openBrowser, serveApp, type App, type Browser } from './harness';

let app: App;
let b: Browser;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pocket-kms-inspect-'));
  app = await serveApp();
  b = await openBrowser({ viewport: { width: 360, height: 780 } });
  await loadApp(b.page, app.url);
  await createAliasedKeys(b.page, [{ alias: 'alias/inspect-e2e', description: 'inspector e2e' }]);
});

afterAll(async () => {
  await b?.close();
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Tabs until the element matching `selector` has focus (keyboard only); fails after `max` presses. */
async function tabTo(selector: string, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    await b.page.keyboard.press('Tab');
    if (await b.page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`${selector} was not reached with Tab`);
}

describe('Message inspector', () => {
  it('shows a Pocket KMS file field by field, at 360 px, with the keyboard only', async () => {
    const { page } = b;
    // A signed file of 3 frames of 4 KiB and a final one, made by the console's own worker.
    const made = await page.evaluate(async () => {
      const p = (globalThis as any).pocketKms;
      const { KeyMetadata } = await p.call('DescribeKey', { KeyId: 'alias/inspect-e2e' });
      const plain = new Uint8Array(3 * 4096 + 100).fill(0x61);
      const r = await p.api.encryptFile('inspect-e2e', new Blob([plain]), {
        keyIds: ['alias/inspect-e2e'],
        suiteId: 0x0578,
        frameLength: 4096,
        encryptionContext: { purpose: 'inspector' },
      });
      const bytes = new Uint8Array(await r.file.arrayBuffer());
      await p.api.releaseFile('inspect-e2e');
      let s = '';
      for (const x of bytes) s += String.fromCharCode(x);
      return { arn: KeyMetadata.Arn as string, keyId: KeyMetadata.KeyId as string, base64: btoa(s) };
    });
    const file = join(dir, 'hello.txt.encrypted');
    writeFileSync(file, Buffer.from(made.base64, 'base64'));

    await page.goto(`${app.url}/#/inspect`);
    await page.getByRole('heading', { name: 'Message inspector', level: 1 }).waitFor();
    await tabTo('input[type=file]');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Space')]);
    await chooser.setFiles(file);

    await page.getByRole('heading', { name: 'AWS Encryption SDK message, format 2' }).waitFor();
    const row = (id: string) => page.locator(`tr[data-field="${id}"]`);
    await expect.poll(() => row('suiteId').innerText()).toContain('0x0578');
    expect(await row('suiteId').innerText()).toContain('AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384');
    expect(await row('edk.0.providerId').innerText()).toContain('aws-kms');
    expect(await row('edk.0.providerInfo').innerText()).toContain(made.arn);
    expect(await row('commitment').innerText()).toMatch(/32\s/);
    // The data key is a Pocket KMS blob: the inspector names its key and material version.
    expect(await row('edk.0.encryptedDataKey').innerText()).toContain(`key ${made.keyId}, material version 1`);
    expect(await page.getByRole('region', { name: /Encrypted data keys/ }).innerText()).toContain(
      `material version 1 of key ${made.keyId}`,
    );
    expect(await row('footer.signature').innerText()).toMatch(/Signature/);
    const context = page.getByRole('region', { name: 'Encryption context' });
    await expect.poll(() => context.innerText()).toContain('purpose = inspector');
    const frames = page.getByRole('region', { name: 'Frames', exact: true });
    expect(await frames.getByRole('row').count()).toBe(1 + 4); // a header row and 4 frames
    expect(await frames.innerText()).toContain('4 (final)');
    expect(await page.getByRole('alert').count()).toBe(0);
    // Nothing wider than the phone's screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  });

  it('says where a truncated file ends, naming the error', async () => {
    const { page } = b;
    const whole = join(dir, 'hello.txt.encrypted');
    const cut = join(dir, 'cut.encrypted');
    writeFileSync(cut, readFileSync(whole).subarray(0, 5000));
    await page.getByLabel('Choose a file to inspect').setInputFiles(cut);
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.innerText()).toContain('TruncatedMessageError');
    expect(await alert.innerText()).toContain('at byte 5,000');
  });

  it('takes a pasted CiphertextBlob apart and names its key', async () => {
    const { page } = b;
    const blob = await page.evaluate(async () => {
      const p = (globalThis as any).pocketKms;
      const r = await p.call('GenerateDataKey', { KeyId: 'alias/inspect-e2e', KeySpec: 'AES_256' });
      const k = await p.call('DescribeKey', { KeyId: 'alias/inspect-e2e' });
      const ct = r.CiphertextBlob as Uint8Array | string;
      let s = '';
      if (typeof ct !== 'string') for (const x of ct) s += String.fromCharCode(x);
      return { base64: typeof ct === 'string' ? ct : btoa(s), keyId: k.KeyMetadata.KeyId as string };
    });
    await tabTo('#inspect-base64');
    await page.keyboard.insertText(blob.base64);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Pocket KMS ciphertext blob' }).waitFor();
    expect(await page.locator('tr[data-field="blob.keyId"]').innerText()).toContain(blob.keyId);
    expect(await page.locator('tr[data-field="blob.ciphertext"]').innerText()).toContain('32 bytes');
    expect(await page.getByText('(decoded from base64)').count()).toBe(1);
  });
});
