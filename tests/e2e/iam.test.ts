// User story: a lab sheet that starts with `aws iam …` runs in the terminal. The root makes a key user
// with an inline policy and an access key; the sheet then works as that user (its keys in the
// environment, signed in the page as the CLI would): it may encrypt, is refused IAM, and the trail names
// it. The unmodified @aws-sdk/client-iam reaches the same /iam through the service worker.
// The separation-of-duties lab then runs whole in the terminal: an administrator with an attached AWS managed
// policy, roles with trust policies, sessions, an encryption-context condition, a grant made and revoked (expiry of
// the session credentials is checked on an injected clock in tests/unit/endpoint/separation-of-duties-lab.test.ts).
import { describe, expect, it } from 'vitest';
import { shell, useApp } from './harness';

const env = useApp();

describe('aws iam in the terminal', () => {
  it('runs a separation-of-duties start: a user with a policy and a key, who may encrypt and not administer', async () => {
    const { page } = env.browser;
    const setup = await shell(
      page,
      [
        'set -e',
        'aws iam create-user --user-name key-user --tags Key=team,Value=app > user.json',
        'cat > kms-use.json <<EOF',
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}]}',
        'EOF',
        'aws iam put-user-policy --user-name key-user --policy-name kms-use --policy-document file://kms-use.json',
        'KEY_ID=$(aws kms create-key --description iam-lab --query KeyMetadata.KeyId --output text)',
        'aws iam create-access-key --user-name key-user > key.json',
        'aws iam get-user-policy --user-name key-user --policy-name kms-use --query PolicyDocument.Statement[0].Action --output text',
      ].join('\n'),
    );
    expect(setup.stderr).toBe('');
    expect(setup.exitCode).toBe(0);
    expect(setup.stdout).toBe('kms:Encrypt\tkms:Decrypt\n');

    const asUser = await shell(
      page,
      [
        // The session keeps `set -e` from the block above, as bash would: this block goes on after a failure.
        'set +e',
        'export AWS_ACCESS_KEY_ID=$(jq -r .AccessKey.AccessKeyId key.json)',
        'export AWS_SECRET_ACCESS_KEY=$(jq -r .AccessKey.SecretAccessKey key.json)',
        'aws sts get-caller-identity --query Arn --output text',
        'echo -n hello > hello.txt',
        'aws kms encrypt --key-id "$KEY_ID" --plaintext fileb://hello.txt --query KeyId --output text > /dev/null && echo encrypted',
        'aws iam create-user --user-name intruder',
        'echo "status $?"',
      ].join('\n'),
    );
    const account = await page.evaluate(() => (globalThis as any).pocketKms.info.accountId as string);
    expect(asUser.stdout).toBe(`arn:aws:iam::${account}:user/key-user\nencrypted\nstatus 254\n`);
    expect(asUser.stderr).toBe(
      `\nAn error occurred (AccessDenied) when calling the CreateUser operation: User: arn:aws:iam::${account}:user/key-user is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${account}:user/intruder because no identity-based policy allows the iam:CreateUser action\n`,
    );

    // Back as the console's identity (the root): the user cannot go while it has a policy and a key.
    const cleanup = await shell(
      page,
      [
        'unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY',
        'aws iam delete-user --user-name key-user',
        'echo "status $?"',
        'aws iam delete-user-policy --user-name key-user --policy-name kms-use',
        'aws iam delete-access-key --user-name key-user --access-key-id $(jq -r .AccessKey.AccessKeyId key.json)',
        'aws iam delete-user --user-name key-user && echo deleted',
      ].join('\n'),
    );
    expect(cleanup.stderr).toBe(
      '\nAn error occurred (DeleteConflict) when calling the DeleteUser operation: Cannot delete entity, must delete policies first.\n',
    );
    expect(cleanup.stdout).toBe('status 254\ndeleted\n');
  });

  it('records the calls as iam.amazonaws.com events of the user who made them', async () => {
    const { page } = env.browser;
    const events = await page.evaluate(async () => {
      const api = (globalThis as any).pocketKms.api;
      const r = await api.lookupEvents({
        LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'iam.amazonaws.com' }],
      });
      return (r.Events as { EventName: string; Username: string; ErrorCode?: string }[]).map((e) => [
        e.EventName,
        e.Username,
      ]);
    });
    expect(events).toContainEqual(['CreateUser', 'root']);
    expect(events).toContainEqual(['CreateUser', 'key-user']);
    expect(events).toContainEqual(['PutUserPolicy', 'root']);
  });
});

describe('aws sts assume-role in the terminal', () => {
  it('assumes a role with a trust policy, works as the session with its token, and the trail names it', async () => {
    const { page } = env.browser;
    const account = await page.evaluate(() => (globalThis as any).pocketKms.info.accountId as string);
    const setup = await shell(
      page,
      [
        'set +e',
        'unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN',
        'ACCOUNT=$(aws sts get-caller-identity --query Account --output text)',
        'cat > trust.json <<EOF',
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${ACCOUNT}:root"}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "lab-42"}}}]}',
        'EOF',
        'aws iam create-role --role-name KeyUser --assume-role-policy-document file://trust.json --query Role.Arn --output text',
        `aws iam put-role-policy --role-name KeyUser --policy-name use --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}'`,
        'KEY_ID=$(aws kms create-key --description sts-lab --query KeyMetadata.KeyId --output text)',
        'aws sts assume-role --role-arn arn:aws:iam::${ACCOUNT}:role/KeyUser --role-session-name lab-session --external-id lab-42 > session.json',
        'export AWS_ACCESS_KEY_ID=$(jq -r .Credentials.AccessKeyId session.json)',
        'export AWS_SECRET_ACCESS_KEY=$(jq -r .Credentials.SecretAccessKey session.json)',
        'export AWS_SESSION_TOKEN=$(jq -r .Credentials.SessionToken session.json)',
        'aws sts get-caller-identity --query Arn --output text',
        'echo -n hi > hi.txt',
        'aws kms encrypt --key-id "$KEY_ID" --plaintext fileb://hi.txt --query KeyId --output text > /dev/null && echo encrypted',
        'aws kms create-key > /dev/null; echo "create-key $?"',
        'unset AWS_SESSION_TOKEN',
        'aws kms encrypt --key-id "$KEY_ID" --plaintext fileb://hi.txt > /dev/null; echo "without token $?"',
        'unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY',
      ].join('\n'),
    );
    expect(setup.stdout).toBe(
      `arn:aws:iam::${account}:role/KeyUser\narn:aws:sts::${account}:assumed-role/KeyUser/lab-session\nencrypted\ncreate-key 254\nwithout token 254\n`,
    );
    expect(setup.stderr).toContain(
      `An error occurred (AccessDeniedException) when calling the CreateKey operation: User: arn:aws:sts::${account}:assumed-role/KeyUser/lab-session is not authorized to perform: kms:CreateKey`,
    );
    expect(setup.stderr).toContain(
      'An error occurred (UnrecognizedClientException) when calling the Encrypt operation',
    );
    const encrypt = await page.evaluate(async () => {
      const api = (globalThis as any).pocketKms.api;
      const r = await api.lookupEvents({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'Encrypt' }],
      });
      return JSON.parse(r.Events[0].CloudTrailEvent).userIdentity;
    });
    expect(encrypt).toMatchObject({
      type: 'AssumedRole',
      arn: `arn:aws:sts::${account}:assumed-role/KeyUser/lab-session`,
      sessionContext: {
        sessionIssuer: { arn: `arn:aws:iam::${account}:role/KeyUser` },
        attributes: { mfaAuthenticated: 'false' },
      },
    });
    expect(encrypt.accessKeyId).toMatch(/^ASIA/);
  });
});

describe('the separation-of-duties lab in the terminal', () => {
  it('runs from the root to a revoked grant, each step in the trail as its caller', async () => {
    const { page } = env.browser;
    const account = await page.evaluate(() => (globalThis as any).pocketKms.info.accountId as string);
    const run = async (lines: string[]) => {
      const r = await shell(page, lines.join('\n'));
      return { out: r.stdout, err: r.stderr };
    };
    const as = (file: string, field = 'AccessKey') => [
      `export AWS_ACCESS_KEY_ID=$(jq -r .${field}.AccessKeyId ${file})`,
      `export AWS_SECRET_ACCESS_KEY=$(jq -r .${field}.SecretAccessKey ${file})`,
      ...(field === 'Credentials' ? [`export AWS_SESSION_TOKEN=$(jq -r .Credentials.SessionToken ${file})`] : []),
    ];
    const asRoot = ['unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN'];

    // The root: an administrator with IAM rights through an attached AWS managed policy, and the lab's key.
    const root = await run([
      'set +e',
      ...asRoot,
      'aws iam create-user --user-name lab-admin > /dev/null',
      'aws iam attach-user-policy --user-name lab-admin --policy-arn arn:aws:iam::aws:policy/IAMFullAccess',
      'aws iam create-access-key --user-name lab-admin > lab-admin.json',
      'cat > lab-key-policy.json <<EOF',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${account}:root` },
            Action: 'kms:*',
            Resource: '*',
            Condition: { StringEquals: { 'aws:PrincipalType': 'Root' } },
          },
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${account}:role/LabKeyAdmin` },
            Action: ['kms:Create*', 'kms:Describe*', 'kms:Revoke*', 'kms:List*'],
            Resource: '*',
          },
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${account}:role/LabKeyUser` },
            Action: ['kms:Encrypt', 'kms:Decrypt'],
            Resource: '*',
            Condition: { StringEquals: { 'kms:EncryptionContext:TenantId': 'acme' } },
          },
        ],
      }),
      'EOF',
      'aws kms create-key --description sod-lab --policy file://lab-key-policy.json --query KeyMetadata.KeyId --output text > lab-key.txt',
      'echo "root $?"',
    ]);
    expect(root).toEqual({ out: 'root 0\n', err: '' });

    // The administrator: the roles with trust policies, a policy to assume each, and a user who may assume KeyUser.
    const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${account}:root"},"Action":"sts:AssumeRole"}]}`;
    const admin = await run([
      ...as('lab-admin.json'),
      'aws iam get-user --query User.UserName --output text',
      `aws iam create-role --role-name LabKeyAdmin --assume-role-policy-document '${trust}' > /dev/null`,
      `aws iam create-role --role-name LabKeyUser --assume-role-policy-document '${trust}' > /dev/null`,
      `aws iam create-policy --policy-name AssumeLabKeyUser --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::${account}:role/LabKeyUser"}]}' > /dev/null`,
      `aws iam create-policy --policy-name AssumeLabKeyAdmin --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::${account}:role/LabKeyAdmin"}]}' > /dev/null`,
      'aws iam create-user --user-name lab-alice > /dev/null',
      `aws iam attach-user-policy --user-name lab-alice --policy-arn arn:aws:iam::${account}:policy/AssumeLabKeyUser`,
      `aws iam attach-user-policy --user-name lab-admin --policy-arn arn:aws:iam::${account}:policy/AssumeLabKeyAdmin`,
      'aws iam create-access-key --user-name lab-alice > lab-alice.json',
      'aws kms list-keys > /dev/null; echo "admin list-keys $?"',
    ]);
    expect(admin.out).toBe('lab-admin\nadmin list-keys 254\n');

    // Alice as KeyUser encrypts for acme only; the administrator as KeyAdmin grants globex, then revokes it.
    const lab = await run([
      ...as('lab-alice.json'),
      `aws sts assume-role --role-arn arn:aws:iam::${account}:role/LabKeyUser --role-session-name alice > user-session.json`,
      ...as('lab-admin.json'),
      `aws sts assume-role --role-arn arn:aws:iam::${account}:role/LabKeyAdmin --role-session-name admin > admin-session.json`,
      'KEY=$(cat lab-key.txt)',
      'echo -n secret > s.txt',
      ...as('user-session.json', 'Credentials'),
      'aws kms encrypt --key-id $KEY --plaintext fileb://s.txt --encryption-context TenantId=acme > /dev/null; echo "acme $?"',
      'aws kms encrypt --key-id $KEY --plaintext fileb://s.txt --encryption-context TenantId=globex > /dev/null 2>&1; echo "globex $?"',
      ...as('admin-session.json', 'Credentials'),
      `GRANT=$(aws kms create-grant --key-id $KEY --grantee-principal arn:aws:iam::${account}:role/LabKeyUser --operations Encrypt --constraints '{"EncryptionContextSubset":{"TenantId":"globex"}}' --query GrantId --output text)`,
      ...as('user-session.json', 'Credentials'),
      'aws kms encrypt --key-id $KEY --plaintext fileb://s.txt --encryption-context TenantId=globex > /dev/null; echo "granted $?"',
      ...as('admin-session.json', 'Credentials'),
      'aws kms revoke-grant --key-id $KEY --grant-id $GRANT; echo "revoked $?"',
      ...as('user-session.json', 'Credentials'),
      'aws kms encrypt --key-id $KEY --plaintext fileb://s.txt --encryption-context TenantId=globex > /dev/null 2>&1; echo "after $?"',
      ...asRoot,
    ]);
    expect(lab.out).toBe('acme 0\nglobex 254\ngranted 0\nrevoked 0\nafter 254\n');

    const trail = await page.evaluate(async () => {
      const api = (globalThis as any).pocketKms.api;
      const records = [];
      for (const name of ['AttachUserPolicy', 'CreateRole', 'AssumeRole', 'Encrypt', 'CreateGrant', 'RevokeGrant']) {
        const r = await api.lookupEvents({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: name }] });
        records.push(...r.Events.map((e: { CloudTrailEvent: string }) => JSON.parse(e.CloudTrailEvent)));
      }
      return records.map((r: any) => [r.eventName, r.userIdentity.type, r.userIdentity.arn, r.errorCode ?? 'ok']);
    });
    const sts = (role: string, s: string) => `arn:aws:sts::${account}:assumed-role/${role}/${s}`;
    expect(trail).toContainEqual(['AttachUserPolicy', 'Root', `arn:aws:iam::${account}:root`, 'ok']);
    expect(trail).toContainEqual(['CreateRole', 'IAMUser', `arn:aws:iam::${account}:user/lab-admin`, 'ok']);
    expect(trail).toContainEqual(['AssumeRole', 'IAMUser', `arn:aws:iam::${account}:user/lab-alice`, 'ok']);
    expect(trail).toContainEqual(['Encrypt', 'AssumedRole', sts('LabKeyUser', 'alice'), 'ok']);
    expect(trail).toContainEqual(['Encrypt', 'AssumedRole', sts('LabKeyUser', 'alice'), 'AccessDenied']);
    expect(trail).toContainEqual(['CreateGrant', 'AssumedRole', sts('LabKeyAdmin', 'admin'), 'ok']);
    expect(trail).toContainEqual(['RevokeGrant', 'AssumedRole', sts('LabKeyAdmin', 'admin'), 'ok']);
  });
});
