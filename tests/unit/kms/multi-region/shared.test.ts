// A multi-Region key's shared properties and its set's life (ADR 0015): rotation of the primary reaches
// every replica, replicas cannot rotate themselves, UpdatePrimaryRegion, and deletion
// (PendingReplicaDeletion) as AWS has them.
import { describe, expect, it } from 'vitest';
import { rejectsWith, text, utf8 } from '../../helpers/kms';
import { freshRegions } from '../../helpers/regions';

async function set(...replicas: string[]) {
  const r = await freshRegions();
  const east = await r.at('us-east-1');
  const { KeyMetadata: key } = await east.call('CreateKey', { MultiRegion: true });
  const others = [];
  for (const region of replicas) {
    const at = await r.at(region);
    await east.call('ReplicateKey', { KeyId: key.KeyId, ReplicaRegion: region });
    others.push(at);
  }
  return { ...r, east, others, key };
}

describe('rotation', () => {
  it('rotating the primary adds the new material version in every replica', async () => {
    const { east, others, key } = await set('us-west-2', 'eu-west-1');
    await east.call('RotateKeyOnDemand', { KeyId: key.KeyId });
    const { CiphertextBlob } = await east.call('Encrypt', { KeyId: key.KeyId, Plaintext: utf8('after rotation') });
    for (const o of others) {
      expect(text((await o.call('Decrypt', { CiphertextBlob })).Plaintext)).toBe('after rotation');
      const m = (await o.call('DescribeKey', { KeyId: key.KeyId })).KeyMetadata;
      expect(m.CurrentKeyMaterialId).toBe(
        (await east.call('DescribeKey', { KeyId: key.KeyId })).KeyMetadata.CurrentKeyMaterialId,
      );
      const sync = (await o.audit()).filter((e) => e.eventName === 'SynchronizeMultiRegionKey');
      expect(sync.length).toBeGreaterThan(0);
    }
  });

  it('automatic rotation is a shared property: enabled on the primary, refused on a replica', async () => {
    const { east, others, key, clock } = await set('us-west-2');
    const [west] = others;
    await rejectsWith(west!.call('EnableKeyRotation', { KeyId: key.KeyId }), 'UnsupportedOperationException');
    await rejectsWith(west!.call('RotateKeyOnDemand', { KeyId: key.KeyId }), 'UnsupportedOperationException');
    await east.call('EnableKeyRotation', { KeyId: key.KeyId, RotationPeriodInDays: 90 });
    expect((await west!.call('GetKeyRotationStatus', { KeyId: key.KeyId })).KeyRotationEnabled).toBe(true);
    clock.advanceDays(91);
    const done = await east.kms.maintain();
    expect(done.rotated).toEqual([key.KeyId]);
    await west!.kms.maintain();
    const { CiphertextBlob } = await east.call('Encrypt', { KeyId: key.KeyId, Plaintext: utf8('x') });
    expect(text((await west!.call('Decrypt', { CiphertextBlob })).Plaintext)).toBe('x');
  });
});

describe('UpdatePrimaryRegion', () => {
  it('makes the replica the primary, in every key of the set, and records it in both Regions', async () => {
    const { east, others, key } = await set('us-west-2', 'eu-west-1');
    const [west, eu] = others;
    await east.call('UpdatePrimaryRegion', { KeyId: key.KeyId, PrimaryRegion: 'us-west-2' });
    const westArn = `arn:aws:kms:us-west-2:111122223333:key/${key.KeyId}`;
    for (const at of [east, west!, eu!]) {
      const m = (await at.call('DescribeKey', { KeyId: key.KeyId })).KeyMetadata;
      expect(m.MultiRegionConfiguration.PrimaryKey).toEqual({ Arn: westArn, Region: 'us-west-2' });
      expect(m.MultiRegionConfiguration.ReplicaKeys.map((k: { Region: string }) => k.Region).sort()).toEqual([
        'eu-west-1',
        'us-east-1',
      ]);
    }
    expect(
      (await east.call('DescribeKey', { KeyId: key.KeyId })).KeyMetadata.MultiRegionConfiguration.MultiRegionKeyType,
    ).toBe('REPLICA');
    for (const at of [east, west!])
      expect((await at.audit()).some((e) => e.eventName === 'UpdatePrimaryRegion' && !e.errorCode)).toBe(true);
    // The new primary rotates, and the old one now receives.
    await west!.call('RotateKeyOnDemand', { KeyId: key.KeyId });
    const { CiphertextBlob } = await west!.call('Encrypt', { KeyId: key.KeyId, Plaintext: utf8('from west') });
    expect(text((await east.call('Decrypt', { CiphertextBlob })).Plaintext)).toBe('from west');
    await rejectsWith(east.call('RotateKeyOnDemand', { KeyId: key.KeyId }), 'UnsupportedOperationException');
  });

  it('names the exceptions AWS names', async () => {
    const { east, others, key } = await set('us-west-2');
    await rejectsWith(
      east.call('UpdatePrimaryRegion', { KeyId: key.KeyId, PrimaryRegion: 'ap-south-1' }),
      'NotFoundException',
    );
    await rejectsWith(
      east.call('UpdatePrimaryRegion', { KeyId: key.KeyId, PrimaryRegion: 'nowhere' }),
      'InvalidArnException',
    );
    await rejectsWith(
      others[0]!.call('UpdatePrimaryRegion', { KeyId: key.KeyId, PrimaryRegion: 'us-east-1' }),
      'UnsupportedOperationException',
    );
    const single = (await east.call('CreateKey', {})).KeyMetadata;
    await rejectsWith(
      east.call('UpdatePrimaryRegion', { KeyId: single.KeyId, PrimaryRegion: 'us-west-2' }),
      'UnsupportedOperationException',
    );
    await east.call('DisableKey', { KeyId: key.KeyId });
    await rejectsWith(
      east.call('UpdatePrimaryRegion', { KeyId: key.KeyId, PrimaryRegion: 'us-west-2' }),
      'DisabledException',
    );
  });
});

describe('deletion', () => {
  it('a primary with replicas waits in PendingReplicaDeletion until its last replica is deleted', async () => {
    const { east, others, key, clock } = await set('us-west-2');
    const [west] = others;
    const r = await east.call('ScheduleKeyDeletion', { KeyId: key.KeyId, PendingWindowInDays: 7 });
    expect(r.KeyState).toBe('PendingReplicaDeletion');
    expect(r.DeletionDate).toBeUndefined();
    const m = (await east.call('DescribeKey', { KeyId: key.KeyId })).KeyMetadata;
    expect(m).toMatchObject({ KeyState: 'PendingReplicaDeletion', PendingDeletionWindowInDays: 7, Enabled: false });
    await rejectsWith(east.call('Encrypt', { KeyId: key.KeyId, Plaintext: utf8('x') }), 'KMSInvalidStateException');
    // The replica is independent: usable, and scheduled on its own.
    await west!.call('Encrypt', { KeyId: key.KeyId, Plaintext: utf8('x') });
    await west!.call('ScheduleKeyDeletion', { KeyId: key.KeyId, PendingWindowInDays: 7 });
    clock.advanceDays(8);
    expect((await west!.kms.maintain()).deleted).toEqual([key.KeyId]);
    const after = (await east.call('DescribeKey', { KeyId: key.KeyId })).KeyMetadata;
    expect(after.KeyState).toBe('PendingDeletion');
    expect(after.DeletionDate.getTime()).toBe(clock.now() + 7 * 86_400_000);
    expect(after.MultiRegionConfiguration.ReplicaKeys).toEqual([]);
  });

  it('CancelKeyDeletion brings a PendingReplicaDeletion primary back, disabled', async () => {
    const { east, key } = await set('us-west-2');
    await east.call('ScheduleKeyDeletion', { KeyId: key.KeyId });
    await east.call('CancelKeyDeletion', { KeyId: key.KeyId });
    expect((await east.call('DescribeKey', { KeyId: key.KeyId })).KeyMetadata.KeyState).toBe('Disabled');
  });

  it('a primary without replicas is scheduled as any key', async () => {
    const { east, key } = await set();
    const r = await east.call('ScheduleKeyDeletion', { KeyId: key.KeyId, PendingWindowInDays: 7 });
    expect(r.KeyState).toBe('PendingDeletion');
  });
});
