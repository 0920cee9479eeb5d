// CreateKey with CustomKeyStoreId (Origin AWS_CLOUDHSM): a symmetric key whose material is generated in the
// connected passkey key store and stored only wrapped under that store's key (ADR 0016). AWS's rules for
// keys in a CloudHSM key store: SYMMETRIC_DEFAULT and ENCRYPT_DECRYPT only, no multi-Region keys, and the
// store must be CONNECTED.

import { toHex } from '../../format/bytes';
import type { OpContext } from '../context';
import { UnsupportedOperationException, ValidationException } from '../errors';
import { uuidV4 } from '../ids';
import { ownedBy } from '../account-keys';
import { generateStoreMaterial } from '../keystores';
import { checkPolicyDocument, defaultKeyPolicy } from '../authz';
import type { KeyRecord, KeySpec, KeyUsage, SymmetricMaterialRecord, Tag } from '../records';
import { optBool, reqString, type Req } from '../validate';
import { keyMetadata } from './metadata';
import { mergeTags } from './tags';
import { lockoutCheck } from './policies';
import { requireConnectedStore } from './custom-key-stores';

export interface StoreKeyFacts {
  spec: KeySpec | 'SM2';
  usage: KeyUsage;
  origin: string;
  description: string;
  policy: string | undefined;
  tags: Tag[];
}

export async function createStoreKey(c: OpContext, req: Req, f: StoreKeyFacts) {
  if (f.origin !== 'AWS_CLOUDHSM')
    throw new ValidationException(
      `A key in a custom key store needs Origin AWS_CLOUDHSM (got ${f.origin}); give CustomKeyStoreId with it.`,
    );
  const storeId = reqString(req, 'CustomKeyStoreId', 1, 64);
  if (f.spec !== 'SYMMETRIC_DEFAULT' || f.usage !== 'ENCRYPT_DECRYPT')
    throw new UnsupportedOperationException(
      'A custom key store holds only symmetric encryption keys (KeySpec SYMMETRIC_DEFAULT, KeyUsage ENCRYPT_DECRYPT).',
    );
  if (optBool(req, 'MultiRegion'))
    throw new UnsupportedOperationException('Multi-Region keys cannot be created in a custom key store.');
  if (req.XksKeyId !== undefined)
    throw new ValidationException('XksKeyId applies only to external key stores; a passkey key store has none.');
  if (f.policy !== undefined) checkPolicyDocument(f.policy);
  const tags = mergeTags([], f.tags, 'The new key');
  await c.env.store.read(async (tx) => {
    await c.authorizeAccount(tx);
    await requireConnectedStore(c, tx, storeId);
  });
  // Generated and wrapped under the store key outside any transaction (ADR 0004).
  const made = await generateStoreMaterial(c.env.keyStores.storeKey(storeId, `Custom key store ${storeId}`));
  const keyId = uuidV4(c.env.random.bytes(16));
  const materialId = toHex(c.env.random.bytes(32));
  const material: SymmetricMaterialRecord = {
    keyId,
    version: 1,
    materialId,
    createdAt: c.now,
    wrapped: made.wrapped,
    customKeyStoreId: storeId,
  };
  const key: KeyRecord = {
    keyId,
    ...ownedBy(c.ks, c.callerAccount, keyId),
    createdAt: c.now,
    description: f.description,
    keyUsage: 'ENCRYPT_DECRYPT',
    keySpec: 'SYMMETRIC_DEFAULT',
    origin: 'AWS_CLOUDHSM',
    customKeyStoreId: storeId,
    state: 'Enabled',
    tags,
    policy: f.policy ?? defaultKeyPolicy(c.home),
    rotationEnabled: false,
    currentVersion: 1,
    currentMaterialId: materialId,
  };
  c.noteKey(key);
  return c.writeDurable(async (tx) => {
    await c.authorizeAccount(tx);
    if (f.policy !== undefined) await lockoutCheck(c, tx, key, req);
    await requireConnectedStore(c, tx, storeId);
    // Only the wrapped form is stored, whatever the keystore's custody: no usable key ever reaches the disk.
    await tx.putMaterial(material);
    await tx.putKey(key);
    return { KeyMetadata: keyMetadata(c.ks, key) };
  });
}
