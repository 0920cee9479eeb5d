// POST /sts answers GetCallerIdentity for the unmodified @aws-sdk/client-sts (Query protocol, XML; AssumeRole
// and GetSessionToken: sts-sessions.test.ts),
// as the principal whose access key signed the request, and records it as CloudTrail would.
import { DecodeAuthorizationMessageCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { handleSts } from '../../../src/endpoint/sts';
import type { Kms } from '../../../src/kms/kms';
import { sdkHandler } from '../helpers/sdk-handler';
import { freshEndpoint, principalWithKey, type Credentials } from '../helpers/sign';

const sts = (kms: Kms, credentials: Credentials, region = kms.keystore.region) =>
  new STSClient({
    region,
    endpoint: 'http://127.0.0.1/sts',
    credentials,
    requestHandler: sdkHandler((req) => handleSts(kms, req)) as never,
  });

describe('STS GetCallerIdentity at /sts', () => {
  it('names the root for the root access key, and an IAM user and a role session for theirs', async () => {
    const { kms, owner, rootKey, rootArn } = await freshEndpoint();
    const account = kms.keystore.accountId;
    const root = await sts(kms, rootKey).send(new GetCallerIdentityCommand({}));
    expect(root).toMatchObject({ Account: account, Arn: rootArn, UserId: account });

    const alice = await principalWithKey(kms, owner, 'user', 'alice');
    const a = await sts(kms, alice.key).send(new GetCallerIdentityCommand({}));
    expect(a).toMatchObject({ Account: account, Arn: `arn:aws:iam::${account}:user/alice`, UserId: alice.id });

    const role = await principalWithKey(kms, owner, 'role', 'lab-role');
    const r = await sts(kms, role.key).send(new GetCallerIdentityCommand({}));
    expect(r.Arn).toMatch(new RegExp(`^arn:aws:sts::${account}:assumed-role/lab-role/.+$`));
    expect(r.UserId).toMatch(new RegExp(`^${role.id}:.+$`));
  });

  it('records the call as a read-only sts.amazonaws.com event of the caller', async () => {
    const { kms, rootKey } = await freshEndpoint();
    await sts(kms, rootKey).send(new GetCallerIdentityCommand({}));
    const { Events } = (await kms.audit.lookupEvents({})) as { Events: { EventName: string; EventSource: string }[] };
    expect(Events.map((e) => [e.EventName, e.EventSource])).toContainEqual(['GetCallerIdentity', 'sts.amazonaws.com']);
  });

  it('refuses a key it never issued with InvalidClientTokenId, and a bad signature with SignatureDoesNotMatch', async () => {
    const { kms, rootKey } = await freshEndpoint();
    const unknown = {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    };
    await expect(sts(kms, unknown).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
      $metadata: { httpStatusCode: 403 },
    });
    const wrong = { ...rootKey, secretAccessKey: `${rootKey.secretAccessKey}x` };
    await expect(sts(kms, wrong).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('answers other STS actions with InvalidAction and changes nothing', async () => {
    const { kms, rootKey } = await freshEndpoint();
    await expect(
      sts(kms, rootKey).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: 'x' })),
    ).rejects.toMatchObject({
      name: 'InvalidAction',
      message: 'Could not find operation DecodeAuthorizationMessage for version 2011-06-15',
    });
  });

  it('refuses a request signed for another region (the keystore is one region)', async () => {
    const { kms, rootKey } = await freshEndpoint();
    const other = kms.keystore.region === 'eu-west-1' ? 'us-west-2' : 'eu-west-1';
    await expect(sts(kms, rootKey, other).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
  });
});
