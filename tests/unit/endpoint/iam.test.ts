// POST /iam answers the IAM Query protocol for the unmodified @aws-sdk/client-iam: the root makes an
// administrator, who makes users and roles with trust policies, inline policies, tags and access keys;
// IAM itself is authorized by identity policies; refusals carry IAM's codes and change nothing; every
// call is an iam.amazonaws.com event.
import * as iam from '@aws-sdk/client-iam';
import { EncryptCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { iamClient, kmsClient } from '../helpers/sdk-clients';
import { freshEndpoint } from '../helpers/sign';

const client = iamClient;

const TRUST = (account: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }],
  });
const ALLOW_IAM = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }],
});
const ALLOW_ENCRYPT = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:CreateKey'], Resource: '*' }],
});

async function adminSetup() {
  const env = await freshEndpoint();
  const root = client(env.kms, env.rootKey);
  await root.send(new iam.CreateUserCommand({ UserName: 'admin', Tags: [{ Key: 'team', Value: 'security' }] }));
  await root.send(
    new iam.PutUserPolicyCommand({ UserName: 'admin', PolicyName: 'iam-all', PolicyDocument: ALLOW_IAM }),
  );
  const { AccessKey } = await root.send(new iam.CreateAccessKeyCommand({ UserName: 'admin' }));
  const adminKey = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  return { ...env, root, admin: client(env.kms, adminKey), adminKey };
}

describe('IAM at /iam through the unmodified SDK', () => {
  it('creates, reads, lists and deletes users and roles as IAM shapes them', async () => {
    const { kms, admin } = await adminSetup();
    const account = kms.keystore.accountId;
    const made = await admin.send(new iam.CreateUserCommand({ UserName: 'key-user' }));
    expect(made.User).toMatchObject({
      Path: '/',
      UserName: 'key-user',
      Arn: `arn:aws:iam::${account}:user/key-user`,
    });
    expect(made.User!.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(made.User!.CreateDate).toBeInstanceOf(Date);

    const got = await admin.send(new iam.GetUserCommand({ UserName: 'admin' }));
    expect(got.User!.Tags).toEqual([{ Key: 'team', Value: 'security' }]);
    const me = await admin.send(new iam.GetUserCommand({}));
    expect(me.User!.UserName).toBe('admin');

    const role = await admin.send(
      new iam.CreateRoleCommand({
        RoleName: 'KeyUser',
        AssumeRolePolicyDocument: TRUST(account),
        Description: 'uses keys',
        MaxSessionDuration: 7200,
      }),
    );
    expect(role.Role).toMatchObject({ RoleName: 'KeyUser', Description: 'uses keys', MaxSessionDuration: 7200 });
    expect(role.Role!.RoleId).toMatch(/^AROA/);
    // IAM returns policy documents URL-encoded.
    expect(JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!))).toEqual(JSON.parse(TRUST(account)));

    const users = await admin.send(new iam.ListUsersCommand({}));
    expect(users.Users!.map((u) => u.UserName)).toEqual(['admin', 'key-user']);
    expect(users.IsTruncated).toBe(false);
    const first = await admin.send(new iam.ListUsersCommand({ MaxItems: 1 }));
    expect([first.Users!.map((u) => u.UserName), first.IsTruncated]).toEqual([['admin'], true]);
    const next = await admin.send(new iam.ListUsersCommand({ MaxItems: 1, Marker: first.Marker }));
    expect([next.Users!.map((u) => u.UserName), next.IsTruncated]).toEqual([['key-user'], false]);
    expect((await admin.send(new iam.ListRolesCommand({}))).Roles!.map((r) => r.RoleName)).toEqual(['KeyUser']);

    await admin.send(new iam.DeleteRoleCommand({ RoleName: 'KeyUser' }));
    await expect(admin.send(new iam.GetRoleCommand({ RoleName: 'KeyUser' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: 'The role with name KeyUser cannot be found.',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('keeps inline policies, trust policies, tags and access keys, and the policies decide KMS calls', async () => {
    const { kms, admin } = await adminSetup();
    await admin.send(new iam.CreateUserCommand({ UserName: 'app' }));
    await admin.send(
      new iam.PutUserPolicyCommand({ UserName: 'app', PolicyName: 'kms', PolicyDocument: ALLOW_ENCRYPT }),
    );
    const doc = await admin.send(new iam.GetUserPolicyCommand({ UserName: 'app', PolicyName: 'kms' }));
    expect(JSON.parse(decodeURIComponent(doc.PolicyDocument!))).toEqual(JSON.parse(ALLOW_ENCRYPT));
    expect((await admin.send(new iam.ListUserPoliciesCommand({ UserName: 'app' }))).PolicyNames).toEqual(['kms']);

    const { AccessKey } = await admin.send(new iam.CreateAccessKeyCommand({ UserName: 'app' }));
    expect(AccessKey).toMatchObject({ UserName: 'app', Status: 'Active' });
    expect(AccessKey!.SecretAccessKey).toHaveLength(40);
    const appKey = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    const app = kmsClient(kms, appKey);
    const { KeyMetadata } = await app.send(new (await import('@aws-sdk/client-kms')).CreateKeyCommand({}));
    await app.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: new Uint8Array([1]) }));

    const listed = await admin.send(new iam.ListAccessKeysCommand({ UserName: 'app' }));
    expect(listed.AccessKeyMetadata).toEqual([
      expect.objectContaining({ UserName: 'app', AccessKeyId: appKey.accessKeyId, Status: 'Active' }),
    ]);
    await admin.send(
      new iam.UpdateAccessKeyCommand({ UserName: 'app', AccessKeyId: appKey.accessKeyId, Status: 'Inactive' }),
    );
    await expect(
      app.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: new Uint8Array([1]) })),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException' });

    await admin.send(new iam.TagUserCommand({ UserName: 'app', Tags: [{ Key: 'env', Value: 'lab' }] }));
    expect((await admin.send(new iam.ListUserTagsCommand({ UserName: 'app' }))).Tags).toEqual([
      { Key: 'env', Value: 'lab' },
    ]);
    await admin.send(new iam.UntagUserCommand({ UserName: 'app', TagKeys: ['env'] }));
    expect((await admin.send(new iam.ListUserTagsCommand({ UserName: 'app' }))).Tags).toEqual([]);

    // A user with keys or policies is not deleted (DeleteConflict), and nothing of it goes.
    await expect(admin.send(new iam.DeleteUserCommand({ UserName: 'app' }))).rejects.toMatchObject({
      name: 'DeleteConflictException',
      $metadata: { httpStatusCode: 409 },
    });
    expect((await admin.send(new iam.ListUserPoliciesCommand({ UserName: 'app' }))).PolicyNames).toEqual(['kms']);
    await admin.send(new iam.DeleteUserPolicyCommand({ UserName: 'app', PolicyName: 'kms' }));
    await admin.send(new iam.DeleteAccessKeyCommand({ UserName: 'app', AccessKeyId: appKey.accessKeyId }));
    await admin.send(new iam.DeleteUserCommand({ UserName: 'app' }));

    await admin.send(
      new iam.CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: TRUST(kms.keystore.accountId) }),
    );
    const other = TRUST('111122223333');
    await admin.send(new iam.UpdateAssumeRolePolicyCommand({ RoleName: 'R', PolicyDocument: other }));
    const r = await admin.send(new iam.GetRoleCommand({ RoleName: 'R' }));
    expect(JSON.parse(decodeURIComponent(r.Role!.AssumeRolePolicyDocument!))).toEqual(JSON.parse(other));
  });

  it('authorizes IAM by identity policies: a user without iam rights is denied, and nothing changes', async () => {
    const { kms, admin } = await adminSetup();
    await admin.send(new iam.CreateUserCommand({ UserName: 'plain' }));
    const { AccessKey } = await admin.send(new iam.CreateAccessKeyCommand({ UserName: 'plain' }));
    const plain = client(kms, { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! });
    await expect(plain.send(new iam.CreateUserCommand({ UserName: 'sneaky' }))).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
      message: expect.stringContaining(
        `is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${kms.keystore.accountId}:user/sneaky`,
      ),
    });
    await expect(
      plain.send(new iam.PutUserPolicyCommand({ UserName: 'plain', PolicyName: 'p', PolicyDocument: ALLOW_IAM })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    expect((await admin.send(new iam.ListUsersCommand({}))).Users!.map((u) => u.UserName)).toEqual(['admin', 'plain']);
    expect((await admin.send(new iam.ListUserPoliciesCommand({ UserName: 'plain' }))).PolicyNames).toEqual([]);
  });

  it('answers bad input with IAM error codes and changes nothing', async () => {
    const { kms, admin } = await adminSetup();
    const account = kms.keystore.accountId;
    const cases: [() => Promise<unknown>, string, number][] = [
      [() => admin.send(new iam.CreateUserCommand({ UserName: 'admin' })), 'EntityAlreadyExistsException', 409],
      [() => admin.send(new iam.CreateUserCommand({ UserName: 'bad name!' })), 'ValidationError', 400],
      [() => admin.send(new iam.GetUserCommand({ UserName: 'ghost' })), 'NoSuchEntityException', 404],
      [() => admin.send(new iam.DeleteUserCommand({ UserName: 'ghost' })), 'NoSuchEntityException', 404],
      [
        () =>
          admin.send(
            new iam.PutUserPolicyCommand({ UserName: 'admin', PolicyName: 'x', PolicyDocument: '{"Version":' }),
          ),
        'MalformedPolicyDocumentException',
        400,
      ],
      [
        () =>
          admin.send(
            new iam.CreateRoleCommand({
              RoleName: 'NoPrincipal',
              AssumeRolePolicyDocument: JSON.stringify({
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }],
              }),
            }),
          ),
        'MalformedPolicyDocumentException',
        400,
      ],
      [
        () =>
          admin.send(
            new iam.CreateRoleCommand({
              RoleName: 'Long',
              AssumeRolePolicyDocument: TRUST(account),
              MaxSessionDuration: 60,
            }),
          ),
        'ValidationError',
        400,
      ],
      [() => admin.send(new iam.CreateAccessKeyCommand({ UserName: 'admin' })), 'LimitExceededException', 409],
      [
        () => admin.send(new iam.DeleteAccessKeyCommand({ UserName: 'admin', AccessKeyId: 'AKIANOPE' })),
        'NoSuchEntityException',
        404,
      ],
      [() => admin.send(new iam.ListUsersCommand({ MaxItems: 0 })), 'ValidationError', 400],
    ];
    // The admin has one key; a second is allowed, a third is the limit.
    await admin.send(new iam.CreateAccessKeyCommand({ UserName: 'admin' }));
    const before = await admin.send(new iam.ListRolesCommand({}));
    for (const [call, name, status] of cases)
      await expect(call(), name).rejects.toMatchObject({ name, $metadata: { httpStatusCode: status } });
    expect(await admin.send(new iam.ListRolesCommand({}))).toMatchObject({ Roles: before.Roles });
    expect((await admin.send(new iam.ListAccessKeysCommand({}))).AccessKeyMetadata).toHaveLength(2);
  });

  it('records every IAM call as an iam.amazonaws.com event of its caller, with the request ID it answered', async () => {
    const { kms, admin } = await adminSetup();
    const out = await admin.send(new iam.CreateUserCommand({ UserName: 'audited' }));
    await admin.send(new iam.ListUsersCommand({}));
    const { Events } = (await kms.audit.lookupEvents({})) as {
      Events: { EventName: string; EventSource: string; Username: string; CloudTrailEvent: string; ReadOnly: string }[];
    };
    const created = Events.find((e) => e.EventName === 'CreateUser' && e.CloudTrailEvent.includes('audited'))!;
    expect(created).toMatchObject({ EventSource: 'iam.amazonaws.com', Username: 'admin', ReadOnly: 'false' });
    expect(JSON.parse(created.CloudTrailEvent).requestID).toBe(out.$metadata.requestId);
    expect(Events.find((e) => e.EventName === 'ListUsers')).toMatchObject({ ReadOnly: 'true' });
    // The secret of an access key never reaches the trail.
    const { AccessKey } = await admin.send(new iam.CreateAccessKeyCommand({ UserName: 'audited' }));
    const trail = JSON.stringify((await kms.audit.lookupEvents({})) as object);
    expect(trail).not.toContain(AccessKey!.SecretAccessKey!);
  });
});
