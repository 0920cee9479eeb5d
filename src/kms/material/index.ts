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
