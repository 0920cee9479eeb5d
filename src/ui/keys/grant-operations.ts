// Grant operations a key accepts, by key usage and spec (AWS KMS Developer Guide, "Grant operations").
// Mirrors validOperations in src/kms/ops/grants.ts so the form offers only what CreateGrant accepts.
import type { KmsResponses } from '../../worker/api';

export type GrantEntry = KmsResponses['ListGrants']['Grants'][number];

const BY_USAGE: Record<string, string[]> = {
  ENCRYPT_DECRYPT: ['Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext', 'GetPublicKey'],
  SIGN_VERIFY: ['Sign', 'Verify', 'GetPublicKey'],
  GENERATE_VERIFY_MAC: ['GenerateMac', 'VerifyMac'],
  KEY_AGREEMENT: ['DeriveSharedSecret', 'GetPublicKey'],
  ENCAPSULATE_DECAPSULATE: ['Decapsulate', 'GetPublicKey'],
};
const SYMMETRIC_ONLY = new Set(['GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext']);
/** Operations that let a grantee manage the grant or read the key, whatever the key's usage. */
export const MANAGEMENT_OPERATIONS = ['DescribeKey', 'CreateGrant', 'RetireGrant'];

/** The cryptographic operations a grant on this key may list. */
export function cryptoOperations(keyUsage: string | undefined, keySpec: string | undefined): string[] {
  const symmetric = keySpec === 'SYMMETRIC_DEFAULT';
  return (BY_USAGE[keyUsage ?? ''] ?? []).filter((o) => (symmetric ? o !== 'GetPublicKey' : !SYMMETRIC_ONLY.has(o)));
}

/** "arn:aws:iam::111122223333:role/App" → "role/App"; the root → "root". */
export function shortPrincipal(arn: string): string {
  const m = /^arn:aws:(?:iam|sts)::\d{12}:(.+)$/.exec(arn);
  return m ? m[1]! : arn;
}

/** Context pairs as `TenantId=acme, stage=prod`. */
export function pairs(map: Record<string, string> | undefined): string {
  return Object.entries(map ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** A grant's constraint in words, or undefined for none. */
export function constraintText(c: GrantEntry['Constraints'] | undefined): string | undefined {
  if (c?.EncryptionContextEquals) return `Context equals ${pairs(c.EncryptionContextEquals)}`;
  if (c?.EncryptionContextSubset) return `Context includes ${pairs(c.EncryptionContextSubset)}`;
  return undefined;
}
