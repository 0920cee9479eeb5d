// CreateKey, DescribeKey, ListKeys, UpdateKeyDescription, EnableKey, DisableKey, GetKeyLastUsage.

import { toHex } from '../../format/bytes';
import { DAY_MS, type OpContext } from '../context';
import { page, readPaging } from './paging';
import { KMSInvalidStateException, UnsupportedOperationException, ValidationException } from '../errors';
import { uuidV4 } from '../ids';
import { keyAccount, ownedBy } from '../account-keys';
import { generateMaterial } from '../material';
import { checkPolicyDocument, defaultKeyPolicy } from '../authz';
import { generateKeyMaterial } from '../asymmetric';
import { SPECS } from '../asymmetric';
import type { KeyRecord, MaterialRecord } from '../records';
import { optBool, optEnum, optEnumList, optString, reqString, type Req } from '../validate';
import { keyMetadata } from './metadata';
import { mergeTags, readTags } from './tags';
import { lockoutCheck } from './policies';
import { stateWith } from '../import';
import { layout, mrkKeyId } from '../multi-region/config';
import { createStoreKey } from './store-keys';
import { createDemoKey, demoKeyName } from '../demo';

const KEY_SPECS = [
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'ECC_NIST_EDWARDS25519',
  'SYMMETRIC_DEFAULT',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
  'SM2',
  'ML_DSA_44',
  'ML_DSA_65',
  'ML_DSA_87',
  'ML_KEM_512',
  'ML_KEM_768',
  'ML_KEM_1024',
] as const;
const KEY_USAGES = [
  'SIGN_VERIFY',
  'ENCRYPT_DECRYPT',
  'GENERATE_VERIFY_MAC',
  'KEY_AGREEMENT',
  'ENCAPSULATE_DECAPSULATE',
] as const;
const ORIGINS = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const;
/** Specs whose material Pocket KMS imports (src/kms/import/unwrap.ts). Others (SM2, China Regions only;
 * ML-DSA, ML-KEM) answer UnsupportedOperationException. */
const IMPORTABLE: readonly (typeof KEY_SPECS)[number][] = [
  'SYMMETRIC_DEFAULT',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'ECC_NIST_EDWARDS25519',
];

export function newMaterialId(c: OpContext): string {
  return toHex(c.env.random.bytes(32));
}

export async function createKey(c: OpContext, req: Req) {
  // A demo key (tag pocket-kms:demo-key, ADR 0018) has its own path: published material, only in demo mode, and
  // only in the keystore's first account (its key ID is fixed by its name, and key IDs are one per keystore).
  const demo = demoKeyName(req);
  if (demo !== undefined) {
    if (c.callerAccount !== c.ks.accountId)
      throw new UnsupportedOperationException(
        `Pocket KMS makes demo keys in the keystore's first account ${c.ks.accountId} only, not in account ${c.callerAccount}.`,
      );
    return createDemoKey(c, req, demo);
  }
  const keySpec = optEnum(req, 'KeySpec', KEY_SPECS);
  const cmkSpec = optEnum(req, 'CustomerMasterKeySpec', KEY_SPECS);
  if (keySpec !== undefined && cmkSpec !== undefined) {
    throw new ValidationException('Specify KeySpec or the deprecated CustomerMasterKeySpec, not both.');
  }
  const spec = keySpec ?? cmkSpec ?? 'SYMMETRIC_DEFAULT';
  // AWS: KeyUsage defaults to ENCRYPT_DECRYPT whatever the spec, so e.g. an ECC key without one is refused.
  const usage = optEnum(req, 'KeyUsage', KEY_USAGES) ?? 'ENCRYPT_DECRYPT';
  const origin = optEnum(req, 'Origin', ORIGINS) ?? 'AWS_KMS';
  const description = optString(req, 'Description', 0, 8192) ?? '';
  const policy = optString(req, 'Policy', 1, 131072);
  optBool(req, 'BypassPolicyLockoutSafetyCheck');
  const tags = readTags(req) ?? [];
  if (spec === 'SM2')
    throw new UnsupportedOperationException(
      'KeySpec SM2 is offered only in AWS China Regions, and Pocket KMS does not support it.',
    );
  const allowed = SPECS[spec].usages;
  if (!allowed.includes(usage)) {
    throw new ValidationException(
      `KeyUsage ${usage} is not compatible with KeySpec ${spec}; use ${allowed.join(' or ')}.`,
    );
  }
  if (origin === 'EXTERNAL_KEY_STORE')
    throw new UnsupportedOperationException(
      'Origin EXTERNAL_KEY_STORE needs an external key store, which Pocket KMS does not have (its custom key stores are passkey key stores: Origin AWS_CLOUDHSM).',
    );
  // Keys of a passkey key store (ADR 0016; never multi-Region, as AWS).
  if (origin === 'AWS_CLOUDHSM' || req.CustomKeyStoreId !== undefined)
    return createStoreKey(c, req, { spec, usage, origin, description, policy, tags });
  if (origin === 'EXTERNAL' && !IMPORTABLE.includes(spec))
    throw new UnsupportedOperationException(
      `Pocket KMS cannot import key material into ${spec} keys; Origin EXTERNAL takes ${IMPORTABLE.join(', ')}.`,
    );
  const multiRegion = optBool(req, 'MultiRegion') === true;
  // Every account owns keys (docs/AUTHORIZATION.md "Accounts"); the Regions of this browser replicate the first's only.
  if (multiRegion && c.callerAccount !== c.ks.accountId)
    throw new UnsupportedOperationException(
      `Pocket KMS makes multi-Region keys in the keystore's first account ${c.ks.accountId} only, not in account ${c.callerAccount}.`,
    );
  if (req.XksKeyId !== undefined)
    throw new UnsupportedOperationException('External key stores (XksKeyId) are not supported by Pocket KMS.');
  if (policy !== undefined) checkPolicyDocument(policy);
  const checkedTags = mergeTags([], tags, 'The new key');

  const keyId = multiRegion ? mrkKeyId(c.env.random.bytes(16)) : uuidV4(c.env.random.bytes(16));
  const external = origin === 'EXTERNAL';
  // An EXTERNAL key starts with no material (PendingImport) until ImportKeyMaterial.
  const materialId = external ? '' : newMaterialId(c);
  const record: MaterialRecord | undefined = external
    ? undefined
    : spec === 'SYMMETRIC_DEFAULT'
      ? {
          keyId,
          version: 1,
          materialId,
          createdAt: c.now,
          ...(await generateMaterial(c.env.custodian.roots().domainKey)),
        }
      : {
          keyId,
          version: 1,
          materialId,
          createdAt: c.now,
          ...(await generateKeyMaterial(c.env.custodian.roots().wrappingKey, c.env.random, spec, usage, keyId)),
        };
  const key: KeyRecord = {
    keyId,
    // The caller's account owns the key: its ARN and its default key policy name that account.
    ...ownedBy(c.ks, c.callerAccount, keyId),
    createdAt: c.now,
    description,
    keyUsage: usage,
    keySpec: spec,
    origin,
    state: external ? 'PendingImport' : 'Enabled',
    tags: checkedTags,
    policy: policy ?? defaultKeyPolicy(c.home),
    rotationEnabled: false,
    currentVersion: external ? 0 : 1,
    currentMaterialId: materialId,
    ...(external ? { imported: [], lastVersion: 0 } : {}),
    ...(multiRegion ? { multiRegion: layout('PRIMARY', c.ks.region, []) } : {}),
  };
  c.noteKey(key);
  return c.writeDurable(async (tx) => {
    await c.authorizeAccount(tx);
    if (policy !== undefined) await lockoutCheck(c, tx, key, req);
    await c.env.custodian.requireCurrent(tx);
    if (record) await tx.putMaterial(c.env.custodian.forStorage(record));
    await tx.putKey(key);
    return { KeyMetadata: keyMetadata(c.ks, key) };
  });
}

export async function describeKey(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const key = await c.write((tx) => c.resolve(tx, id));
  return { KeyMetadata: keyMetadata(c.ks, key) };
}

const RESOURCE_OWNERS = ['SELF', 'OTHER_ACCOUNTS_VIA_RAM'] as const;

export async function listKeys(c: OpContext, req: Req) {
  const { limit, after } = readPaging(req, 1000, 100);
  const owners = optEnumList(req, 'ResourceOwners', RESOURCE_OWNERS, 2);
  const all = await c.write(async (tx) => {
    await c.authorizeAccount(tx);
    return tx.allKeys();
  });
  // The caller's account's own keys (none is shared through AWS RAM); another account's keys are not listed,
  // as AWS lists only the caller's (they are used by ARN).
  const self = owners === undefined || owners.length === 0 || owners.includes('SELF');
  const live = self
    ? all.filter(
        (k) => keyAccount(c.ks, k) === c.callerAccount && !(k.state === 'PendingDeletion' && k.deletionDate! <= c.now),
      )
    : [];
  const p = page(live, (k) => k.keyId, limit, after);
  return {
    Keys: p.items.map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })),
    ...(p.next ? { NextMarker: p.next } : {}),
    Truncated: p.next !== undefined,
  };
}

export async function updateKeyDescription(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const description = optString(req, 'Description', 0, 8192);
  if (description === undefined)
    throw new ValidationException(
      `1 validation error detected: Value at 'description' failed to satisfy constraint: Member must not be null`,
    );
  return c.write(async (tx) => {
    const key = await c.resolve(tx, id, { aliases: false });
    c.requireNotPendingDeletion(key);
    await tx.putKey({ ...key, description });
    return {};
  });
}

async function setEnabled(c: OpContext, req: Req, enabled: boolean) {
  const id = reqString(req, 'KeyId');
  return c.write(async (tx) => {
    const key = await c.resolve(tx, id, { aliases: false });
    if (key.state === 'PendingDeletion' || key.state === 'PendingReplicaDeletion')
      throw new KMSInvalidStateException(`${key.arn} is pending deletion; cancel the deletion first.`);
    if (key.state === 'PendingImport')
      throw new KMSInvalidStateException(`${key.arn} is pending import: import its key material first.`);
    await tx.putKey({ ...key, state: enabled ? 'Enabled' : 'Disabled' });
    return {};
  });
}

export const enableKey = (c: OpContext, req: Req) => setEnabled(c, req, true);
export const disableKey = (c: OpContext, req: Req) => setEnabled(c, req, false);

export async function scheduleKeyDeletion(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const days = (req.PendingWindowInDays ?? 30) as number;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 7 || days > 30) {
    throw new ValidationException(
      `1 validation error detected: Value '${String(days)}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30`,
    );
  }
  return c.write(async (tx) => {
    const key = await c.resolve(tx, id, { aliases: false });
    if (key.state === 'PendingDeletion' || key.state === 'PendingReplicaDeletion')
      throw new KMSInvalidStateException(`${key.arn} is already pending deletion.`);
    // AWS: a multi-Region primary with replicas waits in PendingReplicaDeletion; its own waiting period
    // (and so its DeletionDate) begins when its last replica is deleted (multi-region/sync.ts replicaGone).
    if (key.multiRegion?.type === 'PRIMARY' && key.multiRegion.replicaRegions.length > 0) {
      await tx.putKey({ ...key, state: 'PendingReplicaDeletion', pendingWindowDays: days });
      return { KeyId: key.arn, KeyState: 'PendingReplicaDeletion' as const, PendingWindowInDays: days };
    }
    const deletionDate = c.now + days * DAY_MS;
    await tx.putKey({ ...key, state: 'PendingDeletion', deletionDate, pendingWindowDays: days });
    return {
      KeyId: key.arn,
      DeletionDate: new Date(deletionDate),
      KeyState: 'PendingDeletion' as const,
      PendingWindowInDays: days,
    };
  });
}

export async function cancelKeyDeletion(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  return c.write(async (tx) => {
    const key = await c.resolve(tx, id, { aliases: false });
    if (key.state !== 'PendingDeletion' && key.state !== 'PendingReplicaDeletion')
      throw new KMSInvalidStateException(`${key.arn} is not pending deletion.`);
    const { deletionDate: _d, pendingWindowDays: _p, ...rest } = key;
    // AWS: Disabled, or PendingImport for a key whose imported material is not all there.
    const state = key.origin === 'EXTERNAL' ? stateWith({ ...key, state: 'Disabled' }, key.imported ?? []) : 'Disabled';
    await tx.putKey({ ...rest, state });
    return { KeyId: key.arn };
  });
}

export async function getKeyLastUsage(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const key = await c.write((tx) => c.resolve(tx, id, { aliases: false }));
  const last = await c.env.store.lastUsage(key.keyId);
  const since = Math.max(key.createdAt, c.env.trackingStart);
  return {
    KeyId: key.keyId,
    KeyLastUsage: last
      ? {
          Operation: last.eventName,
          Timestamp: new Date(last.eventTime),
          CloudTrailEventId: last.eventId,
          KmsRequestId: last.record.requestID,
        }
      : {},
    TrackingStartDate: new Date(since),
    KeyCreationDate: new Date(key.createdAt),
  };
}
