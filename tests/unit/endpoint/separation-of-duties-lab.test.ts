// The separation-of-duties lab scripted entirely over the wire with the unmodified SDKs (IAM, STS, KMS,
// CloudTrail's LookupEvents through the core): the root makes an administrator whose IAM rights come from an
// attached AWS managed policy; the administrator makes KeyAdmin and KeyUser roles with trust policies; a user
// assumes KeyUser and encrypts under an encryption-context condition; KeyAdmin grants and revokes; the
// temporary credentials expire on the injected clock; every step is in the trail with the right userIdentity.
import * as iam from '@aws-sdk/client-iam';
import * as kmsSdk from '@aws-sdk/client-kms';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { iamClient, kmsClient, stsClient, type SdkCredentials } from '../helpers/sdk-clients';
import { freshEndpoint } from '../helpers/sign';

const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const creds = (c: iam.AccessKey | undefined): SdkCredentials => ({
  accessKeyId: c!.AccessKeyId!,
  secretAccessKey: c!.SecretAccessKey!,
});
const session = (
  c:
    | { AccessKeyId?: string | undefined; SecretAccessKey?: string | undefined; SessionToken?: string | undefined }
    | undefined,
) => ({
  accessKeyId: c!.AccessKeyId!,
  secretAccessKey: c!.SecretAccessKey!,
  sessionToken: c!.SessionToken!,
});

interface TrailEvent {
  EventName: string;
  EventSource: string;
  CloudTrailEvent: string;
}

describe('the separation-of-duties lab over the wire', () => {
  it('runs from the root to expired session credentials, each step in the trail as its caller', async () => {
    const { kms, clock, rootKey } = await freshEndpoint();
    const account = kms.keystore.accountId;
    const arn = (kind: string, name: string) => `arn:aws:iam::${account}:${kind}/${name}`;
    const root = iamClient(kms, rootKey);

    // 1. The root makes an administrator with IAM rights from an AWS managed policy, and a user.
    await root.send(new iam.CreateUserCommand({ UserName: 'admin' }));
    await root.send(
      new iam.AttachUserPolicyCommand({ UserName: 'admin', PolicyArn: 'arn:aws:iam::aws:policy/IAMFullAccess' }),
    );
    const admin = iamClient(
      kms,
      creds((await root.send(new iam.CreateAccessKeyCommand({ UserName: 'admin' }))).AccessKey),
    );

    // 2. The administrator makes the roles (trusting the account), a policy to assume each, and the user.
    const trust = doc([
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' },
    ]);
    for (const RoleName of ['KeyAdmin', 'KeyUser'])
      await admin.send(new iam.CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust }));
    for (const role of ['KeyAdmin', 'KeyUser'])
      await admin.send(
        new iam.CreatePolicyCommand({
          PolicyName: `Assume${role}`,
          PolicyDocument: doc([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: arn('role', role) }]),
        }),
      );
    await admin.send(new iam.CreateUserCommand({ UserName: 'alice' }));
    await admin.send(new iam.AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: arn('policy', 'AssumeKeyUser') }));
    await admin.send(
      new iam.AttachUserPolicyCommand({ UserName: 'admin', PolicyArn: arn('policy', 'AssumeKeyAdmin') }),
    );
    const alice = creds((await admin.send(new iam.CreateAccessKeyCommand({ UserName: 'alice' }))).AccessKey);
    const adminKey = creds((await root.send(new iam.CreateAccessKeyCommand({ UserName: 'admin' }))).AccessKey);

    // 3. The root makes the key with the lab's key policy (AUTHORIZATION.md's example).
    const { KeyMetadata } = await kmsClient(kms, rootKey).send(
      new kmsSdk.CreateKeyCommand({
        Policy: doc([
          {
            Sid: 'Root',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${account}:root` },
            Action: 'kms:*',
            Resource: '*',
            Condition: { StringEquals: { 'aws:PrincipalType': 'Root' } },
          },
          {
            Sid: 'Admins',
            Effect: 'Allow',
            Principal: { AWS: arn('role', 'KeyAdmin') },
            Action: ['kms:Create*', 'kms:Describe*', 'kms:Put*', 'kms:Revoke*', 'kms:List*', 'kms:Get*'],
            Resource: '*',
          },
          {
            Sid: 'Users',
            Effect: 'Allow',
            Principal: { AWS: arn('role', 'KeyUser') },
            Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: { StringEquals: { 'kms:EncryptionContext:TenantId': 'acme' } },
          },
        ]),
      }),
    );
    const KeyId = KeyMetadata!.KeyId!;

    // 4. Alice assumes KeyUser (15 minutes) and encrypts for acme only; she may not assume KeyAdmin.
    const userSession = session(
      (
        await stsClient(kms, alice).send(
          new AssumeRoleCommand({ RoleArn: arn('role', 'KeyUser'), RoleSessionName: 'alice', DurationSeconds: 900 }),
        )
      ).Credentials,
    );
    await expect(
      stsClient(kms, alice).send(new AssumeRoleCommand({ RoleArn: arn('role', 'KeyAdmin'), RoleSessionName: 'alice' })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    const asUser = kmsClient(kms, userSession);
    const encrypt = (TenantId: string) =>
      asUser.send(
        new kmsSdk.EncryptCommand({ KeyId, Plaintext: new Uint8Array([7]), EncryptionContext: { TenantId } }),
      );
    const { CiphertextBlob } = await encrypt('acme');
    await expect(encrypt('globex')).rejects.toMatchObject({ name: 'AccessDeniedException' });
    // KeyUser cannot administer the key.
    await expect(asUser.send(new kmsSdk.GetKeyPolicyCommand({ KeyId, PolicyName: 'default' }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });

    // 5. The administrator, as KeyAdmin, grants KeyUser globex for a while, then revokes it; KeyAdmin cannot decrypt.
    const adminSession = session(
      (
        await stsClient(kms, adminKey).send(
          new AssumeRoleCommand({ RoleArn: arn('role', 'KeyAdmin'), RoleSessionName: 'admin' }),
        )
      ).Credentials,
    );
    const asAdmin = kmsClient(kms, adminSession);
    const { GrantId } = await asAdmin.send(
      new kmsSdk.CreateGrantCommand({
        KeyId,
        GranteePrincipal: arn('role', 'KeyUser'),
        Operations: ['Encrypt'],
        Constraints: { EncryptionContextSubset: { TenantId: 'globex' } },
      }),
    );
    await encrypt('globex');
    await asAdmin.send(new kmsSdk.RevokeGrantCommand({ KeyId, GrantId }));
    await expect(encrypt('globex')).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(
      asAdmin.send(new kmsSdk.DecryptCommand({ CiphertextBlob, EncryptionContext: { TenantId: 'acme' } })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });

    // 6. The injected clock passes the session's 15 minutes: its credentials are refused as expired.
    clock.t += 900_000;
    await expect(encrypt('acme')).rejects.toMatchObject({ name: 'ExpiredTokenException' });

    // 7. The trail names each step's caller as CloudTrail does.
    const { Events } = (await kms.audit.lookupEvents({ MaxResults: 50 })) as { Events: TrailEvent[] };
    const identity = (
      name: string,
      match: (r: { errorCode?: string; userIdentity: { arn: string } }) => boolean = () => true,
    ) =>
      Events.map((e) => JSON.parse(e.CloudTrailEvent))
        .filter((r) => r.eventName === name)
        .find(match)?.userIdentity;
    expect(identity('AttachUserPolicy', (r) => r.userIdentity.arn.endsWith(':root'))).toMatchObject({ type: 'Root' });
    expect(identity('CreateRole')).toMatchObject({ type: 'IAMUser', userName: 'admin' });
    expect(identity('AssumeRole', (r) => !r.errorCode && r.userIdentity.arn.endsWith('/alice'))).toMatchObject({
      type: 'IAMUser',
      arn: arn('user', 'alice'),
    });
    const userIdentity = {
      type: 'AssumedRole',
      arn: `arn:aws:sts::${account}:assumed-role/KeyUser/alice`,
      sessionContext: { sessionIssuer: { arn: arn('role', 'KeyUser') }, attributes: { mfaAuthenticated: 'false' } },
    };
    expect(identity('Encrypt', (r) => !r.errorCode)).toMatchObject(userIdentity);
    expect(identity('Encrypt', (r) => r.errorCode === 'AccessDenied')).toMatchObject(userIdentity);
    expect(identity('CreateGrant')).toMatchObject({
      type: 'AssumedRole',
      arn: `arn:aws:sts::${account}:assumed-role/KeyAdmin/admin`,
    });
    expect(identity('RevokeGrant')).toMatchObject({ arn: `arn:aws:sts::${account}:assumed-role/KeyAdmin/admin` });
    expect(Events.find((e) => e.EventName === 'CreatePolicy')!.EventSource).toBe('iam.amazonaws.com');
    expect(Events.find((e) => e.EventName === 'AssumeRole')!.EventSource).toBe('sts.amazonaws.com');
  });
});
