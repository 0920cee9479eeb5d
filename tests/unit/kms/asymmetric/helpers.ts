// Shared tables for the asymmetric tests: every signing spec with its algorithms, and small helpers.
import { createHash } from 'node:crypto';

export const SIGNING: Record<string, string[]> = {
  RSA_2048: [
    'RSASSA_PSS_SHA_256',
    'RSASSA_PSS_SHA_384',
    'RSASSA_PSS_SHA_512',
    'RSASSA_PKCS1_V1_5_SHA_256',
    'RSASSA_PKCS1_V1_5_SHA_384',
    'RSASSA_PKCS1_V1_5_SHA_512',
  ],
  RSA_3072: ['RSASSA_PSS_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384'],
  RSA_4096: ['RSASSA_PSS_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_256'],
  ECC_NIST_P256: ['ECDSA_SHA_256'],
  ECC_NIST_P384: ['ECDSA_SHA_384'],
  ECC_NIST_P521: ['ECDSA_SHA_512'],
  ECC_SECG_P256K1: ['ECDSA_SHA_256'],
  ECC_NIST_EDWARDS25519: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'],
  ML_DSA_44: ['ML_DSA_SHAKE_256'],
  ML_DSA_65: ['ML_DSA_SHAKE_256'],
  ML_DSA_87: ['ML_DSA_SHAKE_256'],
};

/** The node:crypto hash name of a signing algorithm (for DIGEST messages). */
export function hashOf(alg: string): 'sha256' | 'sha384' | 'sha512' | undefined {
  const m = /SHA_(256|384|512)$/.exec(alg);
  return m ? (`sha${m[1]}` as 'sha256') : undefined;
}

export const digest = (alg: string, msg: Uint8Array) => new Uint8Array(createHash(hashOf(alg)!).update(msg).digest());

/** The message types an algorithm accepts here (ED25519_PH_SHA_512 is DIGEST only, ED25519_SHA_512 RAW only). */
export function messageTypes(alg: string): ('RAW' | 'DIGEST')[] {
  if (alg === 'ED25519_SHA_512' || alg === 'ML_DSA_SHAKE_256') return ['RAW'];
  if (alg === 'ED25519_PH_SHA_512') return ['DIGEST'];
  return ['RAW', 'DIGEST'];
}

export function pem(der: Uint8Array, label = 'PUBLIC KEY'): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}
