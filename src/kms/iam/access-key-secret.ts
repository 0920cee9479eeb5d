// How an access key's secret is kept (ADR 0009): never itself, only the HMAC-SHA-256 key over "AWS4" +
// secret that starts SigV4's signing-key derivation. A device keystore stores that key as a
// non-extractable CryptoKey; a keystore locked at rest stores it only sealed under the wrapping key.

import { KMSInternalException } from '../errors';
import type { Custodian } from '../material';
import type { Random } from '../ports';
import type { AccessKeyRecord } from '../records';

const utf8 = new TextEncoder();
const HMAC: HmacImportParams = { name: 'HMAC', hash: 'SHA-256' };

/** The HMAC key over "AWS4" + secret; extractable only when it is to be sealed at once. */
export function importSecret(secretAccessKey: string, extractable = false): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', utf8.encode(`AWS4${secretAccessKey}`), HMAC, extractable, ['sign']);
}

/** AES-GCM parameters that bind a sealed access-key secret to its access key ID. */
function gcmFor(accessKeyId: string, iv: Uint8Array): AesGcmParams {
  const additionalData = utf8.encode(`pocket-kms:access-key:v1:${accessKeyId}`);
  return { name: 'AES-GCM', iv: iv as Uint8Array<ArrayBuffer>, additionalData };
}

/** The stored form of a new access key's secret: the key itself (device keystores), or that key sealed
 * under the wrapping key, extractable only inside WebCrypto while it is sealed.
 * @throws KMSInvalidStateException while the keystore is locked. */
export async function storedSecret(
  custodian: Custodian,
  random: Random,
  accessKeyId: string,
  secretAccessKey: string,
): Promise<Pick<AccessKeyRecord, 'secret' | 'sealedSecret' | 'iv'>> {
  if (custodian.mode === 'device') return { secret: await importSecret(secretAccessKey) };
  const wrappingKey = custodian.roots().wrappingKey;
  const iv = random.bytes(12);
  const key = await importSecret(secretAccessKey, true);
  return { sealedSecret: await crypto.subtle.wrapKey('raw', key, wrappingKey, gcmFor(accessKeyId, iv)), iv };
}

/** The usable, non-extractable HMAC key of a stored access key.
 * @throws KMSInvalidStateException while the keystore is locked. */
export async function openSecret(custodian: Custodian, k: AccessKeyRecord): Promise<CryptoKey> {
  if (k.secret) return k.secret;
  if (!k.sealedSecret || !k.iv) throw new KMSInternalException('The access key has no stored secret.');
  const wrappingKey = custodian.roots().wrappingKey;
  return crypto.subtle.unwrapKey('raw', k.sealedSecret, wrappingKey, gcmFor(k.accessKeyId, k.iv), HMAC, false, [
    'sign',
  ]);
}

/** A sealed access-key secret moved from one wrapping key to another inside WebCrypto (global IAM between
 * Regions whose roots differ, ADR 0017): unwrapped extractable only to be wrapped again at once, never read. */
export async function resealSecret(
  from: CryptoKey,
  to: CryptoKey,
  random: Random,
  k: AccessKeyRecord,
): Promise<Pick<AccessKeyRecord, 'sealedSecret' | 'iv'>> {
  if (!k.sealedSecret || !k.iv) throw new KMSInternalException('The access key has no sealed secret.');
  const key = await crypto.subtle.unwrapKey('raw', k.sealedSecret, from, gcmFor(k.accessKeyId, k.iv), HMAC, true, [
    'sign',
  ]);
  const iv = random.bytes(12);
  return { sealedSecret: await crypto.subtle.wrapKey('raw', key, to, gcmFor(k.accessKeyId, iv)), iv };
}
