// A passkey key store's KEK (ADR 0016), derived in the page, where WebAuthn hands over the PRF output: the
// output (WebAuthn Level 3 §10.1.4, with this file's own PRF input) goes through HKDF-SHA-256 (RFC 5869) into a
// non-extractable AES-KW key, the only form of it the KMS worker receives. The PRF bytes are zeroed here.

/** The text the key stores' PRF input is the SHA-256 of: not the keystore custody's (passkey.ts), so the same
 * passkey gives a key store and the keystore unrelated outputs. Fixed: changing it locks out every store. */
export const STORE_PRF_LABEL = 'pocket-kms:custom-key-store:prf:v1';
/** HKDF's info; its salt is empty (RFC 5869 §3.1: the PRF output is already uniformly random). */
export const STORE_HKDF_INFO = 'pocket-kms:custom-key-store:kek:v1';

let input: Promise<Uint8Array<ArrayBuffer>> | undefined;

/** SHA-256 of STORE_PRF_LABEL: the `eval.first` of every key store PRF evaluation. */
export function storePrfInput(): Promise<Uint8Array<ArrayBuffer>> {
  input ??= crypto.subtle.digest('SHA-256', new TextEncoder().encode(STORE_PRF_LABEL)).then((d) => new Uint8Array(d));
  return input;
}

/** The KEK of a passkey key store from a PRF output (32 bytes), which is zeroed once imported. */
export async function storeKek(prf: Uint8Array): Promise<CryptoKey> {
  if (prf.length !== 32) throw new Error(`A passkey's PRF output is 32 bytes, got ${prf.length}.`);
  try {
    const base = await crypto.subtle.importKey('raw', prf as Uint8Array<ArrayBuffer>, 'HKDF', false, ['deriveKey']);
    const info = new TextEncoder().encode(STORE_HKDF_INFO);
    return await crypto.subtle.deriveKey(
      { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info },
      base,
      { name: 'AES-KW', length: 256 },
      false,
      ['wrapKey', 'unwrapKey'],
    );
  } finally {
    prf.fill(0);
  }
}
