// The imported-key-material wing's one door (AWS KMS Developer Guide, "Importing key material"): wrapping
// key pairs and import tokens, unwrapping into protected material, and the state imported material gives a key.

export {
  decodeToken,
  isKeyWrap,
  newParameters,
  PARAMETERS_VALID_MS,
  parametersMeta,
  WRAPPING_ALGORITHMS,
  WRAPPING_KEY_SPECS,
  wrappingPrivateKey,
  type StoredParameters,
  type TokenFacts,
  type UsableAlgorithm,
  type UsableSpec,
} from './parameters';
export { materialFromBytes, unwrapMaterial, type Unwrapped } from './unwrap';
export { asOf, expiredVersions, expiryFields, isPermanent, rotationFields, stateWith, withoutValidTo } from './state';
