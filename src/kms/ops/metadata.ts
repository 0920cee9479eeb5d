// AWS shapes built from stored records.

import { algorithmLists } from '../asymmetric';
import type { Keystore } from '../ids';
import { keyAccount } from '../account-keys';
import type { KeyRecord } from '../records';
import { expiryFields } from '../import';
import { multiRegionFields } from '../multi-region/config';
import { demoDescription } from '../demo';

export function keyMetadata(ks: Keystore, k: KeyRecord) {
  return {
    AWSAccountId: keyAccount(ks, k),
    KeyId: k.keyId,
    Arn: k.arn,
    CreationDate: new Date(k.createdAt),
    Enabled: k.state === 'Enabled',
    Description: k.demo ? demoDescription(k.description) : k.description,
    KeyUsage: k.keyUsage,
    KeyState: k.state,
    ...(k.deletionDate !== undefined ? { DeletionDate: new Date(k.deletionDate) } : {}),
    ...(expiryFields(k).ValidTo ? { ValidTo: expiryFields(k).ValidTo } : {}),
    Origin: k.origin,
    ...(k.customKeyStoreId ? { CustomKeyStoreId: k.customKeyStoreId } : {}),
    KeyManager: 'CUSTOMER' as const,
    CustomerMasterKeySpec: k.keySpec,
    KeySpec: k.keySpec,
    ...algorithmLists(k.keySpec, k.keyUsage),
    ...multiRegionFields(ks, k),
    ...(k.pendingWindowDays !== undefined ? { PendingDeletionWindowInDays: k.pendingWindowDays } : {}),
    ...(expiryFields(k).ExpirationModel ? { ExpirationModel: expiryFields(k).ExpirationModel } : {}),
    // An EXTERNAL key has no material ID before its first import.
    ...(k.currentMaterialId ? { CurrentKeyMaterialId: k.currentMaterialId } : {}),
  };
}

export type KeyMetadata = ReturnType<typeof keyMetadata>;
