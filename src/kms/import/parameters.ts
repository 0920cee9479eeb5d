// GetParametersForImport's wrapping key pair and import token (AWS KMS Developer Guide, "Importing key
// material", step 2). The RSA private key is made inside WebCrypto and kept only sealed (AES-GCM under the
// keystore's wrapping root key, bound to the token and key); the token is authenticated by a GMAC tag
// under the same root key, so a token this keystore did not issue, or altered, is refused.

import { concat, fromHex, toHex, uint64, view } from '../../format/bytes';
import { InvalidImportTokenException } from '../errors';

export const WRAPPING_ALGORITHMS = [
  'RSAES_PKCS1_V1_5',
  'RSAES_OAEP_SHA_1',
  'RSAES_OAEP_SHA_256',
  'RSA_AES_KEY_WRAP_SHA_1',
  'RSA_AES_KEY_WRAP_SHA_256',
  'SM2PKE',
] as const;
export type WrappingAlgorithm = (typeof WRAPPING_ALGORITHMS)[number];
export const WRAPPING_KEY_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096', 'SM2'] as const;
export type WrappingKeySpec = (typeof WRAPPING_KEY_SPECS)[number];

/** The algorithms and specs Pocket KMS answers (AWS dropped RSAES_PKCS1_V1_5 in 2023; SM2 is China-only). */
export type UsableAlgorithm = Exclude<WrappingAlgorithm, 'RSAES_PKCS1_V1_5' | 'SM2PKE'>;
export type UsableSpec = Exclude<WrappingKeySpec, 'SM2'>;

/** AWS: each public key and import token set is valid for 24 hours. */
export const PARAMETERS_VALID_MS = 24 * 3_600_000;

/** RSA-OAEP's hash (MGF1 uses the same, as `openssl pkeyutl -pkeyopt rsa_oaep_md:… rsa_mgf1_md:…`). */
export function oaepHash(alg: UsableAlgorithm): 'SHA-1' | 'SHA-256' {
  return alg.endsWith('SHA_1') ? 'SHA-1' : 'SHA-256';
}

export const isKeyWrap = (alg: UsableAlgorithm) => alg.startsWith('RSA_AES_KEY_WRAP');

/** What `meta` keeps under `import:<id>` until the token is used or expires. */
export interface StoredParameters {
  keyId: string;
  wrappingAlgorithm: UsableAlgorithm;
  wrappingKeySpec: UsableSpec;
  expiresAt: number;
  /** The RSA private key, PKCS#8, AES-GCM sealed under the wrapping root key with `iv`. */
  sealed: ArrayBuffer;
  iv: Uint8Array;
}

export const parametersMeta = (id: string) => `import:${id}`;

const utf8 = new TextEncoder();
const ALGS: readonly UsableAlgorithm[] = [
  'RSAES_OAEP_SHA_1',
  'RSAES_OAEP_SHA_256',
  'RSA_AES_KEY_WRAP_SHA_1',
  'RSA_AES_KEY_WRAP_SHA_256',
];
const SPECS: readonly UsableSpec[] = ['RSA_2048', 'RSA_3072', 'RSA_4096'];
const TOKEN_VERSION = 1;
const buf = (u: Uint8Array) => u as Uint8Array<ArrayBuffer>;

const sealGcm = (iv: Uint8Array, id: string, keyId: string): AesGcmParams => ({
  name: 'AES-GCM',
  iv: buf(iv),
  additionalData: buf(utf8.encode(`pocket-kms:import:wrapping-key:v1:${id}:${keyId}`)),
});

export interface NewParameters {
  id: string;
  stored: StoredParameters;
  publicKey: Uint8Array;
  token: Uint8Array;
}

/**
 * A fresh RSA wrapping key pair and its token for `keyId`. The private key is extractable only inside
 * WebCrypto for the wrapKey that seals it; nothing of it reaches JavaScript.
 */
export async function newParameters(
  rootWrappingKey: CryptoKey,
  random: (n: number) => Uint8Array,
  keyId: string,
  wrappingAlgorithm: UsableAlgorithm,
  wrappingKeySpec: UsableSpec,
  expiresAt: number,
): Promise<NewParameters> {
  const pair = await crypto.subtle.generateKey(
    {
      name: 'RSA-OAEP',
      modulusLength: Number(wrappingKeySpec.slice(4)),
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: oaepHash(wrappingAlgorithm),
    },
    true,
    ['encrypt', 'decrypt'],
  );
  const id = toHex(random(16));
  const iv = random(12);
  const sealed = await crypto.subtle.wrapKey('pkcs8', pair.privateKey, rootWrappingKey, sealGcm(iv, id, keyId));
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
  const stored: StoredParameters = { keyId, wrappingAlgorithm, wrappingKeySpec, expiresAt, sealed, iv };
  const token = await encodeToken(rootWrappingKey, random(12), {
    id,
    keyId,
    wrappingAlgorithm,
    wrappingKeySpec,
    expiresAt,
  });
  return { id, stored, publicKey, token };
}

/** The sealed wrapping private key, unwrapped non-extractable for RSA-OAEP with the algorithm's hash. */
export function wrappingPrivateKey(rootWrappingKey: CryptoKey, id: string, p: StoredParameters): Promise<CryptoKey> {
  return crypto.subtle.unwrapKey(
    'pkcs8',
    p.sealed,
    rootWrappingKey,
    sealGcm(p.iv, id, p.keyId),
    { name: 'RSA-OAEP', hash: oaepHash(p.wrappingAlgorithm) },
    false,
    ['decrypt', 'unwrapKey'],
  );
}

export interface TokenFacts {
  id: string;
  keyId: string;
  wrappingAlgorithm: UsableAlgorithm;
  wrappingKeySpec: UsableSpec;
  expiresAt: number;
}

// Token, version 1: version(1) | id(16) | expiresAt ms (uint64 BE) | algorithm(1) | key spec(1) |
// key ID length(1) | key ID (ASCII) | IV(12) | GMAC tag(16) over every byte before the tag.
async function encodeToken(rootWrappingKey: CryptoKey, iv: Uint8Array, t: TokenFacts): Promise<Uint8Array> {
  const keyId = utf8.encode(t.keyId);
  const body = concat([
    new Uint8Array([TOKEN_VERSION]),
    fromHex(t.id)!,
    uint64(t.expiresAt),
    new Uint8Array([ALGS.indexOf(t.wrappingAlgorithm), SPECS.indexOf(t.wrappingKeySpec), keyId.length]),
    keyId,
    iv,
  ]);
  return concat([body, await gmac(rootWrappingKey, iv, body)]);
}

async function gmac(key: CryptoKey, iv: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
  const tag = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: buf(iv), additionalData: buf(aad) },
    key,
    new Uint8Array(),
  );
  return new Uint8Array(tag);
}

/**
 * Reads and authenticates a token. Expiry and the key it names are the caller's to check.
 * @throws InvalidImportTokenException for anything this keystore did not issue, or altered (or one issued
 * before the keystore's root keys changed, when its secret was set).
 */
export async function decodeToken(rootWrappingKey: CryptoKey, token: Uint8Array): Promise<TokenFacts> {
  const bad = () =>
    new InvalidImportTokenException(
      'The import token is not valid: it was not issued by this keystore for a KMS key, or it was altered.',
    );
  if (token.length < 28 || token[0] !== TOKEN_VERSION) throw bad();
  const n = token[27]!;
  if (token.length !== 28 + n + 12 + 16) throw bad();
  const body = token.subarray(0, 28 + n + 12);
  const iv = token.subarray(28 + n, 28 + n + 12);
  try {
    await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: buf(iv.slice()), additionalData: buf(body.slice()) },
      rootWrappingKey,
      buf(token.slice(28 + n + 12)),
    );
  } catch {
    throw bad();
  }
  const alg = ALGS[token[25]!];
  const spec = SPECS[token[26]!];
  if (!alg || !spec) throw bad();
  return {
    id: toHex(token.subarray(1, 17)),
    expiresAt: Number(view(token).getBigUint64(17)),
    wrappingAlgorithm: alg,
    wrappingKeySpec: spec,
    keyId: new TextDecoder().decode(token.subarray(28, 28 + n)),
  };
}
