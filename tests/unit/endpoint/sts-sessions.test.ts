// STS AssumeRole and GetSessionToken at /sts through the unmodified @aws-sdk/client-sts, and the temporary
// credentials they issue used through the unmodified KMS client: the trust policy and the caller's
// identity policy decide as AWS decides (sts:ExternalId, delegation to the account, sts:TagSession), the
// session policy narrows, the session token is required and expires, and CloudTrail names the session.
import * as iam from '@aws-sdk/client-iam';
import { CreateKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { iamClient, kmsClient, stsClient, type SdkCredentials } from '../helpers/sdk-clients';
import { freshEndpoint } from '../helpers/sign';

type Creds = SdkCredentials;
const sts = stsClient;

const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const fromSts = (
  c:
    | { AccessKeyId?: string | undefined; SecretAccessKey?: string | undefined; SessionToken?: string | undefined }
    | undefined,
): Creds => ({
  accessKeyId: c!.AccessKeyId!,
  secretAccessKey: c!.SecretAccessKey!,
  sessionToken: c!.SessionToken!,
});

/** The root makes: a role KeyUser trusting the account with an external ID, allowed kms:Encrypt and
 * kms:CreateKey; a user dev allowed sts:AssumeRole on it; a user plain with no policy. */
async function lab() {
  const env = await freshEndpoint();
  const { kms, rootKey } = env;
  const account = kms.keystore.accountId;
  const root = iamClient(kms, rootKey);
  const roleArn = `arn:aws:iam::${account}:role/KeyUser`;
  const trust = doc([
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${account}:root` },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': 'lab-42' } },
    },
  ]);
  await root.send(
    new iam.CreateRoleCommand({ RoleName: 'KeyUser', AssumeRolePolicyDocument: trust, MaxSessionDuration: 7200 }),
  );
  await root.send(
    new iam.PutRolePolicyCommand({
      RoleName: 'KeyUser',
      PolicyName: 'use',
      PolicyDocument: doc([{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:CreateKey'], Resource: '*' }]),
    }),
  );
  const user = async (name: string, policy?: string) => {
    await root.send(new iam.CreateUserCommand({ UserName: name }));
    if (policy)
      await root.send(new iam.PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: policy }));
    const { AccessKey } = await root.send(new iam.CreateAccessKeyCommand({ UserName: name }));
    return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  };
  const dev = await user('dev', doc([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn }]));
  const plain = await user('plain');
  const { KeyMetadata } = await kmsClient(kms, rootKey).send(new CreateKeyCommand({}));
  return { ...env, account, roleArn, dev, plain, keyId: KeyMetadata!.KeyId! };
}

describe('STS AssumeRole at /sts', () => {
  it('issues session credentials that act as the role, until they expire', async () => {
    const { kms, clock, account, roleArn, dev, keyId } = await lab();
    const out = await sts(kms, dev).send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: 'build-7',
        ExternalId: 'lab-42',
        DurationSeconds: 900,
      }),
    );
    expect(out.Credentials!.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(out.Credentials!.SecretAccessKey).toHaveLength(40);
    expect(out.Credentials!.SessionToken!.length).toBeGreaterThan(100);
    expect(out.Credentials!.Expiration!.getTime()).toBe(clock.t + 900_000);
    expect(out.AssumedRoleUser).toEqual({
      AssumedRoleId: expect.stringMatching(/^AROA[A-Z2-7]+:build-7$/),
      Arn: `arn:aws:sts::${account}:assumed-role/KeyUser/build-7`,
    });
    const session = fromSts(out.Credentials);
    const who = await sts(kms, session).send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe(`arn:aws:sts::${account}:assumed-role/KeyUser/build-7`);
    await kmsClient(kms, session).send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([1]) }));

    // A long-term key with a session token it was never given is refused.
    await expect(
      kmsClient(kms, { ...dev, sessionToken: out.Credentials!.SessionToken! }).send(
        new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([1]) }),
      ),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    // Without the session token the key is unknown; after the expiration it is expired.
    const noToken = { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey };
    await expect(
      kmsClient(kms, noToken).send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([1]) })),
    ).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    clock.t += 900_000;
    await expect(
      kmsClient(kms, session).send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([1]) })),
    ).rejects.toMatchObject({
      name: 'ExpiredTokenException',
      message: 'The security token included in the request is expired',
    });
    await expect(sts(kms, session).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'ExpiredToken',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('decides by the trust policy and the caller: external ID, delegation to the account, a named principal', async () => {
    const { kms, rootKey, account, roleArn, dev, plain } = await lab();
    const denied = (creds: Creds, input: object) =>
      expect(
        sts(kms, creds).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 's1', ...input })),
      ).rejects.toMatchObject({
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      });
    await denied(dev, {}); // no external ID
    await denied(dev, { ExternalId: 'wrong-1' });
    // The trust policy names the account: the caller's identity policy must allow sts:AssumeRole too.
    await denied(plain, { ExternalId: 'lab-42' });
    await expect(
      sts(kms, plain).send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/Nope`, RoleSessionName: 's1' }),
      ),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${account}:user/plain is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${account}:role/Nope`,
    });
    // A trust policy naming the user itself needs no identity policy.
    await iamClient(kms, rootKey).send(
      new iam.UpdateAssumeRolePolicyCommand({
        RoleName: 'KeyUser',
        PolicyDocument: doc([
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:user/plain` }, Action: 'sts:AssumeRole' },
        ]),
      }),
    );
    const ok = await sts(kms, plain).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 's1' }));
    expect(ok.AssumedRoleUser!.Arn).toMatch(/assumed-role\/KeyUser\/s1$/);
  });

  it('narrows a session by its policy, and checks duration and names as STS does', async () => {
    const { kms, roleArn, dev, keyId } = await lab();
    const out = await sts(kms, dev).send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: 'narrow',
        ExternalId: 'lab-42',
        Policy: doc([{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }]),
      }),
    );
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    const session = kmsClient(kms, fromSts(out.Credentials));
    await session.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([1]) }));
    await expect(session.send(new CreateKeyCommand({}))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('because no session policy allows the kms:CreateKey action'),
    });
    const bad: [object, string][] = [
      [{ DurationSeconds: 899 }, 'ValidationError'],
      [{ DurationSeconds: 7201 }, 'ValidationError'],
      [{ RoleSessionName: 'a' }, 'ValidationError'],
      [{ RoleSessionName: 'bad name' }, 'ValidationError'],
      [{ Policy: '{"Version":' }, 'MalformedPolicyDocumentException'],
    ];
    for (const [input, name] of bad)
      await expect(
        sts(kms, dev).send(
          new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'ok-name', ExternalId: 'lab-42', ...input }),
        ),
        JSON.stringify(input),
      ).rejects.toMatchObject({ name, $metadata: { httpStatusCode: 400 } });
  });

  it('needs sts:TagSession for session tags, which then are aws:PrincipalTag of the session', async () => {
    const { kms, rootKey, account, roleArn, dev, keyId } = await lab();
    const tagged = {
      RoleArn: roleArn,
      RoleSessionName: 'tagged',
      ExternalId: 'lab-42',
      Tags: [{ Key: 'tenant', Value: 'blue' }],
    };
    await expect(sts(kms, dev).send(new AssumeRoleCommand(tagged))).rejects.toMatchObject({ name: 'AccessDenied' });
    const root = iamClient(kms, rootKey);
    await root.send(
      new iam.UpdateAssumeRolePolicyCommand({
        RoleName: 'KeyUser',
        PolicyDocument: doc([
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${account}:root` },
            Action: ['sts:AssumeRole', 'sts:TagSession'],
          },
        ]),
      }),
    );
    await root.send(
      new iam.PutUserPolicyCommand({
        UserName: 'dev',
        PolicyName: 'p',
        PolicyDocument: doc([{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: roleArn }]),
      }),
    );
    await root.send(
      new iam.PutRolePolicyCommand({
        RoleName: 'KeyUser',
        PolicyName: 'use',
        PolicyDocument: doc([
          {
            Effect: 'Allow',
            Action: 'kms:Encrypt',
            Resource: '*',
            Condition: { StringEquals: { 'aws:PrincipalTag/tenant': 'blue' } },
          },
        ]),
      }),
    );
    const blue = fromSts((await sts(kms, dev).send(new AssumeRoleCommand(tagged))).Credentials);
    await kmsClient(kms, blue).send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([1]) }));
    const red = fromSts(
      (await sts(kms, dev).send(new AssumeRoleCommand({ ...tagged, Tags: [{ Key: 'tenant', Value: 'red' }] })))
        .Credentials,
    );
    await expect(
      kmsClient(kms, red).send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([1]) })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });

  it('records AssumeRole as sts.amazonaws.com and the session as AssumedRole with its sessionContext, never its secrets', async () => {
    const { kms, account, roleArn, dev, keyId } = await lab();
    const out = await sts(kms, dev).send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'audited', ExternalId: 'lab-42' }),
    );
    const session = fromSts(out.Credentials);
    await kmsClient(kms, session).send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([1]) }));
    const { Events } = (await kms.audit.lookupEvents({})) as {
      Events: { EventName: string; EventSource: string; CloudTrailEvent: string }[];
    };
    const assumed = Events.find((e) => e.EventName === 'AssumeRole')!;
    expect(assumed.EventSource).toBe('sts.amazonaws.com');
    const encrypt = JSON.parse(Events.find((e) => e.EventName === 'Encrypt')!.CloudTrailEvent);
    expect(encrypt.userIdentity).toMatchObject({
      type: 'AssumedRole',
      arn: `arn:aws:sts::${account}:assumed-role/KeyUser/audited`,
      accessKeyId: session.accessKeyId,
      sessionContext: {
        sessionIssuer: { type: 'Role', arn: roleArn, userName: 'KeyUser', accountId: account },
        attributes: {
          creationDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
          mfaAuthenticated: 'false',
        },
      },
    });
    const trail = JSON.stringify(Events);
    expect(trail).not.toContain(session.secretAccessKey);
    expect(trail).not.toContain(session.sessionToken!);
  });
});

describe('STS GetSessionToken at /sts', () => {
  it('gives a user credentials of its own that act as the user; a session cannot ask for more', async () => {
    const { kms, account, dev, roleArn } = await lab();
    const out = await sts(kms, dev).send(new GetSessionTokenCommand({ DurationSeconds: 3600 }));
    const mine = fromSts(out.Credentials);
    expect(mine.accessKeyId).toMatch(/^ASIA/);
    expect((await sts(kms, mine).send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:iam::${account}:user/dev`);
    await expect(sts(kms, mine).send(new GetSessionTokenCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(sts(kms, dev).send(new GetSessionTokenCommand({ DurationSeconds: 600 }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
    // Session credentials are not access keys of the user: IAM lists only the user's own.
    const listed = await iamClient(kms, dev)
      .send(new iam.ListAccessKeysCommand({}))
      .catch((e: Error) => e);
    expect(listed).toMatchObject({ name: 'AccessDenied' });
    void roleArn;
  });
});
