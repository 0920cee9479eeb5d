// Expiry of imported key material, run by maintenance (Kms.maintain): material past its ValidTo is destroyed
// with the DeleteExpiredKeyMaterial service event AWS records (AWS KMS Developer Guide, CloudTrail
// "DeleteExpiredKeyMaterial"), and import parameters past their 24 hours are deleted.

import { OpContext, type KmsEnv } from '../context';
import { uuidV4 } from '../ids';
import { asOf, expiredVersions, parametersMeta } from '../import';
import type { Tx } from '../ports';
import { destroyMaterial } from './import';

/** An EXTERNAL key's maintenance: material past its ValidTo is destroyed (every stored form) with one
 * DeleteExpiredKeyMaterial service event per material, as AWS records it; expired import parameters (their
 * sealed wrapping private keys) are deleted. Reads already treat expired material as gone (import/state.ts). */
export async function expireImported(env: KmsEnv, keyId: string, now: number): Promise<boolean> {
  // Read first: most minutes there is nothing to do, and a write would be a durable transaction.
  const due = (await env.store.read((tx) => dueExpiry(tx, keyId, now))) !== undefined;
  if (!due) return false;
  const c = new OpContext(env, 'service', 'DeleteExpiredKeyMaterial', undefined);
  c.keyIds.add(keyId);
  const changed = await env.store.write(
    async (tx) => {
      const d = await dueExpiry(tx, keyId, now);
      if (!d) return false;
      c.noteKey(d.stored);
      for (const t of d.staleTokens) await tx.deleteMeta(parametersMeta(t.id));
      await destroyMaterial(
        tx,
        keyId,
        d.destroyed.map((m) => m.version),
      );
      await tx.putKey({ ...asOf(d.stored, now), importTokens: d.liveTokens });
      for (const m of d.destroyed) {
        const e = c.entry(null);
        e.eventId = e.record.eventID = uuidV4(env.random.bytes(16));
        e.record.serviceEventDetails = { keyId, keyMaterialId: m.materialId };
        await tx.appendAudit(e);
      }
      return d.destroyed.length > 0;
    },
    { durable: true },
  );
  if (changed) env.cache.forgetKey(keyId);
  return changed;
}

/** What expiry has to do for an EXTERNAL key at `now`, or undefined when nothing. */
async function dueExpiry(tx: Tx, keyId: string, now: number) {
  const stored = await tx.getKey(keyId);
  if (!stored || stored.origin !== 'EXTERNAL') return undefined;
  const gone = expiredVersions(stored, now);
  const staleTokens = (stored.importTokens ?? []).filter((t) => t.expiresAt <= now);
  // Bytes of expired material whose record another call already saved as expired (it wrote the key as
  // OpContext.resolve showed it: import/state.ts asOf): destroyed and recorded the same way.
  const held = (await tx.listMaterials(keyId)).map((m) => m.version);
  const leftover = (stored.imported ?? []).filter(
    (m) => m.importState !== 'IMPORTED' && held.includes(m.version) && !gone.includes(m),
  );
  const destroyed = [...gone, ...leftover];
  if (!destroyed.length && !staleTokens.length) return undefined;
  const liveTokens = (stored.importTokens ?? []).filter((t) => t.expiresAt > now);
  return { stored, destroyed, staleTokens, liveTokens };
}
