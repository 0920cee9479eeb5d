// User story: a developer points the unmodified @aws-sdk/client-kms at the app's /kms endpoint.
import { beforeAll, describe, expect, it } from 'vitest';
import { createAccessKey, useApp, type Credentials } from './harness';

const env = useApp({ bundle: { entry: 'tests/e2e/sdk-entry.ts', dir: '__e2e__', name: 'sdk' } });
/** An access key of the keystore's root, made in the page as on the Identities page. */
let root: Credentials;

beforeAll(async () => {
  const { page } = env.browser;
  await page.addScriptTag({ url: '/__e2e__/sdk.js', type: 'module' });
  await page.waitForFunction(() => 'sdkWalk' in globalThis);
  root = await createAccessKey(page);
});

describe('the AWS SDK against /kms', () => {
  it('walks CreateKey → alias → policy → Encrypt/Decrypt with context → deletion and back', async () => {
    const { page } = env.browser;
    const steps = (await page.evaluate(([origin, c]) => (globalThis as any).sdkWalk(origin, c), [
      env.app.url,
      root,
    ] as const)) as Record<string, any>;
    expect(steps.created.state).toBe('Enabled');
    expect(steps.created.creationIsDate).toBe(true);
    expect(steps.created.arn).toMatch(/^arn:aws:kms:us-east-1:\d{12}:key\/[0-9a-f-]{36}$/);
    expect(steps.describedByAlias).toBe(steps.created.keyId);
    expect(steps.policyRoundTrip).toBe(true);
    expect(steps.encryptedKeyId).toBe(steps.created.arn);
    expect(steps.decrypted).toBe('workshop secret 42');
    expect(steps.wrongContext).toEqual({ name: 'InvalidCiphertextException', status: 400 });
    expect(steps.scheduled).toEqual({ state: 'PendingDeletion', window: 7, days: 7 });
    expect(steps.pending).toBe('PendingDeletion');
    expect(steps.afterCancel).toBe('Disabled');
    expect(steps.missing).toBe('NotFoundException');
  });

  it('answers wire-level errors as AWS does', async () => {
    const res = await env.browser.page.evaluate(
      async ([origin, c]) => {
        const post = (target: string, body: string, creds: unknown = c) =>
          (globalThis as any).signedFetch(origin, 'kms', target, body, creds);
        return {
          unsigned: await post('TrentService.ListKeys', '{}', null),
          unknown: await post('TrentService.MakeCoffee', '{}'),
          badJson: await post('TrentService.ListKeys', '{not json'),
          // A passkey key store is created only in the console (ADR 0016): over /kms it is unsupported.
          unsupported: await post('TrentService.CreateCustomKeyStore', '{"CustomKeyStoreName":"x"}'),
        };
      },
      [env.app.url, root] as const,
    );
    expect(res.unsigned).toMatchObject({
      status: 403,
      type: 'MissingAuthenticationTokenException',
      body: { __type: 'MissingAuthenticationTokenException' },
    });
    expect(res.unknown).toMatchObject({
      status: 400,
      type: 'UnknownOperationException',
      body: { __type: 'UnknownOperationException' },
    });
    expect(res.badJson).toMatchObject({
      status: 400,
      type: 'SerializationException',
      body: { __type: 'SerializationException' },
    });
    expect(res.unsupported.body.__type).toBe('UnsupportedOperationException');
    expect(res.unsupported.body.message).toContain('created in the Pocket KMS console');
  });

  it('records every call in CloudTrail, readable through LookupEvents, with no secrets', async () => {
    const out = await env.browser.page.evaluate(
      ([origin, c]) =>
        (globalThis as any).signedFetch(
          origin,
          'cloudtrail',
          'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents',
          JSON.stringify({
            LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'Decrypt' }],
            MaxResults: 50,
          }),
          c,
        ),
      [env.app.url, root] as const,
    );
    expect(out.status).toBe(200);
    const events = out.body.Events as {
      EventName: string;
      CloudTrailEvent: string;
      AccessKeyId?: string;
      EventTime: number;
    }[];
    expect(events.map((e) => e.EventName)).toEqual(['Decrypt', 'Decrypt']);
    const [failed, ok] = events.map((e) => JSON.parse(e.CloudTrailEvent));
    expect(failed.errorCode).toBe('InvalidCiphertextException');
    expect(ok.errorCode).toBeUndefined();
    expect(ok.requestParameters.encryptionContext).toEqual({ dept: 'finance' });
    expect(events[0]!.AccessKeyId).toBe(root.accessKeyId);
    expect(typeof events[0]!.EventTime).toBe('number');
    const all = JSON.stringify(out.body);
    expect(all).not.toContain('workshop secret 42');
    expect(all).not.toContain(btoa('workshop secret 42'));
  });

  it('keeps every stored CryptoKey non-extractable', async () => {
    const keys = await env.browser.page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((ok, bad) => {
        const r = indexedDB.open('pocket-kms-us-east-1');
        r.onsuccess = () => ok(r.result);
        r.onerror = () => bad(r.error);
      });
      const found: { store: string; algorithm: string; extractable: boolean; usages: string[] }[] = [];
      const visit = (store: string, v: unknown, depth = 0): void => {
        if (v instanceof CryptoKey)
          found.push({ store, algorithm: v.algorithm.name, extractable: v.extractable, usages: [...v.usages] });
        else if (v && typeof v === 'object' && depth < 6) for (const x of Object.values(v)) visit(store, x, depth + 1);
      };
      for (const name of Array.from(db.objectStoreNames)) {
        const all = await new Promise<unknown[]>((ok) => {
          const r = db.transaction(name).objectStore(name).getAll();
          r.onsuccess = () => ok(r.result);
        });
        for (const v of all) visit(name, v);
      }
      db.close();
      return found;
    });
    expect(keys.some((k) => k.store === 'meta' && k.algorithm === 'AES-KW')).toBe(true);
    expect(keys.filter((k) => k.store === 'materials').length).toBeGreaterThanOrEqual(1);
    for (const k of keys) expect(k, `${k.store} ${k.algorithm}`).toMatchObject({ extractable: false });
  });
});
