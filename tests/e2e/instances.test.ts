// User story: the same keystore open in two tabs (two workers) and used through /kms (the service
// worker) at once. No instance loses or forks a key; concurrent rotations form one history.
import { describe, expect, it } from 'vitest';
import { createAccessKey, useApp } from './harness';

// The SDK entry signs the /kms requests (the endpoint verifies SigV4).
const env = useApp({ bundle: { entry: 'tests/e2e/sdk-entry.ts', dir: '__e2e_instances__', name: 'sdk' } });

const ready = () => (globalThis as any).pocketKms?.info !== undefined;

describe('several instances over one database', () => {
  it('two tabs rotating one key at once end with one consistent history', async () => {
    const a = env.browser.page;
    const b = await env.browser.context.newPage();
    await b.goto(env.app.url);
    await Promise.all([a.waitForFunction(ready), b.waitForFunction(ready)]);
    const keyId = await a.evaluate(
      async () => (await (globalThis as any).pocketKms.call('CreateKey', {})).KeyMetadata.KeyId,
    );
    const rotateFive = (id: string) =>
      Promise.all(
        Array.from({ length: 5 }, () => (globalThis as any).pocketKms.call('RotateKeyOnDemand', { KeyId: id })),
      );
    await Promise.all([a.evaluate(rotateFive, keyId), b.evaluate(rotateFive, keyId)]);
    const seen = await Promise.all(
      [a, b].map((p) =>
        p.evaluate(async (id) => {
          const k = (globalThis as any).pocketKms;
          const r = await k.call('ListKeyRotations', { KeyId: id, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' });
          const d = await k.call('DescribeKey', { KeyId: id });
          return {
            ids: r.Rotations.map((x: any) => x.KeyMaterialId),
            states: r.Rotations.map((x: any) => x.KeyMaterialState),
            current: d.KeyMetadata.CurrentKeyMaterialId,
          };
        }, keyId),
      ),
    );
    expect(seen[0]).toEqual(seen[1]);
    expect(seen[0]!.ids).toHaveLength(11);
    expect(new Set(seen[0]!.ids).size).toBe(11);
    expect(seen[0]!.states.filter((s: string) => s === 'CURRENT')).toHaveLength(1);
    expect(seen[0]!.states[10]).toBe('CURRENT');
    expect(seen[0]!.current).toBe(seen[0]!.ids[10]);
    await b.close();
  });

  it('a ciphertext made through /kms decrypts in the console worker and the other way round', async () => {
    const { page } = env.browser;
    await page.addScriptTag({ url: '/__e2e_instances__/sdk.js', type: 'module' });
    await page.waitForFunction(() => 'signedFetch' in globalThis);
    const credentials = await createAccessKey(page);
    const out = await page.evaluate(async (c) => {
      const k = (globalThis as any).pocketKms;
      const { KeyMetadata } = await k.call('CreateKey', {});
      const post = async (op: string, body: unknown) =>
        (await (globalThis as any).signedFetch(location.origin, 'kms', `TrentService.${op}`, JSON.stringify(body), c))
          .body;
      const viaEndpoint = await post('Encrypt', { KeyId: KeyMetadata.KeyId, Plaintext: btoa('from the endpoint') });
      const bytes = Uint8Array.from(atob(viaEndpoint.CiphertextBlob), (c) => c.charCodeAt(0));
      const inWorker = await k.call('Decrypt', { CiphertextBlob: bytes });
      const viaWorker = await k.call('Encrypt', {
        KeyId: KeyMetadata.KeyId,
        Plaintext: new TextEncoder().encode('from the worker'),
      });
      let b = '';
      for (const x of viaWorker.CiphertextBlob) b += String.fromCharCode(x);
      const atEndpoint = await post('Decrypt', { CiphertextBlob: btoa(b) });
      return { inWorker: new TextDecoder().decode(inWorker.Plaintext), atEndpoint: atob(atEndpoint.Plaintext) };
    }, credentials);
    expect(out).toEqual({ inWorker: 'from the endpoint', atEndpoint: 'from the worker' });
  });
});
