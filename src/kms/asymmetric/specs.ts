// AWS KMS key specs for asymmetric and HMAC keys: which KeyUsage each allows, the algorithms
// DescribeKey lists for it (in AWS's order), and whether WebCrypto or a @noble library runs it
// (docs/API.md "Key specs", ADR 0005). Source: the KMS API reference, CreateKey and Sign.

import type { KeySpec, KeyUsage } from '../records';

export type Family = 'symmetric' | 'rsa' | 'ecc-nist' | 'secp256k1' | 'ed25519' | 'ml-dsa' | 'ml-kem' | 'hmac';

export interface SpecInfo {
  family: Family;
  usages: readonly KeyUsage[];
  /** 'browser': every operation that can runs on non-extractable WebCrypto keys; 'software': a @noble library. */
  protection: 'browser' | 'software';
  /** RSA modulus bits. */
  bits?: number;
  /** WebCrypto namedCurve (NIST curves). */
  curve?: 'P-256' | 'P-384' | 'P-521';
  signing?: readonly SigningAlgorithm[];
  /** HMAC hash, and key length in bytes (AWS: the key is as long as the hash output). */
  hash?: 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512';
  macLength?: number;
  /** ML-DSA / ML-KEM parameter set. */
  level?: 44 | 65 | 87 | 512 | 768 | 1024;
}

export const SIGNING_ALGORITHMS = [
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'ECDSA_SHA_256',
  'ECDSA_SHA_384',
  'ECDSA_SHA_512',
  'SM2DSA',
  'ML_DSA_SHAKE_256',
  'ED25519_SHA_512',
  'ED25519_PH_SHA_512',
] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export const MAC_ALGORITHMS = ['HMAC_SHA_224', 'HMAC_SHA_256', 'HMAC_SHA_384', 'HMAC_SHA_512'] as const;
export type MacAlgorithm = (typeof MAC_ALGORITHMS)[number];

export const RSA_ENCRYPTION_ALGORITHMS = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const;
export type RsaEncryptionAlgorithm = (typeof RSA_ENCRYPTION_ALGORITHMS)[number];

const RSA_SIGNING: readonly SigningAlgorithm[] = [
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
];
const RSA_USAGES: readonly KeyUsage[] = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'];
const NIST_USAGES: readonly KeyUsage[] = ['SIGN_VERIFY', 'KEY_AGREEMENT'];

export const SPECS: Record<KeySpec, SpecInfo> = {
  SYMMETRIC_DEFAULT: { family: 'symmetric', usages: ['ENCRYPT_DECRYPT'], protection: 'browser' },
  RSA_2048: { family: 'rsa', usages: RSA_USAGES, protection: 'browser', bits: 2048, signing: RSA_SIGNING },
  RSA_3072: { family: 'rsa', usages: RSA_USAGES, protection: 'browser', bits: 3072, signing: RSA_SIGNING },
  RSA_4096: { family: 'rsa', usages: RSA_USAGES, protection: 'browser', bits: 4096, signing: RSA_SIGNING },
  ECC_NIST_P256: {
    family: 'ecc-nist',
    usages: NIST_USAGES,
    protection: 'browser',
    curve: 'P-256',
    signing: ['ECDSA_SHA_256'],
  },
  ECC_NIST_P384: {
    family: 'ecc-nist',
    usages: NIST_USAGES,
    protection: 'browser',
    curve: 'P-384',
    signing: ['ECDSA_SHA_384'],
  },
  ECC_NIST_P521: {
    family: 'ecc-nist',
    usages: NIST_USAGES,
    protection: 'browser',
    curve: 'P-521',
    signing: ['ECDSA_SHA_512'],
  },
  ECC_SECG_P256K1: { family: 'secp256k1', usages: ['SIGN_VERIFY'], protection: 'software', signing: ['ECDSA_SHA_256'] },
  ECC_NIST_EDWARDS25519: {
    family: 'ed25519',
    usages: ['SIGN_VERIFY'],
    protection: 'browser',
    signing: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'],
  },
  ML_DSA_44: {
    family: 'ml-dsa',
    usages: ['SIGN_VERIFY'],
    protection: 'software',
    level: 44,
    signing: ['ML_DSA_SHAKE_256'],
  },
  ML_DSA_65: {
    family: 'ml-dsa',
    usages: ['SIGN_VERIFY'],
    protection: 'software',
    level: 65,
    signing: ['ML_DSA_SHAKE_256'],
  },
  ML_DSA_87: {
    family: 'ml-dsa',
    usages: ['SIGN_VERIFY'],
    protection: 'software',
    level: 87,
    signing: ['ML_DSA_SHAKE_256'],
  },
  ML_KEM_512: { family: 'ml-kem', usages: ['ENCAPSULATE_DECAPSULATE'], protection: 'software', level: 512 },
  ML_KEM_768: { family: 'ml-kem', usages: ['ENCAPSULATE_DECAPSULATE'], protection: 'software', level: 768 },
  ML_KEM_1024: { family: 'ml-kem', usages: ['ENCAPSULATE_DECAPSULATE'], protection: 'software', level: 1024 },
  // WebCrypto has no SHA-224, so HMAC_224 runs in @noble/hashes.
  HMAC_224: { family: 'hmac', usages: ['GENERATE_VERIFY_MAC'], protection: 'software', hash: 'SHA-224', macLength: 28 },
  HMAC_256: { family: 'hmac', usages: ['GENERATE_VERIFY_MAC'], protection: 'browser', hash: 'SHA-256', macLength: 32 },
  HMAC_384: { family: 'hmac', usages: ['GENERATE_VERIFY_MAC'], protection: 'browser', hash: 'SHA-384', macLength: 48 },
  HMAC_512: { family: 'hmac', usages: ['GENERATE_VERIFY_MAC'], protection: 'browser', hash: 'SHA-512', macLength: 64 },
};

/** The MAC algorithm of an HMAC key spec (each HMAC key supports exactly one). */
export function macAlgorithmOf(spec: KeySpec): MacAlgorithm | undefined {
  const h = SPECS[spec].hash;
  return h ? (`HMAC_SHA_${h.slice(4)}` as MacAlgorithm) : undefined;
}

/** The algorithm lists DescribeKey and GetPublicKey show for a key, as AWS names them. */
export function algorithmLists(spec: KeySpec, usage: KeyUsage) {
  const info = SPECS[spec];
  switch (usage) {
    case 'ENCRYPT_DECRYPT':
      return {
        EncryptionAlgorithms: info.family === 'rsa' ? [...RSA_ENCRYPTION_ALGORITHMS] : ['SYMMETRIC_DEFAULT' as const],
      };
    case 'SIGN_VERIFY':
      return { SigningAlgorithms: [...(info.signing ?? [])] };
    case 'GENERATE_VERIFY_MAC':
      return { MacAlgorithms: [macAlgorithmOf(spec)!] };
    case 'KEY_AGREEMENT':
      return { KeyAgreementAlgorithms: ['ECDH' as const] };
    case 'ENCAPSULATE_DECAPSULATE':
      return { EncapsulationAlgorithms: ['ML_KEM' as const] };
  }
}

/** Hash of a signing algorithm and its digest length in bytes (for MessageType DIGEST). */
export function signingHash(
  alg: SigningAlgorithm,
): { hash: 'SHA-256' | 'SHA-384' | 'SHA-512'; length: number } | undefined {
  if (alg.endsWith('SHA_256')) return { hash: 'SHA-256', length: 32 };
  if (alg.endsWith('SHA_384')) return { hash: 'SHA-384', length: 48 };
  if (alg.endsWith('SHA_512')) return { hash: 'SHA-512', length: 64 };
  return undefined;
}

/** AWS's RSAES-OAEP plaintext limit: k − 2·hLen − 2 bytes (RFC 8017 §7.1.1), e.g. 190 for RSA_2048 with SHA-256. */
export function oaepLimit(bits: number, alg: RsaEncryptionAlgorithm): number {
  return bits / 8 - 2 * (alg === 'RSAES_OAEP_SHA_1' ? 20 : 32) - 2;
}

/** Key specs GenerateDataKeyPair offers here (AWS also lists SM2, China Regions only, and ML-KEM). */
export const DATA_KEY_PAIR_SPECS = [
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'ECC_NIST_EDWARDS25519',
] as const satisfies readonly KeySpec[];
export const AWS_DATA_KEY_PAIR_SPECS = [
  ...DATA_KEY_PAIR_SPECS,
  'SM2',
  'ML_KEM_512',
  'ML_KEM_768',
  'ML_KEM_1024',
] as const;
