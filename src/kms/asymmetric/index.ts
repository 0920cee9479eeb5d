// The asymmetric and HMAC wing's one door (ADR 0005): key specs and algorithms, key generation and
// sealing, DER codecs, signing, and the streamed file digest.

export {
  algorithmLists,
  AWS_DATA_KEY_PAIR_SPECS,
  DATA_KEY_PAIR_SPECS,
  MAC_ALGORITHMS,
  macAlgorithmOf,
  oaepLimit,
  SIGNING_ALGORITHMS,
  signingHash,
  SPECS,
  type MacAlgorithm,
  type RsaEncryptionAlgorithm,
  type SigningAlgorithm,
} from './specs';
export {
  ed25519Pair,
  generateKeyMaterial,
  generateWrappingKey,
  hasWebCryptoEd25519,
  mlKem,
  sealAad,
  variants,
} from './keygen';
export { prepareKey, withKey, withSecret } from './material';
export { children, decodeSpki, DerError, encodeSecp256k1Pkcs8, encodeSpki, OID, readTlv, tlv } from '../../format/der';
export { sign, verify, type MessageType } from './signing';
export { digestStream, type FileDigestKind } from './file-digest';
