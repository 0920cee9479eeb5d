// RSA signatures over a caller-supplied digest (Sign/Verify MessageType DIGEST), which WebCrypto
// cannot do: it always hashes the message itself. EMSA-PKCS1-v1_5 (RFC 8017 §9.2) and EMSA-PSS
// with MGF1 and a salt as long as the hash (§9.1, as AWS KMS), over BigInt RSA with CRT (§5.2.1).
// Not constant-time: this is the software path; the private key is unsealed for this call only.

import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { fromHex } from '../../format/bytes';
import type { RsaPrivate } from '../../format/der';

type Hash = 'SHA-256' | 'SHA-384' | 'SHA-512';
const HASHES = { 'SHA-256': sha256, 'SHA-384': sha384, 'SHA-512': sha512 } as const;

// DigestInfo prefixes, RFC 8017 §9.2 note 1.
const DIGEST_INFO: Record<Hash, string> = {
  'SHA-256': '3031300d060960864801650304020105000420',
  'SHA-384': '3041300d060960864801650304020205000430',
  'SHA-512': '3051300d060960864801650304020305000440',
};

function os2ip(b: Uint8Array): bigint {
  let x = 0n;
  for (const v of b) x = (x << 8n) | BigInt(v);
  return x;
}

function i2osp(x: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  if (x !== 0n) throw new Error('integer too large');
  return out;
}

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

const bitLength = (n: bigint) => n.toString(2).length;

function mgf1(hash: Hash, seed: Uint8Array, len: number): Uint8Array {
  const h = HASHES[hash];
  const out = new Uint8Array(len);
  for (let c = 0, at = 0; at < len; c++) {
    const block = h(new Uint8Array([...seed, c >>> 24, (c >>> 16) & 0xff, (c >>> 8) & 0xff, c & 0xff]));
    out.set(block.subarray(0, Math.min(block.length, len - at)), at);
    at += block.length;
  }
  return out;
}

function pkcs1Encode(hash: Hash, digest: Uint8Array, emLen: number): Uint8Array {
  const t = new Uint8Array([...fromHex(DIGEST_INFO[hash])!, ...digest]);
  if (emLen < t.length + 11) throw new Error('modulus too short');
  const em = new Uint8Array(emLen).fill(0xff);
  em[0] = 0;
  em[1] = 1;
  em[emLen - t.length - 1] = 0;
  em.set(t, emLen - t.length);
  return em;
}

function pssEncode(hash: Hash, digest: Uint8Array, emBits: number, salt: Uint8Array): Uint8Array {
  const h = HASHES[hash];
  const hLen = digest.length;
  const emLen = Math.ceil(emBits / 8);
  const H = h(new Uint8Array([...new Uint8Array(8), ...digest, ...salt]));
  const db = new Uint8Array(emLen - hLen - 1);
  db[emLen - salt.length - hLen - 2] = 1;
  db.set(salt, emLen - salt.length - hLen - 1);
  const mask = mgf1(hash, H, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >> (8 * emLen - emBits);
  return new Uint8Array([...db, ...H, 0xbc]);
}

function pssVerify(hash: Hash, digest: Uint8Array, em: Uint8Array, emBits: number): boolean {
  const h = HASHES[hash];
  const hLen = digest.length;
  const emLen = Math.ceil(emBits / 8);
  if (em.length !== emLen || emLen < 2 * hLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const H = em.subarray(emLen - hLen - 1, emLen - 1);
  if ((maskedDb[0]! & ~(0xff >> (8 * emLen - emBits)) & 0xff) !== 0) return false;
  const mask = mgf1(hash, H, maskedDb.length);
  const db = maskedDb.map((b, i) => b ^ mask[i]!);
  db[0]! &= 0xff >> (8 * emLen - emBits);
  const psLen = emLen - 2 * hLen - 2;
  for (let i = 0; i < psLen; i++) if (db[i] !== 0) return false;
  if (db[psLen] !== 1) return false;
  const salt = db.subarray(db.length - hLen);
  const H2 = h(new Uint8Array([...new Uint8Array(8), ...digest, ...salt]));
  return H2.every((b, i) => b === H[i]);
}

/** Signs a digest with RSASSA-PKCS1-v1_5 or RSASSA-PSS. `salt` (PSS only) must be hLen random bytes. */
export function rsaSignDigest(
  key: RsaPrivate,
  scheme: 'pkcs1' | 'pss',
  hash: Hash,
  digest: Uint8Array,
  salt?: Uint8Array,
): Uint8Array {
  const modBits = bitLength(key.n);
  const k = Math.ceil(modBits / 8);
  const em = scheme === 'pkcs1' ? pkcs1Encode(hash, digest, k) : pssEncode(hash, digest, modBits - 1, salt!);
  const m = os2ip(em);
  const m1 = modPow(m, key.dp, key.p);
  const m2 = modPow(m, key.dq, key.q);
  const h = (((((m1 - m2) % key.p) + key.p) % key.p) * key.qinv) % key.p;
  const s = m2 + h * key.q;
  // A fault in the CRT computation would leak a factor of n: check before releasing (RFC 8017 §5.2.1 note).
  if (modPow(s, key.e, key.n) !== m) throw new Error('RSA self-check failed');
  return i2osp(s, k);
}

export function rsaVerifyDigest(
  pub: { n: bigint; e: bigint },
  scheme: 'pkcs1' | 'pss',
  hash: Hash,
  digest: Uint8Array,
  sig: Uint8Array,
): boolean {
  const modBits = bitLength(pub.n);
  const k = Math.ceil(modBits / 8);
  if (sig.length !== k) return false;
  const s = os2ip(sig);
  if (s >= pub.n) return false;
  const m = modPow(s, pub.e, pub.n);
  if (scheme === 'pkcs1') {
    const expected = pkcs1Encode(hash, digest, k);
    const got = i2osp(m, k);
    return got.every((b, i) => b === expected[i]);
  }
  const emLen = Math.ceil((modBits - 1) / 8);
  let em: Uint8Array;
  try {
    em = i2osp(m, emLen);
  } catch {
    return false;
  }
  return pssVerify(hash, digest, em, modBits - 1);
}
