// Signatures as OpenSSL makes them: RSA PKCS#1 v1.5 and PSS (RFC 8017 §8), ECDSA with DER-encoded
// (r, s) (RFC 3279 §2.2.3). Over a message (dgst) through WebCrypto where it has the algorithm; over
// a digest the caller computed (pkeyutl), or with MD5/SHA-224 or secp256k1, in software.

import { concat, equalBytes, own, toBase64Url } from '../../format/bytes';
import { tlv } from '../../format/der';
import { DIGESTS, type DigestName } from './cipher';
import { CURVE_BYTES, modulusBytes, NOBLE, type EcKey, type Key, type RsaKey } from './keys';
import {
  digestInfo,
  rsaPrivate,
  RsaError,
  pkcs1Recover,
  pkcs1SignRaw,
  pssSaltLength,
  pssSignDigest,
  pssVerifyDigest,
  type HashName,
} from './rsa';

export interface SigOpts {
  /** 'oaep' is for encryption (pkeyutl -pkeyopt): a signature with it is refused, as OpenSSL refuses it. */
  padding: 'pkcs1' | 'pss' | 'none' | 'oaep';
  /** OpenSSL's rsa_pss_saltlen: -1 digest length, -2 auto when verifying / max when signing, -3 max, or bytes. */
  saltLen: number;
  /** rsa_mgf1_md; MGF1 runs over the signature's (or OAEP's) own digest, so only that one is taken. */
  mgf1?: DigestName;
}

const WEB_HASH: Partial<Record<DigestName, HashName>> = {
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
};

const b64u = (x: bigint) => {
  let h = x.toString(16);
  if (h.length % 2) h = '0' + h;
  return toBase64Url(Uint8Array.from(h.match(/../g)!, (v) => parseInt(v, 16)));
};

/** The uncompressed point (WebCrypto and JWK want x and y). */
export const uncompressed = (k: EcKey) => NOBLE[k.curve].Point.fromBytes(k.point).toBytes(false);

/** A JWK of the key, public part only unless `priv` (RFC 7518 §6.2, §6.3). */
export function jwkOf(k: Key, priv: boolean): JsonWebKey {
  if (k.type === 'rsa') {
    const pub: JsonWebKey = { kty: 'RSA', n: b64u(k.n), e: b64u(k.e), ext: true };
    if (!priv || !k.priv) return pub;
    const p = k.priv;
    return { ...pub, d: b64u(p.d), p: b64u(p.p), q: b64u(p.q), dp: b64u(p.dp), dq: b64u(p.dq), qi: b64u(p.qi) };
  }
  const n = CURVE_BYTES[k.curve];
  const pt = uncompressed(k);
  const jwk: JsonWebKey = {
    kty: 'EC',
    crv: k.curve,
    x: toBase64Url(pt.subarray(1, 1 + n)),
    y: toBase64Url(pt.subarray(1 + n)),
    ext: true,
  };
  return priv && k.d ? { ...jwk, d: toBase64Url(k.d) } : jwk;
}

/** DER SEQUENCE { r INTEGER, s INTEGER } of WebCrypto's r || s. */
export function rawToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  const int = (b: Uint8Array) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = b.subarray(i);
    return tlv(0x02, v[0]! & 0x80 ? concat([new Uint8Array([0]), v]) : v);
  };
  return tlv(0x30, int(raw.subarray(0, half)), int(raw.subarray(half)));
}

/** r || s of a DER signature; undefined unless it is the canonical DER OpenSSL itself would write. */
export function derToRaw(der: Uint8Array, n: number): Uint8Array | undefined {
  try {
    if (der[0] !== 0x30) return undefined;
    const parse = (b: Uint8Array, at: number): [Uint8Array, number] => {
      if (b[at] !== 0x02) throw new Error('not INTEGER');
      let len = b[at + 1]!;
      let p = at + 2;
      if (len & 0x80) {
        if (len !== 0x81) throw new Error('length');
        len = b[p]!;
        p++;
      }
      return [b.subarray(p, p + len), p + len];
    };
    let at = 2;
    if (der[1]! & 0x80) at = 3;
    const [r, next] = parse(der, at);
    const [s] = parse(der, next);
    const fit = (v: Uint8Array) => {
      const t = v[0] === 0 ? v.subarray(1) : v;
      if (t.length > n) throw new Error('too long');
      const out = new Uint8Array(n);
      out.set(t, n - t.length);
      return out;
    };
    const raw = concat([fit(r), fit(s)]);
    return equalBytes(rawToDer(raw), der) ? raw : undefined;
  } catch {
    return undefined;
  }
}

const rsaParams = (k: RsaKey, o: SigOpts, hash: HashName) =>
  o.padding === 'pss'
    ? { name: 'RSA-PSS', saltLength: pssSaltLength(o.saltLen === -2 ? -3 : o.saltLen, k, hash) }
    : { name: 'RSASSA-PKCS1-v1_5' };

/** Signs `msg` hashed with `md` (dgst -sign). */
export async function signMessage(k: Key, md: DigestName, msg: Uint8Array, o: SigOpts): Promise<Uint8Array> {
  const hash = WEB_HASH[md];
  if (hash && k.type === 'rsa') {
    const p = rsaParams(k, o, hash);
    const ck = await crypto.subtle.importKey('jwk', jwkOf(k, true), { name: p.name, hash }, false, ['sign']);
    return new Uint8Array(await crypto.subtle.sign(p, ck, own(msg)));
  }
  if (hash && k.type === 'ec' && k.curve !== 'secp256k1') {
    const ck = await crypto.subtle.importKey('jwk', jwkOf(k, true), { name: 'ECDSA', namedCurve: k.curve }, false, [
      'sign',
    ]);
    return rawToDer(new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash }, ck, own(msg))));
  }
  return signDigest(k, md, DIGESTS[md].fn(msg), o);
}

/** Verifies `sig` over `msg` hashed with `md` (dgst -verify). PSS with salt length "auto" is checked in
 * software: WebCrypto must be told the salt length, and OpenSSL reads it from the signature. */
export async function verifyMessage(
  k: Key,
  md: DigestName,
  msg: Uint8Array,
  sig: Uint8Array,
  o: SigOpts,
): Promise<boolean> {
  const hash = WEB_HASH[md];
  if (hash && k.type === 'rsa' && o.padding === 'pkcs1') {
    const ck = await crypto.subtle.importKey('jwk', jwkOf(k, false), { name: 'RSASSA-PKCS1-v1_5', hash }, false, [
      'verify',
    ]);
    return crypto.subtle.verify('RSASSA-PKCS1-v1_5', ck, own(sig), own(msg));
  }
  if (hash && k.type === 'ec' && k.curve !== 'secp256k1') {
    const raw = derToRaw(sig, CURVE_BYTES[k.curve]);
    if (!raw) return false;
    const ck = await crypto.subtle.importKey('jwk', jwkOf(k, false), { name: 'ECDSA', namedCurve: k.curve }, false, [
      'verify',
    ]);
    return crypto.subtle.verify({ name: 'ECDSA', hash }, ck, own(raw), own(msg));
  }
  return verifyDigest(k, md, DIGESTS[md].fn(msg), sig, o);
}

/** Signs a digest the caller computed (pkeyutl -sign). With no `md`, RSA signs the raw input. */
export function signDigest(k: Key, md: DigestName | undefined, digest: Uint8Array, o: SigOpts): Uint8Array {
  if (k.type === 'ec') {
    if (!k.d) throw new RsaError('a private key is needed');
    return NOBLE[k.curve].sign(digest, k.d, { prehash: false, format: 'der', lowS: false });
  }
  if (o.padding === 'oaep') throw new RsaError('illegal or unsupported padding mode');
  if (o.padding === 'none') {
    if (digest.length !== modulusBytes(k)) throw new RsaError('data is not the size of the modulus');
    return rsaPrivate(k, digest);
  }
  if (o.padding === 'pss') {
    const h = WEB_HASH[md ?? 'sha1'];
    if (!h) throw new RsaError('PSS needs SHA-1 or SHA-2');
    return pssSignDigest(k, h, digest, pssSaltLength(o.saltLen === -2 ? -3 : o.saltLen, k, h));
  }
  const h = md ? WEB_HASH[md] : undefined;
  return pkcs1SignRaw(k, md ? (h ? digestInfo(h, digest) : digest) : digest);
}

/** Verifies a signature over a digest the caller computed (pkeyutl -verify). */
export function verifyDigest(
  k: Key,
  md: DigestName | undefined,
  digest: Uint8Array,
  sig: Uint8Array,
  o: SigOpts,
): boolean {
  if (k.type === 'ec') {
    const n = CURVE_BYTES[k.curve];
    if (!derToRaw(sig, n)) return false;
    try {
      return NOBLE[k.curve].verify(sig, digest, k.point, { prehash: false, format: 'der', lowS: false });
    } catch {
      return false;
    }
  }
  if (o.padding === 'oaep' || o.padding === 'none') return false;
  if (o.padding === 'pss') {
    const h = WEB_HASH[md ?? 'sha1'];
    return !!h && pssVerifyDigest(k, h, digest, sig, o.saltLen === -3 ? pssSaltLength(-3, k, h) : o.saltLen);
  }
  try {
    const got = pkcs1Recover(k, sig);
    const h = md ? WEB_HASH[md] : undefined;
    return equalBytes(got, md && h ? digestInfo(h, digest) : digest);
  } catch {
    return false;
  }
}
