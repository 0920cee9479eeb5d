// Expiry of imported material (ExpirationModel KEY_MATERIAL_EXPIRES, ValidTo) with an injected clock: the key
// is unusable from ValidTo on, maintenance destroys the material and records DeleteExpiredKeyMaterial as AWS
// does, and the same material imported again brings back every old ciphertext. Also: import parameters that
// expire are deleted, and new material imported for on-demand rotation (NEW_KEY_MATERIAL, RotateKeyOnDemand).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { freshKms, rejectsWith, text, utf8 } from '../../helpers/kms';
import { importMaterial, params } from './wrap';

const DAY = 86_400_000;

describe('material that expires', () => {
  it('is unusable from ValidTo on, destroyed by maintenance with a DeleteExpiredKeyMaterial event, and comes back', async () => {
    const f = await freshKms();
    const k = await f.createKey({ Origin: 'EXTERNAL' });
    const material = randomBytes(32);
    const validTo = new Date(f.clock.now() + 2 * DAY);
    const r = await importMaterial(f, k.KeyId, material, 'RSAES_OAEP_SHA_256', {
      ExpirationModel: 'KEY_MATERIAL_EXPIRES',
      ValidTo: validTo,
    });
    expect((await f.call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata).toMatchObject({
      KeyState: 'Enabled',
      ExpirationModel: 'KEY_MATERIAL_EXPIRES',
      ValidTo: validTo,
    });
    const { CiphertextBlob } = await f.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('before expiry') });
    // Warm caches too: the material was just used.
    await f.call('Decrypt', { CiphertextBlob });

    f.clock.t = validTo.getTime();
    // From ValidTo on, before any maintenance: the key is pending import and nothing decrypts or encrypts.
    expect((await f.call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.KeyState).toBe('PendingImport');
    await rejectsWith(f.call('Decrypt', { CiphertextBlob }), 'KMSInvalidStateException');
    await rejectsWith(f.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') }), 'KMSInvalidStateException');

    const done = await f.kms.maintain();
    expect(done.expired).toEqual([k.KeyId]);
    expect(await f.store.read((tx) => tx.listMaterials(k.KeyId))).toEqual([]);
    const event = (await f.audit()).find((e) => e.eventName === 'DeleteExpiredKeyMaterial')!;
    expect(event.record).toMatchObject({
      eventName: 'DeleteExpiredKeyMaterial',
      eventType: 'AwsServiceEvent',
      readOnly: false,
      requestParameters: null,
      responseElements: null,
      userIdentity: { accountId: f.kms.keystore.accountId, invokedBy: 'kms.amazonaws.com' },
      resources: [{ type: 'AWS::KMS::Key', ARN: k.Arn, accountId: f.kms.keystore.accountId }],
      serviceEventDetails: { keyId: k.KeyId, keyMaterialId: r.KeyMaterialId },
    });
    // Maintenance again finds nothing more to do.
    expect((await f.kms.maintain()).expired).toEqual([]);
    const rotations = (await f.call('ListKeyRotations', { KeyId: k.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))
      .Rotations;
    expect(rotations).toEqual([
      {
        KeyId: k.Arn,
        KeyMaterialId: r.KeyMaterialId,
        KeyMaterialState: 'CURRENT',
        ImportState: 'PENDING_IMPORT',
        ExpirationModel: 'KEY_MATERIAL_EXPIRES',
      },
    ]);

    await importMaterial(f, k.KeyId, material);
    expect(text((await f.call('Decrypt', { CiphertextBlob })).Plaintext)).toBe('before expiry');
    expect((await f.call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata).toMatchObject({
      KeyState: 'Enabled',
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    });
  });

  it('is destroyed and recorded even when another call saved the key after ValidTo, before maintenance', async () => {
    const f = await freshKms();
    const k = await f.createKey({ Origin: 'EXTERNAL' });
    const r = await importMaterial(f, k.KeyId, randomBytes(32), 'RSAES_OAEP_SHA_256', {
      ExpirationModel: 'KEY_MATERIAL_EXPIRES',
      ValidTo: new Date(f.clock.now() + DAY),
    });
    f.clock.t += DAY;
    // TagResource writes the key back as it reads now: its material expired.
    await f.call('TagResource', { KeyId: k.KeyId, Tags: [{ TagKey: 'after', TagValue: 'expiry' }] });
    expect(await f.store.read((tx) => tx.listMaterials(k.KeyId))).toHaveLength(1);
    expect((await f.kms.maintain()).expired).toEqual([k.KeyId]);
    expect(await f.store.read((tx) => tx.listMaterials(k.KeyId))).toEqual([]);
    const events = (await f.audit()).filter((e) => e.eventName === 'DeleteExpiredKeyMaterial');
    expect(events.map((e) => e.record.serviceEventDetails)).toEqual([
      { keyId: k.KeyId, keyMaterialId: r.KeyMaterialId },
    ]);
  });

  it('import parameters are deleted once their 24 hours are over', async () => {
    const f = await freshKms();
    const k = await f.createKey({ Origin: 'EXTERNAL' });
    await params(f, k.KeyId);
    const stored = async () =>
      ((await f.store.snapshot()).stores.meta as [string, unknown][]).filter(([n]) => n.startsWith('import:')).length;
    expect(await stored()).toBe(1);
    f.clock.t += DAY - 1;
    await f.kms.maintain();
    expect(await stored()).toBe(1);
    f.clock.t += 1;
    await f.kms.maintain();
    expect(await stored()).toBe(0);
  });
});

describe('new imported material and on-demand rotation', () => {
  it('waits as PENDING_ROTATION until RotateKeyOnDemand makes it current; older ciphertext still decrypts', async () => {
    const f = await freshKms();
    const k = await f.createKey({ Origin: 'EXTERNAL' });
    const first = await importMaterial(f, k.KeyId, randomBytes(32));
    const old = (await f.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('old') })).CiphertextBlob;
    const second = await importMaterial(f, k.KeyId, randomBytes(32), 'RSAES_OAEP_SHA_256', {
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      ImportType: 'NEW_KEY_MATERIAL',
      KeyMaterialDescription: 'second',
    });
    expect(second.KeyMaterialId).not.toBe(first.KeyMaterialId);
    const all = async () =>
      (await f.call('ListKeyRotations', { KeyId: k.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' })).Rotations;
    expect((await all()).map((r: any) => [r.KeyMaterialId, r.KeyMaterialState, r.ImportState])).toEqual([
      [first.KeyMaterialId, 'CURRENT', 'IMPORTED'],
      [second.KeyMaterialId, 'PENDING_ROTATION', 'IMPORTED'],
    ]);
    expect((await all())[1].KeyMaterialDescription).toBe('second');
    // Encryption still uses the current material.
    const meanwhile = (await f.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') })).CiphertextBlob;
    expect((await f.call('Decrypt', { CiphertextBlob: meanwhile })).KeyMaterialId).toBe(first.KeyMaterialId);
    await f.call('RotateKeyOnDemand', { KeyId: k.KeyId });
    expect((await f.call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.CurrentKeyMaterialId).toBe(
      second.KeyMaterialId,
    );
    const fresh = (await f.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('new') })).CiphertextBlob;
    expect((await f.call('Decrypt', { CiphertextBlob: fresh })).KeyMaterialId).toBe(second.KeyMaterialId);
    expect(text((await f.call('Decrypt', { CiphertextBlob: old })).Plaintext)).toBe('old');
    const rotations = (await f.call('ListKeyRotations', { KeyId: k.KeyId })).Rotations;
    expect(rotations).toEqual([
      {
        KeyId: k.Arn,
        KeyMaterialId: second.KeyMaterialId,
        KeyMaterialState: 'CURRENT',
        KeyMaterialDescription: 'second',
        ImportState: 'IMPORTED',
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        RotationDate: new Date(f.clock.now()),
        RotationType: 'ON_DEMAND',
      },
    ]);
    // Without new material pending, there is nothing to rotate to.
    await rejectsWith(f.call('RotateKeyOnDemand', { KeyId: k.KeyId }), 'KMSInvalidStateException');
    // Deleting a non-current material makes the key pending import until it is back.
    await f.call('DeleteImportedKeyMaterial', { KeyId: k.KeyId, KeyMaterialId: first.KeyMaterialId });
    expect((await f.call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.KeyState).toBe('PendingImport');
    await rejectsWith(f.call('Decrypt', { CiphertextBlob: fresh }), 'KMSInvalidStateException');
  });

  it('discards material pending rotation when it is deleted, leaving the key usable', async () => {
    const f = await freshKms();
    const k = await f.createKey({ Origin: 'EXTERNAL' });
    await importMaterial(f, k.KeyId, randomBytes(32));
    const pending = await importMaterial(f, k.KeyId, randomBytes(32), 'RSAES_OAEP_SHA_256', {
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      ImportType: 'NEW_KEY_MATERIAL',
    });
    // A second new material while one is pending is refused.
    await rejectsWith(
      importMaterial(f, k.KeyId, randomBytes(32), 'RSAES_OAEP_SHA_256', {
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        ImportType: 'NEW_KEY_MATERIAL',
      }),
      'KMSInvalidStateException',
    );
    await f.call('DeleteImportedKeyMaterial', { KeyId: k.KeyId, KeyMaterialId: pending.KeyMaterialId });
    expect((await f.call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.KeyState).toBe('Enabled');
    const rotations = (await f.call('ListKeyRotations', { KeyId: k.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))
      .Rotations;
    expect(rotations.map((r: any) => r.KeyMaterialState)).toEqual(['CURRENT']);
    await f.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('still works') });
  });
});
