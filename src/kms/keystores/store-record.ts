// What a passkey key store is on disk (ADR 0016): its name, the passkeys that open it (each slot holds the
// store key AES-KW wrapped under the KEK that passkey's PRF output derives), and, only if the person chose
// it at creation, the store key wrapped under the keystore's own domain key (recovery through its secret).

import { CustomKeyStoreNotFoundException } from '../errors';
import type { Tx } from '../ports';

/** `meta` entry holding every passkey key store of the keystore (few: AWS allows 10 per account). */
export const KEY_STORES_META = 'customKeyStores';
/** AWS's quota of custom key stores per account and Region. */
export const MAX_KEY_STORES = 10;
/** Minutes without a use of a store key after which an instance disconnects the store (0: never). */
export const DEFAULT_IDLE_MINUTES = 15;
export const MAX_IDLE_MINUTES = 1440;

export interface StoreSlot {
  /** The WebAuthn credential whose PRF output derives this slot's KEK (docs: ADR 0016 "Key hierarchy"). */
  credentialId: Uint8Array;
  /** The store key, AES-KW wrapped under the KEK (40 bytes). */
  wrappedKey: Uint8Array;
  addedAt: number;
}

export interface KeyStoreRecord {
  /** `cks-` and 17 hex digits, as AWS's. */
  id: string;
  name: string;
  createdAt: number;
  slots: StoreSlot[];
  /** The store key AES-KW wrapped under the keystore's domain key: present only if the person allowed
   * recovery through the keystore's secret when creating the store (the default is no). */
  recovery?: Uint8Array;
  idleMinutes: number;
}

export async function allKeyStores(tx: Tx): Promise<KeyStoreRecord[]> {
  return (await tx.getMeta<KeyStoreRecord[]>(KEY_STORES_META)) ?? [];
}

/** @throws CustomKeyStoreNotFoundException */
export async function keyStoreById(tx: Tx, id: string): Promise<KeyStoreRecord> {
  const s = (await allKeyStores(tx)).find((x) => x.id === id);
  if (!s) throw notFound(id);
  return s;
}

export function notFound(id: string) {
  return new CustomKeyStoreNotFoundException(`Custom key store '${id}' does not exist in this keystore.`);
}

/** Replaces (or adds) one store's record. */
export async function putKeyStore(tx: Tx, rec: KeyStoreRecord): Promise<void> {
  const all = await allKeyStores(tx);
  const i = all.findIndex((x) => x.id === rec.id);
  if (i < 0) all.push(rec);
  else all[i] = rec;
  await tx.putMeta(KEY_STORES_META, all);
}

export async function deleteKeyStore(tx: Tx, id: string): Promise<void> {
  const rest = (await allKeyStores(tx)).filter((x) => x.id !== id);
  if (rest.length) await tx.putMeta(KEY_STORES_META, rest);
  else await tx.deleteMeta(KEY_STORES_META);
}
