// User story: a developer brings their own key material to Pocket KMS with the unmodified AWS SDK against
// /kms (CreateKey EXTERNAL, GetParametersForImport, ImportKeyMaterial), uses it, deletes it and brings the same
// material back, in real Chromium with the real service worker and IndexedDB.
import { beforeAll, describe, expect, it } from 'vitest';
import { createAccessKey, useApp, type Credentials } from './harness';

const env = useApp({ bundle: { entry: 'tests/e2e/import-entry.ts', dir: '__e2e_import__', name: 'import' } });
let root: Credentials;

beforeAll(async () => {
  const { page } = env.browser;
  await page.addScriptTag({ url: '/__e2e_import__/import.js', type: 'module' });
  await page.waitForFunction(() => 'importWalk' in globalThis);
  root = await createAccessKey(page);
});

describe('imported key material through /kms', () => {
  it('imports, encrypts, deletes, and decrypts old ciphertext after the same material is imported again', async () => {
    const { page } = env.browser;
    const steps = (await page.evaluate(([origin, c]) => (globalThis as any).importWalk(origin, c), [
      env.app.url,
      root,
    ] as const)) as Record<string, any>;
    expect(steps.created).toEqual({ state: 'PendingImport', origin: 'EXTERNAL' });
    expect(steps.imported).toBe('Enabled');
    expect(steps.decrypted).toBe('brought my own key');
    expect(steps.afterDelete).toBe('KMSInvalidStateException');
    expect(steps.sameMaterialId).toBe(true);
    expect(steps.decryptedAgain).toBe('brought my own key');
  });
});
