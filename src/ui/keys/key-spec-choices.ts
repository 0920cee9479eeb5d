// The create-key choices the console offers, with AWS's KeyUsage rules per key spec and a one-line
// explanation of each choice (the core enforces the same rules: src/kms/asymmetric/specs.ts).

export type KeyType = 'symmetric' | 'asymmetric' | 'hmac';
export type Usage =
  'ENCRYPT_DECRYPT' | 'SIGN_VERIFY' | 'KEY_AGREEMENT' | 'ENCAPSULATE_DECAPSULATE' | 'GENERATE_VERIFY_MAC';
export type Spec =
  | 'SYMMETRIC_DEFAULT'
  | 'RSA_2048'
  | 'RSA_3072'
  | 'RSA_4096'
  | 'ECC_NIST_P256'
  | 'ECC_NIST_P384'
  | 'ECC_NIST_P521'
  | 'ECC_SECG_P256K1'
  | 'ECC_NIST_EDWARDS25519'
  | 'ML_DSA_44'
  | 'ML_DSA_65'
  | 'ML_DSA_87'
  | 'ML_KEM_512'
  | 'ML_KEM_768'
  | 'ML_KEM_1024'
  | 'HMAC_224'
  | 'HMAC_256'
  | 'HMAC_384'
  | 'HMAC_512';

export const KEY_TYPES: { value: KeyType; label: string; hint: string }[] = [
  {
    value: 'symmetric',
    label: 'Symmetric',
    hint: 'One AES-256 key that encrypts and decrypts inside this browser.',
  },
  {
    value: 'asymmetric',
    label: 'Asymmetric',
    hint: 'A public and private key pair: share the public key, the private key stays here.',
  },
  { value: 'hmac', label: 'HMAC', hint: 'A secret key that makes and checks message authentication codes.' },
];

export const USAGES: Record<Usage, { label: string; hint: string }> = {
  ENCRYPT_DECRYPT: {
    label: 'Encrypt and decrypt',
    hint: 'Others encrypt with the public key; only this key decrypts.',
  },
  SIGN_VERIFY: { label: 'Sign and verify', hint: 'Sign releases or messages; anyone can verify with the public key.' },
  KEY_AGREEMENT: { label: 'Key agreement', hint: 'Derive a shared secret with another party’s public key (ECDH).' },
  ENCAPSULATE_DECAPSULATE: {
    label: 'Key encapsulation',
    hint: 'Post-quantum ML-KEM: establish a 32-byte shared secret.',
  },
  GENERATE_VERIFY_MAC: { label: 'Generate and verify MAC', hint: 'HMAC of messages up to 4 KiB.' },
};

/** One-line explanations, and the usages AWS allows for each spec. */
export const SPECS: Record<Spec, { type: KeyType; usages: Usage[]; hint: string; software?: boolean }> = {
  SYMMETRIC_DEFAULT: { type: 'symmetric', usages: ['ENCRYPT_DECRYPT'], hint: 'AES-256-GCM.' },
  RSA_2048: {
    type: 'asymmetric',
    usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
    hint: 'RSA, 2048-bit modulus: the most widely accepted.',
  },
  RSA_3072: {
    type: 'asymmetric',
    usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
    hint: 'RSA, 3072-bit: 128-bit security.',
  },
  RSA_4096: {
    type: 'asymmetric',
    usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
    hint: 'RSA, 4096-bit: slowest to create and sign.',
  },
  ECC_NIST_P256: {
    type: 'asymmetric',
    usages: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
    hint: 'NIST P-256 (secp256r1): small, fast, widely supported.',
  },
  ECC_NIST_P384: {
    type: 'asymmetric',
    usages: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
    hint: 'NIST P-384: 192-bit security.',
  },
  ECC_NIST_P521: {
    type: 'asymmetric',
    usages: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
    hint: 'NIST P-521: 256-bit security.',
  },
  ECC_SECG_P256K1: {
    type: 'asymmetric',
    usages: ['SIGN_VERIFY'],
    hint: 'secp256k1, the curve of Bitcoin and Ethereum.',
    software: true,
  },
  ECC_NIST_EDWARDS25519: {
    type: 'asymmetric',
    usages: ['SIGN_VERIFY'],
    hint: 'Ed25519: deterministic, compact signatures.',
  },
  ML_DSA_44: {
    type: 'asymmetric',
    usages: ['SIGN_VERIFY'],
    hint: 'ML-DSA-44 (FIPS 204), post-quantum signatures.',
    software: true,
  },
  ML_DSA_65: {
    type: 'asymmetric',
    usages: ['SIGN_VERIFY'],
    hint: 'ML-DSA-65, post-quantum, stronger.',
    software: true,
  },
  ML_DSA_87: {
    type: 'asymmetric',
    usages: ['SIGN_VERIFY'],
    hint: 'ML-DSA-87, post-quantum, strongest.',
    software: true,
  },
  ML_KEM_512: {
    type: 'asymmetric',
    usages: ['ENCAPSULATE_DECAPSULATE'],
    hint: 'ML-KEM-512 (FIPS 203).',
    software: true,
  },
  ML_KEM_768: {
    type: 'asymmetric',
    usages: ['ENCAPSULATE_DECAPSULATE'],
    hint: 'ML-KEM-768, the recommended level.',
    software: true,
  },
  ML_KEM_1024: {
    type: 'asymmetric',
    usages: ['ENCAPSULATE_DECAPSULATE'],
    hint: 'ML-KEM-1024, strongest.',
    software: true,
  },
  HMAC_224: { type: 'hmac', usages: ['GENERATE_VERIFY_MAC'], hint: 'HMAC-SHA-224.', software: true },
  HMAC_256: { type: 'hmac', usages: ['GENERATE_VERIFY_MAC'], hint: 'HMAC-SHA-256, the common choice.' },
  HMAC_384: { type: 'hmac', usages: ['GENERATE_VERIFY_MAC'], hint: 'HMAC-SHA-384.' },
  HMAC_512: { type: 'hmac', usages: ['GENERATE_VERIFY_MAC'], hint: 'HMAC-SHA-512.' },
};

export function usagesFor(type: KeyType): Usage[] {
  const out = new Set<Usage>();
  for (const s of Object.values(SPECS)) if (s.type === type) for (const u of s.usages) out.add(u);
  return [...out];
}

export function specsFor(type: KeyType, usage: Usage): Spec[] {
  return (Object.keys(SPECS) as Spec[]).filter((k) => SPECS[k].type === type && SPECS[k].usages.includes(usage));
}

export const protectionNote = (spec: Spec) =>
  SPECS[spec].software
    ? 'Software-protected: the private key is stored encrypted and decrypted in the worker for each use.'
    : 'Browser-protected: the key is a non-extractable WebCrypto key.';
