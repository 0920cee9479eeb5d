// User story: a key owner creates the roles KeyUser and KeyAdmin on the Identities page, writes a key
// policy for them, and switches the console's "Acting as" to each: KeyUser decrypts only for tenant
// acme, KeyAdmin manages the key but cannot decrypt. An access key's secret is shown once and never
// again, and the event history names the role session that was refused.
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { loadApp, openBrowser, useApp } from './harness';

const env = useApp();
const SECRET = 'Invoice 2024-117 for acme';
const OTHER_SECRET = 'Invoice 2024-118 for other';
const KEY_ADMIN_ACTIONS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
];

let accountId = '';
let keyId = '';
let acmeCiphertext = '';
let otherCiphertext = '';

const text = async (l: Locator) => (await l.textContent()) ?? '';

async function goTo(page: Page, link: string, heading: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

async function createPrincipal(page: Page, kind: 'user' | 'role', name: string): Promise<void> {
  await page.getByRole('button', { name: `Create ${kind}`, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Create ${kind}` });
  await dialog.getByLabel(kind === 'role' ? 'Role name' : 'User name').fill(name);
  await dialog.getByRole('button', { name: `Create ${kind}`, exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
  await page
    .getByRole('region', { name: /^Principals/ })
    .getByRole('button', { name, exact: true })
    .waitFor();
}

/** Chooses a principal in the header's switcher and waits until the console says it acts as it. */
async function actAs(page: Page, label: string): Promise<void> {
  await page.getByRole('banner').getByLabel('Acting as').selectOption({ label });
  await expect.poll(() => text(page.getByRole('banner'))).toContain(`Console calls run as ${label} (`);
}

async function decrypt(page: Page, ciphertext: string, tenant: string): Promise<Locator> {
  const region = page.getByRole('region', { name: 'Decrypt', exact: true });
  await region.getByLabel('Ciphertext to decrypt (base64)').fill(ciphertext);
  if ((await region.getByLabel('Context key 1').count()) === 0)
    await region.getByRole('button', { name: 'Add context pair' }).click();
  await region.getByLabel('Context key 1').fill('TenantId');
  await region.getByLabel('Context value 1').fill(tenant);
  await region.getByRole('button', { name: 'Decrypt', exact: true }).click();
  return region;
}

function keyPolicy(account: string): string {
  const role = (name: string) => `arn:aws:iam::${account}:role/${name}`;
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'Allow access for Key Administrators',
        Effect: 'Allow',
        Principal: { AWS: role('KeyAdmin') },
        Action: KEY_ADMIN_ACTIONS,
        Resource: '*',
      },
      {
        Sid: 'Allow use of the key for tenant acme',
        Effect: 'Allow',
        Principal: { AWS: role('KeyUser') },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:EncryptionContext:TenantId': 'acme' } },
      },
    ],
  });
}

describe('identities and acting as a principal', () => {
  it('KeyUser decrypts only for tenant acme; KeyAdmin manages the key but cannot decrypt', async () => {
    const page = env.browser.page;
    await page.getByRole('heading', { level: 1, name: 'Keys' }).waitFor();
    await expect.poll(() => page.getByRole('banner').getByLabel('Acting as').isVisible()).toBe(true);
    expect(await page.getByRole('banner').getByLabel('Acting as').inputValue()).toMatch(/^arn:aws:iam::\d{12}:root$/);

    await goTo(page, 'Identities', 'Identities');
    await createPrincipal(page, 'role', 'KeyUser');
    await createPrincipal(page, 'role', 'KeyAdmin');
    const table = page.getByRole('region', { name: /^Principals/ });
    expect(await text(table)).toMatch(/KeyUser\s*Role\s*arn:aws:iam::\d{12}:role\/KeyUser\s*AROA[A-Z2-7]{17}/);

    // A role appears in the header's switcher as soon as it exists.
    const switcher = page.getByRole('banner').getByLabel('Acting as');
    await expect
      .poll(() => switcher.locator('option').allTextContents())
      .toEqual(['root', 'role/KeyAdmin', 'role/KeyUser']);

    // The key and its policy (setup through the console's own client), with an alias to pick it by.
    accountId = await page.evaluate(() => (globalThis as any).pocketKms.info.accountId as string);
    keyId = await page.evaluate(async (policy) => {
      const k = (globalThis as any).pocketKms;
      const { KeyMetadata } = await k.call('CreateKey', { Description: 'Tenant data' });
      await k.call('CreateAlias', { AliasName: 'alias/tenant-data', TargetKeyId: KeyMetadata.KeyId });
      await k.call('PutKeyPolicy', { KeyId: KeyMetadata.KeyId, PolicyName: 'default', Policy: policy });
      return KeyMetadata.KeyId as string;
    }, keyPolicy(accountId));

    // As root: encrypt for tenant acme on the Encrypt / Decrypt page, and for tenant other through the client.
    await goTo(page, 'Encrypt / Decrypt', 'Encrypt / Decrypt');
    const enc = page.getByRole('region', { name: 'Encrypt', exact: true });
    await enc.getByLabel('KMS key').selectOption({ label: 'alias/tenant-data' });
    await enc.getByLabel('Plaintext').fill(SECRET);
    await enc.getByLabel('Context key 1').fill('TenantId');
    await enc.getByLabel('Context value 1').fill('acme');
    await enc.getByRole('button', { name: 'Encrypt', exact: true }).click();
    await enc.getByLabel('Ciphertext (base64)').waitFor();
    acmeCiphertext = await enc.getByLabel('Ciphertext (base64)').inputValue();
    otherCiphertext = await page.evaluate(
      async ([id, plaintext]) => {
        const { CiphertextBlob } = await (globalThis as any).pocketKms.call('Encrypt', {
          KeyId: id,
          Plaintext: new TextEncoder().encode(plaintext),
          EncryptionContext: { TenantId: 'other' },
        });
        return btoa(String.fromCharCode(...(CiphertextBlob as Uint8Array)));
      },
      [keyId, OTHER_SECRET],
    );
    // The root can decrypt both, so the ciphertexts and contexts are right: only authorization can refuse them.
    let dec = await decrypt(page, otherCiphertext, 'other');
    await expect.poll(() => dec.getByLabel('Decrypted text').inputValue()).toBe(OTHER_SECRET);

    // KeyUser: tenant acme decrypts; tenant other is refused by the key policy's condition.
    await actAs(page, 'role/KeyUser');
    expect(await switcher.inputValue()).toBe(`arn:aws:iam::${accountId}:role/KeyUser`);
    dec = await decrypt(page, acmeCiphertext, 'acme');
    await expect.poll(() => dec.getByLabel('Decrypted text').inputValue()).toBe(SECRET);
    dec = await decrypt(page, otherCiphertext, 'other');
    const denied = dec.getByRole('alert');
    await expect.poll(() => text(denied)).toContain('AccessDeniedException');
    expect(await text(denied)).toContain(
      `User: arn:aws:sts::${accountId}:assumed-role/KeyUser/console is not authorized to perform: kms:Decrypt`,
    );
    expect(await text(denied)).not.toContain('InvalidCiphertextException');
    expect(await dec.getByLabel('Decrypted text').count()).toBe(0);

    // KeyAdmin needs ListKeys and ListAliases (account-level, IAM only) to browse the console: an inline policy.
    await goTo(page, 'Identities', 'Identities');
    expect(await text(page.getByRole('status').filter({ hasText: 'The console acts as' }))).toContain('role/KeyUser');
    await table.getByRole('button', { name: 'KeyAdmin', exact: true }).click();
    const detail = page.getByRole('region', { name: 'Role KeyAdmin' });
    await detail.waitFor();
    await page.getByRole('button', { name: 'Add inline policy' }).click();
    const policyDialog = page.getByRole('dialog', { name: 'Add inline policy' });
    expect(await policyDialog.getByLabel('Policy document (JSON)').inputValue()).toContain('"kms:Encrypt"');
    await policyDialog.getByLabel('Policy name').fill('ConsoleBrowse');
    await policyDialog
      .getByLabel('Policy document (JSON)')
      .fill('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:ListKeys","kms:ListAliases"]');
    await policyDialog.getByRole('button', { name: 'Save policy' }).click();
    await expect.poll(() => text(policyDialog.getByRole('alert'))).toContain('MalformedPolicyDocumentException');
    await policyDialog
      .getByLabel('Policy document (JSON)')
      .fill(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:ListKeys","kms:ListAliases"],"Resource":"*"}]}',
      );
    await policyDialog.getByRole('button', { name: 'Save policy' }).click();
    await policyDialog.waitFor({ state: 'hidden' });
    await expect
      .poll(() => text(page.getByRole('region', { name: /^Inline policies/ })))
      .toContain('"kms:ListAliases"');
    expect(await text(table)).toContain('ConsoleBrowse');

    // KeyAdmin, through the row's "Act as" button: disable, enable and describe the key, but no Decrypt.
    await table.getByRole('button', { name: 'Act as role/KeyAdmin' }).click();
    await expect.poll(() => switcher.inputValue()).toBe(`arn:aws:iam::${accountId}:role/KeyAdmin`);
    await goTo(page, 'Keys', 'Keys');
    await page.getByRole('link', { name: 'alias/tenant-data' }).click();
    await page.getByRole('heading', { level: 1, name: 'alias/tenant-data' }).waitFor();
    const general = page.getByRole('region', { name: 'General configuration' });
    await page.getByRole('button', { name: 'Disable key' }).click();
    await page.getByRole('button', { name: 'Enable key' }).waitFor();
    await expect.poll(() => text(general)).toContain('Disabled');
    await page.getByRole('button', { name: 'Enable key' }).click();
    await page.getByRole('button', { name: 'Disable key' }).waitFor();
    await page.getByRole('button', { name: 'Edit description' }).click();
    await general.getByLabel('Description').fill('Tenant data, managed by KeyAdmin');
    await general.getByRole('button', { name: 'Save description' }).click();
    await expect.poll(() => text(general)).toContain('Tenant data, managed by KeyAdmin');
    expect(await text(general)).toContain('Enabled');

    await goTo(page, 'Encrypt / Decrypt', 'Encrypt / Decrypt');
    dec = await decrypt(page, acmeCiphertext, 'acme');
    await expect.poll(() => text(dec.getByRole('alert'))).toContain('AccessDeniedException');
    expect(await text(dec.getByRole('alert'))).toContain(
      `assumed-role/KeyAdmin/console is not authorized to perform: kms:Decrypt`,
    );

    // The choice survives a reload.
    await page.reload();
    await expect.poll(() => switcher.inputValue()).toBe(`arn:aws:iam::${accountId}:role/KeyAdmin`);
    expect(await text(page.getByRole('banner'))).toContain('Console calls run as role/KeyAdmin');
  });

  it('shows a new access key secret once, and never again after the dialog closes', async () => {
    const page = env.browser.page;
    await goTo(page, 'Identities', 'Identities');
    const table = page.getByRole('region', { name: /^Principals/ });
    await table.getByRole('button', { name: 'KeyUser', exact: true }).click();
    const keys = page.getByRole('region', { name: /^Access keys/ });
    await keys.getByRole('button', { name: 'Create access key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Access key created' });
    await dialog.waitFor();
    const shown = await dialog.innerText();
    expect(shown).toContain('This is the only time the secret access key is shown.');
    const accessKeyId = /AKIA[A-Z2-7]{16}/.exec(shown)?.[0];
    const secret = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(shown)?.[1];
    expect(accessKeyId).toBeDefined();
    expect(secret).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(shown).toContain(`export AWS_ACCESS_KEY_ID=${accessKeyId}`);
    expect(shown).toContain(`export AWS_ENDPOINT_URL_KMS=${env.app.url}/kms`);
    expect(shown).toMatch(/export AWS_REGION=[a-z]+-[a-z]+-\d/);
    expect(await dialog.getByRole('button', { name: 'Copy secret access key' }).isVisible()).toBe(true);

    await dialog.getByRole('button', { name: 'I have saved the secret, close' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => text(keys)).toContain(accessKeyId!);
    expect(await text(keys)).toContain('Active');
    expect(await text(table)).toContain(accessKeyId!);
    expect(await page.evaluate(() => document.body.innerText)).not.toContain(secret!);
    expect(await page.content()).not.toContain(secret!);

    // Deactivate, then delete after a confirmation.
    await keys.getByRole('button', { name: `Deactivate access key ${accessKeyId}` }).click();
    await expect.poll(() => text(keys)).toContain('Inactive');
    await keys.getByRole('button', { name: `Delete access key ${accessKeyId}` }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete access key' });
    await confirm.getByRole('button', { name: 'Delete access key' }).click();
    await expect.poll(() => text(keys)).toContain('No access keys.');

    // The root may have access keys, with AWS's advice against them.
    await table.getByRole('button', { name: 'root', exact: true }).click();
    await page.getByRole('region', { name: 'Account root' }).waitFor();
    expect(await text(page.getByRole('region', { name: /^Access keys/ }))).toContain(
      'AWS advises against access keys for the account root.',
    );

    // A user is created with a tag and deleted after a confirmation.
    await createPrincipal(page, 'user', 'temp-user');
    const user = page.getByRole('region', { name: 'User temp-user' });
    await user.waitFor();
    await page.getByRole('region', { name: /^Tags/ }).getByLabel('Tag key').fill('team');
    await page.getByRole('region', { name: /^Tags/ }).getByLabel('Tag value').fill('billing');
    await page.getByRole('region', { name: /^Tags/ }).getByRole('button', { name: 'Add tag' }).click();
    await expect.poll(() => text(table)).toContain('team: billing');
    await user.getByRole('button', { name: 'Delete user' }).click();
    await page.getByRole('dialog', { name: 'Delete user' }).getByRole('button', { name: 'Delete user' }).click();
    await expect.poll(() => text(table)).not.toContain('temp-user');
  });

  it('records the refused Decrypt with AccessDenied and the role session', async () => {
    const page = env.browser.page;
    await goTo(page, 'Event history', 'Event history');
    const events = page.getByRole('region', { name: 'Events' });
    await events.getByLabel('Event name').selectOption('Decrypt');
    await events.getByLabel('Errors only').check();
    await expect
      .poll(
        async () =>
          (await events.getByRole('row').allInnerTexts()).slice(1).filter((r) => r.includes('AccessDenied')).length,
      )
      .toBe(2);
    const rows = (await events.getByRole('row').allInnerTexts()).slice(1);
    // Newest first: KeyAdmin's refusal, then KeyUser's.
    expect(rows[0]).toContain('KeyAdmin');
    expect(rows[1]).toContain('KeyUser');

    await events.getByRole('row').nth(2).getByRole('button', { name: 'Decrypt' }).click();
    const record = page.getByRole('dialog', { name: 'Decrypt event' });
    expect(await text(record)).toContain(`"arn": "arn:aws:sts::${accountId}:assumed-role/KeyUser/console"`);
    expect(await text(record)).toContain('"errorCode": "AccessDenied"');
    await record.getByRole('button', { name: 'Close dialog' }).click();

    const audited = await page.evaluate(() =>
      (globalThis as any).pocketKms.api.auditEvents({ eventName: 'Decrypt', errorsOnly: true }),
    );
    const keyUser = audited.find((r: any) => r.record.userIdentity?.arn?.includes('assumed-role/KeyUser/'));
    expect(keyUser.errorCode).toBe('AccessDenied');
    expect(keyUser.record.userIdentity).toMatchObject({
      type: 'AssumedRole',
      arn: `arn:aws:sts::${accountId}:assumed-role/KeyUser/console`,
    });
    expect(keyUser.record.errorMessage).toContain('kms:Decrypt');
    expect(keyUser.keyIds).toContain(keyId);
  });

  it('falls back to the root when the principal it acts as is deleted, now or before a reload', async () => {
    const page = env.browser.page;
    const switcher = page.getByRole('banner').getByLabel('Acting as');
    const root = `arn:aws:iam::${accountId}:root`;
    expect(await switcher.inputValue()).toBe(`arn:aws:iam::${accountId}:role/KeyAdmin`);
    await goTo(page, 'Identities', 'Identities');
    const table = page.getByRole('region', { name: /^Principals/ });
    await table.getByRole('button', { name: 'KeyAdmin', exact: true }).click();
    await page.getByRole('region', { name: 'Role KeyAdmin' }).getByRole('button', { name: 'Delete role' }).click();
    await page.getByRole('dialog', { name: 'Delete role' }).getByRole('button', { name: 'Delete role' }).click();
    await expect.poll(() => switcher.inputValue()).toBe(root);
    expect(await switcher.locator('option').allTextContents()).toEqual(['root', 'role/KeyUser']);
    expect(await text(page.getByRole('status').filter({ hasText: 'The console acts as' }))).toContain(
      'The console acts as root.',
    );

    // A remembered principal that no longer exists (deleted in another tab) is dropped without a word.
    await page.evaluate(
      (arn) => localStorage.setItem('pocket-kms:acting-as', arn),
      `arn:aws:iam::${accountId}:role/KeyAdmin`,
    );
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Identities' }).waitFor();
    await expect.poll(() => switcher.inputValue()).toBe(root);
    expect(await page.evaluate(() => localStorage.getItem('pocket-kms:acting-as'))).toBeNull();
    expect(await page.getByRole('banner').getByRole('alert').count()).toBe(0);
    expect(env.browser.errors).toEqual([]);
  });

  it('at 360 px in dark mode: a long role name, acting as it and a new access key fit without horizontal scroll', async () => {
    const phone = await openBrowser({ viewport: { width: 360, height: 800 }, colorScheme: 'dark' });
    try {
      const page = phone.page;
      await loadApp(page, env.app.url);
      const name = 'ReportingPipelineDecryptOnlyRoleForTenantAcme';
      await page.waitForFunction(() => (globalThis as any).pocketKms?.info !== undefined);
      await page.evaluate(
        (n) =>
          (globalThis as any).pocketKms.api.createPrincipal('role', n, [
            { TagKey: 'cost-centre', TagValue: 'analytics-and-reporting' },
          ]),
        name,
      );
      await goTo(page, 'Identities', 'Identities');
      await page.getByRole('button', { name, exact: true }).click();
      await actAs(page, `role/${name}`);
      await page.getByRole('button', { name: 'Create access key' }).click();
      const dialog = page.getByRole('dialog', { name: 'Access key created' });
      await dialog.waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      // Focus is back on the button that opened the dialog.
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Create access key');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(15, 20, 26)');
      expect(phone.errors).toEqual([]);
    } finally {
      await phone.close();
    }
  });
});
