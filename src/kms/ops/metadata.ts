// AWS shapes built from stored records.

import { algorithmLists } from '../asymmetric';
import type { Keystore } from '../ids';
import type { KeyRecord } from '../records';

export function keyMetadata(ks: Keystore, k: KeyRecord) {
  return {
    AWSAccountId: ks.accountId,
    KeyId: k.keyId,
    Arn: k.arn,
    CreationDate: new Date(k.createdAt),
    Enabled: k.state === 'Enabled',
    Description: k.description,
    KeyUsage: k.keyUsage,
    KeyState: k.state,
    ...(k.deletionDate !== undefined ? { DeletionDate: new Date(k.deletionDate) } : {}),
    Origin: k.origin,
    KeyManager: 'CUSTOMER' as const,
    CustomerMasterKeySpec: k.keySpec,
    KeySpec: k.keySpec,
    ...algorithmLists(k.keySpec, k.keyUsage),
    MultiRegion: false,
    ...(k.pendingWindowDays !== undefined ? { PendingDeletionWindowInDays: k.pendingWindowDays } : {}),
    CurrentKeyMaterialId: k.currentMaterialId,
  };
}

export type KeyMetadata = ReturnType<typeof keyMetadata>;
