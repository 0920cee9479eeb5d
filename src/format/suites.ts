// The AWS Encryption SDK algorithm suites (specification framework/algorithm-suites.md).
// 0x0478 and 0x0578 (key commitment, message format 2) are written; the older ones are read only,
// and only when legacy messages are allowed.

export type KdfHash = 'SHA-256' | 'SHA-384' | 'SHA-512';

export interface AlgorithmSuite {
  id: number;
  name: string;
  /** AES-GCM key length in bytes (the data key has the same length). */
  keyBytes: 16 | 24 | 32;
  /** HKDF hash, or null when the data key is used as is. */
  kdf: KdfHash | null;
  /** Key commitment (32-byte commitment in the header, message format 2). */
  commitment: boolean;
  /** ECDSA curve of the footer signature, or null. */
  signature: 'P-256' | 'P-384' | null;
  messageVersion: 1 | 2;
}

const suite = (
  id: number,
  name: string,
  keyBytes: 16 | 24 | 32,
  kdf: KdfHash | null,
  signature: 'P-256' | 'P-384' | null,
  commitment = false,
): AlgorithmSuite => ({ id, name, keyBytes, kdf, commitment, signature, messageVersion: commitment ? 2 : 1 });

export const SUITES: ReadonlyMap<number, AlgorithmSuite> = new Map(
  [
    suite(0x0014, 'AES_128_GCM_IV12_TAG16_NO_KDF', 16, null, null),
    suite(0x0046, 'AES_192_GCM_IV12_TAG16_NO_KDF', 24, null, null),
    suite(0x0078, 'AES_256_GCM_IV12_TAG16_NO_KDF', 32, null, null),
    suite(0x0114, 'AES_128_GCM_IV12_TAG16_HKDF_SHA256', 16, 'SHA-256', null),
    suite(0x0146, 'AES_192_GCM_IV12_TAG16_HKDF_SHA256', 24, 'SHA-256', null),
    suite(0x0178, 'AES_256_GCM_IV12_TAG16_HKDF_SHA256', 32, 'SHA-256', null),
    suite(0x0214, 'AES_128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256', 16, 'SHA-256', 'P-256'),
    suite(0x0346, 'AES_192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384', 24, 'SHA-384', 'P-384'),
    suite(0x0378, 'AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384', 32, 'SHA-384', 'P-384'),
    suite(0x0478, 'AES_256_GCM_HKDF_SHA512_COMMIT_KEY', 32, 'SHA-512', null, true),
    suite(0x0578, 'AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384', 32, 'SHA-512', 'P-384', true),
  ].map((s) => [s.id, s]),
);

/** The suites Pocket KMS writes. */
export const WRITE_SUITES = [0x0478, 0x0578] as const;
export type WriteSuiteId = (typeof WRITE_SUITES)[number];

export const DEFAULT_SUITE: WriteSuiteId = 0x0478;

export const IV_LENGTH = 12;
export const TAG_LENGTH = 16;
/** Length of the key commitment ("algorithm suite data") of committing suites. */
export const COMMITMENT_LENGTH = 32;

/** Hex form used in messages and the UI, e.g. "0x0478". */
export const suiteHex = (id: number) => `0x${id.toString(16).padStart(4, '0')}`;
