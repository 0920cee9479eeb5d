// User story: a lab sheet makes a customer managed policy with `aws iam create-policy` and attaches it to a user;
// the user may then encrypt. On the Identities page the policy is listed with who it is attached to, the user's
// details show it, and detaching it there refuses the user again. A role's trust policy is edited there with IAM's
// validation, its STS session is listed and revoked (AWSRevokeOlderSessions). A second account added on the page
// appears in the header's account switcher; that account owns keys of its own, and the Keys page shows the keys of
// the account the console is in.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { shell, useApp } from './harness';

const env = useApp();

async function goToIdentities(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Identities' }).click();
  await page.getByRole('heading', { level: 1, name: 'Identities' }).waitFor();
}

const asUser = [
  'set +e',
  'export AWS_ACCESS_KEY_ID=$(jq -r .AccessKey.AccessKeyId mp-key.json)',
  'export AWS_SECRET_ACCESS_KEY=$(jq -r .AccessKey.SecretAccessKey mp-key.json)',
  'echo -n hi > hi.txt',
  'aws kms encrypt --key-id "$MP_KEY" --plaintext fileb://hi.txt > /dev/null; echo "encrypt $?"',
  'unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY',
].join('\n');

describe('managed policies in the terminal and on the Identities page', () => {
  it('creates, attaches and lists a policy with aws iam; the user may encrypt through it', async () => {
    const { page } = env.browser;
    const account = await page.evaluate(() => (globalThis as any).pocketKms?.info?.accountId as string);
    const setup = await shell(
      page,
      [
        'set -e',
        'aws iam create-user --user-name mp-user > /dev/null',
        'cat > use.json <<EOF',
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]}',
        'EOF',
        'aws iam create-policy --policy-name UseKeys --policy-document file://use.json --query Policy.Arn --output text',
        `aws iam attach-user-policy --user-name mp-user --policy-arn arn:aws:iam::${account}:policy/UseKeys`,
        'aws iam list-attached-user-policies --user-name mp-user --query AttachedPolicies[0].PolicyName --output text',
        `aws iam get-policy-version --policy-arn arn:aws:iam::${account}:policy/UseKeys --version-id v1 --query PolicyVersion.Document.Statement[0].Action --output text`,
        'aws iam create-access-key --user-name mp-user > mp-key.json',
        'export MP_KEY=$(aws kms create-key --description managed-policy-lab --query KeyMetadata.KeyId --output text)',
      ].join('\n'),
    );
    expect(setup.stderr).toBe('');
    expect(setup.stdout).toBe(`arn:aws:iam::${account}:policy/UseKeys\nUseKeys\nkms:Encrypt\n`);
    expect((await shell(page, asUser)).stdout).toBe('encrypt 0\n');
  });

  it('shows the policy and its attachment on the Identities page, and detaches it there', async () => {
    const { page } = env.browser;
    await goToIdentities(page);
    const panel = page.getByRole('region', { name: /^Managed policies/ });
    const row = panel.getByRole('row').filter({ hasText: 'UseKeys' });
    await expect.poll(async () => (await row.textContent()) ?? '').toContain('user/mp-user');
    await expect.poll(async () => (await panel.textContent()) ?? '').toContain('AWSKeyManagementServicePowerUser');
    await panel.getByRole('button', { name: 'UseKeys', exact: true }).click();
    const detail = page.getByRole('region', { name: 'UseKeys', exact: true });
    await expect.poll(async () => (await detail.textContent()) ?? '').toContain('Default');

    await page
      .getByRole('region', { name: /^Principals/ })
      .getByRole('button', { name: 'mp-user', exact: true })
      .click();
    const attached = page.getByRole('region', { name: /^Attached managed policies/ });
    await attached.getByRole('button', { name: 'Detach policy UseKeys' }).click();
    await expect.poll(async () => (await attached.textContent()) ?? '').toContain('No managed policies attached.');
    expect((await shell(page, asUser)).stdout).toBe('encrypt 254\n');
  });

  it("edits a role's trust policy with IAM's validation, lists its session, and revokes it", async () => {
    const { page } = env.browser;
    const account = await page.evaluate(() => (globalThis as any).pocketKms?.info?.accountId as string);
    const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${account}:root"},"Action":"sts:AssumeRole"}]}`;
    const made = await shell(
      page,
      [
        'set +e',
        `aws iam create-role --role-name Reader --assume-role-policy-document '${trust}' > /dev/null`,
        `aws iam attach-role-policy --role-name Reader --policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess`,
        `aws sts assume-role --role-arn arn:aws:iam::${account}:role/Reader --role-session-name reader-1 > reader.json`,
        'echo "made $?"',
      ].join('\n'),
    );
    expect(made.stdout).toBe('made 0\n');
    await goToIdentities(page);
    // The terminal's calls went through the service worker: the page reloads its lists when asked.
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await page.getByRole('button', { name: 'Refresh sessions' }).click();
    const sessionsPanel = page.getByRole('region', { name: /^Active sessions/ });
    await expect.poll(async () => (await sessionsPanel.textContent()) ?? '').toContain('reader-1');

    await page
      .getByRole('region', { name: /^Principals/ })
      .getByRole('button', { name: 'Reader', exact: true })
      .click();
    const trustPanel = page.getByRole('region', { name: 'Trust policy' });
    await expect.poll(async () => (await trustPanel.textContent()) ?? '').toContain('sts:AssumeRole');
    await trustPanel.getByRole('button', { name: 'Edit trust policy' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit trust policy' });
    // A statement without a Principal is refused, saying where.
    await dialog
      .getByLabel('Trust policy (JSON)')
      .fill('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}');
    await dialog.getByRole('button', { name: 'Save trust policy' }).click();
    await expect.poll(async () => (await dialog.getByRole('alert').textContent()) ?? '').toContain('Principal');
    await dialog.getByLabel('Trust policy (JSON)').fill(trust.replace('sts:AssumeRole', 'sts:*'));
    await dialog.getByRole('button', { name: 'Save trust policy' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(async () => (await trustPanel.textContent()) ?? '').toContain('sts:*');

    const listAsReader = [
      'export AWS_ACCESS_KEY_ID=$(jq -r .Credentials.AccessKeyId reader.json)',
      'export AWS_SECRET_ACCESS_KEY=$(jq -r .Credentials.SecretAccessKey reader.json)',
      'export AWS_SESSION_TOKEN=$(jq -r .Credentials.SessionToken reader.json)',
      'aws kms list-keys > /dev/null 2>&1; echo "list $?"',
      'unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN',
    ].join('\n');
    expect((await shell(page, listAsReader)).stdout).toBe('list 0\n');
    await trustPanel.getByRole('button', { name: 'Revoke active sessions' }).click();
    const revoke = page.getByRole('dialog', { name: 'Revoke active sessions' });
    await revoke.getByRole('button', { name: 'Revoke sessions' }).click();
    await revoke.waitFor({ state: 'hidden' });
    await expect
      .poll(async () => (await page.getByRole('region', { name: /^Inline policies/ }).textContent()) ?? '')
      .toContain('AWSRevokeOlderSessions');
    expect((await shell(page, listAsReader)).stdout).toBe('list 254\n');
  });

  it('adds a second account, which the header then offers to switch to', async () => {
    const { page } = env.browser;
    await goToIdentities(page);
    await page.getByRole('button', { name: 'Add account' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add account' });
    await dialog.getByLabel('Account name').fill('Applications');
    await dialog.getByLabel('Account ID (optional)').fill('222233334444');
    await dialog.getByRole('button', { name: 'Add account' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const switcher = page.getByRole('banner').getByLabel('Account', { exact: true });
    await switcher.selectOption({ label: 'Applications (222233334444)' });
    await expect
      .poll(() => page.evaluate(() => (globalThis as any).pocketKms.info.caller.arn as string))
      .toBe('arn:aws:iam::222233334444:root');
  });

  it('shows on the Keys page the keys of the account the console is in, and makes new keys in that account', async () => {
    const { page } = env.browser;
    const main = await page.evaluate(() => (globalThis as any).pocketKms.info.accountId as string);
    const keysTable = () => page.getByRole('region', { name: /^Customer managed keys/ });
    const goToKeys = async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Keys' }).click();
      await page.getByRole('heading', { level: 1, name: 'Keys' }).waitFor();
    };
    // The previous test left the console in account 222233334444, which has no keys yet.
    await goToKeys();
    await expect.poll(async () => (await keysTable().textContent()) ?? '').toContain('There are no keys yet.');
    await page.getByRole('button', { name: 'Create key', exact: true }).click();
    const create = page.getByRole('dialog', { name: 'Create key' });
    await create.getByLabel('Description').fill('application account key');
    await create.getByLabel(/^Alias/).fill('alias/app');
    await create.getByRole('button', { name: 'Create key', exact: true }).click();
    await create.getByRole('link', { name: 'Open key' }).click();
    await expect.poll(async () => (await page.locator('main').textContent()) ?? '').toContain('arn:aws:kms:');
    expect(await page.locator('main').textContent()).toMatch(/arn:aws:kms:[^:]+:222233334444:key\//);
    await goToKeys();
    await expect.poll(async () => (await keysTable().textContent()) ?? '').toContain('application account key');
    expect(await keysTable().textContent()).not.toContain('managed-policy-lab');
    // Back in the first account: its own keys, not the application account's.
    const switcher = page.getByRole('banner').getByLabel('Account', { exact: true });
    await switcher.selectOption({ value: main });
    await expect.poll(async () => (await keysTable().textContent()) ?? '').toContain('managed-policy-lab');
    expect(await keysTable().textContent()).not.toContain('application account key');
  });
});
