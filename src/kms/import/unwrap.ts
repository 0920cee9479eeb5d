// ImportKeyMaterial's unwrapping (AWS KMS Developer Guide, "Importing key material", steps 3–4): the
// EncryptedKeyMaterial becomes a material record protected exactly like generated material (ADR 0001,
// 0005, 0009): symmetric material AES-KW wrapped under the domain key, HMAC and private keys sealed under
// the wrapping root key. RSAES_OAEP_* of symmetric and HMAC material is unwrapped straight into WebCrypto:
// its bytes never reach JavaScript. RSA_AES_KEY_WRAP_* is PKCS #11 CKM_RSA_AES_KEY_WRAP (RSA-OAEP of an
// ephemeral AES key, then AES key wrap with padding, RFC 5649), which WebCrypto lacks: @noble/ciphers
// opens it in the worker, as do private keys (their public key is derived there), secp256k1 and Ed25519 keys
// (software, ADR 0005; Ed25519's public key comes from @noble/curves); those bytes are zeroed.

import { aeskwp } from '@noble/ciphers/aes.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha224 } from '@noble/hashes/sha2.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { concat, toHex } from '../../format/bytes';
import { decodePkcs8, ecPrivateScalar, encodeEd25519Pkcs8, encodeSpki, OID, readTlv } from '../../format/der';
import { hasWebCryptoEd25519, sealAad, SPECS, variants } from '../asymmetric';
import { IncorrectKeyMaterialException, InvalidCiphertextException, UnsupportedOperationException } from '../errors';
import type { RootKeys } from '../material';
import type { KeyPairMaterialRecord, KeyRecord, MaterialRecord, SymmetricMaterialRecord } from '../records';
import { isKeyWrap, type UsableAlgorithm, type UsableSpec } from './parameters';

type Target = Pick<KeyRecord, 'keyId' | 'keySpec' | 'keyUsage'>;

export interface Unwrapped {
  material: MaterialRecord;
  /** Derived from the key ID and the material: the same material always has the same ID (AWS's rule). */
  materialId: string;
}

const buf = (u: Uint8Array) => u as Uint8Array<ArrayBuffer>;
const utf8 = new TextEncoder();
const idLabel = (keyId: string) => utf8.encode(`pocket-kms:import:material-id:v1:${keyId}`);
const sha256Hex = async (b: Uint8Array) => toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', buf(b))));

const notDecrypted = () =>
  new InvalidCiphertextException(
    'The encrypted key material could not be decrypted with the wrapping key of this import token and its wrapping algorithm.',
  );
const wrongMaterial = (key: Target, why: string) =>
  new IncorrectKeyMaterialException(`The key material is not valid for ${key.keySpec} key ${key.keyId}: ${why}.`);

/**
 * Opens `encrypted` with the token's wrapping private key into material version `version` of `key`.
 * @throws InvalidCiphertextException when it does not decrypt; IncorrectKeyMaterialException when it is
 * not material of the key's spec (length, format, curve or modulus)
 */
export async function unwrapMaterial(
  encrypted: Uint8Array,
  rsa: CryptoKey,
  p: { wrappingAlgorithm: UsableAlgorithm; wrappingKeySpec: UsableSpec },
  key: Target,
  version: number,
  roots: RootKeys,
  random: (n: number) => Uint8Array,
  now: number,
): Promise<Unwrapped> {
  const modulus = Number(p.wrappingKeySpec.slice(4)) / 8;
  const info = SPECS[key.keySpec];
  const base = { keyId: key.keyId, version, createdAt: now };
  if (!isKeyWrap(p.wrappingAlgorithm)) {
    if (encrypted.length !== modulus) throw notDecrypted();
    if (info.family === 'symmetric' || (info.family === 'hmac' && info.protection === 'browser')) {
      const alg = info.family === 'symmetric' ? { name: 'AES-GCM' } : { name: 'HMAC', hash: info.hash! };
      const usages: KeyUsage[] = info.family === 'symmetric' ? ['encrypt', 'decrypt'] : ['sign'];
      let t: CryptoKey;
      try {
        // Extractable only inside WebCrypto, for the wrapKey that protects it below (as generateMaterial).
        t = await crypto.subtle.unwrapKey('raw', buf(encrypted), rsa, { name: 'RSA-OAEP' }, alg, true, usages);
      } catch (e) {
        // DataError: OAEP opened it, but the bytes are no key of this type (an AES key of 16–32 bytes).
        if ((e as Error)?.name === 'DataError') throw wrongMaterial(key, 'it has the wrong length');
        throw notDecrypted();
      }
      return fromCryptoKey(t, key, base, roots, random);
    }
  }
  const bytes = isKeyWrap(p.wrappingAlgorithm)
    ? await openKeyWrap(encrypted, rsa, modulus)
    : await oaep(encrypted, rsa);
  try {
    return await materialFromBytes(bytes, key, base, roots, random);
  } finally {
    bytes.fill(0);
  }
}

async function oaep(encrypted: Uint8Array, rsa: CryptoKey): Promise<Uint8Array> {
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'RSA-OAEP' }, rsa, buf(encrypted)));
  } catch {
    throw notDecrypted();
  }
}

/** CKM_RSA_AES_KEY_WRAP: RSA-OAEP(ephemeral AES key) of the modulus' length, then RFC 5649 AES-KWP. */
async function openKeyWrap(encrypted: Uint8Array, rsa: CryptoKey, modulus: number): Promise<Uint8Array> {
  /* Precondition: at least the wrapped AES key and one 16-byte KWP block. */
  if (encrypted.length < modulus + 16) throw notDecrypted();
  const kek = await oaep(encrypted.subarray(0, modulus), rsa);
  try {
    if (![16, 24, 32].includes(kek.length)) throw notDecrypted();
    return aeskwp(kek).decrypt(encrypted.subarray(modulus));
  } catch {
    throw notDecrypted();
  } finally {
    kek.fill(0);
  }
}

type Base = { keyId: string; version: number; createdAt: number };

/** An HMAC key's length in bits, or an RSA key's modulus length (KeyAlgorithm's subtypes carry them). */
const bitsOf = (t: CryptoKey, field: 'length' | 'modulusLength') =>
  (t.algorithm as unknown as Record<string, number>)[field] ?? 0;

/** Material version `base.version` of `key` from its plaintext bytes (ImportKeyMaterial's forms); demo keys too. */
export async function materialFromBytes(
  bytes: Uint8Array,
  key: Target,
  base: Base,
  roots: RootKeys,
  random: (n: number) => Uint8Array,
): Promise<Unwrapped> {
  const info = SPECS[key.keySpec];
  if (info.family === 'symmetric') {
    if (bytes.length !== 32) throw wrongMaterial(key, `it is ${bytes.length} bytes, not 32 (256 bits)`);
    const t = await crypto.subtle.importKey('raw', buf(bytes), 'AES-GCM', true, ['encrypt', 'decrypt']);
    return fromCryptoKey(t, key, base, roots, random);
  }
  if (info.family === 'hmac') {
    if (bytes.length !== info.macLength) throw wrongMaterial(key, `it is ${bytes.length} bytes, not ${info.macLength}`);
    if (info.protection === 'browser') {
      const t = await crypto.subtle.importKey('raw', buf(bytes), { name: 'HMAC', hash: info.hash! }, true, ['sign']);
      return fromCryptoKey(t, key, base, roots, random);
    }
    // HMAC_224: no SHA-224 in WebCrypto, so the key is sealed as bytes, as generated ones are (ADR 0005).
    const iv = random(12);
    const sealed = await crypto.subtle.encrypt(gcm(iv, base), roots.wrappingKey, buf(bytes));
    const materialId = await sha256Hex(hmac(sha224, bytes, idLabel(key.keyId)));
    const material: KeyPairMaterialRecord = { ...base, kind: 'hmac', materialId, cryptoKeys: {}, sealed, iv };
    return { material, materialId };
  }
  if (info.family === 'rsa' || info.family === 'ecc-nist') return fromPkcs8(bytes, key, base, roots, random);
  if (info.family === 'secp256k1') return fromSecp256k1(bytes, key, base, roots, random);
  if (info.family === 'ed25519') return fromEd25519(bytes, key, base, roots, random);
  throw new UnsupportedOperationException(`Pocket KMS cannot import key material into ${key.keySpec} keys.`);
}

const gcm = (iv: Uint8Array, base: Base): AesGcmParams => ({
  name: 'AES-GCM',
  iv: buf(iv),
  additionalData: buf(sealAad(base.keyId, base.version)),
});

/** A transient extractable AES-GCM or HMAC key, protected as generated material is, then dropped. */
async function fromCryptoKey(
  t: CryptoKey,
  key: Target,
  base: Base,
  roots: RootKeys,
  random: (n: number) => Uint8Array,
): Promise<Unwrapped> {
  if (t.algorithm.name === 'AES-GCM') {
    if ((t.algorithm as AesKeyAlgorithm).length !== 256)
      throw wrongMaterial(key, `it is ${(t.algorithm as AesKeyAlgorithm).length} bits, not 256`);
    const wrapped = await crypto.subtle.wrapKey('raw', t, roots.domainKey, 'AES-KW');
    const usable = await crypto.subtle.unwrapKey('raw', wrapped, roots.domainKey, 'AES-KW', 'AES-GCM', false, [
      'encrypt',
      'decrypt',
    ]);
    // A key check value: AES-GCM of a fixed block under a fixed nonce and label (the same input every time,
    // so the nonce is never used for two messages); it identifies the material and reveals nothing of it.
    const kcv = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: new Uint8Array(12), additionalData: buf(idLabel(key.keyId)) },
      usable,
      new Uint8Array(16),
    );
    const materialId = await sha256Hex(new Uint8Array(kcv));
    const material: SymmetricMaterialRecord = { ...base, materialId, key: usable, wrapped };
    return { material, materialId };
  }
  const macLength = SPECS[key.keySpec].macLength!;
  if (bitsOf(t, 'length') !== macLength * 8)
    throw wrongMaterial(key, `it is ${bitsOf(t, 'length') / 8} bytes, not ${macLength}`);
  const iv = random(12);
  const sealed = await crypto.subtle.wrapKey('raw', t, roots.wrappingKey, gcm(iv, base));
  const cryptoKeys = await usableVariants(sealed, 'raw', key, base, iv, roots);
  const tag = await crypto.subtle.sign('HMAC', cryptoKeys.HMAC!, buf(idLabel(key.keyId)));
  const materialId = await sha256Hex(new Uint8Array(tag));
  const material: KeyPairMaterialRecord = { ...base, kind: 'hmac', materialId, cryptoKeys, sealed, iv };
  return { material, materialId };
}

async function usableVariants(
  sealed: ArrayBuffer,
  format: 'raw' | 'pkcs8',
  key: Target,
  base: Base,
  iv: Uint8Array,
  roots: RootKeys,
): Promise<Record<string, CryptoKey>> {
  const out: Record<string, CryptoKey> = {};
  for (const [name, v] of Object.entries(variants(key.keySpec, key.keyUsage)))
    out[name] = await crypto.subtle.unwrapKey(format, sealed, roots.wrappingKey, gcm(iv, base), v.alg, false, v.usages);
  return out;
}

/** An RSA or NIST-curve private key (PKCS#8 DER, RFC 5208), checked against the key's spec. */
async function fromPkcs8(
  bytes: Uint8Array,
  key: Target,
  base: Base,
  roots: RootKeys,
  random: (n: number) => Uint8Array,
): Promise<Unwrapped> {
  const info = SPECS[key.keySpec];
  const [first] = Object.values(variants(key.keySpec, key.keyUsage));
  let t: CryptoKey;
  try {
    t = await crypto.subtle.importKey('pkcs8', buf(bytes), first!.alg, true, first!.usages);
  } catch {
    throw wrongMaterial(key, `it is not a PKCS#8 private key of this key spec`);
  }
  if (info.family === 'rsa' && bitsOf(t, 'modulusLength') !== info.bits)
    throw wrongMaterial(key, `its modulus is ${bitsOf(t, 'modulusLength')} bits, not ${info.bits}`);
  // WebCrypto derives no public key from a private one: its JWK has the public members beside `d`.
  const jwk = await crypto.subtle.exportKey('jwk', t);
  const pub: JsonWebKey =
    jwk.kty === 'RSA' ? { kty: 'RSA', n: jwk.n!, e: jwk.e! } : { kty: 'EC', crv: jwk.crv!, x: jwk.x!, y: jwk.y! };
  const publicAlg =
    info.family === 'rsa' ? { name: 'RSA-OAEP', hash: 'SHA-256' } : { name: 'ECDSA', namedCurve: info.curve! };
  const publicKey = new Uint8Array(
    await crypto.subtle.exportKey(
      'spki',
      await crypto.subtle.importKey('jwk', pub, publicAlg, true, info.family === 'rsa' ? ['encrypt'] : ['verify']),
    ),
  );
  const iv = random(12);
  const sealed = await crypto.subtle.wrapKey('pkcs8', t, roots.wrappingKey, gcm(iv, base));
  const cryptoKeys = await usableVariants(sealed, 'pkcs8', key, base, iv, roots);
  const materialId = await sha256Hex(concat([idLabel(key.keyId), publicKey]));
  const material: KeyPairMaterialRecord = {
    ...base,
    kind: 'asymmetric',
    materialId,
    cryptoKeys,
    publicKey,
    sealed,
    iv,
  };
  return { material, materialId };
}

/** A secp256k1 private key (PKCS#8 with an RFC 5915 ECPrivateKey), kept as its scalar like a generated one
 * (software-protected, ADR 0005); the public key is computed from it with @noble/curves. */
async function fromSecp256k1(
  bytes: Uint8Array,
  key: Target,
  base: Base,
  roots: RootKeys,
  random: (n: number) => Uint8Array,
): Promise<Unwrapped> {
  let d: Uint8Array;
  try {
    const p = decodePkcs8(bytes);
    if (p.algOid !== OID.ecPublicKey || p.paramOid !== OID.secp256k1) throw new Error('not secp256k1');
    d = ecPrivateScalar(bytes).slice();
  } catch {
    throw wrongMaterial(key, 'it is not a PKCS#8 secp256k1 private key');
  }
  try {
    if (d.length !== 32 || !secp256k1.utils.isValidSecretKey(d)) throw wrongMaterial(key, 'its scalar is not valid');
    const publicKey = encodeSpki(OID.ecPublicKey, secp256k1.getPublicKey(d, false), OID.secp256k1);
    const iv = random(12);
    const sealed = await crypto.subtle.encrypt(gcm(iv, base), roots.wrappingKey, buf(d));
    const materialId = await sha256Hex(concat([idLabel(key.keyId), publicKey]));
    const material: KeyPairMaterialRecord = {
      ...base,
      kind: 'asymmetric',
      materialId,
      cryptoKeys: {},
      publicKey,
      sealed,
      iv,
    };
    return { material, materialId };
  } finally {
    d.fill(0);
  }
}

/** An Ed25519 private key (PKCS#8, RFC 8410: CurvePrivateKey, an OCTET STRING of the 32-byte seed). Kept as a
 * generated one is: sealed PKCS#8 and a non-extractable WebCrypto key where WebCrypto has Ed25519, else sealed
 * bytes only (software, ADR 0005). The public key is computed from the seed with @noble/curves. */
async function fromEd25519(
  bytes: Uint8Array,
  key: Target,
  base: Base,
  roots: RootKeys,
  random: (n: number) => Uint8Array,
): Promise<Unwrapped> {
  let seed: Uint8Array;
  try {
    const p = decodePkcs8(bytes);
    if (p.algOid !== OID.ed25519) throw new Error('not Ed25519');
    seed = readTlv(p.key).value.slice();
  } catch {
    throw wrongMaterial(key, 'it is not a PKCS#8 Ed25519 private key');
  }
  const pkcs8 = encodeEd25519Pkcs8(seed);
  try {
    if (seed.length !== 32) throw wrongMaterial(key, `its seed is ${seed.length} bytes, not 32`);
    const publicKey = encodeSpki(OID.ed25519, ed25519.getPublicKey(seed));
    const iv = random(12);
    const materialId = await sha256Hex(concat([idLabel(key.keyId), publicKey]));
    let sealed: ArrayBuffer;
    let cryptoKeys: Record<string, CryptoKey> = {};
    if (await hasWebCryptoEd25519()) {
      const t = await crypto.subtle.importKey('pkcs8', buf(pkcs8), { name: 'Ed25519' }, true, ['sign']);
      sealed = await crypto.subtle.wrapKey('pkcs8', t, roots.wrappingKey, gcm(iv, base));
      cryptoKeys = await usableVariants(sealed, 'pkcs8', key, base, iv, roots);
    } else sealed = await crypto.subtle.encrypt(gcm(iv, base), roots.wrappingKey, buf(pkcs8));
    const material: KeyPairMaterialRecord = {
      ...base,
      kind: 'asymmetric',
      materialId,
      cryptoKeys,
      publicKey,
      sealed,
      iv,
    };
    return { material, materialId };
  } finally {
    seed.fill(0);
    pkcs8.fill(0);
  }
}
