// IAM managed policies over /iam through the unmodified @aws-sdk/client-iam: a customer managed policy's
// lifecycle (versions, the default, the limit of five, deletion rules), attaching customer and AWS managed
// policies to users and roles, and attached policies deciding KMS, IAM and STS calls exactly as inline ones.
import * as iam from '@aws-sdk/client-iam';
import { CreateKeyCommand, DescribeKeyCommand, EncryptCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { iamClient, kmsClient, stsClient } from '../helpers/sdk-clients';
import { freshEndpoint } from '../helpers/sign';

const doc = (actions: string | string[], effect = 'Allow') =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: effect, Action: actions, Resource: '*' }] });

async function setup() {
  const env = await freshEndpoint();
  const root = iamClient(env.kms, env.rootKey);
  const account = env.kms.keystore.accountId;
  const userWithKey = async (name: string) => {
    await root.send(new iam.CreateUserCommand({ UserName: name }));
    const { AccessKey } = await root.send(new iam.CreateAccessKeyCommand({ UserName: name }));
    return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  };
  return { ...env, root, account, userWithKey };
}

describe('IAM managed policies at /iam through the unmodified SDK', () => {
  it('keeps versions of a customer managed policy: create, read, new default, limit of five, delete', async () => {
    const { root, account } = await setup();
    const made = await root.send(
      new iam.CreatePolicyCommand({
        PolicyName: 'KeyReaders',
        PolicyDocument: doc('kms:Describe*'),
        Description: 'read',
      }),
    );
    const arn = `arn:aws:iam::${account}:policy/KeyReaders`;
    expect(made.Policy).toMatchObject({
      PolicyName: 'KeyReaders',
      Arn: arn,
      Path: '/',
      DefaultVersionId: 'v1',
      AttachmentCount: 0,
      IsAttachable: true,
    });
    expect(made.Policy!.PolicyId).toMatch(/^ANPA[A-Z2-7]{17}$/);
    expect(made.Policy!.CreateDate).toBeInstanceOf(Date);
    const got = await root.send(new iam.GetPolicyCommand({ PolicyArn: arn }));
    expect(got.Policy).toMatchObject({ Description: 'read', DefaultVersionId: 'v1' });

    const v2 = await root.send(
      new iam.CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('kms:*'), SetAsDefault: true }),
    );
    expect(v2.PolicyVersion).toMatchObject({ VersionId: 'v2', IsDefaultVersion: true });
    for (let i = 0; i < 3; i++)
      await root.send(new iam.CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('kms:List*') }));
    await expect(
      root.send(new iam.CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('kms:Get*') })),
    ).rejects.toMatchObject({
      name: 'LimitExceededException',
      $metadata: { httpStatusCode: 409 },
      message:
        'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
    });
    const versions = await root.send(new iam.ListPolicyVersionsCommand({ PolicyArn: arn }));
    expect(versions.Versions!.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ['v5', false],
      ['v4', false],
      ['v3', false],
      ['v2', true],
      ['v1', false],
    ]);
    const v1 = await root.send(new iam.GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }));
    // IAM returns documents URL-encoded.
    expect(JSON.parse(decodeURIComponent(v1.PolicyVersion!.Document!))).toEqual(JSON.parse(doc('kms:Describe*')));

    await expect(
      root.send(new iam.DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' })),
    ).rejects.toMatchObject({
      name: 'DeleteConflictException',
      message: 'Cannot delete the default version of a policy.',
    });
    await root.send(new iam.SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v5' }));
    await root.send(new iam.DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }));
    // Version numbers are never reused.
    const v6 = await root.send(new iam.CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('kms:Get*') }));
    expect(v6.PolicyVersion!.VersionId).toBe('v6');

    await expect(root.send(new iam.DeletePolicyCommand({ PolicyArn: arn }))).rejects.toMatchObject({
      name: 'DeleteConflictException',
      message: expect.stringContaining('more than one version'),
    });
    for (const v of ['v1', 'v3', 'v4', 'v6'])
      await root.send(new iam.DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: v }));
    await root.send(new iam.DeletePolicyCommand({ PolicyArn: arn }));
    await expect(root.send(new iam.GetPolicyCommand({ PolicyArn: arn }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      $metadata: { httpStatusCode: 404 },
      message: `Policy ${arn} does not exist or is not attachable.`,
    });
  }, 20_000);

  it('lists AWS managed and local policies by scope, attachment and page', async () => {
    const { root, account } = await setup();
    await root.send(new iam.CreatePolicyCommand({ PolicyName: 'Mine', PolicyDocument: doc('kms:List*') }));
    const aws = await root.send(new iam.ListPoliciesCommand({ Scope: 'AWS' }));
    expect(aws.Policies!.map((p) => p.Arn)).toEqual(
      expect.arrayContaining([
        'arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser',
        'arn:aws:iam::aws:policy/AdministratorAccess',
        'arn:aws:iam::aws:policy/IAMFullAccess',
        'arn:aws:iam::aws:policy/ReadOnlyAccess',
      ]),
    );
    const local = await root.send(new iam.ListPoliciesCommand({ Scope: 'Local' }));
    expect(local.Policies!.map((p) => p.Arn)).toEqual([`arn:aws:iam::${account}:policy/Mine`]);
    expect((await root.send(new iam.ListPoliciesCommand({ OnlyAttached: true }))).Policies).toEqual([]);
    const first = await root.send(new iam.ListPoliciesCommand({ MaxItems: 2 }));
    expect([first.Policies!.length, first.IsTruncated]).toEqual([2, true]);
    const rest = await root.send(new iam.ListPoliciesCommand({ Marker: first.Marker }));
    expect(rest.Policies!.length + 2).toBe((await root.send(new iam.ListPoliciesCommand({}))).Policies!.length);
    const power = await root.send(
      new iam.GetPolicyVersionCommand({
        PolicyArn: 'arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser',
        VersionId: 'v2',
      }),
    );
    expect(JSON.parse(decodeURIComponent(power.PolicyVersion!.Document!)).Statement[0].Action).toContain(
      'kms:CreateKey',
    );
    // AWS managed policies cannot be changed.
    await expect(
      root.send(
        new iam.CreatePolicyVersionCommand({
          PolicyArn: 'arn:aws:iam::aws:policy/IAMFullAccess',
          PolicyDocument: doc('*'),
        }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
  });

  it('lets an attached policy decide KMS and IAM calls like an inline one, until it is detached', async () => {
    const { kms, root, account, userWithKey } = await setup();
    const key = await userWithKey('alice');
    const asAlice = kmsClient(kms, key);
    const aliceIam = iamClient(kms, key);
    await expect(asAlice.send(new CreateKeyCommand({}))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(aliceIam.send(new iam.ListUsersCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });

    const power = 'arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser';
    await root.send(new iam.AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: power }));
    // Attaching again changes nothing.
    await root.send(new iam.AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: power }));
    const { KeyMetadata } = await asAlice.send(new CreateKeyCommand({}));
    expect((await asAlice.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId! }))).KeyMetadata!.KeyId).toBe(
      KeyMetadata!.KeyId,
    );
    // The power user may not encrypt: the policy does not list it.
    await expect(
      asAlice.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId!, Plaintext: new Uint8Array([1]) })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect((await aliceIam.send(new iam.ListUsersCommand({}))).Users!.map((u) => u.UserName)).toEqual(['alice']);

    const attached = await root.send(new iam.ListAttachedUserPoliciesCommand({ UserName: 'alice' }));
    expect(attached.AttachedPolicies).toEqual([{ PolicyName: 'AWSKeyManagementServicePowerUser', PolicyArn: power }]);
    const entities = await root.send(new iam.ListEntitiesForPolicyCommand({ PolicyArn: power }));
    expect(entities.PolicyUsers!.map((u) => u.UserName)).toEqual(['alice']);
    expect((await root.send(new iam.GetPolicyCommand({ PolicyArn: power }))).Policy!.AttachmentCount).toBe(1);

    // A customer managed policy's new default version takes effect at once: a deny of every KMS call.
    const arn = `arn:aws:iam::${account}:policy/Brake`;
    await root.send(new iam.CreatePolicyCommand({ PolicyName: 'Brake', PolicyDocument: doc('iam:GetUser') }));
    await root.send(new iam.AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: arn }));
    await asAlice.send(new ListKeysCommand({}));
    await root.send(
      new iam.CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('kms:*', 'Deny'), SetAsDefault: true }),
    );
    await expect(asAlice.send(new ListKeysCommand({}))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('with an explicit deny in an identity-based policy'),
    });
    await expect(root.send(new iam.DeletePolicyCommand({ PolicyArn: arn }))).rejects.toMatchObject({
      name: 'DeleteConflictException',
      message: 'Cannot delete a policy attached to entities.',
    });
    await expect(root.send(new iam.DeleteUserCommand({ UserName: 'alice' }))).rejects.toMatchObject({
      name: 'DeleteConflictException',
    });
    await root.send(new iam.DetachUserPolicyCommand({ UserName: 'alice', PolicyArn: arn }));
    await asAlice.send(new ListKeysCommand({}));
    await root.send(new iam.DetachUserPolicyCommand({ UserName: 'alice', PolicyArn: power }));
    await expect(asAlice.send(new ListKeysCommand({}))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(
      root.send(new iam.DetachUserPolicyCommand({ UserName: 'alice', PolicyArn: power })),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException', message: `Policy ${power} was not found.` });
  });

  it('lets a policy attached to the caller allow sts:AssumeRole where the trust policy names the account', async () => {
    const { kms, root, account, userWithKey } = await setup();
    const key = await userWithKey('bob');
    await root.send(
      new iam.CreateRoleCommand({
        RoleName: 'KeyUser',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    const sts = stsClient(kms, key);
    const roleArn = `arn:aws:iam::${account}:role/KeyUser`;
    await expect(sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 's1' }))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    await root.send(
      new iam.CreatePolicyCommand({ PolicyName: 'AssumeKeyUser', PolicyDocument: doc('sts:AssumeRole') }),
    );
    await root.send(
      new iam.AttachUserPolicyCommand({ UserName: 'bob', PolicyArn: `arn:aws:iam::${account}:policy/AssumeKeyUser` }),
    );
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 's1' }));
    expect(out.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${account}:assumed-role/KeyUser/s1`);

    // A policy attached to the role acts for its sessions.
    const session = kmsClient(kms, {
      accessKeyId: out.Credentials!.AccessKeyId!,
      secretAccessKey: out.Credentials!.SecretAccessKey!,
      sessionToken: out.Credentials!.SessionToken!,
    });
    await expect(session.send(new ListKeysCommand({}))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await root.send(
      new iam.AttachRolePolicyCommand({ RoleName: 'KeyUser', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }),
    );
    await session.send(new ListKeysCommand({}));
    const attached = await root.send(new iam.ListAttachedRolePoliciesCommand({ RoleName: 'KeyUser' }));
    expect(attached.AttachedPolicies!.map((p) => p.PolicyName)).toEqual(['ReadOnlyAccess']);
    await expect(root.send(new iam.DeleteRoleCommand({ RoleName: 'KeyUser' }))).rejects.toMatchObject({
      name: 'DeleteConflictException',
      message: 'Cannot delete entity, must detach all policies first.',
    });
  });

  it("answers bad input with IAM's codes and messages and changes nothing", async () => {
    const { root, account } = await setup();
    await root.send(new iam.CreateUserCommand({ UserName: 'carol' }));
    await root.send(new iam.CreatePolicyCommand({ PolicyName: 'Taken', PolicyDocument: doc('kms:List*') }));
    const cases: [() => Promise<unknown>, string, number, string?][] = [
      [
        () => root.send(new iam.CreatePolicyCommand({ PolicyName: 'taken', PolicyDocument: doc('kms:List*') })),
        'EntityAlreadyExistsException',
        409,
        'A policy called taken already exists. Duplicate names are not allowed.',
      ],
      [
        () => root.send(new iam.CreatePolicyCommand({ PolicyName: 'Bad', PolicyDocument: '{"Version":' })),
        'MalformedPolicyDocumentException',
        400,
      ],
      [
        () =>
          root.send(
            new iam.CreatePolicyCommand({ PolicyName: 'Huge', PolicyDocument: doc(Array(700).fill('kms:Describe*')) }),
          ),
        'LimitExceededException',
        409,
        'Cannot exceed quota for PolicySize: 6144',
      ],
      [
        () => root.send(new iam.AttachUserPolicyCommand({ UserName: 'carol', PolicyArn: 'not-an-arn-at-all-really' })),
        'InvalidInputException',
        400,
      ],
      [
        () =>
          root.send(
            new iam.AttachUserPolicyCommand({ UserName: 'carol', PolicyArn: `arn:aws:iam::${account}:policy/Nope` }),
          ),
        'NoSuchEntityException',
        404,
      ],
      [
        () =>
          root.send(
            new iam.AttachUserPolicyCommand({ UserName: 'ghost', PolicyArn: `arn:aws:iam::${account}:policy/Taken` }),
          ),
        'NoSuchEntityException',
        404,
        'The user with name ghost cannot be found.',
      ],
      [
        () =>
          root.send(
            new iam.GetPolicyVersionCommand({ PolicyArn: `arn:aws:iam::${account}:policy/Taken`, VersionId: 'v9' }),
          ),
        'NoSuchEntityException',
        404,
      ],
      [
        () =>
          root.send(
            new iam.SetDefaultPolicyVersionCommand({
              PolicyArn: `arn:aws:iam::${account}:policy/Taken`,
              VersionId: 'x',
            }),
          ),
        'ValidationError',
        400,
      ],
      [
        () => root.send(new iam.ListPoliciesCommand({ Scope: 'Everything' as iam.PolicyScopeType })),
        'ValidationError',
        400,
      ],
    ];
    for (const [call, name, status, message] of cases)
      await expect(call(), name).rejects.toMatchObject({
        name,
        $metadata: { httpStatusCode: status },
        ...(message ? { message } : {}),
      });
    // Eleven attachments exceed IAM's quota of ten per user.
    for (let i = 0; i < 10; i++) {
      await root.send(new iam.CreatePolicyCommand({ PolicyName: `p${i}`, PolicyDocument: doc('kms:List*') }));
      await root.send(
        new iam.AttachUserPolicyCommand({ UserName: 'carol', PolicyArn: `arn:aws:iam::${account}:policy/p${i}` }),
      );
    }
    await expect(
      root.send(
        new iam.AttachUserPolicyCommand({ UserName: 'carol', PolicyArn: `arn:aws:iam::${account}:policy/Taken` }),
      ),
    ).rejects.toMatchObject({ name: 'LimitExceededException', message: 'Cannot exceed quota for PoliciesPerUser: 10' });
    expect(
      (await root.send(new iam.ListAttachedUserPoliciesCommand({ UserName: 'carol' }))).AttachedPolicies,
    ).toHaveLength(10);
    // The SDK retries LimitExceededException as throttling (with back-off), as against AWS.
  }, 30_000);

  it('is authorized as iam:<Action> and recorded as iam.amazonaws.com events', async () => {
    const { kms, root, userWithKey } = await setup();
    const key = await userWithKey('dave');
    const dave = iamClient(kms, key);
    await expect(
      dave.send(new iam.CreatePolicyCommand({ PolicyName: 'Sneaky', PolicyDocument: doc('*') })),
    ).rejects.toMatchObject({ name: 'AccessDenied', message: expect.stringContaining('iam:CreatePolicy') });
    // Only an administrator may attach AdministratorAccess to itself: dave has no iam:AttachUserPolicy.
    await expect(
      dave.send(
        new iam.AttachUserPolicyCommand({ UserName: 'dave', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    await root.send(
      new iam.AttachUserPolicyCommand({ UserName: 'dave', PolicyArn: 'arn:aws:iam::aws:policy/IAMFullAccess' }),
    );
    await dave.send(new iam.CreatePolicyCommand({ PolicyName: 'Fine', PolicyDocument: doc('kms:List*') }));
    await dave.send(new iam.ListPoliciesCommand({}));
    const { Events } = (await kms.audit.lookupEvents({})) as {
      Events: { EventName: string; EventSource: string; Username: string; ReadOnly: string }[];
    };
    expect(Events.find((e) => e.EventName === 'CreatePolicy' && e.Username === 'dave')).toMatchObject({
      EventSource: 'iam.amazonaws.com',
      ReadOnly: 'false',
    });
    expect(Events.find((e) => e.EventName === 'ListPolicies')).toMatchObject({ ReadOnly: 'true' });
    expect(Events.filter((e) => e.EventName === 'AttachUserPolicy').length).toBe(2);
  });
});
