// Session housekeeping through the unmodified SDKs: transitive session tags carried into a chained session
// (and not settable again), aws:TokenIssueTime deciding the "revoke older sessions" policy AWS's console
// writes, and maintenance sweeping credentials past their expiry.
import * as iam from '@aws-sdk/client-iam';
import { ListKeysCommand } from '@aws-sdk/client-kms';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { iamClient, kmsClient, stsClient, type SdkCredentials } from '../helpers/sdk-clients';
import { freshEndpoint } from '../helpers/sign';

const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const fromSts = (
  c:
    | { AccessKeyId?: string | undefined; SecretAccessKey?: string | undefined; SessionToken?: string | undefined }
    | undefined,
) =>
  ({
    accessKeyId: c!.AccessKeyId!,
    secretAccessKey: c!.SecretAccessKey!,
    sessionToken: c!.SessionToken!,
  }) satisfies SdkCredentials;

/** Roles First and Second, each trusting the account (AssumeRole and TagSession); First may assume Second;
 * Second may list keys only with the session tag team=blue; a user dev may assume First. */
async function chain() {
  const env = await freshEndpoint();
  const { kms, rootKey } = env;
  const account = kms.keystore.accountId;
  const root = iamClient(kms, rootKey);
  const trust = doc([
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${account}:root` },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
    },
  ]);
  const arn = (name: string) => `arn:aws:iam::${account}:role/${name}`;
  for (const name of ['First', 'Second'])
    await root.send(new iam.CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
  const assume = doc([{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: '*' }]);
  await root.send(new iam.PutRolePolicyCommand({ RoleName: 'First', PolicyName: 'chain', PolicyDocument: assume }));
  await root.send(
    new iam.PutRolePolicyCommand({
      RoleName: 'Second',
      PolicyName: 'blue-only',
      PolicyDocument: doc([
        {
          Effect: 'Allow',
          Action: 'kms:ListKeys',
          Resource: '*',
          Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } },
        },
      ]),
    }),
  );
  await root.send(new iam.CreateUserCommand({ UserName: 'dev' }));
  await root.send(new iam.PutUserPolicyCommand({ UserName: 'dev', PolicyName: 'p', PolicyDocument: assume }));
  const { AccessKey } = await root.send(new iam.CreateAccessKeyCommand({ UserName: 'dev' }));
  const dev = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  return { ...env, root, account, arn, dev };
}

describe('STS sessions: chaining and housekeeping', () => {
  it('carries transitive session tags into a chained session, and only those', async () => {
    const { kms, arn, dev } = await chain();
    const first = async (transitive: boolean) =>
      fromSts(
        (
          await stsClient(kms, dev).send(
            new AssumeRoleCommand({
              RoleArn: arn('First'),
              RoleSessionName: 'one',
              Tags: [{ Key: 'team', Value: 'blue' }],
              ...(transitive ? { TransitiveTagKeys: ['team'] } : {}),
            }),
          )
        ).Credentials,
      );
    const second = async (from: SdkCredentials, extra: object = {}) =>
      fromSts(
        (
          await stsClient(kms, from).send(
            new AssumeRoleCommand({ RoleArn: arn('Second'), RoleSessionName: 'two', ...extra }),
          )
        ).Credentials,
      );

    const chained = await second(await first(true));
    await kmsClient(kms, chained).send(new ListKeysCommand({}));
    const plain = await second(await first(false));
    await expect(kmsClient(kms, plain).send(new ListKeysCommand({}))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    // A transitive tag cannot be given again with another value.
    await expect(second(await first(true), { Tags: [{ Key: 'team', Value: 'red' }] })).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('transitive'),
    });
  });

  it("ends older sessions with the console's revoke policy on aws:TokenIssueTime, and new ones still work", async () => {
    const { kms, clock, root, arn, dev } = await chain();
    await root.send(
      new iam.PutRolePolicyCommand({
        RoleName: 'First',
        PolicyName: 'list',
        PolicyDocument: doc([{ Effect: 'Allow', Action: 'kms:ListKeys', Resource: '*' }]),
      }),
    );
    const take = async () =>
      fromSts(
        (await stsClient(kms, dev).send(new AssumeRoleCommand({ RoleArn: arn('First'), RoleSessionName: 'ss' })))
          .Credentials,
      );
    const old = await take();
    await kmsClient(kms, old).send(new ListKeysCommand({}));
    clock.t += 2000;
    const cutoff = new Date(clock.t).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await root.send(
      new iam.PutRolePolicyCommand({
        RoleName: 'First',
        PolicyName: 'AWSRevokeOlderSessions',
        PolicyDocument: doc([
          {
            Effect: 'Deny',
            Action: ['*'],
            Resource: ['*'],
            Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff } },
          },
        ]),
      }),
    );
    await expect(kmsClient(kms, old).send(new ListKeysCommand({}))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('explicit deny in an identity-based policy'),
    });
    clock.t += 1000;
    await kmsClient(kms, await take()).send(new ListKeysCommand({}));
  });

  it('sweeps credentials past their expiry at maintenance, and only those', async () => {
    const { kms, clock, arn, dev } = await chain();
    const short = await stsClient(kms, dev).send(
      new AssumeRoleCommand({ RoleArn: arn('First'), RoleSessionName: 'short', DurationSeconds: 900 }),
    );
    const long = await stsClient(kms, dev).send(
      new AssumeRoleCommand({ RoleArn: arn('First'), RoleSessionName: 'long', DurationSeconds: 3600 }),
    );
    const sessions = () =>
      kms.iam.read(async (tx) => (await tx.listAccessKeys()).filter((k) => k.session).map((k) => k.accessKeyId));
    expect(await sessions()).toHaveLength(2);
    await kms.maintain();
    expect(await sessions()).toHaveLength(2);
    clock.t += 900_000;
    await kms.maintain();
    expect(await sessions()).toEqual([long.Credentials!.AccessKeyId]);
    expect(await sessions()).not.toContain(short.Credentials!.AccessKeyId);
  });
});
