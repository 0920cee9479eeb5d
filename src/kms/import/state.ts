// The imported material of an EXTERNAL key and what follows from it (AWS KMS Developer Guide, "Importing
// key material", "Key states"): which versions are permanently associated, the key state, expiry, and the
// fields DescribeKey and ListKeyRotations show. Pure functions over the key record.

import type { ImportedMaterial, KeyRecord, KeyState } from '../records';

/** Material in PENDING_ROTATION is not yet permanently associated with the key (it can be discarded). */
export const isPermanent = (m: ImportedMaterial) => m.materialState !== 'PENDING_ROTATION';

/** The key state its imported material gives: usable only when every permanently associated material is
 * imported. PendingDeletion is left as it is (DeleteImportedKeyMaterial and expiry do not change it);
 * Disabled stays Disabled once its material is back. */
export function stateWith(key: KeyRecord, imported: readonly ImportedMaterial[]): KeyState {
  if (key.state === 'PendingDeletion') return key.state;
  const complete =
    imported.some((m) => m.materialState === 'CURRENT') &&
    imported.filter(isPermanent).every((m) => m.importState === 'IMPORTED');
  if (!complete) return 'PendingImport';
  return key.state === 'PendingImport' ? 'Enabled' : key.state;
}

/** The versions whose ValidTo has passed at `now` while still imported. */
export function expiredVersions(key: KeyRecord, now: number): ImportedMaterial[] {
  return (key.imported ?? []).filter(
    (m) => m.importState === 'IMPORTED' && m.validTo !== undefined && m.validTo <= now,
  );
}

/**
 * The key as it stands at `now`: material past its ValidTo counts as deleted (PENDING_IMPORT) and the key
 * state follows, before maintenance has destroyed the bytes (it then records DeleteExpiredKeyMaterial). Every
 * read of a key goes through this (OpContext.resolve), so expired material is never used, whatever caches hold.
 */
export function asOf(key: KeyRecord, now: number): KeyRecord {
  if (key.origin !== 'EXTERNAL' || expiredVersions(key, now).length === 0) return key;
  const imported = key.imported!.map((m) =>
    m.importState === 'IMPORTED' && m.validTo !== undefined && m.validTo <= now
      ? { ...withoutValidTo(m), importState: 'PENDING_IMPORT' as const }
      : m,
  );
  return { ...key, imported, state: stateWith(key, imported) };
}

export function withoutValidTo(m: ImportedMaterial): ImportedMaterial {
  const { validTo: _v, ...rest } = m;
  return rest;
}

/** DescribeKey's ExpirationModel and ValidTo (KeyMetadata): the earliest expiry of any imported material
 * permanently associated with the key; present only for EXTERNAL keys that have had material. */
export function expiryFields(key: KeyRecord): {
  ExpirationModel?: ImportedMaterial['expirationModel'];
  ValidTo?: Date;
} {
  if (key.origin !== 'EXTERNAL') return {};
  const permanent = (key.imported ?? []).filter(isPermanent);
  const current = permanent.find((m) => m.materialState === 'CURRENT');
  const times = permanent.filter((m) => m.importState === 'IMPORTED' && m.validTo !== undefined).map((m) => m.validTo!);
  if (times.length) return { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(Math.min(...times)) };
  return current ? { ExpirationModel: current.expirationModel } : {};
}

/** ListKeyRotations' fields for one imported material (only for symmetric EXTERNAL keys, as AWS). */
export function rotationFields(m: ImportedMaterial) {
  return {
    ...(m.description !== undefined ? { KeyMaterialDescription: m.description } : {}),
    ImportState: m.importState,
    ExpirationModel: m.expirationModel,
    ...(m.validTo !== undefined ? { ValidTo: new Date(m.validTo) } : {}),
  };
}
