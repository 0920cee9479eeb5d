// ReplicateKey of a multi-Region key with imported material (AWS KMS Developer Guide, "Importing key material
// into multi-Region keys"): the replica starts PendingImport, takes the same material only, and its material
// and expiry are its own; new material goes into the primary first.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Fresh } from '../../helpers/kms';
import { freshRegions } from '../../helpers/regions';
import { importMaterial } from '../import/wrap';

const text = new TextEncoder();

async function importedPair() {
  const r = await freshRegions();
  const east = await r.at('us-east-1');
  const west = await r.at('us-west-2');
  const material = new Uint8Array(randomBytes(32));
  const { KeyMetadata } = await east.call('CreateKey', { Origin: 'EXTERNAL', MultiRegion: true });
  const KeyId: string = KeyMetadata.KeyId;
  await importMaterial(east as unknown as Fresh, KeyId, material);
  return { r, east, west, KeyId, material };
}

const refused = (p: Promise<unknown>, name: string) => expect(p).rejects.toMatchObject({ name });

describe('multi-Region keys with imported key material', () => {
  it('replicates as PendingImport; only the same material makes the replica decrypt the primary’s ciphertext', async () => {
    const { east, west, KeyId, material } = await importedPair();
    const rep = await east.call('ReplicateKey', { KeyId, ReplicaRegion: 'us-west-2' });
    expect(rep.ReplicaKeyMetadata).toMatchObject({ KeyState: 'PendingImport', Origin: 'EXTERNAL', Enabled: false });
    const { CiphertextBlob } = await east.call('Encrypt', { KeyId, Plaintext: text.encode('imported') });
    await refused(west.call('Decrypt', { CiphertextBlob }), 'KMSInvalidStateException');

    const w = west as unknown as Fresh;
    await refused(importMaterial(w, KeyId, new Uint8Array(randomBytes(32))), 'IncorrectKeyMaterialException');
    expect((await west.call('DescribeKey', { KeyId })).KeyMetadata.KeyState).toBe('PendingImport');
    await importMaterial(w, KeyId, material);
    expect((await west.call('DescribeKey', { KeyId })).KeyMetadata).toMatchObject({
      KeyState: 'Enabled',
      Origin: 'EXTERNAL',
      MultiRegionConfiguration: { MultiRegionKeyType: 'REPLICA' },
    });
    const dec = await west.call('Decrypt', { CiphertextBlob });
    expect(new TextDecoder().decode(dec.Plaintext)).toBe('imported');
    const back = await west.call('Encrypt', { KeyId, Plaintext: text.encode('west') });
    expect(
      new TextDecoder().decode((await east.call('Decrypt', { CiphertextBlob: back.CiphertextBlob })).Plaintext),
    ).toBe('west');
  });

  it('keeps the replica’s material its own: deleting it there leaves the primary usable; new material only via the primary', async () => {
    const { east, west, KeyId, material } = await importedPair();
    await east.call('ReplicateKey', { KeyId, ReplicaRegion: 'us-west-2' });
    const w = west as unknown as Fresh;
    await importMaterial(w, KeyId, material);
    await refused(
      importMaterial(w, KeyId, new Uint8Array(randomBytes(32)), 'RSAES_OAEP_SHA_256', {
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        ImportType: 'NEW_KEY_MATERIAL',
      }),
      'UnsupportedOperationException',
    );
    await west.call('DeleteImportedKeyMaterial', { KeyId });
    expect((await west.call('DescribeKey', { KeyId })).KeyMetadata.KeyState).toBe('PendingImport');
    expect((await east.call('DescribeKey', { KeyId })).KeyMetadata.KeyState).toBe('Enabled');
    await east.call('Encrypt', { KeyId, Plaintext: text.encode('still') });
  });

  it('after the primary rotates to new imported material, the replica waits for the same material', async () => {
    const { east, west, KeyId, material } = await importedPair();
    await east.call('ReplicateKey', { KeyId, ReplicaRegion: 'us-west-2' });
    const w = west as unknown as Fresh;
    await importMaterial(w, KeyId, material);
    const next = new Uint8Array(randomBytes(32));
    await importMaterial(east as unknown as Fresh, KeyId, next, 'RSAES_OAEP_SHA_256', {
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      ImportType: 'NEW_KEY_MATERIAL',
    });
    await east.call('RotateKeyOnDemand', { KeyId });
    expect((await west.call('DescribeKey', { KeyId })).KeyMetadata.KeyState).toBe('PendingImport');
    const fresh = await east.call('Encrypt', { KeyId, Plaintext: text.encode('rotated') });
    const newId = (await east.call('DescribeKey', { KeyId })).KeyMetadata.CurrentKeyMaterialId;
    expect(newId).toBe((await west.call('DescribeKey', { KeyId })).KeyMetadata.CurrentKeyMaterialId);
    // The first material, imported again, is not the new one.
    await refused(
      importMaterial(w, KeyId, material, 'RSAES_OAEP_SHA_256', {
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        ImportType: 'EXISTING_KEY_MATERIAL',
        KeyMaterialId: newId,
      }),
      'IncorrectKeyMaterialException',
    );
    await importMaterial(w, KeyId, next);
    expect((await west.call('DescribeKey', { KeyId })).KeyMetadata.KeyState).toBe('Enabled');
    expect(
      new TextDecoder().decode((await west.call('Decrypt', { CiphertextBlob: fresh.CiphertextBlob })).Plaintext),
    ).toBe('rotated');
  });
});
