// IAM and STS are global across this browser's Regions (ADR 0017), seen through the unmodified SDKs:
// principals, access keys, policies and STS credentials made after a second Region exists work there,
// changes made in either Region decide in both, and CloudTrail records each IAM call once.
import * as iam from '@aws-sdk/client-iam';
import { CreateKeyCommand, ListAliasesCommand } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { rootCaller } from '../../../src/kms/ids';
import { freshRegions } from '../helpers/regions';
import { iamClient, kmsClient, stsClient, type SdkCredentials } from '../helpers/sdk-clients';
import { credentialsOf } from '../helpers/sign';

const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const ALL_KMS = doc([{ Effect: 'Allow', Action: ['kms:*', 'sts:AssumeRole'], Resource: '*' }]);

/** us-east-1 with a root access key, then us-west-2 made from it; IAM over /iam is us-east-1's. */
async function twoRegions() {
  const r = await freshRegions();
  const owner = rootCaller(r.home.keystore, { userAgent: 'vitest' });
  const account = r.home.keystore.accountId;
  const rootKey = credentialsOf(await r.home.iam.createAccessKey(owner, `arn:aws:iam::${account}:root`));
  const west = await r.at('us-west-2');
  const east = await r.at('us-east-1');
  return { ...r, owner, account, rootKey, west, east, iamEast: iamClient(r.home, rootKey) };
}

/** A user made over /iam (us-east-1) with an inline policy and an access key. */
async function userWithKey(iamc: iam.IAMClient, name: string, policy = ALL_KMS): Promise<SdkCredentials> {
  await iamc.send(new iam.CreateUserCommand({ UserName: name }));
  await iamc.send(new iam.PutUserPolicyCommand({ UserName: name, PolicyName: 'kms', PolicyDocument: policy }));
  const { AccessKey } = await iamc.send(new iam.CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}

describe('global IAM across Regions, through the AWS SDK', () => {
  it('a user and access key made after us-west-2 exists sign a us-west-2 request; DeleteUser removes them there', async () => {
    const { west, east, iamEast } = await twoRegions();
    const alice = await userWithKey(iamEast, 'alice');
    const out = await kmsClient(west.kms, alice).send(new CreateKeyCommand({ Description: 'made in the west' }));
    expect(out.KeyMetadata!.Arn).toMatch(/^arn:aws:kms:us-west-2:/);
    const me = await stsClient(west.kms, alice).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toMatch(/:user\/alice$/);

    // Deleted in us-west-2 (the console there deletes a user with its keys): gone in us-east-1 too.
    await west.kms.iam.deletePrincipal(west.caller, `arn:aws:iam::${west.kms.keystore.accountId}:user/alice`);
    await expect(kmsClient(east.kms, alice).send(new ListAliasesCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    await expect(iamEast.send(new iam.GetUserCommand({ UserName: 'alice' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
    });
  });

  it('an inline or managed policy changed in one Region decides in the other', async () => {
    const { west, east, rootKey, account, iamEast } = await twoRegions();
    const bob = await userWithKey(iamEast, 'bob');
    const westKms = kmsClient(west.kms, bob);
    await westKms.send(new ListAliasesCommand({}));
    // An explicit deny made in us-east-1 (inline) is decided in us-west-2.
    const deny = doc([{ Effect: 'Deny', Action: 'kms:ListAliases', Resource: '*' }]);
    await iamEast.send(new iam.PutUserPolicyCommand({ UserName: 'bob', PolicyName: 'no-list', PolicyDocument: deny }));
    await expect(westKms.send(new ListAliasesCommand({}))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await iamEast.send(new iam.DeleteUserPolicyCommand({ UserName: 'bob', PolicyName: 'no-list' }));
    await westKms.send(new ListAliasesCommand({}));

    // A managed policy made and attached through us-west-2's copy of IAM denies in us-east-1.
    const iamWest = iamClient(west.kms, rootKey);
    const { Policy } = await iamWest.send(new iam.CreatePolicyCommand({ PolicyName: 'NoKeys', PolicyDocument: deny }));
    expect(Policy!.Arn).toBe(`arn:aws:iam::${account}:policy/NoKeys`);
    await iamWest.send(new iam.AttachUserPolicyCommand({ UserName: 'bob', PolicyArn: Policy!.Arn }));
    const eastKms = kmsClient(east.kms, bob);
    await expect(eastKms.send(new ListAliasesCommand({}))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const listed = await iamEast.send(new iam.ListAttachedUserPoliciesCommand({ UserName: 'bob' }));
    expect(listed.AttachedPolicies?.map((p) => p.PolicyName)).toEqual(['NoKeys']);
  });

  it('AssumeRole credentials from us-east-1 STS work against us-west-2 KMS, until they expire', async () => {
    const { west, east, clock, account, iamEast } = await twoRegions();
    const dev = await userWithKey(iamEast, 'dev');
    await iamEast.send(
      new iam.CreateRoleCommand({
        RoleName: 'KeyUser',
        AssumeRolePolicyDocument: doc([
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' },
        ]),
      }),
    );
    await iamEast.send(
      new iam.PutRolePolicyCommand({ RoleName: 'KeyUser', PolicyName: 'kms', PolicyDocument: ALL_KMS }),
    );
    const { Credentials: c } = await stsClient(east.kms, dev).send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/KeyUser`, RoleSessionName: 'west-job' }),
    );
    const session = {
      accessKeyId: c!.AccessKeyId!,
      secretAccessKey: c!.SecretAccessKey!,
      sessionToken: c!.SessionToken!,
    };
    const out = await kmsClient(west.kms, session).send(new CreateKeyCommand({}));
    expect(out.KeyMetadata!.Arn).toMatch(/^arn:aws:kms:us-west-2:/);
    const me = await stsClient(west.kms, session).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(`arn:aws:sts::${account}:assumed-role/KeyUser/west-job`);
    // The session's CloudTrail identity in us-west-2 names the role, as in the Region that issued it.
    const created = (await west.audit()).find((e) => e.eventName === 'CreateKey');
    expect(created?.record.userIdentity).toMatchObject({ type: 'AssumedRole', arn: me.Arn });
    clock.t += 3_600_000;
    await expect(kmsClient(west.kms, session).send(new ListAliasesCommand({}))).rejects.toMatchObject({
      name: 'ExpiredTokenException',
    });
  });

  it('records each IAM and STS call once, in the Region that took it, not once per Region', async () => {
    const { west, east, iamEast } = await twoRegions();
    await userWithKey(iamEast, 'carol');
    const names = (trail: { eventName: string; record: { eventSource?: string } }[]) =>
      trail.filter((e) => e.record.eventSource === 'iam.amazonaws.com').map((e) => e.eventName);
    // The root's access key (made before us-west-2 existed), then carol's calls: each once.
    expect(names(await east.audit())).toEqual(['CreateAccessKey', 'CreateUser', 'PutUserPolicy', 'CreateAccessKey']);
    expect(names(await west.audit())).toEqual([]);
    const looked = (await east.kms.audit.lookupEvents({})) as { Events: { EventName: string }[] };
    expect(looked.Events.filter((e) => e.EventName === 'CreateUser')).toHaveLength(1);
    const westLooked = (await west.kms.audit.lookupEvents({})) as { Events: { EventName: string }[] };
    expect(westLooked.Events.filter((e) => e.EventName === 'CreateUser')).toHaveLength(0);
  });
});
