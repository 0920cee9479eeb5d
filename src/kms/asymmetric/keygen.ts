// Generates the material of asymmetric and HMAC KMS keys (ADR 0005). Browser-protected specs: an
// extractable key exists only inside WebCrypto for the moment it takes to wrapKey it (AES-GCM under
// the keystore's wrapping key) and unwrapKey it back non-extractable, once per WebCrypto variant.
// Software specs: the @noble secret is sealed under the same wrapping key and zeroed.

import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { ml_kem1024, ml_kem512, ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { Random } from '../ports';
import type { KeyPairMaterialRecord, KeySpec, KeyUsage } from '../records';
import { encodeEd25519Pkcs8, encodeSpki, OID } from '../../format/der';
import { SPECS } from './specs';

/** Additional data that binds a sealed secret to its key and version, so copies cannot be swapped. */
export function sealAad(keyId: string, version: number): Uint8Array {
  return new TextEncoder().encode(`pocket-kms:material:v1:${keyId}:${version}`);
}

export async function generateWrappingKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
    'decrypt',
    'wrapKey',
    'unwrapKey',
  ]);
}

type ImportAlg = AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams | HmacImportParams;

/** The WebCrypto variants a browser-protected key keeps, by name: algorithm and private-key usage. */
export function variants(spec: KeySpec, usage: KeyUsage): Record<string, { alg: ImportAlg; usages: KeyUsage_[] }> {
  const info = SPECS[spec];
  const out: Record<string, { alg: ImportAlg; usages: KeyUsage_[] }> = {};
  if (info.family === 'rsa' && usage === 'SIGN_VERIFY') {
    for (const name of ['RSASSA-PKCS1-v1_5', 'RSA-PSS'])
      for (const hash of ['SHA-256', 'SHA-384', 'SHA-512'])
        out[`${name}/${hash}`] = { alg: { name, hash }, usages: ['sign'] };
  } else if (info.family === 'rsa') {
    for (const hash of ['SHA-1', 'SHA-256'])
      out[`RSA-OAEP/${hash}`] = { alg: { name: 'RSA-OAEP', hash }, usages: ['decrypt'] };
  } else if (info.family === 'ecc-nist') {
    out[usage === 'KEY_AGREEMENT' ? 'ECDH' : 'ECDSA'] =
      usage === 'KEY_AGREEMENT'
        ? { alg: { name: 'ECDH', namedCurve: info.curve! }, usages: ['deriveBits'] }
        : { alg: { name: 'ECDSA', namedCurve: info.curve! }, usages: ['sign'] };
  } else if (info.family === 'ed25519') {
    out.Ed25519 = { alg: { name: 'Ed25519' }, usages: ['sign'] };
  } else if (info.family === 'hmac' && info.protection === 'browser') {
    out.HMAC = { alg: { name: 'HMAC', hash: info.hash!, length: info.macLength! * 8 }, usages: ['sign', 'verify'] };
  }
  return out;
}
type KeyUsage_ = globalThis.KeyUsage;

/** A WebCrypto key pair (or HMAC key) generated extractable, for wrapping only. */
async function transientKey(
  spec: KeySpec,
  usage: KeyUsage,
): Promise<{ secret: CryptoKey; publicKey?: CryptoKey; format: 'pkcs8' | 'raw' }> {
  const info = SPECS[spec];
  if (info.family === 'rsa') {
    const p = await crypto.subtle.generateKey(
      { name: 'RSA-PSS', modulusLength: info.bits!, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    );
    return { secret: p.privateKey, publicKey: p.publicKey, format: 'pkcs8' };
  }
  if (info.family === 'ecc-nist') {
    const name = usage === 'KEY_AGREEMENT' ? 'ECDH' : 'ECDSA';
    const p = (await crypto.subtle.generateKey(
      { name, namedCurve: info.curve! },
      true,
      name === 'ECDH' ? ['deriveBits'] : ['sign', 'verify'],
    )) as CryptoKeyPair;
    return { secret: p.privateKey, publicKey: p.publicKey, format: 'pkcs8' };
  }
  if (info.family === 'ed25519') {
    const p = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    return { secret: p.privateKey, publicKey: p.publicKey, format: 'pkcs8' };
  }
  const k = await crypto.subtle.generateKey({ name: 'HMAC', hash: info.hash!, length: info.macLength! * 8 }, true, [
    'sign',
  ]);
  return { secret: k, format: 'raw' };
}

export type NewKeyMaterial = Pick<KeyPairMaterialRecord, 'kind' | 'cryptoKeys' | 'publicKey' | 'sealed' | 'iv'>;

/** Generates the material of a new asymmetric or HMAC key `keyId` (version 1). */
export async function generateKeyMaterial(
  wrappingKey: CryptoKey,
  random: Random,
  spec: KeySpec,
  usage: KeyUsage,
  keyId: string,
): Promise<NewKeyMaterial> {
  const info = SPECS[spec];
  const kind = info.family === 'hmac' ? 'hmac' : 'asymmetric';
  const iv = random.bytes(12);
  const gcm: AesGcmParams = {
    name: 'AES-GCM',
    iv: iv as Uint8Array<ArrayBuffer>,
    additionalData: sealAad(keyId, 1) as Uint8Array<ArrayBuffer>,
  };
  // A browser without WebCrypto Ed25519 (before Firefox 129, Safari 17) gets a software Ed25519 key.
  if (info.family === 'ed25519' && !(await hasWebCryptoEd25519()))
    return softwareMaterial(kind, wrappingKey, gcm, ed25519Pair(random));
  if (info.protection === 'browser') {
    const t = await transientKey(spec, usage);
    const sealed = await crypto.subtle.wrapKey(t.format, t.secret, wrappingKey, gcm);
    const cryptoKeys: Record<string, CryptoKey> = {};
    for (const [name, v] of Object.entries(variants(spec, usage))) {
      cryptoKeys[name] = await crypto.subtle.unwrapKey(t.format, sealed, wrappingKey, gcm, v.alg, false, v.usages);
    }
    const out: NewKeyMaterial = { kind, cryptoKeys, sealed, iv };
    if (t.publicKey) out.publicKey = new Uint8Array(await crypto.subtle.exportKey('spki', t.publicKey));
    return out;
  }
  return softwareMaterial(kind, wrappingKey, gcm, softwareKeyPair(spec, random));
}

async function softwareMaterial(
  kind: NewKeyMaterial['kind'],
  wrappingKey: CryptoKey,
  gcm: AesGcmParams,
  k: { secret: Uint8Array; publicKey?: Uint8Array },
): Promise<NewKeyMaterial> {
  try {
    const sealed = await crypto.subtle.encrypt(gcm, wrappingKey, k.secret as Uint8Array<ArrayBuffer>);
    const out: NewKeyMaterial = { kind, cryptoKeys: {}, sealed, iv: new Uint8Array(gcm.iv as Uint8Array) };
    if (k.publicKey) out.publicKey = k.publicKey;
    return out;
  } finally {
    k.secret.fill(0);
  }
}

let ed25519Support: Promise<boolean> | undefined;

/** Whether this runtime's WebCrypto has Ed25519 (asked once). */
export function hasWebCryptoEd25519(): Promise<boolean> {
  ed25519Support ??= crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign']).then(
    () => true,
    () => false,
  );
  return ed25519Support;
}

/** An Ed25519 key pair made with @noble/curves: PKCS#8 (RFC 8410) and SPKI, as WebCrypto would give them. */
export function ed25519Pair(random: Random): { secret: Uint8Array; publicKey: Uint8Array } {
  const seed = random.bytes(32);
  const pub = ed25519.getPublicKey(seed);
  const secret = encodeEd25519Pkcs8(seed);
  seed.fill(0);
  return { secret, publicKey: encodeSpki(OID.ed25519, pub) };
}

const ML_DSA = { 44: ml_dsa44, 65: ml_dsa65, 87: ml_dsa87 } as const;
const ML_KEM = { 512: ml_kem512, 768: ml_kem768, 1024: ml_kem1024 } as const;
const ML_DSA_OID = { 44: OID.mlDsa44, 65: OID.mlDsa65, 87: OID.mlDsa87 } as const;
const ML_KEM_OID = { 512: OID.mlKem512, 768: OID.mlKem768, 1024: OID.mlKem1024 } as const;

export function mlDsa(level: number) {
  return ML_DSA[level as 44 | 65 | 87];
}
export function mlKem(level: number) {
  return ML_KEM[level as 512 | 768 | 1024];
}

/** A software spec's secret (library format) and SPKI public key. The caller zeroes `secret`. */
export function softwareKeyPair(spec: KeySpec, random: Random): { secret: Uint8Array; publicKey?: Uint8Array } {
  const info = SPECS[spec];
  if (info.family === 'secp256k1') {
    const d = secp256k1.utils.randomSecretKey(random.bytes(48));
    return { secret: d, publicKey: encodeSpki(OID.ecPublicKey, secp256k1.getPublicKey(d, false), OID.secp256k1) };
  }
  if (info.family === 'ml-dsa') {
    const seed = random.bytes(32);
    const k = mlDsa(info.level!).keygen(seed);
    seed.fill(0);
    return { secret: k.secretKey, publicKey: encodeSpki(ML_DSA_OID[info.level as 44], k.publicKey) };
  }
  if (info.family === 'ml-kem') {
    const seed = random.bytes(64);
    const k = mlKem(info.level!).keygen(seed);
    seed.fill(0);
    return { secret: k.secretKey, publicKey: encodeSpki(ML_KEM_OID[info.level as 512], k.publicKey) };
  }
  // HMAC_224: the key is as long as the hash output.
  return { secret: random.bytes(info.macLength!) };
}
