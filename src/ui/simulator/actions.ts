// The actions the simulator offers, grouped as the AWS KMS Developer Guide's permissions reference
// groups them. Account-level actions (no key) are the ones src/kms/authz/simulate.ts decides by IAM alone.

export const ACTION_GROUPS = [
  {
    label: 'Cryptographic',
    actions: [
      'Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext',
      'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext', 'Sign', 'Verify', 'GenerateMac', 'VerifyMac',
      'GetPublicKey', 'DeriveSharedSecret', 'Decapsulate', 'GenerateRandom',
    ],
  },
  {
    label: 'Management',
    actions: [
      'DescribeKey', 'GetKeyPolicy', 'PutKeyPolicy', 'EnableKey', 'DisableKey', 'ScheduleKeyDeletion', 'CancelKeyDeletion',
      'EnableKeyRotation', 'DisableKeyRotation', 'GetKeyRotationStatus', 'RotateKeyOnDemand', 'ListKeyRotations',
      'UpdateKeyDescription', 'TagResource', 'UntagResource', 'ListResourceTags', 'CreateAlias', 'DeleteAlias',
      'CreateKey', 'ListKeys', 'ListAliases',
    ],
  },
  { label: 'Grants', actions: ['CreateGrant', 'ListGrants', 'RetireGrant', 'RevokeGrant', 'ListRetirableGrants'] },
] as const;

/** Decided by identity policies alone: no key, no key policy, no grants. */
export const ACCOUNT_ACTIONS = new Set(['CreateKey', 'ListKeys', 'ListAliases', 'GenerateRandom', 'ListRetirableGrants']);

/** Operations whose request takes an encryption context (the simulator then sends it). */
export const CONTEXT_ACTIONS = new Set([
  'Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext',
  'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext',
]);

/** "kms:Decrypt" or "Decrypt" → "Decrypt"; undefined when it is not an action name. */
export function actionName(text: string): string | undefined {
  const m = /^(?:kms:)?([A-Za-z]+)$/.exec(text.trim());
  return m?.[1];
}
