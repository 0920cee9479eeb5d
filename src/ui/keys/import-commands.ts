// The console's import walk-through (AWS KMS Developer Guide, "Importing key material", steps 2–3): which
// wrapping algorithms and wrapping key specs fit a key spec (as GetParametersForImport checks them), and the
// OpenSSL commands of AWS's "Step 3: Encrypt the key material" for each wrapping algorithm, with the file
// names AWS uses (WrappingPublicKey.bin, PlaintextKeyMaterial.bin, EncryptedKeyMaterial.bin).

export const WRAPPING_ALGORITHMS = [
  'RSAES_OAEP_SHA_256',
  'RSAES_OAEP_SHA_1',
  'RSA_AES_KEY_WRAP_SHA_256',
  'RSA_AES_KEY_WRAP_SHA_1',
] as const;
export type WrappingAlgorithm = (typeof WRAPPING_ALGORITHMS)[number];
export const WRAPPING_KEY_SPECS = ['RSA_4096', 'RSA_3072', 'RSA_2048'] as const;
export type WrappingKeySpec = (typeof WRAPPING_KEY_SPECS)[number];

/** The files a person downloads and uploads, named as AWS's guide names them. */
export const FILES = {
  publicKey: 'WrappingPublicKey.bin',
  token: 'ImportToken.bin',
  material: 'PlaintextKeyMaterial.bin',
  encrypted: 'EncryptedKeyMaterial.bin',
} as const;

const isRsa = (keySpec: string) => keySpec.startsWith('RSA_');
const isAsymmetric = (keySpec: string) => isRsa(keySpec) || keySpec.startsWith('ECC_');

/** AWS: RSA private keys need an RSA_AES_KEY_WRAP algorithm (an RSA key does not fit in one OAEP block). */
export function algorithmsFor(keySpec: string): readonly WrappingAlgorithm[] {
  return isRsa(keySpec) ? WRAPPING_ALGORITHMS.filter((a) => a.startsWith('RSA_AES')) : WRAPPING_ALGORITHMS;
}

/** AWS: RSAES_OAEP with an RSA_2048 wrapping key cannot wrap ECC_NIST_P521 material. */
export function wrappingSpecsFor(keySpec: string, alg: WrappingAlgorithm): readonly WrappingKeySpec[] {
  return keySpec === 'ECC_NIST_P521' && alg.startsWith('RSAES_OAEP')
    ? WRAPPING_KEY_SPECS.filter((s) => s !== 'RSA_2048')
    : WRAPPING_KEY_SPECS;
}

const CURVES: Record<string, string> = {
  ECC_NIST_P256: 'P-256',
  ECC_NIST_P384: 'P-384',
  ECC_NIST_P521: 'P-521',
  ECC_SECG_P256K1: 'secp256k1',
};
const HMAC_BYTES: Record<string, number> = { HMAC_224: 28, HMAC_256: 32, HMAC_384: 48, HMAC_512: 64 };

/**
 * A test key material of `keySpec` in the form ImportKeyMaterial takes (raw bytes; PKCS#8 DER for private
 * keys), made by OpenSSL as AWS's "Generate key material for testing" shows. For testing only: real
 * material comes from your HSM or key management system.
 */
export function generateCommand(keySpec: string): string {
  if (keySpec === 'SYMMETRIC_DEFAULT') return `openssl rand -out ${FILES.material} 32`;
  if (keySpec in HMAC_BYTES) return `openssl rand -out ${FILES.material} ${HMAC_BYTES[keySpec]}`;
  const pkcs8 = `openssl pkcs8 -topk8 -outform DER -nocrypt -out ${FILES.material}`;
  if (isRsa(keySpec)) return `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:${keySpec.slice(4)} | ${pkcs8}`;
  if (keySpec === 'ECC_NIST_EDWARDS25519')
    return `openssl genpkey -algorithm ED25519 -outform DER -out ${FILES.material}`;
  const curve = CURVES[keySpec];
  if (curve) return `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:${curve} | ${pkcs8}`;
  return `# Pocket KMS cannot import ${keySpec} key material.`;
}

const oaep = (input: string, output: string, md: string) =>
  [
    'openssl pkeyutl \\',
    '    -encrypt \\',
    `    -in ${input} \\`,
    `    -out ${output} \\`,
    `    -inkey ${FILES.publicKey} \\`,
    '    -keyform DER \\',
    '    -pubin \\',
    '    -pkeyopt rsa_padding_mode:oaep \\',
    `    -pkeyopt rsa_oaep_md:${md} \\`,
    `    -pkeyopt rsa_mgf1_md:${md}`,
  ].join('\n');

/**
 * The shell commands (bash, OpenSSL 3) that turn PlaintextKeyMaterial.bin into EncryptedKeyMaterial.bin for
 * `alg` under WrappingPublicKey.bin (DER). RSAES_OAEP_*: one RSA-OAEP encryption (the hash is used for
 * OAEP and MGF1). RSA_AES_KEY_WRAP_*: PKCS #11 CKM_RSA_AES_KEY_WRAP, an ephemeral AES-256 key wraps the
 * material with RFC 5649 key wrap with padding (`id-aes256-wrap-pad`, IV A65959A6), RSA-OAEP wraps that
 * key, and the two are concatenated in that order.
 */
export function encryptCommands(alg: WrappingAlgorithm): string {
  const md = alg.endsWith('SHA_1') ? 'sha1' : 'sha256';
  if (alg.startsWith('RSAES_OAEP')) return oaep(FILES.material, FILES.encrypted, md);
  return [
    'openssl rand -out aes-key.bin 32',
    'openssl enc -id-aes256-wrap-pad \\',
    `    -K "$(xxd -p < aes-key.bin | tr -d '\\n')" \\`,
    '    -iv A65959A6 \\',
    `    -in ${FILES.material} \\`,
    '    -out key-material-wrapped.bin',
    oaep('aes-key.bin', 'aes-key-wrapped.bin', md),
    `cat aes-key-wrapped.bin key-material-wrapped.bin > ${FILES.encrypted}`,
  ].join('\n');
}

/** Material of this key spec is an asymmetric private key: AWS derives the public key from it. */
export const importsPrivateKey = isAsymmetric;
