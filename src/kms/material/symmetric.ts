// Key material per DESIGN.md "Key hierarchy": an AES-KW domain key per keystore; per material version
// an AES-GCM key wrapped under it, used as a non-extractable CryptoKey (stored too only by a keystore
// without a secret: ADR 0009).
// The raw bytes are produced and consumed inside WebCrypto only; they never enter JS memory.

export async function generateDomainKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey']);
}

export interface NewMaterial {
  key: CryptoKey;
  wrapped: ArrayBuffer;
}

/** A new AES-256-GCM backing key: the usable key is non-extractable; the backup is AES-KW wrapped. */
export async function generateMaterial(domainKey: CryptoKey): Promise<NewMaterial> {
  // The transient key must be extractable for wrapKey; it is never exported or stored and is
  // dropped at the end of this function. The kept key comes from unwrapKey with extractable=false.
  const transient = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
  const wrapped = await crypto.subtle.wrapKey('raw', transient, domainKey, 'AES-KW');
  const key = await crypto.subtle.unwrapKey('raw', wrapped, domainKey, 'AES-KW', { name: 'AES-GCM' }, false, [
    'encrypt',
    'decrypt',
  ]);
  return { key, wrapped };
}
