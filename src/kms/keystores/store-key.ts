// The crypto of a passkey key store (ADR 0016): one AES-KW store key per store, stored only wrapped under
// each of its passkeys' KEKs (and, if chosen, under the keystore's domain key); the material of its keys is
// AES-KW wrapped under the store key. Extractable keys exist only inside WebCrypto while they are wrapped.

import { CustomKeyStoreInvalidStateException, ValidationException } from '../errors';
import type { StoreSlot } from './store-record';

const KW: AesKeyAlgorithm = { name: 'AES-KW', length: 256 };
const bytes = (b: ArrayBuffer) => new Uint8Array(b);
const buf = (u: Uint8Array) => u as Uint8Array<ArrayBuffer>;

/** A passkey as the console hands it to the core: its credential ID and the KEK its PRF output derived
 * (HKDF-SHA-256 in the page, src/ui/keystores/store-kek.ts), a non-extractable AES-KW CryptoKey. */
export interface PasskeyProof {
  credentialId: Uint8Array;
  kek: CryptoKey;
}

/** @throws ValidationException unless `p` is a credential ID and a non-extractable AES-KW key that wraps. */
export function checkProof(p: unknown, what = 'passkey'): PasskeyProof {
  const o = p as Partial<PasskeyProof> | null;
  if (!o || !(o.credentialId instanceof Uint8Array) || o.credentialId.length < 1 || o.credentialId.length > 1023)
    throw new ValidationException(`The ${what}'s credential ID is missing or malformed.`);
  /* Precondition: the KEK is a non-extractable AES-KW key, so the page that derived it cannot read it back,
   * and no stored form of it exists to be read off the disk. */
  const k = o.kek;
  if (!(k instanceof CryptoKey) || k.algorithm.name !== 'AES-KW' || k.extractable)
    throw new ValidationException(`The ${what}'s key must be a non-extractable AES-KW CryptoKey.`);
  if (!k.usages.includes('wrapKey') || !k.usages.includes('unwrapKey'))
    throw new ValidationException(`The ${what}'s key must allow wrapKey and unwrapKey.`);
  return { credentialId: o.credentialId, kek: k };
}

export function sameId(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A new store key, wrapped for the first passkey and, if `recoveryKey` (the keystore's domain key) is given,
 * for the keystore's secret too. Returns the usable, non-extractable key as well. */
export async function newStoreKey(
  first: PasskeyProof,
  now: number,
  recoveryKey?: CryptoKey,
): Promise<{ slot: StoreSlot; recovery?: Uint8Array; key: CryptoKey }> {
  const t = await crypto.subtle.generateKey(KW, true, ['wrapKey', 'unwrapKey']);
  const wrappedKey = bytes(await crypto.subtle.wrapKey('raw', t, first.kek, 'AES-KW'));
  const recovery = recoveryKey ? bytes(await crypto.subtle.wrapKey('raw', t, recoveryKey, 'AES-KW')) : undefined;
  const key = await crypto.subtle.unwrapKey('raw', wrappedKey, first.kek, 'AES-KW', KW, false, [
    'wrapKey',
    'unwrapKey',
  ]);
  return {
    slot: { credentialId: first.credentialId.slice(), wrappedKey, addedAt: now },
    ...(recovery ? { recovery } : {}),
    key,
  };
}

/** The store key from a wrapped form; undefined when `kek` is not the one it was wrapped under (AES-KW's
 * integrity check). `extractable` only to wrap it again for a new slot, inside WebCrypto. */
export async function unwrapStoreKey(
  wrapped: Uint8Array,
  kek: CryptoKey,
  extractable: boolean,
): Promise<CryptoKey | undefined> {
  try {
    return await crypto.subtle.unwrapKey('raw', buf(wrapped), kek, 'AES-KW', KW, extractable, ['wrapKey', 'unwrapKey']);
  } catch {
    return undefined;
  }
}

/** The slot of `proof`'s credential, opened with its KEK; undefined when the credential is not one of the
 * store's or its KEK does not open the slot. */
export async function openWithPasskey(
  slots: StoreSlot[],
  proof: PasskeyProof,
  extractable = false,
): Promise<CryptoKey | undefined> {
  const slot = slots.find((s) => sameId(s.credentialId, proof.credentialId));
  return slot ? unwrapStoreKey(slot.wrappedKey, proof.kek, extractable) : undefined;
}

/** A slot for another passkey, holding the same store key (`transient`: extractable, from a slot just opened). */
export async function slotFor(transient: CryptoKey, proof: PasskeyProof, now: number): Promise<StoreSlot> {
  const wrappedKey = bytes(await crypto.subtle.wrapKey('raw', transient, proof.kek, 'AES-KW'));
  return { credentialId: proof.credentialId.slice(), wrappedKey, addedAt: now };
}

/** New AES-256-GCM material for a key of the store: wrapped under the store key; the usable key is
 * non-extractable and kept only in memory. */
export async function generateStoreMaterial(storeKey: CryptoKey): Promise<{ key: CryptoKey; wrapped: ArrayBuffer }> {
  const t = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
  const wrapped = await crypto.subtle.wrapKey('raw', t, storeKey, 'AES-KW');
  return { key: await unwrapMaterial(wrapped, storeKey), wrapped };
}

export function unwrapMaterial(wrapped: ArrayBuffer, storeKey: CryptoKey): Promise<CryptoKey> {
  return crypto.subtle.unwrapKey('raw', wrapped, storeKey, 'AES-KW', { name: 'AES-GCM' }, false, [
    'encrypt',
    'decrypt',
  ]);
}

export function invalidState(message: string) {
  return new CustomKeyStoreInvalidStateException(message);
}
