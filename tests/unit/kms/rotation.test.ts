// EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand, ListKeyRotations
// (src/kms/ops/rotation.ts) and automatic rotation by Kms.maintain() with the injected clock.
import { describe, expect, it } from 'vitest';
import { decodeBlobHeader } from '../../../src/kms/material/blob';
import { freshKms, rejectsWith, text, utf8, walk } from '../helpers/kms';

const DAY = 86_400_000;

describe('EnableKeyRotation / GetKeyRotationStatus / DisableKeyRotation', () => {
  it('enables with the default period of 365 days and reports NextRotationDate', async () => {
    const { createKey, call, clock } = await freshKms();
    const k = await createKey();
    expect(await call('GetKeyRotationStatus', { KeyId: k.KeyId })).toEqual({ KeyRotationEnabled: false, KeyId: k.Arn });
    expect(await call('EnableKeyRotation', { KeyId: k.KeyId })).toEqual({});
    expect(await call('GetKeyRotationStatus', { KeyId: k.Arn })).toEqual({
      KeyRotationEnabled: true,
      KeyId: k.Arn,
      RotationPeriodInDays: 365,
      NextRotationDate: new Date(clock.now() + 365 * DAY),
    });
    expect(await call('DisableKeyRotation', { KeyId: k.KeyId })).toEqual({});
    expect(await call('GetKeyRotationStatus', { KeyId: k.KeyId })).toEqual({ KeyRotationEnabled: false, KeyId: k.Arn });
  });

  it('accepts periods of 90 to 2560 days', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    for (const days of [90, 2560]) {
      await call('EnableKeyRotation', { KeyId: k.KeyId, RotationPeriodInDays: days });
      expect((await call('GetKeyRotationStatus', { KeyId: k.KeyId })).RotationPeriodInDays).toBe(days);
    }
    for (const days of [89, 2561, 0, -1, 100.5, '365']) {
      await rejectsWith(
        call('EnableKeyRotation', { KeyId: k.KeyId, RotationPeriodInDays: days }),
        'ValidationException',
      );
    }
  });

  it('changing the period keeps counting from the last rotation', async () => {
    const { createKey, call, clock } = await freshKms();
    const k = await createKey();
    const created = clock.now();
    await call('EnableKeyRotation', { KeyId: k.KeyId, RotationPeriodInDays: 365 });
    clock.advanceDays(10);
    await call('EnableKeyRotation', { KeyId: k.KeyId, RotationPeriodInDays: 100 });
    expect((await call('GetKeyRotationStatus', { KeyId: k.KeyId })).NextRotationDate).toEqual(
      new Date(created + 100 * DAY),
    );
  });

  it('follows the key-state table and takes no alias', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    await call('CreateAlias', { AliasName: 'alias/r', TargetKeyId: k.KeyId });
    for (const op of [
      'EnableKeyRotation',
      'DisableKeyRotation',
      'GetKeyRotationStatus',
      'RotateKeyOnDemand',
      'ListKeyRotations',
    ]) {
      await rejectsWith(call(op, { KeyId: 'alias/r' }), 'NotFoundException');
      await rejectsWith(call(op, {}), 'ValidationException');
    }
    await call('DisableKey', { KeyId: k.KeyId });
    await rejectsWith(call('EnableKeyRotation', { KeyId: k.KeyId }), 'DisabledException');
    await rejectsWith(call('RotateKeyOnDemand', { KeyId: k.KeyId }), 'DisabledException');
    await call('EnableKey', { KeyId: k.KeyId });
    await call('ScheduleKeyDeletion', { KeyId: k.KeyId });
    await rejectsWith(call('EnableKeyRotation', { KeyId: k.KeyId }), 'KMSInvalidStateException');
    await rejectsWith(call('RotateKeyOnDemand', { KeyId: k.KeyId }), 'KMSInvalidStateException');
  });
});

describe('RotateKeyOnDemand / ListKeyRotations', () => {
  it('lists rotations with ROTATIONS_ONLY (default) and ALL_KEY_MATERIAL', async () => {
    const { createKey, call, clock } = await freshKms();
    const k = await createKey();
    expect(await call('ListKeyRotations', { KeyId: k.KeyId })).toEqual({ Rotations: [], Truncated: false });
    clock.advanceDays(1);
    expect(await call('RotateKeyOnDemand', { KeyId: k.Arn })).toEqual({ KeyId: k.Arn });
    const after = (await call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.CurrentKeyMaterialId;
    expect(after).not.toBe(k.CurrentKeyMaterialId);

    const only = await call('ListKeyRotations', { KeyId: k.KeyId, IncludeKeyMaterial: 'ROTATIONS_ONLY' });
    expect(only).toEqual({
      Rotations: [
        {
          KeyId: k.Arn,
          KeyMaterialId: after,
          KeyMaterialState: 'CURRENT',
          RotationDate: new Date(clock.now()),
          RotationType: 'ON_DEMAND',
        },
      ],
      Truncated: false,
    });
    const all = await call('ListKeyRotations', { KeyId: k.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' });
    expect(all.Rotations).toEqual([
      {
        KeyId: k.Arn,
        KeyMaterialId: k.CurrentKeyMaterialId,
        KeyMaterialState: 'NON_CURRENT',
      },
      only.Rotations[0],
    ]);
    await rejectsWith(call('ListKeyRotations', { KeyId: k.KeyId, IncludeKeyMaterial: 'ALL' }), 'ValidationException');
  });

  it('keeps every old version able to decrypt; new encryptions use the newest', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    const blobs: { blob: Uint8Array; n: number }[] = [];
    const materialIds = [k.CurrentKeyMaterialId];
    for (let n = 1; n <= 4; n++) {
      const { CiphertextBlob } = await call('Encrypt', {
        KeyId: k.KeyId,
        Plaintext: utf8(`v${n}`),
        EncryptionContext: { n: String(n) },
      });
      expect(decodeBlobHeader(CiphertextBlob)).toMatchObject({ ok: true, header: { version: n } });
      blobs.push({ blob: CiphertextBlob, n });
      await call('RotateKeyOnDemand', { KeyId: k.KeyId });
      materialIds.push((await call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.CurrentKeyMaterialId);
    }
    expect(new Set(materialIds).size).toBe(5);
    for (const { blob, n } of blobs) {
      const dec = await call('Decrypt', { CiphertextBlob: blob, EncryptionContext: { n: String(n) } });
      expect(text(dec.Plaintext)).toBe(`v${n}`);
      expect(dec.KeyMaterialId).toBe(materialIds[n - 1]);
    }
    const fresh = await call('GenerateDataKey', { KeyId: k.KeyId, KeySpec: 'AES_256' });
    expect(fresh.KeyMaterialId).toBe(materialIds[4]);
  });

  it('pages rotations with Limit and Marker, each exactly once, in order', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    for (let i = 0; i < 5; i++) await call('RotateKeyOnDemand', { KeyId: k.KeyId });
    const all = (await call('ListKeyRotations', { KeyId: k.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' })).Rotations;
    expect(all).toHaveLength(6);
    expect(all.filter((r: { KeyMaterialState: string }) => r.KeyMaterialState === 'CURRENT')).toEqual([all[5]]);
    for (const limit of [1, 2, 4]) {
      const { items, pages } = await walk(
        call,
        'ListKeyRotations',
        { KeyId: k.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL', Limit: limit },
        'Rotations',
      );
      expect(items).toEqual(all);
      expect(pages).toBe(Math.ceil(6 / limit));
    }
    await rejectsWith(call('ListKeyRotations', { KeyId: k.KeyId, Marker: 'garbage' }), 'InvalidMarkerException');
    await rejectsWith(call('ListKeyRotations', { KeyId: k.KeyId, Limit: 1001 }), 'ValidationException');
  });

  it('allows 25 on-demand rotations and refuses the 26th (LimitExceededException)', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    for (let i = 0; i < 25; i++) await call('RotateKeyOnDemand', { KeyId: k.KeyId });
    const before = (await call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.CurrentKeyMaterialId;
    await rejectsWith(call('RotateKeyOnDemand', { KeyId: k.KeyId }), 'LimitExceededException');
    expect((await call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.CurrentKeyMaterialId).toBe(before);
    expect((await call('ListKeyRotations', { KeyId: k.KeyId })).Rotations).toHaveLength(25);
  });

  it('two concurrent rotations end with three consistent material versions', async () => {
    const { createKey, call, store } = await freshKms();
    const k = await createKey();
    await Promise.all([call('RotateKeyOnDemand', { KeyId: k.KeyId }), call('RotateKeyOnDemand', { KeyId: k.KeyId })]);
    const materials = await store.read((tx) => tx.listMaterials(k.KeyId));
    expect(materials.map((m) => m.version).sort()).toEqual([1, 2, 3]);
    expect(new Set(materials.map((m) => m.materialId)).size).toBe(3);
    const meta = (await call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata;
    expect(meta.CurrentKeyMaterialId).toBe(materials.find((m) => m.version === 3)!.materialId);
    const all = (await call('ListKeyRotations', { KeyId: k.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' })).Rotations;
    expect(all.map((r: { KeyMaterialState: string }) => r.KeyMaterialState)).toEqual([
      'NON_CURRENT',
      'NON_CURRENT',
      'CURRENT',
    ]);
  });

  it('leaves the automatic schedule as it was', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    await call('EnableKeyRotation', { KeyId: k.KeyId, RotationPeriodInDays: 90 });
    const before = (await call('GetKeyRotationStatus', { KeyId: k.KeyId })).NextRotationDate;
    await call('RotateKeyOnDemand', { KeyId: k.KeyId });
    expect((await call('GetKeyRotationStatus', { KeyId: k.KeyId })).NextRotationDate).toEqual(before);
  });
});

describe('automatic rotation (Kms.maintain)', () => {
  it('rotates when the clock passes NextRotationDate, and schedules the next one', async () => {
    const { createKey, call, kms, clock, audit } = await freshKms();
    const k = await createKey();
    const { CiphertextBlob } = await call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('old') });
    await call('EnableKeyRotation', { KeyId: k.KeyId, RotationPeriodInDays: 90 });
    clock.advanceDays(89);
    expect(await kms.maintain()).toEqual({ deleted: [], rotated: [], expired: [] });
    clock.advanceDays(1);
    expect(await kms.maintain()).toEqual({ deleted: [], rotated: [k.KeyId], expired: [] });
    expect(await kms.maintain()).toEqual({ deleted: [], rotated: [], expired: [] });

    const rotations = (await call('ListKeyRotations', { KeyId: k.KeyId })).Rotations;
    expect(rotations).toEqual([
      expect.objectContaining({
        RotationType: 'AUTOMATIC',
        KeyMaterialState: 'CURRENT',
        RotationDate: new Date(clock.now()),
      }),
    ]);
    expect((await call('GetKeyRotationStatus', { KeyId: k.KeyId })).NextRotationDate).toEqual(
      new Date(clock.now() + 90 * DAY),
    );
    expect(text((await call('Decrypt', { CiphertextBlob })).Plaintext)).toBe('old');
    const event = (await audit()).find((e) => e.eventName === 'RotateKey')!;
    expect(event.record).toMatchObject({
      eventType: 'AwsServiceEvent',
      userIdentity: { invokedBy: 'kms.amazonaws.com' },
    });
    expect(event.record.resources).toEqual([{ accountId: k.AWSAccountId, type: 'AWS::KMS::Key', ARN: k.Arn }]);
  });

  it('does not rotate a disabled key, a key without rotation, or a key pending deletion', async () => {
    const { createKey, call, kms, clock } = await freshKms();
    const [disabled, plain, pending] = [await createKey(), await createKey(), await createKey()];
    for (const k of [disabled, pending]) await call('EnableKeyRotation', { KeyId: k.KeyId, RotationPeriodInDays: 90 });
    await call('DisableKey', { KeyId: disabled.KeyId });
    clock.advanceDays(91);
    await call('ScheduleKeyDeletion', { KeyId: pending.KeyId, PendingWindowInDays: 30 });
    expect((await kms.maintain()).rotated).toEqual([]);
    for (const k of [disabled, plain, pending])
      expect((await call('ListKeyRotations', { KeyId: k.KeyId })).Rotations).toEqual([]);
    await call('EnableKey', { KeyId: disabled.KeyId });
    expect((await kms.maintain()).rotated).toEqual([disabled.KeyId]);
  });

  it('two instances maintaining at once rotate a due key once', async () => {
    const first = await freshKms();
    const second = await freshKms({ name: first.name, clock: first.clock });
    const k = await first.createKey();
    await first.call('EnableKeyRotation', { KeyId: k.KeyId, RotationPeriodInDays: 90 });
    first.clock.advanceDays(90);
    const [a, b] = await Promise.all([first.kms.maintain(), second.kms.maintain()]);
    expect([...a.rotated, ...b.rotated]).toEqual([k.KeyId]);
    expect((await first.call('ListKeyRotations', { KeyId: k.KeyId })).Rotations).toHaveLength(1);
  });
});
