// Every account of a keystore owns keys, as in AWS (docs/AUTHORIZATION.md "Accounts"), through the unmodified
// SDKs: a key made by account B is B's (ARN, AWSAccountId, default key policy), listed and found by key ID or
// alias only in B; A reaches it only by ARN when B's key policy and A's identity policy both allow; alias names
// are per account; each account's LookupEvents shows its own key events; grants name the key's account.
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import * as kmsSdk from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { handleCloudTrail } from '../../../src/endpoint/wire';
import type { Kms } from '../../../src/kms/kms';
import { rootCaller } from '../../../src/kms/ids';
import { kmsClient, type SdkCredentials } from '../helpers/sdk-clients';
import { sdkHandler } from '../helpers/sdk-handler';
import { credentialsOf, freshEndpoint, principalWithKey } from '../helpers/sign';

const B = '222233334444';
const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const plaintext = new Uint8Array([7, 8, 9]);

const trailClient = (kms: Kms, credentials: SdkCredentials) =>
  new CloudTrailClient({
    region: kms.keystore.region,
    endpoint: 'http://127.0.0.1/cloudtrail',
    credentials,
    requestHandler: sdkHandler((req) => handleCloudTrail(kms, req)) as never,
  });

/** Account A (the keystore's first) with a user `ops`; account B (added) whose root has an access key. */
async function accounts() {
  const env = await freshEndpoint();
  const { kms, owner, rootKey } = env;
  const A = kms.keystore.accountId;
  await kms.iam.createAccount(owner, 'Applications', B);
  const bRoot = rootCaller({ ...kms.keystore, accountId: B }, { userAgent: 'vitest' });
  const bRootKey = credentialsOf(await kms.iam.createAccessKey(bRoot, `arn:aws:iam::${B}:root`));
  return { ...env, A, bRoot, bRootKey, aKms: kmsClient(kms, rootKey), bKms: kmsClient(kms, bRootKey) };
}

describe('keys of every account of a keystore', () => {
  it("makes B's key in B: its ARN, AWSAccountId and default key policy name B; B lists it, A does not", async () => {
    const { kms, A, aKms, bKms } = await accounts();
    const { KeyMetadata: aKey } = await aKms.send(new kmsSdk.CreateKeyCommand({}));
    const { KeyMetadata: bKey } = await bKms.send(new kmsSdk.CreateKeyCommand({ Description: 'B owns it' }));
    expect(bKey!.Arn).toBe(`arn:aws:kms:${kms.keystore.region}:${B}:key/${bKey!.KeyId}`);
    expect(bKey!.AWSAccountId).toBe(B);
    expect(aKey!.AWSAccountId).toBe(A);
    const { Policy } = await bKms.send(new kmsSdk.GetKeyPolicyCommand({ KeyId: bKey!.KeyId! }));
    expect(JSON.parse(Policy!).Statement[0].Principal).toEqual({ AWS: `arn:aws:iam::${B}:root` });
    const { Policy: aPolicy } = await aKms.send(new kmsSdk.GetKeyPolicyCommand({ KeyId: aKey!.KeyId! }));
    expect(JSON.parse(aPolicy!).Statement[0].Principal).toEqual({ AWS: `arn:aws:iam::${A}:root` });
    const listed = async (c: kmsSdk.KMSClient) =>
      (await c.send(new kmsSdk.ListKeysCommand({}))).Keys!.map((k) => k.KeyArn);
    expect(await listed(bKms)).toEqual([bKey!.Arn]);
    expect(await listed(aKms)).toEqual([aKey!.Arn]);
    // B manages its own key as any account does.
    await bKms.send(new kmsSdk.DisableKeyCommand({ KeyId: bKey!.KeyId! }));
    await bKms.send(new kmsSdk.EnableKeyCommand({ KeyId: bKey!.Arn! }));
    const { CiphertextBlob } = await bKms.send(
      new kmsSdk.EncryptCommand({ KeyId: bKey!.KeyId!, Plaintext: plaintext }),
    );
    expect((await bKms.send(new kmsSdk.DecryptCommand({ CiphertextBlob }))).KeyId).toBe(bKey!.Arn);
  });

  it("keeps B's key from A by key ID; A uses it by ARN only when B's key policy and A's identity policy allow", async () => {
    const { kms, A, owner, bKms } = await accounts();
    const ops = await principalWithKey(kms, owner, 'user', 'ops');
    const asOps = kmsClient(kms, ops.key);
    const { KeyMetadata: bKey } = await bKms.send(new kmsSdk.CreateKeyCommand({}));
    const encrypt = (KeyId: string) => asOps.send(new kmsSdk.EncryptCommand({ KeyId, Plaintext: plaintext }));
    await expect(encrypt(bKey!.KeyId!)).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(asOps.send(new kmsSdk.DescribeKeyCommand({ KeyId: bKey!.KeyId! }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    // B's default key policy trusts B alone.
    await kms.iam.putPolicy(owner, ops.arn, 'use-b', doc([{ Effect: 'Allow', Action: 'kms:*', Resource: bKey!.Arn }]));
    await expect(encrypt(bKey!.Arn!)).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('because no resource-based policy allows the kms:Encrypt action'),
    });
    await bKms.send(
      new kmsSdk.PutKeyPolicyCommand({
        KeyId: bKey!.KeyId!,
        Policy: doc([
          {
            Sid: 'Owner',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${B}:root` },
            Action: 'kms:*',
            Resource: '*',
          },
          {
            Sid: 'AccountA',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${A}:root` },
            Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey', 'kms:DisableKey'],
            Resource: '*',
          },
        ]),
      }),
    );
    const { CiphertextBlob, KeyId } = await encrypt(bKey!.Arn!);
    expect(KeyId).toBe(bKey!.Arn);
    expect([...(await asOps.send(new kmsSdk.DecryptCommand({ CiphertextBlob }))).Plaintext!]).toEqual([...plaintext]);
    expect((await asOps.send(new kmsSdk.DescribeKeyCommand({ KeyId: bKey!.Arn! }))).KeyMetadata!.AWSAccountId).toBe(B);
    // B's alias ARN names B's key for A too (AWS: key ARN or alias ARN across accounts); A's alias name does not.
    await bKms.send(new kmsSdk.CreateAliasCommand({ AliasName: 'alias/shared', TargetKeyId: bKey!.KeyId! }));
    expect((await encrypt(`arn:aws:kms:${kms.keystore.region}:${B}:alias/shared`)).KeyId).toBe(bKey!.Arn);
    await expect(encrypt('alias/shared')).rejects.toMatchObject({ name: 'NotFoundException' });
    // An operation AWS does not allow across accounts does not reach B's key, whatever the policies say.
    await expect(asOps.send(new kmsSdk.DisableKeyCommand({ KeyId: bKey!.Arn! }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    // Without A's identity policy, B's key policy alone does not let A's user in.
    await kms.iam.deletePolicy(owner, ops.arn, 'use-b');
    await expect(encrypt(bKey!.Arn!)).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('because no identity-based policy allows the kms:Encrypt action'),
    });
  });

  it('resolves the same alias name per caller account, and lists each account its own aliases', async () => {
    const { kms, A, aKms, bKms } = await accounts();
    const { KeyMetadata: aKey } = await aKms.send(new kmsSdk.CreateKeyCommand({}));
    const { KeyMetadata: bKey } = await bKms.send(new kmsSdk.CreateKeyCommand({}));
    await aKms.send(new kmsSdk.CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: aKey!.KeyId! }));
    await bKms.send(new kmsSdk.CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: bKey!.KeyId! }));
    await expect(
      bKms.send(new kmsSdk.CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: bKey!.KeyId! })),
    ).rejects.toMatchObject({ name: 'AlreadyExistsException' });
    const describe = async (c: kmsSdk.KMSClient, KeyId: string) =>
      (await c.send(new kmsSdk.DescribeKeyCommand({ KeyId }))).KeyMetadata!.Arn;
    expect(await describe(aKms, 'alias/app')).toBe(aKey!.Arn);
    expect(await describe(bKms, 'alias/app')).toBe(bKey!.Arn);
    const region = kms.keystore.region;
    expect(await describe(bKms, `arn:aws:kms:${region}:${B}:alias/app`)).toBe(bKey!.Arn);
    const aliases = async (c: kmsSdk.KMSClient, KeyId?: string) =>
      (await c.send(new kmsSdk.ListAliasesCommand(KeyId ? { KeyId } : {}))).Aliases!.map((a) => [
        a.AliasName,
        a.AliasArn,
        a.TargetKeyId,
      ]);
    expect(await aliases(bKms)).toEqual([['alias/app', `arn:aws:kms:${region}:${B}:alias/app`, bKey!.KeyId]]);
    expect(await aliases(aKms)).toEqual([['alias/app', `arn:aws:kms:${region}:${A}:alias/app`, aKey!.KeyId]]);
    expect(await aliases(bKms, bKey!.KeyId!)).toHaveLength(1);
    // B moves and deletes its alias: A's alias of the same name stays on A's key.
    const { KeyMetadata: bKey2 } = await bKms.send(new kmsSdk.CreateKeyCommand({}));
    await bKms.send(new kmsSdk.UpdateAliasCommand({ AliasName: 'alias/app', TargetKeyId: bKey2!.KeyId! }));
    expect(await describe(bKms, 'alias/app')).toBe(bKey2!.Arn);
    await bKms.send(new kmsSdk.DeleteAliasCommand({ AliasName: 'alias/app' }));
    await expect(describe(bKms, 'alias/app')).rejects.toMatchObject({ name: 'NotFoundException' });
    expect(await describe(aKms, 'alias/app')).toBe(aKey!.Arn);
    // An alias never names another account's key from its name alone.
    await expect(
      bKms.send(new kmsSdk.CreateAliasCommand({ AliasName: 'alias/a-key', TargetKeyId: aKey!.KeyId! })),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it("shows each account's key events in its LookupEvents, and records B's key under B", async () => {
    const { kms, A, aKms, bKms, rootKey, bRootKey } = await accounts();
    const { KeyMetadata: aKey } = await aKms.send(new kmsSdk.CreateKeyCommand({}));
    const { KeyMetadata: bKey } = await bKms.send(new kmsSdk.CreateKeyCommand({}));
    const created = async (credentials: SdkCredentials) => {
      const { Events } = await trailClient(kms, credentials).send(
        new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateKey' }] }),
      );
      return Events!.map((e) => JSON.parse(e.CloudTrailEvent!) as Record<string, unknown>);
    };
    const seenByB = await created(bRootKey);
    expect(seenByB.map((r) => (r.resources as { ARN: string }[])[0]!.ARN)).toEqual([bKey!.Arn]);
    expect(seenByB[0]).toMatchObject({
      recipientAccountId: B,
      userIdentity: { accountId: B },
      resources: [{ accountId: B, type: 'AWS::KMS::Key', ARN: bKey!.Arn }],
    });
    const seenByA = (await created(rootKey)).map((r) => (r.resources as { ARN: string }[])[0]!.ARN);
    expect(seenByA).toContain(aKey!.Arn);
    // A's record of its own key stays A's.
    const aRecord = (await created(rootKey)).find((r) => (r.resources as { ARN: string }[])[0]!.ARN === aKey!.Arn);
    expect(aRecord).toMatchObject({ recipientAccountId: A, resources: [{ accountId: A }] });
  });

  it("names the key's account in grants and answers ListResourceTags in the key's account", async () => {
    const { A, aKms, bKms } = await accounts();
    const { KeyMetadata: bKey } = await bKms.send(
      new kmsSdk.CreateKeyCommand({ Tags: [{ TagKey: 'team', TagValue: 'apps' }] }),
    );
    await bKms.send(
      new kmsSdk.CreateGrantCommand({
        KeyId: bKey!.KeyId!,
        GranteePrincipal: `arn:aws:iam::${A}:root`,
        Operations: ['Encrypt'],
      }),
    );
    const { Grants } = await bKms.send(new kmsSdk.ListGrantsCommand({ KeyId: bKey!.KeyId! }));
    expect(Grants!.map((g) => [g.KeyId, g.IssuingAccount])).toEqual([[bKey!.Arn, `arn:aws:iam::${B}:root`]]);
    expect((await bKms.send(new kmsSdk.ListResourceTagsCommand({ KeyId: bKey!.KeyId! }))).Tags).toEqual([
      { TagKey: 'team', TagValue: 'apps' },
    ]);
    await expect(aKms.send(new kmsSdk.ListResourceTagsCommand({ KeyId: bKey!.KeyId! }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    // The grant lets A's root encrypt with B's key by ARN (a grant to another account needs no key policy).
    const out = await aKms.send(new kmsSdk.EncryptCommand({ KeyId: bKey!.Arn!, Plaintext: plaintext }));
    expect(out.KeyId).toBe(bKey!.Arn);
  });
});
