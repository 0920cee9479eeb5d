// User story: a workshop attendee runs the seed tutorial's hands-on lab (section 10) in Pocket KMS's
// terminal, block by block, unchanged: the identity, a key and its alias, the safer key policy,
// encrypt and decrypt with a context (and the decrypt with a changed context failing), an S3 bucket with
// an SSE-KMS object, then cleanup down to the key pending deletion. Once through `pocketKms.shell` as
// the root, once pasted into the terminal page as a user whose access the lab's key policy narrows.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { shell, useApp } from './harness';
import { labBlock, seedLabBlocks } from './seed-lab';

const env = useApp();

async function ok(page: Page, block: string): Promise<string> {
  const r = await shell(page, labBlock(block));
  expect(r.stderr, block).toBe('');
  expect(r.exitCode, block).toBe(0);
  return r.stdout;
}

describe('the seed lab in the terminal', () => {
  let account = '';
  let keyId = '';
  let keyArn = '';
  let alias = '';

  it('step 1: sets the region and names the caller (aws sts get-caller-identity)', async () => {
    const { page } = env.browser;
    account = await page.evaluate(() => (globalThis as any).pocketKms.info.accountId as string);
    const out = JSON.parse(await ok(page, 'step 1: region and identity'));
    expect(out).toEqual({ UserId: account, Account: account, Arn: `arn:aws:iam::${account}:root` });
    expect(await ok(page, 'step 1: convenience variables')).toBe('');
    expect((await shell(page, 'echo "$TS"')).stdout).toMatch(/^\d{14}\n$/);
    expect((await shell(page, 'aws configure get region')).stdout).toBe('us-east-1\n');
  });

  it('step 2: creates keys (with tags), captures a key ID and an alias', async () => {
    const { page } = env.browser;
    const first = JSON.parse(await ok(page, 'step 2: create a key'));
    expect(first.KeyMetadata).toMatchObject({
      Description: 'KMS lab key for encrypt/decrypt and S3 SSE-KMS',
      KeyUsage: 'ENCRYPT_DECRYPT',
      Origin: 'AWS_KMS',
      KeyState: 'Enabled',
    });
    expect(first.KeyMetadata.CreationDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/);
    const tags = JSON.parse(
      (await shell(page, `aws kms list-resource-tags --key-id ${first.KeyMetadata.KeyId}`)).stdout,
    );
    expect(tags.Tags).toEqual(
      expect.arrayContaining([
        { TagKey: 'Project', TagValue: 'kms-lab' },
        { TagKey: 'Owner', TagValue: 'user' },
      ]),
    );
    expect(tags.Tags).toHaveLength(2);

    const captured = await ok(page, 'step 2: capture the key ID');
    keyId = /^KEY_ID=([0-9a-f-]{36})\n$/.exec(captured)![1]!;
    const named = await ok(page, 'step 2: create an alias');
    alias = /^KEY_ALIAS=(alias\/kms-lab-\d{14})\n$/.exec(named)![1]!;

    const verify = await ok(page, 'step 2: verify');
    const [described, listed] = verify.split(/\n(?=\[)/);
    keyArn = JSON.parse(described!).KeyMetadata.Arn;
    expect(keyArn).toBe(`arn:aws:kms:us-east-1:${account}:key/${keyId}`);
    expect(JSON.parse(listed!)).toEqual([
      expect.objectContaining({
        AliasName: alias,
        TargetKeyId: keyId,
        AliasArn: `arn:aws:kms:us-east-1:${account}:${alias}`,
      }),
    ]);
  });

  it('step 3: writes the safer key policy with a here-document and attaches it', async () => {
    const { page } = env.browser;
    expect(await ok(page, 'step 3: caller ARN and account')).toBe(
      `CALLER_ARN=arn:aws:iam::${account}:root\nACCOUNT_ID=${account}\n`,
    );
    expect(await ok(page, 'step 3: key policy file')).toBe('');
    const file = JSON.parse((await shell(page, 'cat key-policy.json')).stdout);
    expect(file.Statement[1].Principal.AWS).toBe(`arn:aws:iam::${account}:root`);
    expect(await ok(page, 'step 3: attach the policy')).toBe('');
    const policy = JSON.parse(JSON.parse(await ok(page, 'step 3: verify')).Policy);
    expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      'EnableRootPermissions',
      'AllowCallerKeyUsageForLab',
    ]);
  });

  it('step 4: encrypts and decrypts with the encryption context; a changed context fails', async () => {
    const { page } = env.browser;
    expect(await ok(page, 'step 4: plaintext')).toBe('my-demo-secret-value');
    expect(await ok(page, 'step 4: encrypt')).toBe('');
    expect((await shell(page, 'wc -c < ciphertext.b64')).stdout.trim()).not.toBe('0');
    expect(await ok(page, 'step 4: decrypt')).toBe('');
    expect(await ok(page, 'step 4: back to plaintext')).toBe('my-demo-secret-value\n');

    const changed = labBlock('step 4: decrypt').replace('App=kms-demo', 'App=other');
    const r = await shell(page, changed);
    expect(r.exitCode).toBe(254);
    expect(r.stderr).toMatch(/^\nAn error occurred \(InvalidCiphertextException\) when calling the Decrypt operation/);
  });

  it('steps 5 and 6: an S3 bucket with an SSE-KMS object under the alias, read back', async () => {
    const { page } = env.browser;
    expect(await ok(page, 'step 5: bucket name')).toMatch(new RegExp(`^BUCKET_NAME=kms-lab-${account}-\\d{14}\\n$`));
    const created = JSON.parse(await ok(page, 'step 5: create the bucket'));
    expect(created.Location).toMatch(/^\/kms-lab-/);
    const put = JSON.parse(await ok(page, 'step 5: upload with SSE-KMS'));
    expect(put).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
    expect(JSON.parse(await ok(page, 'step 6: object encryption'))).toEqual({ SSE: 'aws:kms', KMSKeyId: keyArn });
    const got = await ok(page, 'step 6: download');
    expect(got).toMatch(/"ServerSideEncryption": "aws:kms"/);
    expect(got.endsWith('hello from kms s3 lab\n')).toBe(true);
  });

  it('cleanup: deletes the object, the bucket and the alias, and schedules the key for deletion', async () => {
    const { page } = env.browser;
    expect(await ok(page, 'cleanup: delete the object')).toBe('');
    expect(await ok(page, 'cleanup: delete the bucket')).toBe('');
    expect(await ok(page, 'cleanup: delete the alias')).toBe('');
    const scheduled = JSON.parse(await ok(page, 'cleanup: schedule key deletion'));
    expect(scheduled).toMatchObject({ KeyId: keyArn, KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    const state = JSON.parse(await ok(page, 'cleanup: verify'));
    expect(state.KeyState).toBe('PendingDeletion');
    expect(Date.parse(state.DeletionDate) - Date.now()).toBeGreaterThan(6 * 86_400_000);
  });

  it("refuses an --endpoint-url of another origin before signing anything (the CLI's connection error, 255)", async () => {
    const { page } = env.browser;
    const r = await shell(page, 'aws kms list-keys --endpoint-url https://kms.us-east-1.amazonaws.com');
    expect(r.exitCode).toBe(255);
    expect(r.stderr).toContain('Could not connect to the endpoint URL: "https://kms.us-east-1.amazonaws.com"');
  });

  it('is given only the access key ID, which signed its calls; aws configure keeps no secret in a file', async () => {
    const { page } = env.browser;
    const given = await page.evaluate(async () => {
      const p = (globalThis as any).pocketKms;
      const k = await p.api.terminalAccessKey(p.info.caller.principalArn);
      const events = await p.api.lookupEvents({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateAlias' }],
      });
      return { fields: Object.keys(k).sort(), id: k.accessKeyId, signedBy: events.Events[0]?.AccessKeyId };
    });
    expect(given.fields).toEqual(['accessKeyId', 'created']);
    expect(given.signedBy).toBe(given.id);
    const refused = await shell(page, 'aws configure set aws_secret_access_key not-kept-anywhere');
    expect(refused.exitCode).toBe(255);
    expect(refused.stderr).toContain('does not store aws_secret_access_key');
    expect((await shell(page, 'cat ~/.aws/config ~/.aws/credentials 2>/dev/null')).stdout).not.toContain('not-kept');
  });

  it('records every call in the event history, with the terminal as user agent', async () => {
    const { page } = env.browser;
    const events = await page.evaluate(async () => {
      const r = await (globalThis as any).pocketKms.api.lookupEvents({ MaxResults: 50 });
      return r.Events.map((e: { EventName: string; CloudTrailEvent: string }) => ({
        name: e.EventName,
        agent: JSON.parse(e.CloudTrailEvent).userAgent as string,
      }));
    });
    const names = events.map((e: { name: string }) => e.name);
    for (const n of [
      'GetCallerIdentity',
      'CreateKey',
      'CreateAlias',
      'PutKeyPolicy',
      'Encrypt',
      'Decrypt',
      'ScheduleKeyDeletion',
    ])
      expect(names).toContain(n);
    const createKey = events.find((e: { name: string }) => e.name === 'CreateKey');
    expect(createKey.agent).toMatch(/^aws-cli\/2\.\d+\.\d+ Pocket-KMS-terminal/);
  });
});

describe('the seed lab pasted into the terminal page', () => {
  it('runs the whole sheet, block by block, as a user with kms and s3 rights, and the transcript shows it', async () => {
    const { page } = env.browser;
    const user = await page.evaluate(async () => {
      const p = (globalThis as any).pocketKms;
      const u = await p.api.createPrincipal('user', 'lab-attendee');
      const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:*', 's3:*'], Resource: '*' }] };
      await p.api.putPrincipalPolicy(u.arn, 'lab', JSON.stringify(doc));
      await p.actAs(u.arn);
      return u.arn as string;
    });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Terminal' }).click();
    await page.getByRole('heading', { level: 1, name: 'Terminal' }).waitFor();
    const input = page.getByRole('textbox', { name: 'Command' });
    await input.waitFor();
    const log = page.getByRole('log', { name: 'Terminal output' });
    for (const b of seedLabBlocks()) {
      await input.focus();
      await page.evaluate((text) => {
        const dt = new DataTransfer();
        dt.setData('text/plain', text);
        document
          .querySelector('#terminal-input')!
          .dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
      }, b.text);
      // Wait until every command of the block has run (the line shows "$" again, not "…").
      await page.waitForFunction(() =>
        document.querySelector('label[for="terminal-input"]')?.textContent?.includes('$'),
      );
    }
    const transcript = (await log.textContent()) ?? '';
    expect(transcript).toContain(`"Arn": "${user}"`);
    expect(transcript).toContain(`CALLER_ARN=${user}`);
    expect(transcript).toContain('my-demo-secret-value');
    expect(transcript).toContain('hello from kms s3 lab');
    expect(transcript).toContain('"KeyState": "PendingDeletion"');
    expect(transcript).not.toMatch(/An error occurred/);
    // The scratch folder lists what the sheet wrote.
    const files = page.getByRole('region', { name: 'Scratch folder' });
    for (const f of ['key-policy.json', 'plaintext.txt', 'ciphertext.b64', 'decrypted.txt', 'downloaded.txt'])
      await files.getByRole('cell', { name: f, exact: true }).waitFor();
  });

  it('keeps history (↑) and Ctrl-L, and fits 360 px without horizontal scroll', async () => {
    const { page } = env.browser;
    const input = page.getByRole('textbox', { name: 'Command' });
    await input.fill('echo "a long line that must wrap rather than widen the page: $(printf \'x%.0s\' {1..120})"');
    await input.press('Enter');
    await page.waitForFunction(() => document.querySelector('label[for="terminal-input"]')?.textContent?.includes('$'));
    await input.press('ArrowUp');
    expect(await input.inputValue()).toMatch(/^echo "a long line/);
    await page.setViewportSize({ width: 360, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await input.fill('');
    await input.press('Control+l');
    expect(await page.getByRole('log', { name: 'Terminal output' }).textContent()).toBe('');
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
