// ScheduleKeyDeletion, CancelKeyDeletion (src/kms/ops/keys.ts) and deletion when due by
// Kms.maintain() with the injected clock (src/kms/kms.ts).
import { describe, expect, it } from 'vitest';
import { freshKms, rejectsWith, utf8 } from '../helpers/kms';

const DAY = 86_400_000;

describe('ScheduleKeyDeletion', () => {
  it('defaults to 30 days and returns the AWS response', async () => {
    const { createKey, call, clock } = await freshKms();
    const k = await createKey();
    expect(await call('ScheduleKeyDeletion', { KeyId: k.KeyId })).toEqual({
      KeyId: k.Arn,
      DeletionDate: new Date(clock.now() + 30 * DAY),
      KeyState: 'PendingDeletion',
      PendingWindowInDays: 30,
    });
    expect((await call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata).toMatchObject({
      KeyState: 'PendingDeletion',
      Enabled: false,
      DeletionDate: new Date(clock.now() + 30 * DAY),
      PendingDeletionWindowInDays: 30,
    });
  });

  it('accepts 7 to 30 days, by key ARN too', async () => {
    const { createKey, call, clock } = await freshKms();
    for (const days of [7, 30]) {
      const k = await createKey();
      const r = await call('ScheduleKeyDeletion', { KeyId: k.Arn, PendingWindowInDays: days });
      expect(r).toMatchObject({ PendingWindowInDays: days, DeletionDate: new Date(clock.now() + days * DAY) });
    }
  });

  it.each(['ScheduleKeyDeletion', 'CancelKeyDeletion', 'EnableKey', 'DisableKey', 'UpdateKeyDescription'])(
    '%s takes a key ID or key ARN, not an alias (NotFoundException), as AWS',
    async (op) => {
      const { createKey, call } = await freshKms();
      const k = await createKey();
      await call('CreateAlias', { AliasName: 'alias/only-ids', TargetKeyId: k.KeyId });
      await rejectsWith(call(op, { KeyId: 'alias/only-ids', Description: 'x' }), 'NotFoundException');
      expect((await call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata).toMatchObject({
        KeyState: 'Enabled',
        Description: '',
      });
    },
  );

  it.each([6, 31, 0, -7, 7.5, '7', NaN, true])(
    'rejects PendingWindowInDays %j (ValidationException) and changes nothing',
    async (days) => {
      const { createKey, call } = await freshKms();
      const k = await createKey();
      await rejectsWith(
        call('ScheduleKeyDeletion', { KeyId: k.KeyId, PendingWindowInDays: days }),
        'ValidationException',
      );
      expect((await call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.KeyState).toBe('Enabled');
    },
  );

  it('rejects a key already pending deletion (KMSInvalidStateException) and an unknown key', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    await call('ScheduleKeyDeletion', { KeyId: k.KeyId, PendingWindowInDays: 7 });
    await rejectsWith(call('ScheduleKeyDeletion', { KeyId: k.KeyId }), 'KMSInvalidStateException');
    expect((await call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.PendingDeletionWindowInDays).toBe(7);
    await rejectsWith(
      call('ScheduleKeyDeletion', { KeyId: '1234abcd-12ab-44cd-96ef-1234567890ab' }),
      'NotFoundException',
    );
  });

  it('schedules a disabled key too', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    await call('DisableKey', { KeyId: k.KeyId });
    expect((await call('ScheduleKeyDeletion', { KeyId: k.KeyId })).KeyState).toBe('PendingDeletion');
  });
});

describe('a key pending deletion', () => {
  it('refuses cryptographic operations with KMSInvalidStateException', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    const { CiphertextBlob } = await call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') });
    await call('ScheduleKeyDeletion', { KeyId: k.KeyId });
    await rejectsWith(call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') }), 'KMSInvalidStateException');
    await rejectsWith(call('Decrypt', { CiphertextBlob }), 'KMSInvalidStateException');
    await rejectsWith(call('GenerateDataKey', { KeyId: k.KeyId, KeySpec: 'AES_256' }), 'KMSInvalidStateException');
    await rejectsWith(
      call('ReEncrypt', { CiphertextBlob, DestinationKeyId: (await createKey()).KeyId }),
      'KMSInvalidStateException',
    );
    expect((await call('GetKeyPolicy', { KeyId: k.KeyId })).PolicyName).toBe('default');
  });
});

describe('CancelKeyDeletion', () => {
  it('returns the key to Disabled and clears the deletion fields', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    await call('ScheduleKeyDeletion', { KeyId: k.KeyId });
    expect(await call('CancelKeyDeletion', { KeyId: k.KeyId })).toEqual({ KeyId: k.Arn });
    const meta = (await call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata;
    expect(meta).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    expect(meta).not.toHaveProperty('DeletionDate');
    expect(meta).not.toHaveProperty('PendingDeletionWindowInDays');
    await rejectsWith(call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') }), 'DisabledException');
  });

  it('rejects a key that is not pending deletion (KMSInvalidStateException)', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    await rejectsWith(call('CancelKeyDeletion', { KeyId: k.KeyId }), 'KMSInvalidStateException');
    await rejectsWith(call('CancelKeyDeletion', {}), 'ValidationException');
  });
});

describe('deletion when due (Kms.maintain)', () => {
  const scheduled = async () => {
    const f = await freshKms();
    const k = await f.createKey();
    const keep = await f.createKey();
    await f.call('RotateKeyOnDemand', { KeyId: k.KeyId });
    await f.call('CreateAlias', { AliasName: 'alias/doomed', TargetKeyId: k.KeyId });
    await f.call('CreateAlias', { AliasName: 'alias/keep', TargetKeyId: keep.KeyId });
    const { CiphertextBlob } = await f.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') });
    await f.call('ScheduleKeyDeletion', { KeyId: k.KeyId, PendingWindowInDays: 7 });
    return { ...f, k, keep, blob: CiphertextBlob as Uint8Array };
  };

  it('does nothing before the deletion date', async () => {
    const { kms, clock, call, k } = await scheduled();
    clock.t += 7 * DAY - 1;
    expect(await kms.maintain()).toEqual({ deleted: [], rotated: [], expired: [] });
    expect((await call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.KeyState).toBe('PendingDeletion');
  });

  it('once the date has passed, calls see NotFoundException even before maintain runs', async () => {
    const { clock, call, k, blob } = await scheduled();
    clock.advanceDays(7);
    await rejectsWith(call('DescribeKey', { KeyId: k.KeyId }), 'NotFoundException');
    await rejectsWith(call('DescribeKey', { KeyId: 'alias/doomed' }), 'NotFoundException');
    await rejectsWith(call('Decrypt', { CiphertextBlob: blob }), 'NotFoundException');
    await rejectsWith(call('CancelKeyDeletion', { KeyId: k.KeyId }), 'NotFoundException');
    await rejectsWith(call('GetKeyPolicy', { KeyId: k.KeyId }), 'NotFoundException');
    expect((await call('ListKeys')).Keys.map((x: { KeyId: string }) => x.KeyId)).not.toContain(k.KeyId);
    expect((await call('ListAliases')).Aliases.map((a: { AliasName: string }) => a.AliasName)).toEqual(['alias/keep']);
  });

  it('once the date has passed, the alias name is free even before maintain runs', async () => {
    const { clock, call, keep, kms } = await scheduled();
    clock.advanceDays(7);
    expect(await call('CreateAlias', { AliasName: 'alias/doomed', TargetKeyId: keep.KeyId })).toEqual({});
    expect((await call('DescribeKey', { KeyId: 'alias/doomed' })).KeyMetadata.KeyId).toBe(keep.KeyId);
    await kms.maintain();
    expect(
      (await call('ListAliases', { KeyId: keep.KeyId })).Aliases.map((a: { AliasName: string }) => a.AliasName),
    ).toEqual(['alias/doomed', 'alias/keep']);
  });

  it('deletes the key, every material version and its aliases, and records DeleteKey', async () => {
    const { kms, clock, call, store, k, keep, audit } = await scheduled();
    clock.advanceDays(8);
    expect(await kms.maintain()).toEqual({ deleted: [k.KeyId], rotated: [], expired: [] });
    expect(await kms.maintain()).toEqual({ deleted: [], rotated: [], expired: [] });

    await rejectsWith(call('DescribeKey', { KeyId: k.KeyId }), 'NotFoundException');
    expect(await store.read((tx) => tx.getKey(k.KeyId))).toBeUndefined();
    expect(await store.read((tx) => tx.listMaterials(k.KeyId))).toEqual([]);
    expect(await store.read((tx) => tx.getMaterial(k.KeyId, 1))).toBeUndefined();
    expect(await store.read((tx) => tx.listAliases(k.KeyId))).toEqual([]);
    expect((await call('ListAliases')).Aliases.map((a: { AliasName: string }) => a.AliasName)).toEqual(['alias/keep']);
    expect((await call('ListKeys')).Keys.map((x: { KeyId: string }) => x.KeyId)).toEqual([keep.KeyId]);
    expect(await store.read((tx) => tx.listMaterials(keep.KeyId))).toHaveLength(1);

    const events = (await audit()).filter((e) => e.eventName === 'DeleteKey');
    expect(events).toHaveLength(1);
    expect(events[0]!.keyIds).toEqual([k.KeyId]);
    expect(events[0]!.record).toMatchObject({
      eventSource: 'kms.amazonaws.com',
      eventType: 'AwsServiceEvent',
      readOnly: false,
      eventCategory: 'Management',
      userIdentity: { accountId: k.AWSAccountId, invokedBy: 'kms.amazonaws.com' },
      resources: [{ accountId: k.AWSAccountId, type: 'AWS::KMS::Key', ARN: k.Arn }],
    });
    // The audit history of the key stays after the key is gone.
    expect((await audit()).filter((e) => e.keyIds.includes(k.KeyId)).length).toBeGreaterThan(3);
  });

  it('the alias name is free again once the key is deleted', async () => {
    const { kms, clock, call, keep } = await scheduled();
    clock.advanceDays(7);
    await kms.maintain();
    expect(await call('CreateAlias', { AliasName: 'alias/doomed', TargetKeyId: keep.KeyId })).toEqual({});
  });

  it('two instances maintaining at once delete the key once', async () => {
    const first = await scheduled();
    const second = await freshKms({ name: first.name, clock: first.clock });
    first.clock.advanceDays(7);
    const [a, b] = await Promise.all([first.kms.maintain(), second.kms.maintain()]);
    expect([...a.deleted, ...b.deleted]).toEqual([first.k.KeyId]);
    expect((await first.audit()).filter((e) => e.eventName === 'DeleteKey')).toHaveLength(1);
  });
});
