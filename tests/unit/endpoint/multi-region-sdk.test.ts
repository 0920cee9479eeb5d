// Multi-Region keys through POST /kms with the unmodified @aws-sdk/client-kms (ADR 0015): each client
// signs for its Region and is answered by that Region's keystore, routed by the credential scope as the
// service worker routes it (endpoint/routes.ts requestRegion).
import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  KMSClient,
  ReplicateKeyCommand,
  UpdatePrimaryRegionCommand,
  AlreadyExistsException,
  UnsupportedOperationException,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { regionNotInUse, requestRegion } from '../../../src/endpoint/routes';
import { handleKms } from '../../../src/endpoint/wire';
import { rootCaller } from '../../../src/kms/ids';
import { freshRegions } from '../helpers/regions';
import { sdkHandler } from '../helpers/sdk-handler';
import { credentialsOf } from '../helpers/sign';

async function endpoint() {
  const r = await freshRegions();
  const owner = rootCaller(r.home.keystore, { userAgent: 'vitest' });
  // Made before the second Region, which copies the account's access keys (IAM is global).
  const rootKey = credentialsOf(
    await r.home.iam.createAccessKey(owner, `arn:aws:iam::${r.home.keystore.accountId}:root`),
  );
  await r.at('us-west-2');
  const route = async (req: Request) => {
    const region = requestRegion('/kms', req);
    const kms = region ? await r.regions.get(region) : r.home;
    return kms ? handleKms(kms, req) : regionNotInUse('/kms', region!, await r.home.regionsInUse());
  };
  const client = (region: string) =>
    new KMSClient({
      region,
      endpoint: 'http://127.0.0.1/kms',
      credentials: rootKey,
      requestHandler: sdkHandler(route) as never,
    });
  return { ...r, east: client('us-east-1'), west: client('us-west-2'), client };
}

describe('multi-Region keys through /kms and the AWS SDK', () => {
  it('replicates an mrk key, encrypts with a us-east-1 client and decrypts with a us-west-2 client', async () => {
    const { east, west } = await endpoint();
    const { KeyMetadata } = await east.send(new CreateKeyCommand({ MultiRegion: true }));
    const KeyId = KeyMetadata!.KeyId!;
    expect(KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    expect(KeyMetadata!.MultiRegionConfiguration?.MultiRegionKeyType).toBe('PRIMARY');
    const rep = await east.send(new ReplicateKeyCommand({ KeyId, ReplicaRegion: 'us-west-2', Description: 'west' }));
    expect(rep.ReplicaKeyMetadata?.Arn).toBe(`arn:aws:kms:us-west-2:111122223333:key/${KeyId}`);
    expect(rep.ReplicaKeyMetadata?.MultiRegionConfiguration?.PrimaryKey?.Region).toBe('us-east-1');
    expect(typeof rep.ReplicaPolicy).toBe('string');
    expect(rep.ReplicaTags).toEqual([]);

    const enc = await east.send(
      new EncryptCommand({ KeyId, Plaintext: new TextEncoder().encode('hello west'), EncryptionContext: { a: 'b' } }),
    );
    const dec = await west.send(
      new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { a: 'b' } }),
    );
    expect(new TextDecoder().decode(dec.Plaintext)).toBe('hello west');
    expect(dec.KeyId).toBe(`arn:aws:kms:us-west-2:111122223333:key/${KeyId}`);

    await expect(east.send(new ReplicateKeyCommand({ KeyId, ReplicaRegion: 'us-west-2' }))).rejects.toBeInstanceOf(
      AlreadyExistsException,
    );
  });

  it('moves the primary with UpdatePrimaryRegion, as both clients then see', async () => {
    const { east, west } = await endpoint();
    const KeyId = (await east.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!.KeyId!;
    await east.send(new ReplicateKeyCommand({ KeyId, ReplicaRegion: 'us-west-2' }));
    await east.send(new UpdatePrimaryRegionCommand({ KeyId, PrimaryRegion: 'us-west-2' }));
    const w = (await west.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;
    expect(w.MultiRegionConfiguration?.MultiRegionKeyType).toBe('PRIMARY');
    const e = (await east.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;
    expect(e.MultiRegionConfiguration).toEqual({
      MultiRegionKeyType: 'REPLICA',
      PrimaryKey: { Arn: `arn:aws:kms:us-west-2:111122223333:key/${KeyId}`, Region: 'us-west-2' },
      ReplicaKeys: [{ Arn: `arn:aws:kms:us-east-1:111122223333:key/${KeyId}`, Region: 'us-east-1' }],
    });
    await expect(
      east.send(new UpdatePrimaryRegionCommand({ KeyId, PrimaryRegion: 'us-west-2' })),
    ).rejects.toBeInstanceOf(UnsupportedOperationException);
  });

  it('refuses a client for a Region with no keystore here, as AWS refuses a Region not enabled', async () => {
    const { client } = await endpoint();
    await expect(client('ap-southeast-2').send(new CreateKeyCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
  });
});
