// Re-wrapping stored secrets under new root keys (ADR 0009), when a device keystore is moved to a
// secret. Browser-protected material is unwrapped extractable and wrapped again inside WebCrypto (its
// bytes never reach JavaScript); software material (ADR 0005) is decrypted and sealed again here and zeroed.

import { hasWebCryptoEd25519, sealAad, SPECS, variants } from '../asymmetric';
import type { KeyPairMaterialRecord, KeyRecord, MaterialRecord, SymmetricMaterialRecord } from '../records';
import type { RootKeys } from './custody';

const gcmOf = (iv: Uint8Array, keyId: string, version: number): AesGcmParams => ({
  name: 'AES-GCM',
  iv: iv as Uint8Array<ArrayBuffer>,
  additionalData: sealAad(keyId, version) as Uint8Array<ArrayBuffer>,
});

/** A symmetric version wrapped under `to.domainKey`, with no usable form (a secret keystore stores none). */
export async function rewrapSymmetric(
  m: SymmetricMaterialRecord,
  from: RootKeys,
  to: RootKeys,
): Promise<SymmetricMaterialRecord> {
  const t = await crypto.subtle.unwrapKey('raw', m.wrapped, from.domainKey, 'AES-KW', { name: 'AES-GCM' }, true, [
    'encrypt',
    'decrypt',
  ]);
  const wrapped = await crypto.subtle.wrapKey('raw', t, to.domainKey, 'AES-KW');
  const { key: _usable, ...rest } = m;
  return { ...rest, wrapped } as SymmetricMaterialRecord;
}

/** A key pair's sealed private key under `to.wrappingKey` with a fresh IV, and no WebCrypto keys stored. */
export async function rewrapPair(
  m: KeyPairMaterialRecord,
  key: Pick<KeyRecord, 'keySpec' | 'keyUsage'>,
  from: RootKeys,
  to: RootKeys,
  iv: Uint8Array,
): Promise<KeyPairMaterialRecord> {
  const oldGcm = gcmOf(m.iv, m.keyId, m.version);
  const newGcm = gcmOf(iv, m.keyId, m.version);
  const info = SPECS[key.keySpec];
  const vs = Object.values(variants(key.keySpec, key.keyUsage));
  const inWebCrypto =
    info.protection === 'browser' &&
    vs.length > 0 &&
    (info.family !== 'ed25519' || Object.keys(m.cryptoKeys).length > 0 || (await hasWebCryptoEd25519()));
  let sealed: ArrayBuffer;
  if (inWebCrypto) {
    const format = info.family === 'hmac' ? 'raw' : 'pkcs8';
    const usages: globalThis.KeyUsage[] = vs[0]!.usages;
    const t = await crypto.subtle.unwrapKey(format, m.sealed, from.wrappingKey, oldGcm, vs[0]!.alg, true, usages);
    sealed = await crypto.subtle.wrapKey(format, t, to.wrappingKey, newGcm);
  } else {
    const secret = new Uint8Array(await crypto.subtle.decrypt(oldGcm, from.wrappingKey, m.sealed));
    try {
      sealed = await crypto.subtle.encrypt(newGcm, to.wrappingKey, secret);
    } finally {
      secret.fill(0);
    }
  }
  return { ...m, cryptoKeys: {}, sealed, iv: iv.slice() };
}

/** Every material record re-wrapped, in the order given. `keys` names each record's key (spec, usage). */
export async function rewrapAll(
  materials: MaterialRecord[],
  keys: Map<string, KeyRecord>,
  from: RootKeys,
  to: RootKeys,
  random: (n: number) => Uint8Array,
): Promise<MaterialRecord[]> {
  const out: MaterialRecord[] = [];
  for (const m of materials) {
    // A passkey key store's material is under its store key, which these roots never held (ADR 0016).
    if (!m.kind && m.customKeyStoreId) out.push(m);
    else if (!m.kind) out.push(await rewrapSymmetric(m, from, to));
    else {
      const key = keys.get(m.keyId);
      // Material of a key that is gone (a deletion raced with this read) is dropped with it.
      if (key) out.push(await rewrapPair(m, key, from, to, random(12)));
    }
  }
  return out;
}

/** A re-wrapped record with the usable forms a device keystore stores beside the wrapped ones (ADR 0001,
 * 0005): the symmetric version's non-extractable key, a key pair's non-extractable WebCrypto keys. For a
 * merge from a backup into a device keystore; the keys come from `roots`, this keystore's. */
export async function withDeviceForms(
  m: MaterialRecord,
  key: Pick<KeyRecord, 'keySpec' | 'keyUsage'>,
  roots: RootKeys,
): Promise<MaterialRecord> {
  if (!m.kind && m.customKeyStoreId) return m;
  if (!m.kind) {
    const usable = await crypto.subtle.unwrapKey(
      'raw',
      m.wrapped,
      roots.domainKey,
      'AES-KW',
      { name: 'AES-GCM' },
      false,
      ['encrypt', 'decrypt'],
    );
    return { ...m, key: usable };
  }
  const info = SPECS[key.keySpec];
  if (info.protection !== 'browser' || (info.family === 'ed25519' && !(await hasWebCryptoEd25519()))) return m;
  const format = info.family === 'hmac' ? 'raw' : 'pkcs8';
  const cryptoKeys: Record<string, CryptoKey> = {};
  for (const [name, v] of Object.entries(variants(key.keySpec, key.keyUsage)))
    cryptoKeys[name] = await crypto.subtle.unwrapKey(
      format,
      m.sealed,
      roots.wrappingKey,
      gcmOf(m.iv, m.keyId, m.version),
      v.alg,
      false,
      v.usages,
    );
  return { ...m, cryptoKeys };
}
