// A 'merge' restore's passkey key stores (ADR 0016 "Backup and restore", with ADR 0009): a key of a store that is
// here already (same store ID and the same store key) joins it, still locked to that store's passkeys; a store
// that is not here comes with its keys, as an empty restore brings it. Store material is wrapped under its store
// key, never under the roots, so it is copied byte for byte; only the optional recovery copy is re-wrapped.

import {
  allKeyStores,
  putKeyStore,
  sameId,
  unwrapStoreKey,
  MAX_KEY_STORES,
  KEY_STORES_META,
  type KeyStoreRecord,
} from '../keystores';
import type { RootKeys } from '../material';
import type { Tx } from '../ports';
import type { KeyRecord, MaterialRecord } from '../records';

export interface StorePlan {
  /** Stores to add, each with its recovery copy re-wrapped for this keystore's secret (or without one). */
  add: KeyStoreRecord[];
  /** Why the keys of a store cannot come, by store ID. */
  refused: Map<string, string>;
}

const eq = (a: ArrayBuffer | Uint8Array, b: ArrayBuffer | Uint8Array) => {
  const x = new Uint8Array(a as ArrayBuffer),
    y = new Uint8Array(b as ArrayBuffer);
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

/** Two records of one store: a passkey both list wraps the same bytes (AES-KW is deterministic, RFC 3394, and
 * one credential's PRF output gives one KEK), so the store key is the same. Passkeys are never removed from a
 * store, so copies of one store always share its first. */
export function sameStore(a: KeyStoreRecord, b: KeyStoreRecord): boolean {
  return a.slots.some((s) =>
    b.slots.some((t) => sameId(s.credentialId, t.credentialId) && eq(s.wrappedKey, t.wrappedKey)),
  );
}

/** A store key's versions in the backup and here are the same material: same IDs and the same bytes wrapped
 * under the same store key (deterministic AES-KW). */
export function sameStoreMaterial(theirs: MaterialRecord[], mine: MaterialRecord[]): boolean {
  if (theirs.length !== mine.length) return false;
  return theirs.every((t) => {
    const m = mine.find((x) => x.version === t.version);
    return (
      !!m &&
      !t.kind &&
      !m.kind &&
      m.materialId === t.materialId &&
      m.customKeyStoreId === t.customKeyStoreId &&
      eq(m.wrapped, t.wrapped)
    );
  });
}

/** The backup's store records (its `meta` entry). */
export function backupStores(stores: Record<string, unknown[]>): KeyStoreRecord[] {
  const meta = new Map(stores.meta as [string, unknown][]);
  const list = meta.get(KEY_STORES_META);
  return Array.isArray(list) ? (list as KeyStoreRecord[]) : [];
}

/**
 * What to do with the stores `keys` (the backup's keys being merged) live in; `here`: this keystore's stores.
 * `from` are the backup's roots, `to` this keystore's; `secret`: this keystore has a secret. A recovery copy is re-wrapped under this keystore's
 * domain key inside WebCrypto; a device keystore gets none, as CreateCustomKeyStore offers none there (its domain
 * key is usable by any script of the site).
 */
export async function planStores(
  keys: KeyRecord[],
  theirs: KeyStoreRecord[],
  here: KeyStoreRecord[],
  from: RootKeys,
  to: RootKeys,
  secret: boolean,
): Promise<StorePlan> {
  const plan: StorePlan = { add: [], refused: new Map() };
  for (const id of new Set(keys.flatMap((k) => (k.customKeyStoreId ? [k.customKeyStoreId] : [])))) {
    const t = theirs.find((s) => s.id === id);
    const mine = here.find((s) => s.id === id);
    if (!t) plan.refused.set(id, `its key store ${id} is not in the backup`);
    else if (mine) {
      if (!sameStore(t, mine)) plan.refused.set(id, `a different key store with the ID ${id} exists here`);
    } else if ([...here, ...plan.add].some((s) => s.name === t.name))
      plan.refused.set(id, `a key store named '${t.name}' exists here: rename it, then merge again`);
    else if (here.length + plan.add.length >= MAX_KEY_STORES)
      plan.refused.set(id, `this keystore has ${MAX_KEY_STORES} key stores already`);
    else {
      const { recovery, ...rest } = t;
      const key = recovery && secret ? await unwrapStoreKey(recovery, from.domainKey, true) : undefined;
      const again = key ? new Uint8Array(await crypto.subtle.wrapKey('raw', key, to.domainKey, 'AES-KW')) : undefined;
      plan.add.push({ ...rest, ...(again ? { recovery: again } : {}) });
    }
  }
  return plan;
}

/** Adds the planned stores in the merge's transaction (one that appeared here meanwhile is kept as it is). */
export async function addStores(tx: Tx, plan: StorePlan): Promise<number> {
  const here = await allKeyStores(tx);
  const fresh = plan.add.filter((s) => !here.some((h) => h.id === s.id));
  for (const s of fresh) await putKeyStore(tx, s);
  return fresh.length;
}
