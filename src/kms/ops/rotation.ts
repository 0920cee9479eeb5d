// EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand, ListKeyRotations,
// and the rotation itself (also run by maintenance when automatic rotation is due).
// New material encrypts from then on; every older version stays to decrypt.

import { requireNotReplica } from '../multi-region/config';
import { DAY_MS, type OpContext } from '../context';
import { page, readPaging } from './paging';
import {
  DisabledException,
  KMSInvalidStateException,
  LimitExceededException,
  UnsupportedOperationException,
} from '../errors';
import { generateMaterial } from '../material';
import type { KeyRecord, RotationType } from '../records';
import { optEnum, optInt, reqString, type Req } from '../validate';
import { newMaterialId } from './keys';
import { rotationFields } from '../import';

export const DEFAULT_ROTATION_DAYS = 365;
/** AWS allows at most 25 on-demand rotations per key. */
export const MAX_ON_DEMAND_ROTATIONS = 25;

/** AWS: rotation and its status exist only for symmetric encryption keys. */
function requireSymmetricKey(key: KeyRecord): void {
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') {
    throw new UnsupportedOperationException(
      `${key.arn} is a ${key.keySpec} key; only symmetric encryption keys (SYMMETRIC_DEFAULT) have key rotation.`,
    );
  }
}

function requireRotatable(key: KeyRecord): void {
  requireSymmetricKey(key);
  // AWS: keys in a custom key store are never rotated, automatically or on demand (ADR 0016).
  if (key.customKeyStoreId)
    throw new UnsupportedOperationException(
      `${key.arn} is in custom key store ${key.customKeyStoreId}; keys in a custom key store cannot be rotated.`,
    );
  // A demo key's material is derived from its name (ADR 0018): a random version 2 would end that.
  if (key.demo)
    throw new UnsupportedOperationException(`${key.arn} is a demo key (published material); demo keys do not rotate.`);
  if (key.state === 'PendingImport') throw new KMSInvalidStateException(`${key.arn} is pending import.`);
  if (key.state === 'Disabled')
    throw new DisabledException(`${key.arn} is disabled; enable it before changing its rotation.`);
  if (key.state === 'PendingDeletion' || key.state === 'PendingReplicaDeletion')
    throw new KMSInvalidStateException(`${key.arn} is pending deletion.`);
  // Rotation is a shared property of a multi-Region key: only its primary changes it (ADR 0015).
  requireNotReplica(key);
}

/** AWS: keys with imported material have no automatic rotation (on-demand rotation to new imported material only). */
function requireAutomatic(key: KeyRecord): void {
  if (key.origin === 'EXTERNAL')
    throw new UnsupportedOperationException(
      `${key.arn} has imported key material (Origin EXTERNAL), which is never rotated automatically.`,
    );
}

export async function enableKeyRotation(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const days = optInt(req, 'RotationPeriodInDays', 90, 2560) ?? DEFAULT_ROTATION_DAYS;
  return c.write(async (tx) => {
    const key = await c.resolve(tx, id, { aliases: false });
    requireAutomatic(key);
    requireRotatable(key);
    // Re-enabling with a new period keeps the clock running from the last rotation or creation.
    const materials = await tx.listMaterials(key.keyId);
    const last = Math.max(...materials.map((m) => m.createdAt));
    const next = Math.max(c.now, last) + days * DAY_MS;
    await tx.putKey({
      ...key,
      rotationEnabled: true,
      rotationPeriodDays: days,
      nextRotationAt: key.rotationEnabled ? last + days * DAY_MS : next,
    });
    return {};
  });
}

export async function disableKeyRotation(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  return c.write(async (tx) => {
    const key = await c.resolve(tx, id, { aliases: false });
    requireAutomatic(key);
    requireRotatable(key);
    const { nextRotationAt: _n, ...rest } = key;
    await tx.putKey({ ...rest, rotationEnabled: false });
    return {};
  });
}

export async function getKeyRotationStatus(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const key = await c.write(async (tx) => {
    const k = await c.resolve(tx, id, { aliases: false });
    requireSymmetricKey(k);
    return k;
  });
  return {
    KeyRotationEnabled: key.rotationEnabled,
    KeyId: key.arn,
    ...(key.rotationEnabled
      ? { RotationPeriodInDays: key.rotationPeriodDays, NextRotationDate: new Date(key.nextRotationAt!) }
      : {}),
  };
}

/**
 * Adds a material version to a key. Serialised per key with a lock; the new version number is
 * taken inside the transaction, so concurrent rotations from several tabs stay one history.
 */
export async function rotate(c: OpContext, keyId: string, type: RotationType): Promise<KeyRecord> {
  return c.env.locks.withLock(`pocket-kms:key:${keyId}`, async () => {
    const material = await generateMaterial(c.env.custodian.roots().domainKey);
    const materialId = newMaterialId(c);
    return c.writeDurable(async (tx) => {
      const key = await c.resolve(tx, keyId, { aliases: false });
      requireRotatable(key);
      await c.env.custodian.requireCurrent(tx);
      // Automatic rotation re-checks inside the transaction, so two instances never both rotate.
      if (type === 'AUTOMATIC' && (!key.rotationEnabled || key.nextRotationAt! > c.now)) {
        throw new KMSInvalidStateException(`${key.arn} is not due for automatic rotation.`);
      }
      const materials = await tx.listMaterials(key.keyId);
      if (type === 'ON_DEMAND') {
        const n = materials.filter((m) => m.rotationType === 'ON_DEMAND').length;
        if (n >= MAX_ON_DEMAND_ROTATIONS)
          throw new LimitExceededException(
            `${key.arn} has been rotated on demand ${n} times; the limit is ${MAX_ON_DEMAND_ROTATIONS}.`,
          );
      }
      const version = Math.max(...materials.map((m) => m.version)) + 1;
      await tx.putMaterial(
        c.env.custodian.forStorage({
          keyId: key.keyId,
          version,
          materialId,
          createdAt: c.now,
          rotationType: type,
          key: material.key,
          wrapped: material.wrapped,
        }),
      );
      const updated: KeyRecord = { ...key, currentVersion: version, currentMaterialId: materialId };
      // AWS: on-demand rotation leaves the automatic schedule as it was.
      if (type === 'AUTOMATIC' && key.rotationEnabled)
        updated.nextRotationAt = c.now + key.rotationPeriodDays! * DAY_MS;
      await tx.putKey(updated);
      return updated;
    });
  });
}

export async function rotateKeyOnDemand(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const key = await c.env.store.read((tx) => c.resolve(tx, id, { aliases: false }));
  requireRotatable(key);
  const rotated =
    key.origin === 'EXTERNAL' ? await rotateImported(c, key.keyId) : await rotate(c, key.keyId, 'ON_DEMAND');
  return { KeyId: rotated.arn };
}

/** On-demand rotation of a key with imported material: the new material imported beforehand (ImportKeyMaterial
 * with NEW_KEY_MATERIAL, now PENDING_ROTATION) becomes current; nothing is generated. */
async function rotateImported(c: OpContext, keyId: string): Promise<KeyRecord> {
  return c.env.locks.withLock(`pocket-kms:key:${keyId}`, () =>
    c.writeDurable(async (tx) => {
      const key = await c.resolve(tx, keyId, { aliases: false });
      requireRotatable(key);
      const all = key.imported ?? [];
      const next = all.find((m) => m.materialState === 'PENDING_ROTATION' && m.importState === 'IMPORTED');
      if (!next)
        throw new KMSInvalidStateException(
          `${key.arn} has no new key material pending rotation: import it first (ImportKeyMaterial, ImportType NEW_KEY_MATERIAL).`,
        );
      const n = all.filter((m) => m.rotationType === 'ON_DEMAND').length;
      if (n >= MAX_ON_DEMAND_ROTATIONS)
        throw new LimitExceededException(
          `${key.arn} has been rotated on demand ${n} times; the limit is ${MAX_ON_DEMAND_ROTATIONS}.`,
        );
      const imported = all.map((m) =>
        m === next
          ? { ...m, materialState: 'CURRENT' as const, rotatedAt: c.now, rotationType: 'ON_DEMAND' as const }
          : m.materialState === 'CURRENT'
            ? { ...m, materialState: 'NON_CURRENT' as const }
            : m,
      );
      const updated: KeyRecord = { ...key, imported, currentVersion: next.version, currentMaterialId: next.materialId };
      await tx.putKey(updated);
      return updated;
    }),
  );
}

export async function listKeyRotations(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const include =
    optEnum(req, 'IncludeKeyMaterial', ['ALL_KEY_MATERIAL', 'ROTATIONS_ONLY'] as const) ?? 'ROTATIONS_ONLY';
  const { limit, after } = readPaging(req, 1000, 100);
  const { key, materials } = await c.write(async (tx) => {
    const key = await c.resolve(tx, id, { aliases: false });
    requireSymmetricKey(key);
    return { key, materials: await tx.listMaterials(key.keyId) };
  });
  if (key.origin === 'EXTERNAL') {
    // Imported material is listed from the key's record: deleted or expired material has no stored bytes.
    const shown = (key.imported ?? []).filter((m) => include === 'ALL_KEY_MATERIAL' || m.rotationType !== undefined);
    const p = page(shown, (m) => String(m.version).padStart(10, '0'), limit, after);
    return {
      Rotations: p.items.map((m) => ({
        KeyId: key.arn,
        KeyMaterialId: m.materialId,
        KeyMaterialState: m.materialState,
        ...rotationFields(m),
        ...(m.rotationType ? { RotationDate: new Date(m.rotatedAt!), RotationType: m.rotationType } : {}),
      })),
      ...(p.next ? { NextMarker: p.next } : {}),
      Truncated: p.next !== undefined,
    };
  }
  const shown = materials
    .filter((m) => include === 'ALL_KEY_MATERIAL' || m.rotationType !== undefined)
    .sort((a, b) => a.version - b.version);
  const p = page(shown, (m) => String(m.version).padStart(10, '0'), limit, after);
  return {
    Rotations: p.items.map((m) => ({
      KeyId: key.arn,
      KeyMaterialId: m.materialId,
      KeyMaterialState: m.version === key.currentVersion ? ('CURRENT' as const) : ('NON_CURRENT' as const),
      // ExpirationModel, ValidTo, ImportState and KeyMaterialDescription are only for keys with EXTERNAL
      // origin (above): AWS leaves them out here.
      ...(m.rotationType ? { RotationDate: new Date(m.createdAt), RotationType: m.rotationType } : {}),
    })),
    ...(p.next ? { NextMarker: p.next } : {}),
    Truncated: p.next !== undefined,
  };
}
