// Just enough DER (ITU-T X.690) for key containers: SubjectPublicKeyInfo (RFC 5280 §4.1.2.7),
// PKCS#8 PrivateKeyInfo (RFC 5208), ECPrivateKey (RFC 5915), RSAPrivateKey / RSAPublicKey
// (RFC 8017 Appendix A.1). Readers throw DerError on anything malformed; callers map it to the AWS exception.

import { fromHex, toHex as hex } from './bytes';

export class DerError extends Error {}

export const OID = {
  ecPublicKey: '2a8648ce3d0201',
  rsaEncryption: '2a864886f70d010101',
  secp256k1: '2b8104000a',
  p256: '2a8648ce3d030107',
  p384: '2b81040022',
  p521: '2b81040023',
  ed25519: '2b6570',
  mlDsa44: '608648016503040311',
  mlDsa65: '608648016503040312',
  mlDsa87: '608648016503040313',
  mlKem512: '608648016503040401',
  mlKem768: '608648016503040402',
  mlKem1024: '608648016503040403',
} as const;

export interface Tlv {
  tag: number;
  value: Uint8Array;
  /** Offset just past this element in the input. */
  end: number;
}

/** Reads one element at `at`. Only definite lengths of up to 4 bytes (all that keys need). */
export function readTlv(b: Uint8Array, at = 0): Tlv {
  if (at + 2 > b.length) throw new DerError('truncated');
  const tag = b[at]!;
  let len = b[at + 1]!;
  let p = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > b.length) throw new DerError('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p + i]!;
    p += n;
  }
  if (p + len > b.length) throw new DerError('truncated');
  return { tag, value: b.subarray(p, p + len), end: p + len };
}

/** The children of a constructed element's value. */
export function children(value: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  for (let at = 0; at < value.length;) {
    const t = readTlv(value, at);
    out.push(t);
    at = t.end;
  }
  return out;
}

function expect(t: Tlv | undefined, tag: number): Tlv {
  if (!t || t.tag !== tag) throw new DerError(`expected tag 0x${tag.toString(16)}`);
  return t;
}

export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const len = parts.reduce((n, p) => n + p.length, 0);
  const head =
    len < 0x80
      ? [tag, len]
      : len < 0x100
        ? [tag, 0x81, len]
        : len < 0x10000
          ? [tag, 0x82, len >> 8, len & 0xff]
          : [tag, 0x83, len >> 16, (len >> 8) & 0xff, len & 0xff];
  const out = new Uint8Array(head.length + len);
  out.set(head);
  let at = head.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const seq = (...p: Uint8Array[]) => tlv(0x30, ...p);
// OIDs come from the OID table above, hex written here, so they always decode.
const oid = (h: string) => tlv(0x06, fromHex(h)!);
const bitString = (b: Uint8Array) => tlv(0x03, new Uint8Array([0]), b);

/** SubjectPublicKeyInfo for a raw public key: algorithm OID, optional parameter OID (EC curves). */
export function encodeSpki(algOid: string, key: Uint8Array, paramOid?: string): Uint8Array {
  return seq(paramOid ? seq(oid(algOid), oid(paramOid)) : seq(oid(algOid)), bitString(key));
}

export interface Spki {
  algOid: string;
  paramOid?: string;
  key: Uint8Array;
}

export function decodeSpki(der: Uint8Array): Spki {
  const top = readTlv(der);
  if (top.tag !== 0x30 || top.end !== der.length) throw new DerError('not a SEQUENCE');
  const [alg, bits, extra] = children(top.value);
  if (extra) throw new DerError('trailing data');
  const [algId, param] = children(expect(alg, 0x30).value);
  const b = expect(bits, 0x03).value;
  if (b.length < 1 || b[0] !== 0) throw new DerError('bad BIT STRING');
  const out: Spki = { algOid: hex(expect(algId, 0x06).value), key: b.subarray(1) };
  if (param && param.tag === 0x06) out.paramOid = hex(param.value);
  return out;
}

/** PKCS#8 PrivateKeyInfo: the algorithm OIDs and the privateKey OCTET STRING's content. */
export function decodePkcs8(der: Uint8Array): Spki {
  const top = readTlv(der);
  if (top.tag !== 0x30) throw new DerError('not a SEQUENCE');
  const [ver, alg, key] = children(top.value);
  expect(ver, 0x02);
  const [algId, param] = children(expect(alg, 0x30).value);
  const out: Spki = { algOid: hex(expect(algId, 0x06).value), key: expect(key, 0x04).value };
  if (param && param.tag === 0x06) out.paramOid = hex(param.value);
  return out;
}

/** The private scalar of an RFC 5915 ECPrivateKey (inside PKCS#8). */
export function ecPrivateScalar(pkcs8: Uint8Array): Uint8Array {
  const inner = readTlv(decodePkcs8(pkcs8).key);
  const [ver, d] = children(expect(inner, 0x30).value);
  expect(ver, 0x02);
  return expect(d, 0x04).value;
}

/** PKCS#8 for a secp256k1 private scalar with its uncompressed public point (RFC 5915 + RFC 5208). */
export function encodeSecp256k1Pkcs8(d: Uint8Array, publicPoint: Uint8Array): Uint8Array {
  const ecPrivateKey = seq(tlv(0x02, new Uint8Array([1])), tlv(0x04, d), tlv(0xa1, bitString(publicPoint)));
  return seq(tlv(0x02, new Uint8Array([0])), seq(oid(OID.ecPublicKey), oid(OID.secp256k1)), tlv(0x04, ecPrivateKey));
}

/** RFC 8410 PKCS#8 for an Ed25519 seed: the privateKey holds CurvePrivateKey, an OCTET STRING of the seed. */
export function encodeEd25519Pkcs8(seed: Uint8Array): Uint8Array {
  return seq(tlv(0x02, new Uint8Array([0])), seq(oid(OID.ed25519)), tlv(0x04, tlv(0x04, seed)));
}

const toBig = (b: Uint8Array) => (b.length === 0 ? 0n : BigInt('0x' + hex(b)));

export interface RsaPrivate {
  n: bigint;
  e: bigint;
  d: bigint;
  p: bigint;
  q: bigint;
  dp: bigint;
  dq: bigint;
  qinv: bigint;
}

/** An RSAPrivateKey (RFC 8017 Appendix A.1.2, PKCS#1), as a PKCS#8 container holds it. */
export function decodeRsaPrivateKey(der: Uint8Array): RsaPrivate {
  const ints = children(expect(readTlv(der), 0x30).value).map((t) => toBig(expect(t, 0x02).value));
  if (ints.length < 9) throw new DerError('short RSAPrivateKey');
  const [, n, e, d, p, q, dp, dq, qinv] = ints as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  return { n, e, d, p, q, dp, dq, qinv };
}

export function decodeRsaPrivate(pkcs8: Uint8Array): RsaPrivate {
  return decodeRsaPrivateKey(decodePkcs8(pkcs8).key);
}

export function decodeRsaPublic(spki: Uint8Array): { n: bigint; e: bigint } {
  const { key } = decodeSpki(spki);
  const [n, e] = children(expect(readTlv(key), 0x30).value).map((t) => toBig(expect(t, 0x02).value));
  if (n === undefined || e === undefined) throw new DerError('short RSAPublicKey');
  return { n, e };
}

export { hex as toHex };
