// Every AWS KMS operation name (from the KMS service model), and which ones only read.

export const AWS_KMS_OPERATIONS = [
  'CancelKeyDeletion', 'ConnectCustomKeyStore', 'CreateAlias', 'CreateCustomKeyStore', 'CreateGrant', 'CreateKey',
  'Decapsulate', 'Decrypt', 'DeleteAlias', 'DeleteCustomKeyStore', 'DeleteImportedKeyMaterial', 'DeriveSharedSecret',
  'DescribeCustomKeyStores', 'DescribeKey', 'DisableKey', 'DisableKeyRotation', 'DisconnectCustomKeyStore', 'EnableKey',
  'EnableKeyRotation', 'Encapsulate', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext',
  'GenerateDataKeyWithoutPlaintext', 'GenerateMac', 'GenerateRandom', 'GetKeyLastUsage', 'GetKeyPolicy', 'GetKeyRotationStatus',
  'GetParametersForImport', 'GetPublicKey', 'ImportKeyMaterial', 'ListAliases', 'ListGrants', 'ListKeyPolicies',
  'ListKeyRotations', 'ListKeys', 'ListResourceTags', 'ListRetirableGrants', 'PutKeyPolicy', 'ReEncrypt', 'ReplicateKey',
  'RetireGrant', 'RevokeGrant', 'RotateKeyOnDemand', 'ScheduleKeyDeletion', 'Sign', 'TagResource', 'UntagResource',
  'UpdateAlias', 'UpdateCustomKeyStore', 'UpdateKeyDescription', 'UpdatePrimaryRegion', 'Verify', 'VerifyMac',
] as const;

export type OperationName = (typeof AWS_KMS_OPERATIONS)[number];

const MUTATING = /^(Cancel|Connect|Create|Delete|Disable|Disconnect|Enable|Import|Put|Replicate|Retire|Revoke|Rotate|Schedule|Tag|Untag|Update)/;

/** CloudTrail's readOnly: cryptographic operations count as read-only, as in AWS's records. */
export function isReadOnly(op: string): boolean {
  return !MUTATING.test(op);
}

export function isOperationName(s: string): s is OperationName {
  return (AWS_KMS_OPERATIONS as readonly string[]).includes(s);
}

/** Operations whose successful calls count as key usage for GetKeyLastUsage. */
export const CRYPTO_OPERATIONS: ReadonlySet<string> = new Set([
  'Decapsulate', 'Decrypt', 'DeriveSharedSecret', 'Encapsulate', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext', 'GenerateDataKeyWithoutPlaintext', 'GenerateMac', 'ReEncrypt', 'Sign', 'Verify', 'VerifyMac',
]);
