// Digest files for audit exports, modelled on CloudTrail log file integrity validation (CloudTrail
// User Guide, "CloudTrail digest file structure" and "Custom implementations of CloudTrail log file
// integrity validation"): each digest lists log files with their SHA-256, names the previous digest
// with its hash and signature, and is signed over CloudTrail's data signing string. We sign with
// ECDSA P-256 / SHA-256 (CloudTrail uses RSA) by a non-extractable keystore key.

import { toHex } from '../../format/bytes';
import { KMSInternalException } from '../errors';
import type { Store } from '../ports';

export const SIGNING_KEY_META = 'auditSigningKey';
export const SIGNATURE_ALGORITHM = 'SHA256withECDSA';
/** Stands in for CloudTrail's S3 bucket in paths and signing strings. */
export const EXPORT_BUCKET = 'pocket-kms';

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

export interface SigningKey {
  /** Non-extractable: the private key never leaves WebCrypto. */
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** DER SubjectPublicKeyInfo of the public key. */
  spki: Uint8Array;
  /** Hex SHA-256 of `spki` (digestPublicKeyFingerprint). */
  fingerprint: string;
  createdAt: number;
}

export async function sha256Hex(data: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>)));
}

async function pipeAll(data: Uint8Array, t: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Response(new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(t));
  return new Uint8Array(await out.arrayBuffer());
}

export const gzip = (data: Uint8Array) => pipeAll(data, new CompressionStream('gzip'));
/** @throws TypeError when `data` is not a valid gzip stream (a flipped byte fails its CRC). */
export const gunzip = (data: Uint8Array) => pipeAll(data, new DecompressionStream('gzip'));

/** The signing key of a keystore locked at rest (ADR 0009): PKCS#8 sealed (AES-GCM) under the wrapping key. */
export interface SealedSigningKey {
  sealed: ArrayBuffer;
  iv: Uint8Array;
  spki: Uint8Array;
  fingerprint: string;
  createdAt: number;
}

/** How a keystore locked at rest keeps its signing key: the wrapping key (refused while locked) and randomness. */
export interface SigningKeySeal {
  wrappingKey(): CryptoKey;
  random(n: number): Uint8Array;
}

const SEAL_AAD = new TextEncoder().encode('pocket-kms:audit-signing-key:v1');

/** A new signing key sealed under `wrappingKey`; the private key is extractable only inside WebCrypto while it is wrapped. */
export async function newSealedSigningKey(
  wrappingKey: CryptoKey,
  random: (n: number) => Uint8Array,
  now: number,
): Promise<SealedSigningKey> {
  const pair = await crypto.subtle.generateKey(ECDSA, true, ['sign', 'verify']);
  const iv = random(12);
  const sealed = await crypto.subtle.wrapKey('pkcs8', pair.privateKey, wrappingKey, {
    name: 'AES-GCM',
    iv: iv as Uint8Array<ArrayBuffer>,
    additionalData: SEAL_AAD,
  });
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
  return { sealed, iv, spki, fingerprint: await sha256Hex(spki), createdAt: now };
}

async function openSealed(s: SealedSigningKey, seal: SigningKeySeal | undefined): Promise<SigningKey> {
  if (!seal)
    throw new KMSInternalException(
      'The keystore\u2019s secret changed in another tab or window: reload this page and unlock it.',
    );
  const gcm = { name: 'AES-GCM', iv: s.iv as Uint8Array<ArrayBuffer>, additionalData: SEAL_AAD };
  const privateKey = await crypto.subtle.unwrapKey('pkcs8', s.sealed, seal.wrappingKey(), gcm, ECDSA, false, ['sign']);
  const publicKey = await crypto.subtle.importKey('spki', s.spki as Uint8Array<ArrayBuffer>, ECDSA, true, ['verify']);
  return { privateKey, publicKey, spki: s.spki, fingerprint: s.fingerprint, createdAt: s.createdAt };
}

/** The keystore's digest signing key, created on first use (concurrent first uses agree on one); sealed
 * under the wrapping key when `seal` is given (a keystore locked at rest), a stored CryptoKey otherwise. */
export async function getSigningKey(store: Store, now: number, seal?: SigningKeySeal): Promise<SigningKey> {
  type Stored = SigningKey | SealedSigningKey;
  const usable = (s: Stored) => ('sealed' in s ? openSealed(s, seal) : Promise.resolve(s));
  const have = await store.read((tx) => tx.getMeta<Stored>(SIGNING_KEY_META));
  if (have) return usable(have);
  let candidate: Stored;
  if (seal) candidate = await newSealedSigningKey(seal.wrappingKey(), seal.random, now);
  else {
    const pair = await crypto.subtle.generateKey(ECDSA, false, ['sign', 'verify']);
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
    candidate = {
      privateKey: pair.privateKey,
      publicKey: pair.publicKey,
      spki,
      fingerprint: await sha256Hex(spki),
      createdAt: now,
    };
  }
  const stored = await store.write(async (tx) => {
    const raced = await tx.getMeta<Stored>(SIGNING_KEY_META);
    if (raced) return raced;
    await tx.putMeta(SIGNING_KEY_META, candidate);
    return candidate;
  });
  return usable(stored);
}

export function importPublicKey(spki: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('spki', spki as Uint8Array<ArrayBuffer>, ECDSA, true, ['verify']);
}

/** WebCrypto's IEEE P1363 r‖s to the DER ECDSA-Sig-Value OpenSSL reads (RFC 3279 §2.2.3). */
export function p1363ToDer(sig: Uint8Array): Uint8Array {
  const int = (b: Uint8Array) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = b.subarray(i);
    return v[0]! & 0x80 ? [0x02, v.length + 1, 0, ...v] : [0x02, v.length, ...v];
  };
  const half = sig.length / 2;
  const body = [...int(sig.subarray(0, half)), ...int(sig.subarray(half))];
  return Uint8Array.from([0x30, body.length, ...body]);
}

/** DER ECDSA-Sig-Value back to P1363 (32-byte r and s for P-256); undefined when malformed. */
export function derToP1363(der: Uint8Array): Uint8Array | undefined {
  if (der[0] !== 0x30 || der[1] !== der.length - 2) return undefined;
  const out = new Uint8Array(64);
  let at = 2;
  for (const slot of [0, 32]) {
    if (der[at] !== 0x02) return undefined;
    const len = der[at + 1]!;
    let v = der.subarray(at + 2, at + 2 + len);
    if (v.length !== len) return undefined;
    while (v.length > 32 && v[0] === 0) v = v.subarray(1);
    if (v.length > 32) return undefined;
    out.set(v, slot + 32 - v.length);
    at += 2 + len;
  }
  return at === der.length ? out : undefined;
}

export interface LogFileListing {
  s3Bucket: string;
  s3Object: string;
  hashValue: string;
  hashAlgorithm: 'SHA-256';
  newestEventTime: string;
  oldestEventTime: string;
}

export interface DigestFile {
  awsAccountId: string;
  digestStartTime: string;
  digestEndTime: string;
  digestS3Bucket: string;
  digestS3Object: string;
  digestPublicKeyFingerprint: string;
  digestSignatureAlgorithm: string;
  newestEventTime: string | null;
  oldestEventTime: string | null;
  previousDigestS3Bucket: string | null;
  previousDigestS3Object: string | null;
  previousDigestHashValue: string | null;
  previousDigestHashAlgorithm: 'SHA-256' | null;
  previousDigestSignature: string | null;
  logFiles: LogFileListing[];
}

/** CloudTrail's data signing string: end time, bucket/path, hex SHA-256 of the (uncompressed)
 * digest, and the previous digest's hex signature ("null" for the first). */
export function signingString(
  d: Pick<DigestFile, 'digestEndTime' | 'digestS3Bucket' | 'digestS3Object' | 'previousDigestSignature'>,
  digestHash: string,
): string {
  return `${d.digestEndTime}\n${d.digestS3Bucket}/${d.digestS3Object}\n${digestHash}\n${d.previousDigestSignature ?? 'null'}`;
}

/** Signs a digest; returns the DER signature (what the `.sig` file holds). */
export async function signDigest(key: CryptoKey, d: DigestFile, digestHash: string): Promise<Uint8Array> {
  const raw = new Uint8Array(
    await crypto.subtle.sign(SIGN, key, new TextEncoder().encode(signingString(d, digestHash))),
  );
  return p1363ToDer(raw);
}

export async function verifyDigest(
  key: CryptoKey,
  d: DigestFile,
  digestHash: string,
  der: Uint8Array,
): Promise<boolean> {
  const raw = derToP1363(der);
  if (!raw) return false;
  return crypto.subtle.verify(
    SIGN,
    key,
    raw as Uint8Array<ArrayBuffer>,
    new TextEncoder().encode(signingString(d, digestHash)),
  );
}
