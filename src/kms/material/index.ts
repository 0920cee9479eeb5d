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
export { Custodian, type CustodyMode, type CustodyStatus } from './custodian';
export {
  checkSecret,
  CUSTODY_META,
  lockedError,
  PBKDF2_ITERATIONS,
  type RootKeys,
  type Secret,
  type SecretCustody,
} from './custody';
export {
  KeystoreCustody,
  CUSTODY_EVENT_SOURCE,
  type CustodyHooks,
  type CustodyReportEntry,
  type SetUpResult,
} from './keystore-custody';
