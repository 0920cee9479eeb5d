// User stories: grants on the key page and the policy simulator. A grant gives a role access the
// default key policy does not, the simulator says why (and why not), revoking the grant takes the
// access away again, a constrained grant follows the encryption context, and a failed key policy
// condition is shown with the request's value. Roles and labels only, as a person finds things.
import type { Locator, Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { useApp } from './harness';

const ctx = useApp();
const text = async (l: Locator) => (await l.textContent()) ?? '';

interface Setup {
  keyId: string;
  account: string;
}

/** A symmetric key with the default key policy, made by the root through the devtools handle. */
async function newKey(page: Page, description: string): Promise<Setup> {
  return page.evaluate(async (Description) => {
    const k = (globalThis as any).pocketKms;
    const { KeyMetadata } = await k.call('CreateKey', { Description });
    return { keyId: KeyMetadata.KeyId as string, account: KeyMetadata.AWSAccountId as string };
  }, description);
}

async function createRole(page: Page, name: string, policy?: object): Promise<string> {
  return page.evaluate(
    async ([name, policy]) => {
      const k = (globalThis as any).pocketKms;
      const role = await k.api.createPrincipal('role', name);
      if (policy) await k.api.putPrincipalPolicy(role.arn, 'ConsoleRead', policy);
      return role.arn as string;
    },
    [name, policy ? JSON.stringify(policy) : undefined] as const,
  );
}

/** Console calls from now on run as this principal (the header's Acting as follows kms.info). */
async function actAs(page: Page, arn: string): Promise<void> {
  await page.evaluate(async (arn) => {
    const k = (globalThis as any).pocketKms;
    if (typeof k.actAs === 'function') await k.actAs(arn);
    else {
      k.info = await k.api.actAs(arn);
      k.revision++;
    }
  }, arn);
}

async function go(page: Page, hash: string, heading: string | RegExp): Promise<void> {
  await page.evaluate((h) => (location.hash = h), hash);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

/** Fills the simulator and returns the verdict (re-simulation follows each later change). */
async function simulate(
  page: Page,
  o: { keyId: string; principal: string; action?: string; context?: [string, string] },
): Promise<Locator> {
  // From another page, so the simulator starts afresh (no verdict of an earlier request on screen).
  await go(page, '#/keys', 'Keys');
  await go(page, `#/simulator?key=${o.keyId}`, 'Policy simulator');
  await page.getByLabel('Principal', { exact: true }).selectOption(o.principal);
  await page.getByLabel('Action', { exact: true }).selectOption(o.action ?? 'Decrypt');
  await page.getByLabel('KMS key', { exact: true }).selectOption(o.keyId);
  if (o.context) {
    await page.getByLabel('Context key 1').fill(o.context[0]);
    await page.getByLabel('Context value 1').fill(o.context[1]);
  }
  await page.getByRole('button', { name: 'Simulate', exact: true }).click();
  return page.getByRole('region', { name: 'Result' }).getByRole('status');
}

async function encryptAs(page: Page, keyId: string): Promise<Locator> {
  await go(page, `#/crypto?key=${keyId}`, 'Encrypt / Decrypt');
  const region = page.getByRole('region', { name: 'Encrypt', exact: true });
  await region.getByLabel('Plaintext').fill('hello from App');
  // The page preselects the key once its key list is in.
  await expect.poll(() => region.getByLabel('KMS key').inputValue()).toBe(keyId);
  await region.getByRole('button', { name: 'Encrypt', exact: true }).click();
  return region;
}

test('a grant allows a role the default key policy does not; the simulator says why; revoking takes the access away', async () => {
  const { page, errors } = ctx.browser;
  await page.getByRole('heading', { level: 1, name: 'Keys' }).waitFor();
  const { keyId, account } = await newKey(page, 'grants e2e');
  // App may list and describe keys (so the Encrypt page can offer the key) but has no Decrypt or Encrypt.
  const roleArn = await createRole(page, 'App', {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['kms:ListKeys', 'kms:ListAliases', 'kms:DescribeKey'], Resource: '*' }],
  });
  expect(roleArn).toBe(`arn:aws:iam::${account}:role/App`);

  // Denied: the default key policy delegates to IAM and no identity policy of App allows kms:Decrypt.
  let verdict = await simulate(page, { keyId, principal: roleArn });
  await expect.poll(() => text(verdict)).toContain('Denied');
  expect(await text(verdict)).toContain(
    'the key policy delegates to IAM but no identity policy of role/App allows kms:Decrypt',
  );
  expect(await text(verdict)).toContain(`is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:`);
  expect(await text(verdict)).toContain('because no identity-based policy allows the kms:Decrypt action');
  const result = page.getByRole('region', { name: 'Result' });
  expect(
    await text(result.getByRole('listitem').filter({ hasText: "statement 'Enable IAM User Permissions'" })),
  ).toContain('Applies: names the account, so it delegates to IAM');

  // Create a grant on the key page.
  await go(page, `#/keys/${keyId}`, keyId);
  const grants = page.getByRole('region', { name: /^Grants/ });
  await expect.poll(() => text(grants)).toContain('No grants.');
  await grants.getByRole('button', { name: 'Create grant' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create grant' });
  await dialog.getByLabel('Grantee principal', { exact: true }).selectOption(roleArn);
  await dialog.getByLabel('Decrypt', { exact: true }).check();
  await dialog.getByLabel('Encrypt', { exact: true }).check();
  await dialog.getByLabel('Grant name').fill('app-encrypt');
  await dialog.getByRole('button', { name: 'Create grant' }).click();
  await expect.poll(() => text(dialog.getByRole('status'))).toContain('Grant created.');
  const grantId = await dialog.getByLabel('Grant ID').inputValue();
  expect(grantId).toMatch(/^[0-9a-f]{64}$/);
  expect((await dialog.getByLabel('Grant token').inputValue()).length).toBeGreaterThan(20);
  await dialog.getByRole('button', { name: 'Done' }).click();
  const row = grants.getByRole('row').filter({ hasText: 'app-encrypt' });
  await expect.poll(() => text(row)).toContain('role/App');
  expect(await text(row)).toContain('Decrypt, Encrypt');
  expect(await row.getByTitle(grantId).count()).toBe(1);

  // Allowed by the grant.
  verdict = await simulate(page, { keyId, principal: roleArn });
  await expect.poll(() => text(verdict)).toContain("Allowed by grant 'app-encrypt'");
  expect(await text(result.getByRole('listitem').filter({ hasText: 'app-encrypt' }))).toContain(
    'Allows: it gives role/App Decrypt',
  );

  // As App, Encrypt works.
  await actAs(page, roleArn);
  let encrypt = await encryptAs(page, keyId);
  await encrypt.getByLabel('Ciphertext (base64)').waitFor();
  expect(await encrypt.getByRole('alert').count()).toBe(0);

  // As the root, revoke the grant (after confirming).
  await actAs(page, `arn:aws:iam::${account}:root`);
  await go(page, `#/keys/${keyId}`, keyId);
  await grants.getByRole('button', { name: 'Revoke grant app-encrypt' }).click();
  const confirm = page.getByRole('dialog', { name: 'Revoke grant' });
  expect(await text(confirm)).toContain(roleArn);
  await confirm.getByRole('button', { name: 'Revoke grant' }).click();
  await expect.poll(() => text(grants)).toContain('No grants.');
  expect(await text(grants.getByRole('status'))).toContain('Grant app-encrypt revoked.');

  // As App again, Encrypt is refused.
  await actAs(page, roleArn);
  encrypt = await encryptAs(page, keyId);
  await expect.poll(() => text(encrypt.getByRole('alert'))).toContain('AccessDeniedException');
  expect(await text(encrypt.getByRole('alert'))).toContain('no identity-based policy allows the kms:Encrypt action');
  await actAs(page, `arn:aws:iam::${account}:root`);
  expect(errors).toEqual([]);
});

test('a grant constrained to EncryptionContextSubset {TenantId: acme} allows only that tenant', async () => {
  const { page } = ctx.browser;
  const { keyId, account } = await newKey(page, 'tenant grant e2e');
  const roleArn = await createRole(page, 'Tenant');

  await go(page, `#/keys/${keyId}`, keyId);
  const grants = page.getByRole('region', { name: /^Grants/ });
  await grants.getByRole('button', { name: 'Create grant' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create grant' });
  // A typed ARN, as for a principal of another account.
  await dialog.getByLabel('Grantee principal', { exact: true }).selectOption({ label: 'Other principal ARN…' });
  await dialog.getByLabel('Grantee principal ARN').fill(`arn:aws:iam::${account}:role/Tenant`);
  await dialog.getByLabel('Decrypt', { exact: true }).check();
  await dialog.getByLabel('Encryption context constraint').selectOption('EncryptionContextSubset');
  await dialog.getByRole('button', { name: 'Add constraint pair' }).click();
  await dialog.getByLabel('Constraint key 1').fill('TenantId');
  await dialog.getByLabel('Constraint value 1').fill('acme');
  await dialog.getByRole('button', { name: 'Create grant' }).click();
  await expect.poll(() => text(dialog.getByRole('status'))).toContain('Grant created.');
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect.poll(() => text(grants)).toContain('Context includes TenantId=acme');

  const verdict = await simulate(page, { keyId, principal: roleArn, context: ['TenantId', 'acme'] });
  await expect.poll(() => text(verdict)).toContain('Allowed by grant');
  // Editing the context re-simulates.
  await page.getByLabel('Context value 1').fill('other');
  await expect.poll(() => text(verdict)).toContain('Denied');
  expect(await text(verdict)).toContain("the key's one grant does not allow it");
  const grant = page.getByRole('region', { name: 'Result' }).getByRole('listitem').filter({ hasText: 'Unnamed grant' });
  expect(await text(grant)).toContain(
    "its constraint (Context includes TenantId=acme) is not met; the request's context is TenantId=other",
  );
});

test('the simulator shows a failed key policy condition with the value the request had', async () => {
  const { page } = ctx.browser;
  const { keyId, account } = await newKey(page, 'condition e2e');
  const roleArn = await createRole(page, 'KeyUser');
  await page.evaluate(
    async ([KeyId, account]) => {
      const policy = {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'Root',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${account}:root` },
            Action: 'kms:*',
            Resource: '*',
          },
          {
            Sid: 'Users',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${account}:role/KeyUser` },
            Action: ['kms:Encrypt', 'kms:Decrypt'],
            Resource: '*',
            Condition: { StringEquals: { 'kms:EncryptionContext:TenantId': 'acme' } },
          },
        ],
      };
      await (globalThis as any).pocketKms.call('PutKeyPolicy', {
        KeyId,
        PolicyName: 'default',
        Policy: JSON.stringify(policy),
      });
    },
    [keyId, account] as const,
  );

  const verdict = await simulate(page, { keyId, principal: roleArn, context: ['TenantId', 'other'] });
  await expect.poll(() => text(verdict)).toContain('Denied');
  // The Root statement names the account: it delegates to IAM, and KeyUser has no identity policy.
  expect(await text(verdict)).toContain('no identity policy of role/KeyUser allows kms:Decrypt');
  expect(await text(verdict)).toContain(
    "Statement 'Users' would allow it, but its condition StringEquals kms:EncryptionContext:TenantId does not hold.",
  );
  const result = page.getByRole('region', { name: 'Result' });
  const users = result.getByRole('listitem').filter({ hasText: "statement 'Users'" });
  expect(await text(users)).toContain(
    'Does not apply: condition StringEquals kms:EncryptionContext:TenantId: policy wants acme, request has other.',
  );
  expect(await text(result.getByRole('listitem').filter({ hasText: "statement 'Root'" }))).toContain(
    'Applies: names the account, so it delegates to IAM',
  );

  // The request's condition keys, behind a disclosure.
  await result.getByText('Request condition keys').click();
  const keys = result.getByRole('table');
  await keys.waitFor();
  expect(await text(keys.getByRole('row').filter({ hasText: 'kms:EncryptionContext:TenantId' }))).toContain('other');
  expect(await text(keys.getByRole('row').filter({ hasText: 'aws:PrincipalArn' }))).toContain('role/KeyUser');

  await page.getByLabel('Context value 1').fill('acme');
  await expect
    .poll(() => text(verdict))
    .toContain("Allowed: the key policy allows role/KeyUser directly (statement 'Users')");
});
