// Demo keys' published material (ADR 0018; docs/LABS.md "Demo keys"): every value is HKDF-SHA-256 (RFC 5869)
// of a published seed and the demo key's name, so anyone can recompute a workshop sheet's expected outputs
// outside Pocket KMS. Insecure by design: the material is public. Nothing here may touch a real key.
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { p256 } from '@noble/curves/nist.js';
import { encodeEncryptionContext, type EncryptionContext } from '../../format/encryption-context';
import { uuidV4 } from '../ids';
import type { KeySpec } from '../records';

/** HKDF's input keying material, published (docs/LABS.md): it protects nothing. */
export const DEMO_SEED = 'Pocket KMS demo keys: published material, insecure, for workshops only';
export const DEMO_SALT = 'pocket-kms/demo-keys/v1';
/** The tag a CreateKey asks for a demo key with (its value is the demo key's name); every demo key carries it. */
export const DEMO_TAG = 'pocket-kms:demo-key';
/** What DescribeKey's Description of a demo key starts with (AWS's KeyMetadata has no field for it). */
export const DEMO_DESCRIPTION_PREFIX = '[INSECURE DEMO KEY] ';
/** Description as DescribeKey shows it: always starting with DEMO_DESCRIPTION_PREFIX. */
export const demoDescription = (d: string) => (d.startsWith(DEMO_DESCRIPTION_PREFIX) ? d : DEMO_DESCRIPTION_PREFIX + d);
/** A demo key's name: what the sheet calls it, and all its material derives from. */
export const DEMO_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** The specs a demo key can have (RSA has no standard derivation from a seed: ADR 0018). */
export const DEMO_SPECS = [
  'SYMMETRIC_DEFAULT',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
  'ECC_NIST_P256',
  'ECC_NIST_EDWARDS25519',
] as const satisfies readonly KeySpec[];
export type DemoSpec = (typeof DEMO_SPECS)[number];

const utf8 = (s: string) => new TextEncoder().encode(s);

/** HKDF-SHA-256(ikm = DEMO_SEED, salt = DEMO_SALT, info = `<label>/<name>`, length). */
export function demoBytes(label: string, name: string, length: number): Uint8Array {
  return hkdf(sha256, utf8(DEMO_SEED), utf8(DEMO_SALT), utf8(`${label}/${name}`), length);
}

/** The demo key's ID: a UUID v4 made of `key-id/<name>` (version and variant bits set as uuidV4 does). */
export function demoKeyId(name: string): string {
  return uuidV4(demoBytes('key-id', name, 16));
}

/** P-256's group order (FIPS 186-5, SP 800-186 §3.2.1.3). */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

const HMAC_LENGTH: Record<string, number> = { HMAC_224: 28, HMAC_256: 32, HMAC_384: 48, HMAC_512: 64 };

/** The demo key's private material as ImportKeyMaterial takes it: raw bytes for SYMMETRIC_DEFAULT (32) and
 * HMAC (the MAC's length), PKCS#8 for ECC_NIST_P256 (d from 48 bytes, FIPS 186-5 A.2.1: d = (c mod (n−1)) + 1)
 * and ECC_NIST_EDWARDS25519 (the 32-byte seed, RFC 8410). The caller zeroes it. */
export async function demoMaterial(spec: DemoSpec, name: string): Promise<Uint8Array> {
  const label = `material/${spec}`;
  if (spec === 'SYMMETRIC_DEFAULT') return demoBytes(label, name, 32);
  if (spec in HMAC_LENGTH) return demoBytes(label, name, HMAC_LENGTH[spec]!);
  if (spec === 'ECC_NIST_EDWARDS25519') {
    const seed = demoBytes(label, name, 32);
    // PKCS#8 of an Ed25519 seed (RFC 8410 §7): a fixed 16-byte prefix, then the seed.
    const prefix = Uint8Array.from([48, 46, 2, 1, 0, 48, 5, 6, 3, 43, 101, 112, 4, 34, 4, 32]);
    const out = new Uint8Array(48);
    out.set(prefix);
    out.set(seed, 16);
    seed.fill(0);
    return out;
  }
  const c = demoBytes(label, name, 48);
  const d = (BigInt('0x' + [...c].map((b) => b.toString(16).padStart(2, '0')).join('')) % (P256_N - 1n)) + 1n;
  const dBytes = Uint8Array.from(d.toString(16).padStart(64, '0').match(/../g)!, (h) => parseInt(h, 16));
  const pub = p256.getPublicKey(dBytes, false);
  const b64u = (u: Uint8Array) =>
    btoa(String.fromCharCode(...u))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    d: b64u(dBytes),
    x: b64u(pub.slice(1, 33)),
    y: b64u(pub.slice(33)),
    ext: true,
  };
  const t = await crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']);
  dBytes.fill(0);
  return new Uint8Array(await crypto.subtle.exportKey('pkcs8', t));
}

/** A blob header's first 22 bytes (docs/FORMAT.md): version 1, key ID kind, the key ID's 16 bytes, material version. */
function blobHeaderStart(keyId: string, version: number): Uint8Array {
  const mrk = keyId.startsWith('mrk-');
  const hex = mrk ? keyId.slice(4) : keyId.replaceAll('-', '');
  const out = new Uint8Array(22);
  out[0] = 1;
  out[1] = mrk ? 1 : 0;
  for (let i = 0; i < 16; i++) out[2 + i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  new DataView(out.buffer).setUint32(18, version);
  return out;
}

/** A demo key's deterministic AES-GCM nonce: the first 12 bytes of HMAC-SHA-256 under `iv/<name>` (32 bytes) of
 * the blob header's first 22 bytes (version, key ID, material version) || the canonical encryption context ||
 * the plaintext. Identical inputs give identical blobs; distinct plaintexts or contexts give distinct nonces
 * (a SIV-style construction: only equality of messages leaks, and the key is public anyway). */
export function demoIv(name: string, keyId: string, version: number, ctx: EncryptionContext, plaintext: Uint8Array) {
  const header = blobHeaderStart(keyId, version);
  const ec = encodeEncryptionContext(ctx);
  const msg = new Uint8Array(header.length + ec.length + plaintext.length);
  msg.set(header, 0);
  msg.set(ec, header.length);
  msg.set(plaintext, header.length + ec.length);
  return hmac(sha256, demoBytes('iv', name, 32), msg).slice(0, 12);
}

/** A demo key's data key for GenerateDataKey*: HKDF with info `data-key/<name>/<length>/` || the canonical
 * encryption context, so the same request gives the same data key (and, with demoIv, the same blob). */
export function demoDataKey(name: string, ctx: EncryptionContext, length: number): Uint8Array {
  const info = utf8(`data-key/${name}/${length}/`);
  const ec = encodeEncryptionContext(ctx);
  const full = new Uint8Array(info.length + ec.length);
  full.set(info, 0);
  full.set(ec, info.length);
  return hkdf(sha256, utf8(DEMO_SEED), utf8(DEMO_SALT), full, length);
}
