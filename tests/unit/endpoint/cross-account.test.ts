// Several accounts in one keystore, through the unmodified SDKs: account B's principals use account A's key
// only by key ARN, only with the operations AWS allows across accounts, and only when both A's key policy and
// B's identity policies allow; kms:CallerAccount, aws:PrincipalAccount and aws:PrincipalOrgID are real
// condition keys; B's IAM is its own; the simulator says which side decided.
import * as iam from '@aws-sdk/client-iam';
import * as kmsSdk from '@aws-sdk/client-kms';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { organizationId } from '../../../src/kms/accounts';
import { rootCaller } from '../../../src/kms/ids';
import { iamClient, kmsClient, stsClient } from '../helpers/sdk-clients';
import { credentialsOf, freshEndpoint } from '../helpers/sign';

const B = '222233334444';
const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const plaintext = new Uint8Array([1, 2, 3]);

/** Account A (the keystore's) with a key; account B with a user `app` that has an access key. */
async function twoAccounts(keyPolicyFor: (a: string) => object[]) {
  const env = await freshEndpoint();
  const { kms, owner, rootKey } = env;
  const A = kms.keystore.accountId;
  await kms.iam.createAccount(owner, 'Applications', B);
  const bRoot = rootCaller({ ...kms.keystore, accountId: B }, { userAgent: 'vitest' });
  const bRootKey = credentialsOf(await kms.iam.createAccessKey(bRoot, `arn:aws:iam::${B}:root`));
  const bIam = iamClient(kms, bRootKey);
  await bIam.send(new iam.CreateUserCommand({ UserName: 'app' }));
  const { AccessKey } = await bIam.send(new iam.CreateAccessKeyCommand({ UserName: 'app' }));
  const app = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  const aKms = kmsClient(kms, rootKey);
  const { KeyMetadata } = await aKms.send(
    new kmsSdk.CreateKeyCommand({
      Policy: doc([
        { Sid: 'Owner', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'kms:*', Resource: '*' },
        ...keyPolicyFor(A),
      ]),
    }),
  );
  await aKms.send(new kmsSdk.CreateAliasCommand({ AliasName: 'alias/shared', TargetKeyId: KeyMetadata!.KeyId! }));
  const allowApp = (actions: string[], resource = KeyMetadata!.Arn!) =>
    bIam.send(
      new iam.PutUserPolicyCommand({
        UserName: 'app',
        PolicyName: 'use-a-key',
        PolicyDocument: doc([{ Effect: 'Allow', Action: actions, Resource: resource }]),
      }),
    );
  return { ...env, A, bRoot, bRootKey, bIam, app, key: KeyMetadata!, allowApp, asApp: kmsClient(kms, app) };
}

const toB = (actions: string | string[], extra: object = {}) => [
  {
    Sid: 'AccountB',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${B}:root` },
    Action: actions,
    Resource: '*',
    ...extra,
  },
];

describe('cross-account key use between the accounts of one keystore', () => {
  it("needs both A's key policy and B's identity policy, and names the key by ARN", async () => {
    const { kms, A, key, asApp, allowApp, bRootKey } = await twoAccounts(() => toB('kms:*'));
    const encrypt = (KeyId: string) => asApp.send(new kmsSdk.EncryptCommand({ KeyId, Plaintext: plaintext }));
    await expect(encrypt(key.Arn!)).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('because no identity-based policy allows the kms:Encrypt action'),
    });
    await allowApp(['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey', 'kms:DisableKey']);
    const { CiphertextBlob } = await encrypt(key.Arn!);
    // The ciphertext names its key: Decrypt needs no KeyId across accounts either.
    const out = await asApp.send(new kmsSdk.DecryptCommand({ CiphertextBlob }));
    expect(out.KeyId).toBe(key.Arn);
    expect([...out.Plaintext!]).toEqual([...plaintext]);
    expect((await asApp.send(new kmsSdk.DescribeKeyCommand({ KeyId: key.Arn! }))).KeyMetadata!.AWSAccountId).toBe(A);
    // A key ID or an alias is looked up in B's own account, which has no keys.
    await expect(encrypt(key.KeyId!)).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(encrypt('alias/shared')).rejects.toMatchObject({ name: 'NotFoundException' });
    // Operations AWS does not allow across accounts are refused even where both policies allow them.
    await expect(asApp.send(new kmsSdk.DisableKeyCommand({ KeyId: key.Arn! }))).rejects.toMatchObject({
      name: 'NotFoundException',
      message: expect.stringContaining('cannot be used on a key of another account'),
    });
    // A's key is not B's: B's root lists neither it nor A's alias (B's own keys: account-keys.test.ts).
    const bRoot = kmsClient(kms, bRootKey);
    expect((await bRoot.send(new kmsSdk.ListKeysCommand({}))).Keys).toEqual([]);
    expect((await bRoot.send(new kmsSdk.ListAliasesCommand({}))).Aliases).toEqual([]);
  });

  it("refuses B when A's key policy leaves B out, whatever B's own policies say", async () => {
    const { key, asApp, allowApp } = await twoAccounts(() => []);
    await allowApp(['kms:*'], '*');
    await expect(
      asApp.send(new kmsSdk.EncryptCommand({ KeyId: key.Arn!, Plaintext: plaintext })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('because no resource-based policy allows the kms:Encrypt action'),
    });
  });

  it("lets B's root use a key whose policy names B, without identity policies; a key policy naming B's user still needs B's identity policy", async () => {
    const { kms, key, bRootKey, asApp, allowApp } = await twoAccounts(() => [
      ...toB(['kms:Encrypt', 'kms:DescribeKey']),
      {
        Sid: 'AppDirect',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${B}:user/app` },
        Action: 'kms:GenerateDataKey',
        Resource: '*',
      },
    ]);
    await kmsClient(kms, bRootKey).send(new kmsSdk.EncryptCommand({ KeyId: key.Arn!, Plaintext: plaintext }));
    const gdk = () => asApp.send(new kmsSdk.GenerateDataKeyCommand({ KeyId: key.Arn!, KeySpec: 'AES_256' }));
    await expect(gdk()).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await allowApp(['kms:GenerateDataKey']);
    expect((await gdk()).Plaintext).toHaveLength(32);
  });

  it('decides kms:CallerAccount, aws:PrincipalAccount and aws:PrincipalOrgID as real condition keys', async () => {
    const env = await twoAccounts((a) => [
      {
        Sid: 'OrgMembers',
        Effect: 'Allow',
        Principal: '*',
        Action: 'kms:Encrypt',
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': organizationIdOf(a) } },
      },
      {
        Sid: 'OnlyB',
        Effect: 'Allow',
        Principal: '*',
        Action: 'kms:DescribeKey',
        Resource: '*',
        Condition: { StringEquals: { 'kms:CallerAccount': B, 'aws:PrincipalAccount': B } },
      },
    ]);
    const { key, asApp, allowApp } = env;
    await allowApp(['kms:Encrypt', 'kms:DescribeKey', 'kms:GenerateDataKey']);
    await asApp.send(new kmsSdk.EncryptCommand({ KeyId: key.Arn!, Plaintext: plaintext }));
    await asApp.send(new kmsSdk.DescribeKeyCommand({ KeyId: key.Arn! }));
    await expect(
      asApp.send(new kmsSdk.GenerateDataKeyCommand({ KeyId: key.Arn!, KeySpec: 'AES_256' })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it("lets B make a grant on A's key for its user and A revoke it; B cannot retire it as root of B", async () => {
    const { kms, key, bRootKey, asApp, rootKey } = await twoAccounts(() => toB(['kms:CreateGrant', 'kms:DescribeKey']));
    const bRoot = kmsClient(kms, bRootKey);
    const { GrantId } = await bRoot.send(
      new kmsSdk.CreateGrantCommand({
        KeyId: key.Arn!,
        GranteePrincipal: `arn:aws:iam::${B}:user/app`,
        Operations: ['Encrypt'],
      }),
    );
    // A grant allows alone: app has no identity policy at all.
    await asApp.send(new kmsSdk.EncryptCommand({ KeyId: key.Arn!, Plaintext: plaintext }));
    await expect(bRoot.send(new kmsSdk.RetireGrantCommand({ KeyId: key.Arn!, GrantId }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await kmsClient(kms, rootKey).send(new kmsSdk.RevokeGrantCommand({ KeyId: key.KeyId!, GrantId }));
    await expect(
      asApp.send(new kmsSdk.EncryptCommand({ KeyId: key.Arn!, Plaintext: plaintext })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it("keeps each account's IAM its own, and lets B assume A's role when both sides allow", async () => {
    const { kms, A, bIam, bRoot, rootKey, app } = await twoAccounts(() => []);
    const aIam = iamClient(kms, rootKey);
    expect((await bIam.send(new iam.ListUsersCommand({}))).Users!.map((u) => u.Arn)).toEqual([
      `arn:aws:iam::${B}:user/app`,
    ]);
    expect((await aIam.send(new iam.ListUsersCommand({}))).Users).toEqual([]);
    // The same name in A is another user.
    await aIam.send(new iam.CreateUserCommand({ UserName: 'app' }));
    expect(await stsClient(kms, app).send(new GetCallerIdentityCommand({}))).toMatchObject({
      Account: B,
      Arn: `arn:aws:iam::${B}:user/app`,
    });
    await aIam.send(
      new iam.CreateRoleCommand({
        RoleName: 'Auditor',
        AssumeRolePolicyDocument: doc([
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: 'sts:AssumeRole' },
        ]),
      }),
    );
    const assume = () =>
      stsClient(kms, app).send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/Auditor`, RoleSessionName: 'from-b' }),
      );
    await expect(assume()).rejects.toMatchObject({ name: 'AccessDenied' });
    await bIam.send(
      new iam.PutUserPolicyCommand({
        UserName: 'app',
        PolicyName: 'assume',
        PolicyDocument: doc([
          { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${A}:role/Auditor` },
        ]),
      }),
    );
    expect((await assume()).AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${A}:assumed-role/Auditor/from-b`);
    // B's LookupEvents shows its own principals' events only; A's shows the keystore's whole trail.
    const trail = async (caller: typeof bRoot) =>
      ((await kms.lookupEvents({}, (r) => r, caller)) as { Events: { CloudTrailEvent: string }[] }).Events.map(
        (e) => JSON.parse(e.CloudTrailEvent).userIdentity.accountId as string,
      );
    const seenByB = await trail(bRoot);
    expect(seenByB.length).toBeGreaterThan(3);
    expect(new Set(seenByB)).toEqual(new Set([B]));
    expect(new Set(await trail(rootCaller(kms.keystore, { userAgent: 'vitest' })))).toEqual(new Set([A, B]));
  });

  it('explains in the simulator which side allowed or denied', async () => {
    const { kms, key, allowApp } = await twoAccounts(() => toB('kms:Encrypt'));
    const caller = await kms.iam.callerFor(`arn:aws:iam::${B}:user/app`, { userAgent: 'vitest' });
    const before = await kms.simulate(caller, { action: 'kms:Encrypt', keyId: key.Arn! });
    expect(before).toMatchObject({
      allowed: false,
      crossAccount: {
        callerAccount: B,
        keyAccount: kms.keystore.accountId,
        keyPolicy: 'Allow',
        identityPolicies: 'None',
      },
    });
    await allowApp(['kms:Encrypt']);
    const after = await kms.simulate(caller, { action: 'kms:Encrypt', keyId: key.Arn! });
    expect(after).toMatchObject({ allowed: true, crossAccount: { keyPolicy: 'Allow', identityPolicies: 'Allow' } });
    expect(after.context['kms:CallerAccount']).toBe(B);
  });
});

function organizationIdOf(account: string): string {
  return organizationId({ accountId: account, region: 'us-east-1' } as Parameters<typeof organizationId>[0]);
}
