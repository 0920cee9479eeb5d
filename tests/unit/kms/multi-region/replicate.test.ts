// Multi-Region keys across this browser's Regions (src/kms/ops/multi-region.ts, ADR 0015): CreateKey
// MultiRegion, ReplicateKey, DescribeKey's MultiRegionConfiguration, portable ciphertexts, and every
// exception AWS names for these.
import { describe, expect, it } from 'vitest';
import { rejectsWith, text, utf8 } from '../../helpers/kms';
import { freshRegions } from '../../helpers/regions';

const MRK = /^mrk-[0-9a-f]{32}$/;

async function twoRegions() {
  const r = await freshRegions();
  const east = await r.at('us-east-1');
  const west = await r.at('us-west-2');
  const { KeyMetadata: key } = await east.call('CreateKey', { MultiRegion: true, Description: 'mrk' });
  return { ...r, east, west, key };
}

describe('CreateKey MultiRegion', () => {
  it('makes a primary key with an mrk- key ID and says so in DescribeKey', async () => {
    const { east, key } = await twoRegions();
    expect(key.KeyId).toMatch(MRK);
    expect(key.Arn).toBe(`arn:aws:kms:us-east-1:111122223333:key/${key.KeyId}`);
    expect(key.MultiRegion).toBe(true);
    expect(key.MultiRegionConfiguration).toEqual({
      MultiRegionKeyType: 'PRIMARY',
      PrimaryKey: { Arn: key.Arn, Region: 'us-east-1' },
      ReplicaKeys: [],
    });
    const single = (await east.call('CreateKey', {})).KeyMetadata;
    expect(single.MultiRegion).toBe(false);
    expect(single.MultiRegionConfiguration).toBeUndefined();
  });

  it('makes multi-Region HMAC and asymmetric keys too', async () => {
    const r = await freshRegions();
    const east = await r.at('us-east-1');
    for (const spec of [
      { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' },
      { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' },
    ]) {
      const { KeyMetadata } = await east.call('CreateKey', { ...spec, MultiRegion: true });
      expect(KeyMetadata.KeyId).toMatch(MRK);
    }
  });
});

describe('ReplicateKey', () => {
  it('makes a replica with its own policy, description and tags, and a ciphertext decrypts in either Region', async () => {
    const { east, west, key } = await twoRegions();
    const r = await east.call('ReplicateKey', {
      KeyId: key.Arn,
      ReplicaRegion: 'us-west-2',
      Description: 'the west copy',
      Tags: [{ TagKey: 'team', TagValue: 'west' }],
    });
    const replicaArn = `arn:aws:kms:us-west-2:111122223333:key/${key.KeyId}`;
    expect(r.ReplicaKeyMetadata).toMatchObject({
      KeyId: key.KeyId,
      Arn: replicaArn,
      Description: 'the west copy',
      KeyState: 'Enabled',
      MultiRegion: true,
      MultiRegionConfiguration: {
        MultiRegionKeyType: 'REPLICA',
        PrimaryKey: { Arn: key.Arn, Region: 'us-east-1' },
        ReplicaKeys: [{ Arn: replicaArn, Region: 'us-west-2' }],
      },
    });
    expect(r.ReplicaTags).toEqual([{ TagKey: 'team', TagValue: 'west' }]);
    expect(JSON.parse(r.ReplicaPolicy).Statement[0].Principal.AWS).toBe('arn:aws:iam::111122223333:root');

    const primary = (await east.call('DescribeKey', { KeyId: key.KeyId })).KeyMetadata;
    expect(primary.MultiRegionConfiguration.ReplicaKeys).toEqual([{ Arn: replicaArn, Region: 'us-west-2' }]);
    // Tags and description are the Region's own.
    expect((await east.call('ListResourceTags', { KeyId: key.KeyId })).Tags).toEqual([]);

    const { CiphertextBlob } = await east.call('Encrypt', {
      KeyId: key.KeyId,
      Plaintext: utf8('sent east, read west'),
      EncryptionContext: { purpose: 'test' },
    });
    const back = await west.call('Decrypt', { CiphertextBlob, EncryptionContext: { purpose: 'test' } });
    expect(text(back.Plaintext)).toBe('sent east, read west');
    expect(back.KeyId).toBe(replicaArn);
    const dk = await west.call('GenerateDataKey', { KeyId: replicaArn, KeySpec: 'AES_256' });
    const there = await east.call('Decrypt', { CiphertextBlob: dk.CiphertextBlob });
    expect(there.Plaintext).toEqual(dk.Plaintext);
  });

  it('replicates HMAC material: a MAC made in one Region verifies in the other', async () => {
    const r = await freshRegions();
    const east = await r.at('us-east-1');
    const west = await r.at('eu-west-1');
    const k = (
      await east.call('CreateKey', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', MultiRegion: true })
    ).KeyMetadata;
    await east.call('ReplicateKey', { KeyId: k.KeyId, ReplicaRegion: 'eu-west-1' });
    const { Mac } = await east.call('GenerateMac', {
      KeyId: k.KeyId,
      MacAlgorithm: 'HMAC_SHA_256',
      Message: utf8('m'),
    });
    const v = await west.call('VerifyMac', { KeyId: k.KeyId, MacAlgorithm: 'HMAC_SHA_256', Message: utf8('m'), Mac });
    expect(v.MacValid).toBe(true);
  });

  it('replicates a key pair: a signature made in one Region verifies in the other, with the same public key', async () => {
    const r = await freshRegions();
    const east = await r.at('us-east-1');
    const west = await r.at('us-west-2');
    for (const KeySpec of ['ECC_NIST_P256', 'ECC_SECG_P256K1']) {
      const k = (await east.call('CreateKey', { KeySpec, KeyUsage: 'SIGN_VERIFY', MultiRegion: true })).KeyMetadata;
      await east.call('ReplicateKey', { KeyId: k.KeyId, ReplicaRegion: 'us-west-2' });
      const SigningAlgorithm = 'ECDSA_SHA_256';
      const { Signature } = await west.call('Sign', { KeyId: k.KeyId, Message: utf8('m'), SigningAlgorithm });
      const v = await east.call('Verify', { KeyId: k.KeyId, Message: utf8('m'), SigningAlgorithm, Signature });
      expect(v.SignatureValid, KeySpec).toBe(true);
      const [a, b] = await Promise.all([east, west].map((at) => at.call('GetPublicKey', { KeyId: k.KeyId })));
      expect(a!.PublicKey).toEqual(b!.PublicKey);
    }
  });

  it('records ReplicateKey in the primary Region and CreateKey in the replica Region', async () => {
    const { east, west, key } = await twoRegions();
    await east.call('ReplicateKey', { KeyId: key.KeyId, ReplicaRegion: 'us-west-2' });
    const e = (await east.audit()).filter((x) => x.eventName === 'ReplicateKey');
    expect(e).toHaveLength(1);
    expect(e[0]!.record.awsRegion).toBe('us-east-1');
    const w = (await west.audit()).filter((x) => x.eventName === 'CreateKey');
    expect(w).toHaveLength(1);
    expect(w[0]!.record.awsRegion).toBe('us-west-2');
    expect(w[0]!.keyIds).toEqual([key.KeyId]);
  });

  it('refuses a Region that already holds the key: AlreadyExistsException', async () => {
    const { east, key } = await twoRegions();
    await east.call('ReplicateKey', { KeyId: key.KeyId, ReplicaRegion: 'us-west-2' });
    await rejectsWith(
      east.call('ReplicateKey', { KeyId: key.KeyId, ReplicaRegion: 'us-west-2' }),
      'AlreadyExistsException',
    );
    await rejectsWith(
      east.call('ReplicateKey', { KeyId: key.KeyId, ReplicaRegion: 'us-east-1' }),
      'AlreadyExistsException',
    );
  });

  it('refuses a single-Region key and a replica: UnsupportedOperationException', async () => {
    const { east, west, key } = await twoRegions();
    const single = (await east.call('CreateKey', {})).KeyMetadata;
    await rejectsWith(
      east.call('ReplicateKey', { KeyId: single.KeyId, ReplicaRegion: 'us-west-2' }),
      'UnsupportedOperationException',
    );
    await east.call('ReplicateKey', { KeyId: key.KeyId, ReplicaRegion: 'us-west-2' });
    await rejectsWith(
      west.call('ReplicateKey', { KeyId: key.KeyId, ReplicaRegion: 'eu-west-1' }),
      'UnsupportedOperationException',
    );
  });

  it('refuses a ReplicaRegion that is not a Region ID: InvalidArnException', async () => {
    const { east, key } = await twoRegions();
    await rejectsWith(
      east.call('ReplicateKey', { KeyId: key.KeyId, ReplicaRegion: 'the-moon' }),
      'InvalidArnException',
    );
  });

  it('refuses a disabled primary (DisabledException) and one pending deletion (KMSInvalidStateException)', async () => {
    const { east, key } = await twoRegions();
    await east.call('DisableKey', { KeyId: key.KeyId });
    await rejectsWith(east.call('ReplicateKey', { KeyId: key.KeyId, ReplicaRegion: 'us-west-2' }), 'DisabledException');
    await east.call('ScheduleKeyDeletion', { KeyId: key.KeyId, PendingWindowInDays: 7 });
    await rejectsWith(
      east.call('ReplicateKey', { KeyId: key.KeyId, ReplicaRegion: 'us-west-2' }),
      'KMSInvalidStateException',
    );
  });

  it('refuses a malformed policy and bad tags, and a key of another Region: NotFoundException', async () => {
    const { east, key } = await twoRegions();
    await rejectsWith(
      east.call('ReplicateKey', { KeyId: key.KeyId, ReplicaRegion: 'us-west-2', Policy: '{' }),
      'MalformedPolicyDocumentException',
    );
    await rejectsWith(
      east.call('ReplicateKey', {
        KeyId: key.KeyId,
        ReplicaRegion: 'us-west-2',
        Tags: [{ TagKey: 'aws:x', TagValue: 'v' }],
      }),
      'TagException',
    );
    const otherArn = `arn:aws:kms:us-west-2:111122223333:key/${key.KeyId}`;
    await rejectsWith(east.call('ReplicateKey', { KeyId: otherArn, ReplicaRegion: 'eu-west-1' }), 'NotFoundException');
    // Nothing was made in us-west-2 by the refused calls.
    const west = await east.kms.regionsInUse();
    expect(west).toContain('us-west-2');
  });

  it('keeps aliases per Region', async () => {
    const { east, west, key } = await twoRegions();
    await east.call('ReplicateKey', { KeyId: key.KeyId, ReplicaRegion: 'us-west-2' });
    await east.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: key.KeyId });
    await rejectsWith(west.call('DescribeKey', { KeyId: 'alias/app' }), 'NotFoundException');
    await west.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: key.KeyId });
    expect((await west.call('DescribeKey', { KeyId: 'alias/app' })).KeyMetadata.Arn).toContain('us-west-2');
  });
});
