// The key-material wing's one door (DESIGN.md "Key hierarchy"): the domain key, symmetric material
// versions, the ciphertext blob, the prepare/confirm halves of every symmetric call, and the cache.

export { generateDomainKey, generateMaterial, type NewMaterial } from './symmetric';
export { MaterialCache, type CachedMaterial, type CachedPair } from './cache';
export {
  confirmSeal,
  confirmUnseal,
  prepareSeal,
  prepareUnseal,
  requireSymmetric,
  resolveOrForget,
  retryStale,
  StaleMaterial,
  type Opened,
  type Sealed,
} from './sealing';
export { decodeBlobHeader, type BlobHeader } from './blob';
export { inspectBlob, MAX_BLOB_LEN, type BlobInspection } from './blob-inspect';
export { Custodian, equalRoots, type CustodyMode, type CustodyStatus } from './custodian';
export {
  checkSecret,
  CUSTODY_META,
  deriveKek,
  lockedError,
  openSlot,
  unlock as openWithSecret,
  PASSKEY_HKDF_INFO,
  PBKDF2_ITERATIONS,
  slotKdf,
  type RootKeys,
  type Secret,
  type SecretCustody,
  type SecretSlot,
  type SlotKdf,
  type Unlocked,
} from './custody';
export { rewrapAll, withDeviceForms } from './rewrap';
export {
  KeystoreCustody,
  CUSTODY_EVENT_SOURCE,
  type CustodyHooks,
  type CustodyReportEntry,
  type SetUpResult,
} from './keystore-custody';
