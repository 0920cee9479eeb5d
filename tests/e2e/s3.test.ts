// User story: a workshop attendee runs the seed lab's S3 steps (section 10, steps 5–6 and cleanup) with the
// unmodified @aws-sdk/client-s3 against the app's /s3 endpoint: a bucket, an object under SSE-KMS with
// the lab's alias, its encryption metadata, the bytes back, the cleanup; and sees who may read it.
import { beforeAll, describe, expect, it } from 'vitest';
import { createAccessKey, createAliasedKeys, useApp, type Credentials } from './harness';

const env = useApp({ bundle: { entry: 'tests/e2e/s3-entry.ts', dir: '__e2e_s3__', name: 's3' } });
let root: Credentials;
let keyArn: string;

beforeAll(async () => {
  const { page } = env.browser;
  await page.addScriptTag({ url: '/__e2e_s3__/s3.js', type: 'module' });
  await page.waitForFunction(() => 's3Lab' in globalThis);
  root = await createAccessKey(page);
  await createAliasedKeys(page, [{ alias: 'alias/kms-lab', description: 'KMS lab key for S3 SSE-KMS' }]);
  keyArn = await page.evaluate(async () => {
    const r = await (globalThis as any).pocketKms.call('DescribeKey', { KeyId: 'alias/kms-lab' });
    return r.KeyMetadata.Arn as string;
  });
});

const run = <T>(fn: string, ...args: unknown[]): Promise<T> =>
  env.browser.page.evaluate(([f, o, a]) => (globalThis as any)[f as string](o, ...(a as unknown[])), [
    fn,
    env.app.url,
    args,
  ] as const) as Promise<T>;

describe('the seed lab S3 steps through the unmodified @aws-sdk/client-s3', () => {
  it('creates a bucket, puts an object under SSE-KMS by alias, reads it back and cleans up', async () => {
    const steps = await run<Record<string, any>>('s3Lab', root, 'kms-lab-123456789012-20261207', 'alias/kms-lab');
    expect(steps.create).toBe('/kms-lab-123456789012-20261207');
    expect(steps.createInOtherRegion).toBe('IllegalLocationConstraintException 400');
    expect(steps.badName).toBe('InvalidBucketName 400');
    expect(steps.head).toBe('us-east-1');
    expect(steps.put).toMatchObject({ sse: 'aws:kms', keyId: keyArn });
    expect(steps.headObject).toEqual({ SSE: 'aws:kms', KMSKeyId: keyArn, length: 22, type: 'text/plain' });
    expect(steps.get).toEqual({ body: 'hello from kms s3 lab\n', sse: 'aws:kms', keyId: keyArn });
    expect(steps.range).toEqual({ body: 'from', contentRange: 'bytes 6-9/22' });
    expect(steps.copy).toEqual({ body: 'hello from kms s3 lab\n', sse: 'AES256' });
    expect(steps.list).toEqual([
      ['copy.txt', 22],
      ['hello.txt', 22],
    ]);
    expect(steps.listBuckets).toContain('kms-lab-123456789012-20261207');
    expect(steps.notEmpty).toBe('BucketNotEmpty 409');
    expect(steps.missingKey).toBe('NoSuchKey 404');
    expect(steps.missingHead).toBe('NotFound 404');
    expect(steps.delete).toBe('ok');
    expect(steps.gone).toBe('NotFound 404');
    expect(steps.noSuchBucket).toBe('NoSuchBucket 404');
  });

  it("applies a bucket's default SSE-KMS encryption with a bucket key to an object put without SSE headers", async () => {
    const r = await run<Record<string, any>>('s3DefaultEncryption', root, 'lab-default-sse', 'alias/kms-lab');
    expect(r.rule).toEqual({ algorithm: 'aws:kms', key: 'alias/kms-lab', bucketKey: true });
    expect(r.head).toEqual({ sse: 'aws:kms', keyId: keyArn, bucketKey: true });
  });

  it('keeps an SSE-KMS object unreadable to a principal without kms:Decrypt, readable once a grant allows it', async () => {
    const { page } = env.browser;
    const reader = await page.evaluate(async () => {
      const p = (globalThis as any).pocketKms;
      const user = await p.api.createPrincipal('user', 's3-reader');
      // S3 lets it read objects (identity policy); the KMS key's policy does not let it decrypt.
      const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };
      await p.api.putPrincipalPolicy(user.arn, 's3-read', JSON.stringify(policy));
      return user.arn as string;
    });
    const creds = await createAccessKey(page, reader);
    const denied = await run<Record<string, string>>('s3Read', creds, 'lab-default-sse', 'secret.txt');
    expect(denied.outcome).toBe('AccessDenied 403');
    expect(denied.message).toContain('kms:Decrypt');
    await page.evaluate(
      ([arn, key]) =>
        (globalThis as any).pocketKms.call('CreateGrant', {
          KeyId: key,
          GranteePrincipal: arn,
          Operations: ['Decrypt'],
          Constraints: { EncryptionContextEquals: { 'aws:s3:arn': 'arn:aws:s3:::lab-default-sse' } },
        }),
      [reader, keyArn] as const,
    );
    const allowed = await run<Record<string, string>>('s3Read', creds, 'lab-default-sse', 'secret.txt');
    expect(allowed).toEqual({ outcome: 'ok', body: 'top secret' });
  });

  it('records every GenerateDataKey and Decrypt S3 makes as invoked by s3.amazonaws.com', async () => {
    const events = await env.browser.page.evaluate(async () => {
      const api = (globalThis as any).pocketKms.api;
      const out: Record<string, unknown>[] = [];
      for (const name of ['GenerateDataKey', 'Decrypt']) {
        const r = await api.lookupEvents({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: name }] });
        for (const e of r.Events) out.push(JSON.parse(e.CloudTrailEvent));
      }
      return out;
    });
    const viaS3 = events.filter((e: any) => e.userIdentity.invokedBy === 's3.amazonaws.com');
    expect(viaS3.map((e: any) => e.eventName)).toEqual(expect.arrayContaining(['GenerateDataKey', 'Decrypt']));
    for (const e of viaS3 as any[]) {
      expect(e.sourceIPAddress).toBe('s3.amazonaws.com');
      expect(e.userAgent).toBe('s3.amazonaws.com');
      expect(e.requestParameters.encryptionContext['aws:s3:arn']).toMatch(/^arn:aws:s3:::/);
      expect(e.resources[0].ARN).toBe(keyArn);
    }
    const denied = (viaS3 as any[]).find((e) => e.errorCode === 'AccessDenied');
    expect(denied?.userIdentity.arn).toMatch(/:user\/s3-reader$/);
  });

  // Last: it moves the keystore to a passphrase (access keys are deleted by that move, ADR 0009).
  it('serves /s3 for a keystore locked at rest through the unlocked console, and says to unlock once it is locked', async () => {
    const { page } = env.browser;
    await page.evaluate(() =>
      (globalThis as any).pocketKms.api.setUpRecovery({ passphrase: 'correct horse battery staple' }),
    );
    const owner = await createAccessKey(page);
    expect(await run('s3Put', owner, 'locked-at-rest', 'note.txt', 'forwarded', 'alias/kms-lab')).toBe('ok');
    expect(await run('s3Read', owner, 'locked-at-rest', 'note.txt')).toEqual({ outcome: 'ok', body: 'forwarded' });
    await page.evaluate(() => (globalThis as any).pocketKms.api.lock());
    const locked = await run<Record<string, string>>('s3Read', owner, 'locked-at-rest', 'note.txt');
    expect(locked.outcome).toBe('ServiceUnavailable 503');
    expect(locked.message).toContain('locked');
  });
});
