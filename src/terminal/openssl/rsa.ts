// RSA where WebCrypto has no door: PKCS#1 v1.5 encryption (RFC 8017 §7.2), raw RSA ("no padding"),
// PKCS#1 v1.5 and PSS over a digest the caller already computed (§8.2, §9.1, §9.2; pkeyutl's input
// is the digest), and PSS verification that finds the salt length itself (OpenSSL's "auto").
// BigInt arithmetic, not constant-time: private operations here are for teaching, not for secrets.

import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { concat, equalBytes, fromHex, toHex } from '../../format/bytes';
import { modulusBytes, type RsaKey } from './keys';

export type HashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';
export const HASH_FNS = { 'SHA-1': sha1, 'SHA-256': sha256, 'SHA-384': sha384, 'SHA-512': sha512 } as const;

/** DigestInfo prefixes (RFC 8017 §9.2 note 1). */
const DIGEST_INFO: Record<HashName, string> = {
  'SHA-1': '3021300906052b0e03021a05000414',
  'SHA-256': '3031300d060960864801650304020105000420',
  'SHA-384': '3041300d060960864801650304020205000430',
  'SHA-512': '3051300d060960864801650304020305000440',
};

/** An RSA operation OpenSSL would refuse; `reason` is OpenSSL's reason string ("data too large for key size"). */
export class RsaError extends Error {
  override name = 'RsaError';
}

const os2ip = (b: Uint8Array) => (b.length ? BigInt('0x' + toHex(b)) : 0n);
function i2osp(x: bigint, len: number): Uint8Array {
  const h = x.toString(16).padStart(len * 2, '0');
  if (h.length > len * 2) throw new RsaError('integer too large');
  return fromHex(h)!;
}
function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  for (; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
  }
  return r;
}

/** RSAEP / RSAVP1 (§5.1.1, §5.2.2). */
export function rsaPublic(k: RsaKey, m: Uint8Array): Uint8Array {
  const x = os2ip(m);
  if (x >= k.n) throw new RsaError('data too large for modulus');
  return i2osp(modPow(x, k.e, k.n), modulusBytes(k));
}

/** RSADP / RSASP1 with the CRT (§5.1.2). */
export function rsaPrivate(k: RsaKey, c: Uint8Array): Uint8Array {
  const p = k.priv;
  if (!p) throw new RsaError('a private key is needed');
  const x = os2ip(c);
  if (x >= k.n) throw new RsaError('data too large for modulus');
  const m1 = modPow(x, p.dp, p.p);
  const m2 = modPow(x, p.dq, p.q);
  const h = ((((m1 - m2) % p.p) + p.p) * p.qi) % p.p;
  return i2osp(m2 + h * p.q, modulusBytes(k));
}

function nonZeroRandom(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n;) {
    const r = crypto.getRandomValues(new Uint8Array(n));
    for (const b of r) if (b !== 0 && i < n) out[i++] = b;
  }
  return out;
}

/** RSAES-PKCS1-v1_5 encryption (§7.2.1). */
export function pkcs1Encrypt(k: RsaKey, m: Uint8Array): Uint8Array {
  const kLen = modulusBytes(k);
  if (m.length > kLen - 11) throw new RsaError('data too large for key size');
  return rsaPublic(k, concat([new Uint8Array([0, 2]), nonZeroRandom(kLen - m.length - 3), new Uint8Array([0]), m]));
}

/** RSAES-PKCS1-v1_5 decryption (§7.2.2). */
export function pkcs1Decrypt(k: RsaKey, c: Uint8Array): Uint8Array {
  const kLen = modulusBytes(k);
  if (c.length !== kLen) throw new RsaError('data greater than mod len');
  const em = rsaPrivate(k, c);
  const sep = em.indexOf(0, 2);
  if (em[0] !== 0 || em[1] !== 2 || sep < 10) throw new RsaError('padding check failed');
  return em.slice(sep + 1);
}

/** EMSA-PKCS1-v1_5 type 1 block over `t` (a DigestInfo, or raw bytes when no digest is set). */
export function pkcs1SignRaw(k: RsaKey, t: Uint8Array): Uint8Array {
  const kLen = modulusBytes(k);
  if (t.length > kLen - 11) throw new RsaError('data too large for key size');
  return rsaPrivate(
    k,
    concat([new Uint8Array([0, 1]), new Uint8Array(kLen - t.length - 3).fill(0xff), new Uint8Array([0]), t]),
  );
}

/** The payload of a PKCS#1 v1.5 type 1 block (rsautl -verify prints it). */
export function pkcs1Recover(k: RsaKey, sig: Uint8Array): Uint8Array {
  if (sig.length !== modulusBytes(k)) throw new RsaError('wrong signature length');
  const em = rsaPublic(k, sig);
  let i = 2;
  while (i < em.length && em[i] === 0xff) i++;
  if (em[0] !== 0 || em[1] !== 1 || i < 10 || em[i] !== 0) throw new RsaError('padding check failed');
  return em.slice(i + 1);
}

export const digestInfo = (hash: HashName, digest: Uint8Array) => concat([fromHex(DIGEST_INFO[hash])!, digest]);

function mgf1(hash: HashName, seed: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let c = 0, at = 0; at < len; c++) {
    const block = HASH_FNS[hash](
      concat([seed, new Uint8Array([c >>> 24, (c >>> 16) & 255, (c >>> 8) & 255, c & 255])]),
    );
    out.set(block.subarray(0, Math.min(block.length, len - at)), at);
    at += block.length;
  }
  return out;
}

/** Salt lengths as OpenSSL names them: -1 digest length, -2 auto (verify) / max (sign), -3 max. */
export function pssSaltLength(setting: number, k: RsaKey, hash: HashName): number {
  const hLen = HASH_FNS[hash].outputLen;
  const emLen = Math.ceil((k.n.toString(2).length - 1) / 8);
  const max = emLen - hLen - 2;
  if (setting === -1) return hLen;
  if (setting <= -2) return max;
  if (setting > max) throw new RsaError('data too large for key size');
  return setting;
}

/** RSASSA-PSS signature over a digest (§9.1.1 from step 4), MGF1 with the same hash. */
export function pssSignDigest(k: RsaKey, hash: HashName, mHash: Uint8Array, sLen: number): Uint8Array {
  const h = HASH_FNS[hash];
  const emBits = k.n.toString(2).length - 1;
  const emLen = Math.ceil(emBits / 8);
  if (emLen < h.outputLen + sLen + 2) throw new RsaError('data too large for key size');
  const salt = crypto.getRandomValues(new Uint8Array(sLen));
  const H = h(concat([new Uint8Array(8), mHash, salt]));
  const db = concat([new Uint8Array(emLen - sLen - h.outputLen - 2), new Uint8Array([1]), salt]);
  const mask = mgf1(hash, H, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >> (8 * emLen - emBits);
  const em = concat([db, H, new Uint8Array([0xbc])]);
  return rsaPrivate(k, concat([new Uint8Array(modulusBytes(k) - emLen), em]));
}

/** RSASSA-PSS verification over a digest (§9.1.2); `sLen` -2 (auto) takes the salt the signature holds. */
export function pssVerifyDigest(k: RsaKey, hash: HashName, mHash: Uint8Array, sig: Uint8Array, sLen: number): boolean {
  const h = HASH_FNS[hash];
  const hLen = h.outputLen;
  if (sig.length !== modulusBytes(k)) return false;
  let full: Uint8Array;
  try {
    full = rsaPublic(k, sig);
  } catch {
    return false;
  }
  const emBits = k.n.toString(2).length - 1;
  const emLen = Math.ceil(emBits / 8);
  const em = full.subarray(full.length - emLen);
  if (full.length > emLen && full[0] !== 0) return false;
  if (em[emLen - 1] !== 0xbc || emLen < hLen + 2) return false;
  const db = em.slice(0, emLen - hLen - 1);
  const H = em.subarray(emLen - hLen - 1, emLen - 1);
  if (db[0]! & ~(0xff >> (8 * emLen - emBits))) return false;
  const mask = mgf1(hash, H, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >> (8 * emLen - emBits);
  const one = db.indexOf(1);
  if (one < 0 || db.subarray(0, one).some((b) => b !== 0)) return false;
  const salt = db.subarray(one + 1);
  if (sLen === -1 && salt.length !== hLen) return false;
  if (sLen >= 0 && salt.length !== sLen) return false;
  return equalBytes(h(concat([new Uint8Array(8), mHash, salt])), H);
}
