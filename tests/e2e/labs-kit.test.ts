// User story: a facilitator sets up a room's starting point in the Terminal (a user with a policy, a role the
// user may assume, a key with a policy naming that user, an alias, a grant, a bucket with SSE-KMS under the
// key and an object in it), exports it from the Labs
// page as a kit with lab 2 in it, and an attendee in a fresh browser profile (another account ID) loads the
// file with one click and has the same setup: the same names, policies that decide the same way, the lab.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { loadApp, openBrowser, useApp } from './harness';

const env = useApp();

const shell = (page: Page, block: string) =>
  page.evaluate((l) => (globalThis as any).pocketKms.shell(l), block) as Promise<{
    stdout: string;
    stderr: string;
    exitCode: number;
  }>;

const SETUP = `set -e
aws iam create-user --user-name kms-user > /dev/null
aws iam put-user-policy --user-name kms-user --policy-name lookup --policy-document '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:DescribeKey", "Resource": "*"}]}'
ACCOUNT=$(aws sts get-caller-identity --query Account --output text)
KEY=$(aws kms create-key --description "Room key" --tags TagKey=room,TagValue=12 --query KeyMetadata.KeyId --output text)
cat > room-policy.json <<END
{"Version": "2012-10-17", "Statement": [
  {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::$ACCOUNT:root"}, "Action": "kms:*", "Resource": "*"},
  {"Sid": "TenantBlue", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::$ACCOUNT:user/kms-user"},
   "Action": "kms:Encrypt", "Resource": "*", "Condition": {"StringEquals": {"kms:EncryptionContext:tenant": "blue"}}}]}
END
cat > room-bucket.json <<END
{"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "arn:aws:kms:us-east-1:$ACCOUNT:key/$KEY"}}]}
END
aws kms put-key-policy --key-id "$KEY" --policy-name default --policy file://room-policy.json
aws kms create-alias --alias-name alias/room --target-key-id "$KEY"
aws kms create-grant --key-id "$KEY" --grantee-principal "arn:aws:iam::$ACCOUNT:user/kms-user" --operations Decrypt --name room-grant > /dev/null
aws s3api create-bucket --bucket room-bucket > /dev/null
aws s3api put-bucket-encryption --bucket room-bucket --server-side-encryption-configuration file://room-bucket.json
echo "the room's starting data" > notes.txt
aws s3api put-object --bucket room-bucket --key notes/notes.txt --body notes.txt --content-type text/plain --metadata owner=facilitator > /dev/null
cat > room-trust.json <<END
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::$ACCOUNT:user/kms-user"}, "Action": "sts:AssumeRole"}]}
END
aws iam create-role --role-name room-auditor --assume-role-policy-document file://room-trust.json > /dev/null
echo ok`;

/** What an attendee sees of the setup, with the account ID and key ID replaced by placeholders. */
const SURVEY = `ACCOUNT=$(aws sts get-caller-identity --query Account --output text)
KEY=$(aws kms describe-key --key-id alias/room --query KeyMetadata.KeyId --output text)
aws iam list-users --query 'Users[].UserName' --output text
aws iam get-user-policy --user-name kms-user --policy-name lookup --query 'PolicyDocument.Statement[0].Action' --output text
aws kms describe-key --key-id alias/room --query 'KeyMetadata.[Description,KeyState]' --output text
aws kms list-resource-tags --key-id "$KEY" --query 'Tags[0].[TagKey,TagValue]' --output text
aws kms get-key-policy --key-id "$KEY" --policy-name default --query Policy --output text | jq -c . | sed "s/$ACCOUNT/ACCOUNT/g"
aws kms list-grants --key-id "$KEY" --query 'Grants[].[Name,GranteePrincipal,Operations[0]]' --output text | sed "s/$ACCOUNT/ACCOUNT/g"
aws s3api get-bucket-encryption --bucket room-bucket --query 'ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID' --output text | sed "s/$ACCOUNT/ACCOUNT/g; s/$KEY/KEY/g"
aws iam get-role --role-name room-auditor --query 'Role.AssumeRolePolicyDocument' --output json | jq -c . | sed "s/$ACCOUNT/ACCOUNT/g"
aws s3api get-object --bucket room-bucket --key notes/notes.txt got.txt --query '[ContentType,Metadata.owner,ServerSideEncryption,SSEKMSKeyId]' --output text | sed "s/$ACCOUNT/ACCOUNT/g; s/$KEY/KEY/g"
cat got.txt`;

describe('facilitator kits', () => {
  it('exports a setup with a lab from one profile and reproduces it in a fresh profile', async () => {
    const facilitator = env.browser.page;
    await facilitator.waitForFunction(() => (globalThis as any).pocketKms?.info !== undefined, null, {
      timeout: 30_000,
    });
    const setup = await shell(facilitator, SETUP);
    expect(setup.stderr).toBe('');
    expect(setup.stdout).toBe('ok\n');
    const before = await shell(facilitator, SURVEY);
    expect(before.stderr).toBe('');

    await facilitator.goto(`${env.app.url}/#/labs`);
    await facilitator.getByLabel('Lab to include').selectOption({ label: 'Separation of duties' });
    const dir = mkdtempSync(join(tmpdir(), 'pocket-kms-kit-'));
    const attendee = await openBrowser();
    try {
      const [download] = await Promise.all([
        facilitator.waitForEvent('download'),
        facilitator.getByRole('button', { name: 'Export a kit' }).click(),
      ]);
      const file = join(dir, 'kit.json');
      await download.saveAs(file);
      await facilitator
        .getByRole('status')
        .filter({
          hasText:
            'Kit exported: 2 user(s) or role(s), 1 key(s), 1 bucket(s), 1 object(s), lab "Separation of duties".',
        })
        .waitFor();

      await loadApp(attendee.page, env.app.url);
      const other = await attendee.page.evaluate(() => (globalThis as any).pocketKms.info.accountId as string);
      const mine = await facilitator.evaluate(() => (globalThis as any).pocketKms.info.accountId as string);
      expect(other).not.toBe(mine);
      await attendee.page.goto(`${env.app.url}/#/labs`);
      await attendee.page.getByLabel('Load a kit').setInputFiles(file);
      await attendee.page
        .getByRole('status')
        .filter({
          hasText: 'Kit loaded: 2 user(s) or role(s), 1 key(s), 1 bucket(s), 1 object(s), lab "Separation of duties".',
        })
        .waitFor();
      const after = await shell(attendee.page, SURVEY);
      expect(after.stderr).toBe('');
      expect(after.stdout).toBe(before.stdout);
      expect(after.stdout).toContain('kms-user\nkms:DescribeKey\nRoom key\tEnabled\nroom\t12\n');
      expect(after.stdout).toContain('room-grant\tarn:aws:iam::ACCOUNT:user/kms-user\tDecrypt\n');
      expect(after.stdout).toContain('arn:aws:kms:us-east-1:ACCOUNT:key/KEY\n');
      // The role's trust policy and the bucket's object (SSE-KMS under the attendee's own key) came along.
      expect(after.stdout).toContain('"Principal":{"AWS":"arn:aws:iam::ACCOUNT:user/kms-user"}');
      expect(after.stdout).toContain(
        "text/plain\tfacilitator\taws:kms\tarn:aws:kms:us-east-1:ACCOUNT:key/KEY\nthe room's starting data\n",
      );

      // The same kit as a #/labs?kit= link: shown, and loaded only on a click.
      const link = await facilitator.getByRole('link', { name: 'kit link' }).getAttribute('href');
      expect(link).toMatch(/#\/labs\?kit=[\w-]+$/);
      const third = await openBrowser();
      try {
        await loadApp(third.page, env.app.url);
        await third.page.goto(link!);
        await third.page
          .getByText(/This link holds a kit: 2 user\(s\) or role\(s\), 1 key\(s\), 1 bucket\(s\)/)
          .waitFor();
        expect((await shell(third.page, 'aws iam list-users --query "length(Users)"')).stdout).toBe('0\n');
        await third.page.getByRole('button', { name: 'Load this kit' }).click();
        await third.page.getByRole('status').filter({ hasText: 'Kit loaded:' }).waitFor();
        expect((await shell(third.page, SURVEY)).stdout).toBe(before.stdout);
      } finally {
        await third.close();
      }
    } finally {
      await attendee.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
