// User story: a developer gives an app its own IAM user and an access key; the unmodified
// @aws-sdk/client-kms in the page signs with that key, and /kms allows or denies each call by the
// user's identity policy, as AWS KMS would. A wrong secret or a deactivated key never gets in.
import { beforeAll, describe, expect, it } from 'vitest';
import { createAccessKey, useApp, type Credentials } from './harness';

const env = useApp({ bundle: { entry: 'tests/e2e/sdk-entry.ts', dir: '__e2e_sigv4__', name: 'sdk' } });

const policy = (...actions: string[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });

let keyId: string;
/** A ciphertext under the key, made by the root through the console. */
let ciphertext: number[];
let userArn: string;
let user: Credentials;

/** The owner's side, through the console's API: a key, a user with a policy, and the user's access key. */
beforeAll(async () => {
  const { page } = env.browser;
  await page.addScriptTag({ url: '/__e2e_sigv4__/sdk.js', type: 'module' });
  await page.waitForFunction(() => 'probe' in globalThis && (globalThis as any).pocketKms?.info !== undefined);
  ({ keyId, ciphertext, userArn } = await page.evaluate(
    async (doc) => {
      const p = (globalThis as any).pocketKms;
      const { KeyMetadata } = await p.call('CreateKey', { Description: 'for the app' });
      const { CiphertextBlob } = await p.call('Encrypt', {
        KeyId: KeyMetadata.KeyId,
        Plaintext: new TextEncoder().encode('made by the owner'),
      });
      const app = await p.api.createPrincipal('user', 'app');
      await p.api.putPrincipalPolicy(app.arn, 'encrypt-only', doc);
      return {
        keyId: KeyMetadata.KeyId as string,
        ciphertext: Array.from(CiphertextBlob as Uint8Array),
        userArn: app.arn as string,
      };
    },
    policy('kms:Encrypt', 'kms:DescribeKey'),
  ));
  user = await createAccessKey(page, userArn);
});

const probe = (c: Credentials) =>
  env.browser.page.evaluate(([origin, c, keyId, ct]) => (globalThis as any).probe(origin, c, keyId, ct), [
    env.app.url,
    c,
    keyId,
    ciphertext,
  ] as const) as Promise<Record<string, string>>;

describe('the AWS SDK with an IAM user’s access key', () => {
  it('is allowed what the user’s identity policy allows, and denied the rest', async () => {
    expect(await probe(user)).toEqual({
      encrypt: 'allowed',
      describe: 'allowed',
      decrypt: 'AccessDeniedException 400',
    });
  });

  it('follows a change of the policy at once', async () => {
    await env.browser.page.evaluate(
      ([arn, doc]) => (globalThis as any).pocketKms.api.putPrincipalPolicy(arn, 'encrypt-only', doc),
      [userArn, policy('kms:Encrypt', 'kms:DescribeKey', 'kms:Decrypt')] as const,
    );
    expect(await probe(user)).toEqual({ encrypt: 'allowed', describe: 'allowed', decrypt: 'allowed' });
    await env.browser.page.evaluate(
      ([arn, doc]) => (globalThis as any).pocketKms.api.putPrincipalPolicy(arn, 'encrypt-only', doc),
      [userArn, policy('kms:Encrypt', 'kms:DescribeKey')] as const,
    );
  });

  it('records the denied call in CloudTrail as the user, with its access key', async () => {
    const root = await createAccessKey(env.browser.page);
    const out = await env.browser.page.evaluate(
      ([origin, c]) =>
        (globalThis as any).signedFetch(
          origin,
          'cloudtrail',
          'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents',
          JSON.stringify({ LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'app' }] }),
          c,
        ),
      [env.app.url, root] as const,
    );
    expect(out.status).toBe(200);
    const denied = (out.body.Events as { CloudTrailEvent: string }[])
      .map((e) => JSON.parse(e.CloudTrailEvent))
      .find((e) => e.eventName === 'Decrypt' && e.errorCode);
    expect(denied).toMatchObject({
      errorCode: 'AccessDenied',
      userIdentity: { type: 'IAMUser', arn: userArn, userName: 'app', accessKeyId: user.accessKeyId },
    });
  });

  it('keeps a user without cloudtrail:LookupEvents out of /cloudtrail', async () => {
    const out = await env.browser.page.evaluate(
      ([origin, c]) =>
        (globalThis as any).signedFetch(
          origin,
          'cloudtrail',
          'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents',
          '{}',
          c,
        ),
      [env.app.url, user] as const,
    );
    expect(out).toMatchObject({ status: 400, type: 'AccessDeniedException' });
    expect(out.body.message).toContain(`User: ${userArn} is not authorized to perform: cloudtrail:LookupEvents`);
  });

  it('refuses a wrong secret with InvalidSignatureException', async () => {
    const wrong = { ...user, secretAccessKey: user.secretAccessKey.slice(1) + 'x' };
    expect(await probe(wrong)).toEqual({
      encrypt: 'InvalidSignatureException 400',
      describe: 'InvalidSignatureException 400',
      decrypt: 'InvalidSignatureException 400',
    });
  });

  it('refuses a deactivated access key with UnrecognizedClientException', async () => {
    await env.browser.page.evaluate(
      (id) => (globalThis as any).pocketKms.api.updateAccessKey(id, 'Inactive'),
      user.accessKeyId,
    );
    expect((await probe(user)).encrypt).toBe('UnrecognizedClientException 400');
    await env.browser.page.evaluate(
      (id) => (globalThis as any).pocketKms.api.updateAccessKey(id, 'Active'),
      user.accessKeyId,
    );
    expect((await probe(user)).encrypt).toBe('allowed');
  });
});
