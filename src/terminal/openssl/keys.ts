// Reading and writing the key files lab sheets hand to openssl: PEM (RFC 7468) or DER of
// SubjectPublicKeyInfo (RFC 5280 §4.1.2.7), PKCS#8 (RFC 5208), PKCS#1 RSAPublicKey / RSAPrivateKey
// (RFC 8017 A.1) and SEC1 ECPrivateKey (RFC 5915), for RSA and the NIST curves and secp256k1.
// Written back as OpenSSL 3 writes them: SPKI for public keys, PKCS#8 for private keys.

import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { fromHex, pemBlocks, toHex, toPem } from '../../format/bytes';
import { children, decodeRsaPrivateKey, DerError, OID, readTlv, tlv, type RsaPrivate } from '../../format/der';

export type Curve = 'P-256' | 'P-384' | 'P-521' | 'secp256k1';
export interface RsaPrivateParts {
  d: bigint;
  p: bigint;
  q: bigint;
  dp: bigint;
  dq: bigint;
  qi: bigint;
}
export interface RsaKey {
  type: 'rsa';
  n: bigint;
  e: bigint;
  priv?: RsaPrivateParts;
}
export interface EcKey {
  type: 'ec';
  curve: Curve;
  /** The public point as the file encodes it (compressed or not): OpenSSL writes it back unchanged. */
  point: Uint8Array;
  /** The private scalar, big-endian, as long as the curve's order. */
  d?: Uint8Array;
}
export type Key = RsaKey | EcKey;

/** A key file that holds no key of the kind asked for (truncated PEM, wrong label, bad DER). */
export class KeyDecodeError extends Error {
  override name = 'KeyDecodeError';
}

const CURVE_OIDS: Record<string, Curve> = {
  [OID.p256]: 'P-256',
  [OID.p384]: 'P-384',
  [OID.p521]: 'P-521',
  [OID.secp256k1]: 'secp256k1',
};
const OID_OF: Record<Curve, string> = {
  'P-256': OID.p256,
  'P-384': OID.p384,
  'P-521': OID.p521,
  secp256k1: OID.secp256k1,
};
export const NOBLE = { 'P-256': p256, 'P-384': p384, 'P-521': p521, secp256k1 } as const;
/** Bytes of a scalar (and of each coordinate) per curve. */
export const CURVE_BYTES: Record<Curve, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66, secp256k1: 32 };

const big = (b: Uint8Array) => (b.length === 0 ? 0n : BigInt('0x' + toHex(b)));
/** DER INTEGER content of a non-negative bigint (a leading zero when the top bit is set). */
function intBytes(x: bigint): Uint8Array {
  let h = x.toString(16);
  if (h.length % 2) h = '0' + h;
  if (/^[89a-f]/.test(h)) h = '00' + h;
  return fromHex(h)!;
}
const int = (x: bigint) => tlv(0x02, intBytes(x));
const seq = (...p: Uint8Array[]) => tlv(0x30, ...p);
const oid = (h: string) => tlv(0x06, fromHex(h)!);
const NULL = new Uint8Array([0x05, 0x00]);

function expectTag(
  t: { tag: number } | undefined,
  tag: number,
): asserts t is { tag: number; value: Uint8Array; end: number } {
  if (!t || t.tag !== tag) throw new KeyDecodeError(`expected DER tag 0x${tag.toString(16)}`);
}

/** One DER element that fills all of `der`. */
function whole(der: Uint8Array) {
  const t = readTlv(der);
  if (t.tag !== 0x30 || t.end !== der.length) throw new KeyDecodeError('not one DER SEQUENCE');
  return children(t.value);
}

function rsaPublicFromPkcs1(der: Uint8Array): RsaKey {
  const [n, e, extra] = whole(der);
  expectTag(n, 0x02);
  expectTag(e, 0x02);
  if (extra) throw new KeyDecodeError('not an RSAPublicKey');
  return { type: 'rsa', n: big(n.value), e: big(e.value) };
}

function rsaPrivateFromPkcs1(der: Uint8Array): RsaKey {
  let k: RsaPrivate;
  try {
    k = decodeRsaPrivateKey(der);
  } catch (e) {
    if (e instanceof DerError) throw new KeyDecodeError('not an RSAPrivateKey');
    throw e;
  }
  const { n, e, d, p, q, dp, dq, qinv: qi } = k;
  return { type: 'rsa', n, e, priv: { d, p, q, dp, dq, qi } };
}

function publicPoint(curve: Curve, d: Uint8Array): Uint8Array {
  return NOBLE[curve].getPublicKey(d, false);
}

function ecFromSec1(der: Uint8Array, curve?: Curve): EcKey {
  const [ver, d, ...tagged] = whole(der);
  expectTag(ver, 0x02);
  expectTag(d, 0x04);
  let point: Uint8Array | undefined;
  for (const t of tagged) {
    if (t.tag === 0xa0) {
      const o = readTlv(t.value);
      curve ??= CURVE_OIDS[toHex(o.value)];
    } else if (t.tag === 0xa1) {
      const bits = readTlv(t.value);
      expectTag(bits, 0x03);
      point = bits.value.subarray(1);
    }
  }
  if (!curve)
    throw new KeyDecodeError('unsupported key algorithm (an EC curve other than P-256/P-384/P-521/secp256k1)');
  const n = CURVE_BYTES[curve];
  if (d.value.length > n) throw new KeyDecodeError('EC private key too long');
  const scalar = new Uint8Array(n);
  scalar.set(d.value, n - d.value.length);
  return { type: 'ec', curve, d: scalar, point: point ?? publicPoint(curve, scalar) };
}

function algorithm(t: { tag: number; value: Uint8Array } | undefined): { alg: string; curve?: Curve } {
  expectTag(t, 0x30);
  const [a, param] = children(t.value);
  expectTag(a, 0x06);
  const alg = toHex(a.value);
  if (alg === OID.rsaEncryption) return { alg };
  if (alg === OID.ecPublicKey) {
    const curve = param?.tag === 0x06 ? CURVE_OIDS[toHex(param.value)] : undefined;
    if (!curve)
      throw new KeyDecodeError('unsupported key algorithm (an EC curve other than P-256/P-384/P-521/secp256k1)');
    return { alg, curve };
  }
  throw new KeyDecodeError(`unsupported key algorithm (OID ${alg})`);
}

function fromSpki(der: Uint8Array): Key {
  const [alg, bits, extra] = whole(der);
  if (extra) throw new KeyDecodeError('trailing data in SubjectPublicKeyInfo');
  const a = algorithm(alg);
  expectTag(bits, 0x03);
  const key = bits.value.subarray(1);
  if (a.curve) {
    NOBLE[a.curve].Point.fromBytes(key); // throws on a point off the curve
    return { type: 'ec', curve: a.curve, point: key };
  }
  return rsaPublicFromPkcs1(key);
}

function fromPkcs8(der: Uint8Array): Key {
  const [ver, alg, key] = whole(der);
  expectTag(ver, 0x02);
  const a = algorithm(alg);
  expectTag(key, 0x04);
  return a.curve ? ecFromSec1(key.value, a.curve) : rsaPrivateFromPkcs1(key.value);
}

const DER_READERS = {
  public: [fromSpki, rsaPublicFromPkcs1, fromPkcs8, rsaPrivateFromPkcs1, (d: Uint8Array) => ecFromSec1(d)],
  private: [fromPkcs8, rsaPrivateFromPkcs1, (d: Uint8Array) => ecFromSec1(d)],
};
const PEM_READERS: Record<string, (d: Uint8Array) => Key> = {
  'PUBLIC KEY': fromSpki,
  'RSA PUBLIC KEY': rsaPublicFromPkcs1,
  'PRIVATE KEY': fromPkcs8,
  'RSA PRIVATE KEY': rsaPrivateFromPkcs1,
  'EC PRIVATE KEY': (d) => ecFromSec1(d),
};
const PRIVATE_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY']);

/**
 * The key in a file. A public key may be read from a private key file (OpenSSL 3's loader does so).
 * @param form 'PEM' or 'DER' when the command line names one; otherwise told apart by the BEGIN line
 * @throws KeyDecodeError when the file holds no such key
 */
export function decodeKey(data: Uint8Array, want: 'public' | 'private', form?: 'PEM' | 'DER'): Key {
  const text = new TextDecoder('latin1').decode(data);
  const pem = form === 'PEM' || (form === undefined && text.includes('-----BEGIN '));
  // A key of an algorithm this terminal lacks (Ed25519, another curve) is worth naming over "no key".
  let unsupported: KeyDecodeError | undefined;
  const tryAll = (readers: ((d: Uint8Array) => Key)[], der: Uint8Array): Key | undefined => {
    for (const r of readers) {
      try {
        return r(der);
      } catch (e) {
        // DerError, KeyDecodeError, a point off the curve: this reader does not fit, try the next
        if (e instanceof KeyDecodeError && e.message.startsWith('unsupported')) unsupported ??= e;
      }
    }
    return undefined;
  };
  if (pem) {
    for (const b of pemBlocks(text)) {
      const reader = PEM_READERS[b.label];
      if (!reader || (want === 'private' && !PRIVATE_LABELS.has(b.label))) continue;
      const k = tryAll([reader], b.der);
      if (k) return k;
    }
    throw unsupported ?? new KeyDecodeError(`no ${want} key in PEM`);
  }
  const k = data.length ? tryAll(DER_READERS[want], data) : undefined;
  if (!k) throw unsupported ?? new KeyDecodeError(`no ${want} key in DER`);
  return k;
}

/** SubjectPublicKeyInfo DER, as OpenSSL writes it (RSA with NULL parameters, EC with the named curve). */
export function encodeSpkiOf(k: Key): Uint8Array {
  const bits = (b: Uint8Array) => tlv(0x03, new Uint8Array([0]), b);
  if (k.type === 'rsa') return seq(seq(oid(OID.rsaEncryption), NULL), bits(seq(int(k.n), int(k.e))));
  return seq(seq(oid(OID.ecPublicKey), oid(OID_OF[k.curve])), bits(k.point));
}

/** PKCS#8 PrivateKeyInfo DER as OpenSSL 3 writes it (EC: ECPrivateKey without [0] parameters). */
export function encodePkcs8Of(k: Key): Uint8Array {
  if (k.type === 'rsa') {
    const p = k.priv!;
    const rsa = seq(int(0n), int(k.n), int(k.e), int(p.d), int(p.p), int(p.q), int(p.dp), int(p.dq), int(p.qi));
    return seq(int(0n), seq(oid(OID.rsaEncryption), NULL), tlv(0x04, rsa));
  }
  const ec = seq(int(1n), tlv(0x04, k.d!), tlv(0xa1, tlv(0x03, new Uint8Array([0]), k.point)));
  return seq(int(0n), seq(oid(OID.ecPublicKey), oid(OID_OF[k.curve])), tlv(0x04, ec));
}

export const pemOf = (der: Uint8Array, label: string) => toPem(der, label);

/** Bits of the RSA modulus or the curve's order. */
export function keyBits(k: Key): number {
  if (k.type === 'rsa') return k.n.toString(2).length;
  return { 'P-256': 256, 'P-384': 384, 'P-521': 521, secp256k1: 256 }[k.curve];
}

/** Length in bytes of an RSA modulus. */
export const modulusBytes = (k: RsaKey) => Math.ceil(k.n.toString(2).length / 8);
