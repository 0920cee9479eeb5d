// User story: a lab sheet that starts with `aws iam …` runs in the terminal. The root makes a key user
// with an inline policy and an access key; the sheet then works as that user (its keys in the
// environment, signed in the page as the CLI would): it may encrypt, is refused IAM, and the trail names
// it. The unmodified @aws-sdk/client-iam reaches the same /iam through the service worker.
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
