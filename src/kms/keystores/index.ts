// The passkey key stores' one door (ADR 0016): stored records, the store key's crypto, and one instance's
// connections (the store keys it holds in memory while connected).

export {
  allKeyStores,
  deleteKeyStore,
  keyStoreById,
  notFound,
  putKeyStore,
  DEFAULT_IDLE_MINUTES,
  KEY_STORES_META,
  MAX_IDLE_MINUTES,
  MAX_KEY_STORES,
  type KeyStoreRecord,
  type StoreSlot,
} from './store-record';
export {
  checkProof,
  generateStoreMaterial,
  invalidState,
  newStoreKey,
  openWithPasskey,
  sameId,
  slotFor,
  unwrapStoreKey,
  type PasskeyProof,
} from './store-key';
export { disconnectedError, StoreConnections, type ConnectionErrorCode, type ConnectionState } from './connections';
