// Moving a multi-Region key's shared properties between Regions (ADR 0015): its material versions,
// re-wrapped from one keystore's root keys to the other's inside WebCrypto (material/rewrap.ts), its
// rotation settings and the set's layout. KMS records the replica side as SynchronizeMultiRegionKey.

import { DAY_MS, OpContext, type KmsEnv } from '../context';
import { KMSInvalidStateException } from '../errors';
import type { Kms } from '../kms';
import { rewrapAll, withDeviceForms } from '../material';
import { stateWith } from '../import';
import type { ImportedMaterial, KeyRecord, MaterialRecord } from '../records';
import { layout } from './config';

/** The event KMS records in a replica's Region when the primary's shared properties reach it. */
export const SYNC_EVENT = 'SynchronizeMultiRegionKey';

/**
 * Refuses to move material from a keystore locked at rest into one that is not: the replica would be
 * readable off the disk, which the primary's custody promises it is not.
 * @throws KMSInvalidStateException
 */
export function requireCustodyAtLeast(src: KmsEnv, dst: KmsEnv): void {
  if (dst.custodian.status().locked)
    throw new KMSInvalidStateException(
      `The keystore of ${dst.keystore.region} is locked: unlock it in the console before replicating to it.`,
    );
  if (src.custodian.mode === 'secret' && dst.custodian.mode === 'device')
    throw new KMSInvalidStateException(
      `The keystore of ${dst.keystore.region} is not protected by a secret, and ${src.keystore.region}'s is: set the same protection there first.`,
    );
}

/** `materials` of `key` in `src`, re-wrapped under `dst`'s root keys, in the forms `dst` stores. */
export async function materialsFor(
  src: KmsEnv,
  dst: KmsEnv,
  key: KeyRecord,
  materials: MaterialRecord[],
): Promise<MaterialRecord[]> {
  const to = dst.custodian.roots();
  const out = await rewrapAll(materials, new Map([[key.keyId, key]]), src.custodian.roots(), to, (n) =>
    dst.random.bytes(n),
  );
  if (dst.custodian.mode !== 'device') return out;
  return Promise.all(out.map((m) => withDeviceForms(m, key, to)));
}

/** The shared properties a replica takes from its primary. */
function shared(primary: KeyRecord) {
  return {
    rotationEnabled: primary.rotationEnabled,
    ...(primary.rotationPeriodDays !== undefined ? { rotationPeriodDays: primary.rotationPeriodDays } : {}),
    ...(primary.nextRotationAt !== undefined ? { nextRotationAt: primary.nextRotationAt } : {}),
    currentVersion: primary.currentVersion,
    currentMaterialId: primary.currentMaterialId,
  };
}

/**
 * A replica's imported materials (Origin EXTERNAL) after its primary's: AWS never copies imported material
 * between Regions ("Importing key material into multi-Region keys"), so the replica lists each material the
 * primary has permanently (same version and material ID) and holds it only once the same material has been
 * imported into it (PENDING_IMPORT until then: the key state follows). Its own imports keep their expiry.
 */
export function importedForReplica(primary: KeyRecord, mine: readonly ImportedMaterial[] = []): ImportedMaterial[] {
  const have = new Map(mine.map((m) => [m.materialId, m]));
  return (primary.imported ?? [])
    .filter((m) => m.materialState !== 'PENDING_ROTATION')
    .map((m): ImportedMaterial => {
      const own = have.get(m.materialId);
      if (own) return { ...own, materialState: m.materialState };
      const { validTo: _v, description: _d, ...rest } = m;
      return { ...rest, importState: 'PENDING_IMPORT' };
    });
}

const sameLayout = (a: KeyRecord['multiRegion'], b: KeyRecord['multiRegion']) =>
  a?.type === b?.type && a?.primaryRegion === b?.primaryRegion && a?.replicaRegions.join() === b?.replicaRegions.join();

/**
 * Brings each replica of the primary key `keyId` (in `env`'s Region) up to date: new material versions,
 * rotation settings and the set's layout. Idempotent: a replica already in step is not written.
 * Returns the Regions it could not reach (not open here, or locked); maintenance tries again.
 */
export async function syncReplicas(env: KmsEnv, keyId: string): Promise<string[]> {
  const read = await env.store.read(async (tx) => {
    const key = await tx.getKey(keyId);
    return key ? { key, materials: await tx.listMaterials(keyId) } : undefined;
  });
  const m = read?.key.multiRegion;
  if (!read || m?.type !== 'PRIMARY' || !env.regions) return [];
  const missed: string[] = [];
  for (const region of m.replicaRegions) {
    const peer = await env.regions.get(region).catch(() => undefined);
    if (!peer || peer.custody.status().locked) {
      missed.push(region);
      continue;
    }
    try {
      await syncOne(env, peer.peerEnv(), read.key, read.materials);
    } catch {
      missed.push(region);
    }
  }
  return missed;
}

async function syncOne(src: KmsEnv, dst: KmsEnv, primary: KeyRecord, materials: MaterialRecord[]): Promise<void> {
  const m = primary.multiRegion!;
  const want = layout('REPLICA', m.primaryRegion, m.replicaRegions);
  const have = await dst.store.read(async (tx) => {
    const key = await tx.getKey(primary.keyId);
    return key ? { key, versions: new Set((await tx.listMaterials(primary.keyId)).map((x) => x.version)) } : undefined;
  });
  if (!have || have.key.multiRegion?.type !== 'REPLICA') return;
  if (primary.origin === 'EXTERNAL') return syncImported(dst, primary, want);
  const missing = materials.filter((x) => !have.versions.has(x.version));
  const s = shared(primary);
  const inStep =
    missing.length === 0 &&
    sameLayout(have.key.multiRegion, want) &&
    have.key.rotationEnabled === s.rotationEnabled &&
    have.key.rotationPeriodDays === primary.rotationPeriodDays &&
    have.key.currentVersion === s.currentVersion;
  if (inStep) return;
  requireCustodyAtLeast(src, dst);
  const added = await materialsFor(src, dst, primary, missing);
  const c = new OpContext(dst, 'service', SYNC_EVENT, { keyId: have.key.arn });
  c.keyIds.add(primary.keyId);
  await dst.store.write(
    async (tx) => {
      const cur = await tx.getKey(primary.keyId);
      if (!cur || cur.multiRegion?.type !== 'REPLICA') return;
      await dst.custodian.requireCurrent(tx);
      for (const x of added) if (!(await tx.getMaterial(x.keyId, x.version))) await tx.putMaterial(x);
      const { rotationPeriodDays: _p, nextRotationAt: _n, ...rest } = cur;
      await tx.putKey({ ...rest, ...s, multiRegion: want });
      await tx.appendAudit(c.entry(null));
    },
    { durable: added.length > 0 },
  );
  dst.cache.forgetKey(primary.keyId);
}

/** syncOne for a key with imported material: the layout and the list of materials, never material itself. */
async function syncImported(dst: KmsEnv, primary: KeyRecord, want: ReturnType<typeof layout>): Promise<void> {
  const c = new OpContext(dst, 'service', SYNC_EVENT, { keyId: keyArnIn(dst, primary) });
  c.keyIds.add(primary.keyId);
  await dst.store.write(async (tx) => {
    const cur = await tx.getKey(primary.keyId);
    if (!cur || cur.multiRegion?.type !== 'REPLICA') return;
    const imported = importedForReplica(primary, cur.imported);
    const next: KeyRecord = {
      ...cur,
      imported,
      state: stateWith(cur, imported),
      currentVersion: primary.currentVersion,
      currentMaterialId: primary.currentMaterialId,
      ...(primary.lastVersion !== undefined ? { lastVersion: primary.lastVersion } : {}),
      multiRegion: want,
    };
    if (JSON.stringify(next) === JSON.stringify(cur)) return;
    await tx.putKey(next);
    await tx.appendAudit(c.entry(null));
  });
  dst.cache.forgetKey(primary.keyId);
}

const keyArnIn = (env: KmsEnv, key: KeyRecord) =>
  `arn:aws:kms:${env.keystore.region}:${env.keystore.accountId}:key/${key.keyId}`;

/**
 * After a replica in `env`'s Region was deleted: its primary forgets it, and a primary waiting in
 * PendingReplicaDeletion for its last replica starts its own waiting period (AWS: "PendingReplicaDeletion").
 */
export async function replicaGone(env: KmsEnv, key: KeyRecord): Promise<void> {
  const m = key.multiRegion;
  if (m?.type !== 'REPLICA' || !env.regions) return;
  const peer: Kms | undefined = await env.regions.get(m.primaryRegion).catch(() => undefined);
  if (!peer || peer.custody.status().locked) return;
  const p = peer.peerEnv();
  const c = new OpContext(p, 'service', SYNC_EVENT, { keyId: key.arn });
  c.keyIds.add(key.keyId);
  const now = p.clock.now();
  await p.store.write(async (tx) => {
    const cur = await tx.getKey(key.keyId);
    if (!cur || cur.multiRegion?.type !== 'PRIMARY' || !cur.multiRegion.replicaRegions.includes(env.keystore.region))
      return;
    const replicaRegions = cur.multiRegion.replicaRegions.filter((r) => r !== env.keystore.region);
    const next: KeyRecord = { ...cur, multiRegion: { ...cur.multiRegion, replicaRegions } };
    if (cur.state === 'PendingReplicaDeletion' && replicaRegions.length === 0) {
      next.state = 'PendingDeletion';
      next.deletionDate = now + (cur.pendingWindowDays ?? 30) * DAY_MS;
    }
    await tx.putKey(next);
    await tx.appendAudit(c.entry(null));
  });
  await syncReplicas(p, key.keyId);
}

/**
 * A replica in `env`'s Region that its primary does not list joins the list (what AWS shows: the primary's
 * ReplicaKeys name every replica of the set). ReplicateKey writes the replica's Region, then the primary's:
 * a failure between them leaves such a replica, which maintenance repairs here. The other replicas then
 * learn the layout. Returns whether the primary was written.
 */
export async function joinPrimary(env: KmsEnv, keyId: string): Promise<boolean> {
  const here = env.keystore.region;
  // Read now, not from a list taken earlier: a replica deleted meanwhile must not be listed again.
  const key = await env.store.read((tx) => tx.getKey(keyId));
  const m = key?.multiRegion;
  if (!key || m?.type !== 'REPLICA' || m.primaryRegion === here || !env.regions) return false;
  const peer: Kms | undefined = await env.regions.get(m.primaryRegion).catch(() => undefined);
  if (!peer || peer.custody.status().locked) return false;
  const p = peer.peerEnv();
  const c = new OpContext(p, 'service', SYNC_EVENT, { keyId: key.arn });
  c.keyIds.add(keyId);
  const wrote = await p.store.write(async (tx) => {
    const cur = await tx.getKey(keyId);
    // A primary that moved (UpdatePrimaryRegion) or went is not this replica's to change.
    if (!cur || cur.multiRegion?.type !== 'PRIMARY' || cur.multiRegion.replicaRegions.includes(here)) return false;
    const set = cur.multiRegion;
    await tx.putKey({ ...cur, multiRegion: layout('PRIMARY', set.primaryRegion, [...set.replicaRegions, here]) });
    await tx.appendAudit(c.entry(null));
    return true;
  });
  if (wrote) await syncReplicas(p, keyId).catch(() => undefined);
  return wrote;
}
