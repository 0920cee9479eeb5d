// The replica request and replica package (docs/FORMAT.md "Replica requests and packages", ADR 0015):
// JSON text with base64 bytes, parsed strictly (every field checked, named in the message), the request's
// fingerprint people compare by voice, and the bytes a package's signature covers. No crypto beyond SHA-256.

import { fromBase64, toBase64, toHex } from '../../format/bytes';
import { ReplicaFormatException } from '../errors';
import { isKeyId } from '../ids';
import { isRegionName } from './config';

export const REQUEST_FORMAT = 'pocket-kms/replica-request';
export const PACKAGE_FORMAT = 'pocket-kms/replica-package';

export interface ReplicaRequest {
  format: typeof REQUEST_FORMAT;
  version: 1;
  /** 32 hex digits; names the destination's stored private key. */
  requestId: string;
  /** Where the replica will be: the destination keystore's Region and account. */
  region: string;
  accountId: string;
  createdAt: string;
  expiresAt: string;
  /** RSA-OAEP (SHA-256, 3072 bits) public key, DER SubjectPublicKeyInfo, base64. */
  publicKey: string;
}

export interface PackagedMaterial {
  version: number;
  materialId: string;
  createdAt: number;
  rotationType?: 'AUTOMATIC' | 'ON_DEMAND';
  /** Absent: symmetric (`wrapped`: AES-KW under the transport KW key). Else `sealed` + `iv`: AES-GCM under the
   * transport GCM key, bound to the key ID and version (as the keystore seals key pairs, ADR 0005). */
  kind?: 'asymmetric' | 'hmac';
  wrapped?: string;
  sealed?: string;
  iv?: string;
  publicKey?: string;
}

export interface ReplicaPackage {
  format: typeof PACKAGE_FORMAT;
  version: 1;
  requestId: string;
  requestFingerprint: string;
  createdAt: string;
  source: { keyArn: string; region: string; accountId: string; signerPublicKey: string; signerFingerprint: string };
  key: {
    keyId: string;
    keySpec: string;
    keyUsage: string;
    description: string;
    currentVersion: number;
    currentMaterialId: string;
    rotationEnabled: boolean;
    rotationPeriodDays?: number;
  };
  /** The two transport keys (AES-KW and AES-GCM, 256 bits), each RSA-OAEP wrapped for the request's key. */
  transport: { kw: string; gcm: string };
  materials: PackagedMaterial[];
  /** ECDSA P-256 SHA-256 (IEEE P1363), base64, over `signedBytes(package)`. */
  signature: string;
}

const utf8 = new TextEncoder();
const b64 = toBase64;

function bad(what: string): never {
  throw new ReplicaFormatException(`This is not a valid replica ${what}.`);
}

function json(text: string, what: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // Reported below, without the parser's message (it may quote the text).
  }
  return bad(what);
}

const str = (o: Record<string, unknown>, k: string, what: string, re?: RegExp) => {
  const v = o[k];
  if (typeof v !== 'string' || (re && !re.test(v)))
    throw new ReplicaFormatException(`The replica ${what}'s "${k}" is malformed.`);
  return v;
};
const B64 = /^[A-Za-z0-9+/]+={0,2}$/;
const HEX32 = /^[0-9a-f]{32}$/;

export function parseRequest(text: string): ReplicaRequest {
  const o = json(text, 'request');
  if (o.format !== REQUEST_FORMAT) bad('request');
  if (o.version !== 1)
    throw new ReplicaFormatException(`Replica request version ${String(o.version)} is not one this Pocket KMS reads.`);
  str(o, 'requestId', 'request', HEX32);
  if (!isRegionName(str(o, 'region', 'request'))) bad('request');
  str(o, 'accountId', 'request', /^\d{12}$/);
  str(o, 'createdAt', 'request');
  str(o, 'expiresAt', 'request');
  str(o, 'publicKey', 'request', B64);
  return o as unknown as ReplicaRequest;
}

export function parsePackage(text: string): ReplicaPackage {
  const o = json(text, 'package');
  if (o.format !== PACKAGE_FORMAT) bad('package');
  if (o.version !== 1)
    throw new ReplicaFormatException(`Replica package version ${String(o.version)} is not one this Pocket KMS reads.`);
  str(o, 'requestId', 'package', HEX32);
  str(o, 'requestFingerprint', 'package');
  str(o, 'signature', 'package', B64);
  const src = o.source as Record<string, unknown> | undefined;
  const key = o.key as Record<string, unknown> | undefined;
  const tr = o.transport as Record<string, unknown> | undefined;
  if (!src || !key || !tr || !Array.isArray(o.materials) || o.materials.length === 0) bad('package');
  str(src, 'signerPublicKey', 'package', B64);
  if (!isRegionName(str(src, 'region', 'package'))) bad('package');
  if (!isKeyId(str(key, 'keyId', 'package'))) bad('package');
  str(tr, 'kw', 'package', B64);
  str(tr, 'gcm', 'package', B64);
  for (const m of o.materials as Record<string, unknown>[]) {
    if (!m || typeof m.version !== 'number' || !Number.isInteger(m.version) || m.version < 1) bad('package');
    if (m.kind === undefined) str(m, 'wrapped', 'package', B64);
    else {
      str(m, 'sealed', 'package', B64);
      str(m, 'iv', 'package', B64);
    }
  }
  return o as unknown as ReplicaPackage;
}

/** The bytes a package's signature covers: its JSON without `signature`, keys in the order they were written. */
export function signedBytes(p: Omit<ReplicaPackage, 'signature'> & { signature?: string }): Uint8Array {
  const { signature: _s, ...body } = p;
  return utf8.encode(JSON.stringify(body));
}

/** The request's fingerprint, for two people to compare by voice: the first 10 bytes of SHA-256 over a
 * label, the request ID and the public key, as five groups of four hex digits. */
export async function requestFingerprint(requestId: string, spki: Uint8Array): Promise<string> {
  const label = utf8.encode(`pocket-kms:replica-request:v1:${requestId}:`);
  const buf = new Uint8Array(label.length + spki.length);
  buf.set(label);
  buf.set(spki, label.length);
  const h = toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', buf)).slice(0, 10)).toUpperCase();
  return h.match(/.{4}/g)!.join('-');
}

export { b64, fromBase64 };
