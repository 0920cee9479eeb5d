// Hardening issue, item 15 (quota): with the site's storage quota lowered through CDP and filled, a call
// that cannot commit, from the console's worker or through /kms with the unmodified AWS SDK, answers
// KMSInternalException naming the full storage quota and leaves nothing half-written: the database
// holds the same keys, material versions, grants, aliases and audit records as before. Freed, it works again.
import type { CrashOutcome } from './crash-entry';
import { describe, expect, it } from 'vitest';
import { dumpDatabase, type Dump } from './crash-check';
import { createAccessKey, loadApp, openBrowser, useApp } from './harness';

// The bundle and the server; the test opens its own browser, whose quota it lowers before the app loads.
const env = useApp({ bundle: { entry: 'tests/e2e/crash-entry.ts', dir: '__e2e_crash_quota__', name: 'crash' } });
/** Room for the app (precache, service worker, keystore) and a few megabytes to fill. */
const QUOTA = 8_000_000;
const QUOTA_MESSAGE = /storage quota for this site is full, so nothing of this call was saved/;

const counts = (d: Dump) => ({
  keys: d.keys.length,
  materials: d.materials.length,
  grants: d.grants.length,
  aliases: d.aliases.length,
  records: d.audit.length,
});

describe('a write that hits the storage quota', () => {
  it('gives a named error and leaves nothing half-written', async () => {
    // Chromium's IndexedDB keeps what it learnt of the quota for a while: lower it before the first open.
    const browser = await openBrowser();
    const { page, context } = browser;
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: env.app.url, quotaSize: QUOTA });
    const outcomes: CrashOutcome[] = [];
    await context.exposeBinding('__crashReport', (_s, o: CrashOutcome) => void outcomes.push(o));
    await loadApp(page, env.app.url);
    await page.waitForFunction(() => (globalThis as any).pocketKms?.info !== undefined);
    await page.addScriptTag({ url: '/__e2e_crash_quota__/crash.js', type: 'module' });
    await page.waitForFunction(() => 'crash' in globalThis);
    const credentials = await createAccessKey(page);
    await page.evaluate((c) => (globalThis as any).crash.endpoint(c), credentials);
    const keyId = await page.evaluate(async () => {
      const k = (globalThis as any).pocketKms;
      const { KeyMetadata } = await k.call('CreateKey', { Description: 'before the disk filled' });
      await k.call('CreateAlias', { AliasName: 'alias/quota', TargetKeyId: KeyMetadata.KeyId });
      return KeyMetadata.KeyId as string;
    });
    const second = await page.evaluate(
      async () => (await (globalThis as any).pocketKms.call('CreateKey', {})).KeyMetadata.KeyId as string,
    );

    // Fill what is left of the quota with incompressible bytes, in another database of the site.
    const filled = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((ok, no) => {
        const r = indexedDB.open('quota-filler', 1);
        r.onupgradeneeded = () => r.result.createObjectStore('bytes');
        r.onsuccess = () => ok(r.result);
        r.onerror = () => no(r.error);
      });
      const put = (i: number, size: number) =>
        new Promise<string>((ok) => {
          const bytes = new Uint8Array(size);
          for (let o = 0; o < size; o += 65536) crypto.getRandomValues(bytes.subarray(o, o + 65536));
          const tx = db.transaction('bytes', 'readwrite');
          tx.objectStore('bytes').put(bytes, i);
          tx.oncomplete = () => ok('ok');
          tx.onabort = () => ok(tx.error?.name ?? 'AbortError');
        });
      let written = 0;
      let refusal = '';
      for (let size = 262_144, i = 0; size >= 64;) {
        const r = await put(i++, size);
        if (r === 'ok') written += size;
        else [refusal, size] = [r, size >> 1];
      }
      db.close();
      return { written, refusal };
    });
    expect(filled.refusal).toBe('QuotaExceededError');
    const before = counts(await dumpDatabase(page));

    // The console's worker: each call fails with the named error.
    const inConsole = await page.evaluate(
      async ([keyId, second]) => {
        const k = (globalThis as any).pocketKms;
        const calls: [string, object][] = [
          ['CreateKey', { Description: 'no room' }],
          ['RotateKeyOnDemand', { KeyId: keyId }],
          ['Encrypt', { KeyId: keyId, Plaintext: new TextEncoder().encode('no room') }],
          [
            'CreateGrant',
            { KeyId: keyId, GranteePrincipal: `arn:aws:iam::${k.info.accountId}:root`, Operations: ['Encrypt'] },
          ],
          ['UpdateAlias', { AliasName: 'alias/quota', TargetKeyId: second }],
        ];
        const out: Record<string, string> = {};
        for (const [op, req] of calls)
          out[op] = await k.call(op, req).then(
            () => 'ok',
            (e: Error) => `${e.name}: ${e.message}`,
          );
        return out;
      },
      [keyId, second] as const,
    );
    // /kms through the unmodified SDK: the same error, as AWS shapes a server fault.
    await page.evaluate(
      ([keyId]) =>
        (globalThis as any).crash.run([
          { id: 1, via: 'endpoint', op: 'CreateKey', req: { Description: 'no room at /kms' } },
          { id: 2, via: 'endpoint', op: 'Encrypt', req: { KeyId: keyId, Plaintext: 'no room at /kms' } },
          { id: 3, via: 'endpoint', op: 'RotateKeyOnDemand', req: { KeyId: keyId } },
        ]),
      [keyId] as const,
    );
    await expect.poll(() => outcomes.length, { timeout: 30_000 }).toBe(3);
    const after = counts(await dumpDatabase(page));
    console.log(
      `quota test: filled ${filled.written} bytes until ${filled.refusal}; refused calls: ` +
        `${Object.keys(inConsole).length} in the console, ${outcomes.length} at /kms; before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`,
    );
    for (const [op, result] of Object.entries(inConsole)) {
      expect(result, op).toMatch(/^KMSInternalException: /);
      expect(result, op).toMatch(QUOTA_MESSAGE);
    }
    for (const o of outcomes) {
      expect(o).toMatchObject({ status: 'error', name: 'KMSInternalException' });
      expect((o as { message: string }).message).toMatch(QUOTA_MESSAGE);
      expect((o as { requestId?: string }).requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(after).toEqual(before);

    // Room again: the next call commits, with its record, and the trail's chain is intact.
    await page.evaluate(() => indexedDB.deleteDatabase('quota-filler'));
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: env.app.url });
    const rotated = await page.evaluate(
      async (keyId) => (await (globalThis as any).pocketKms.call('RotateKeyOnDemand', { KeyId: keyId })).KeyId,
      keyId,
    );
    expect(rotated).toContain(keyId);
    const final = counts(await dumpDatabase(page));
    // (The console's views also refresh after the rotation: their reads add records of their own.)
    expect(final).toMatchObject({ keys: before.keys, materials: before.materials + 1 });
    expect(final.records).toBeGreaterThan(before.records);
    const chain = await page.evaluate(() => (globalThis as any).pocketKms.api.verifyAuditTrail());
    expect(chain).toMatchObject({ intact: true, findings: [] });
    await browser.close();
  });
});
