// A corpus of one valid request per implemented operation, over a world of keys of every usage and
// two grants, built in a fresh keystore. Shared by the audit-record and the conformance tests.
import { ACCOUNT, utf8, type Fresh } from './kms';
import type { CallOptions } from '../../../src/kms/kms';
import { storeKek } from '../../../src/ui/keystores/store-kek';

export type Reqs = Record<string, (x: World) => Record<string, unknown>>;
export interface World {
  k: Record<string, any>;
  /** Multi-Region primaries: one to replicate, one with a replica in eu-west-1 to move the primary to. */
  mrk: Record<string, any>;
  moved: Record<string, any>;
  other: Record<string, any>;
  blob: Uint8Array;
  signer: Record<string, any>;
  signature: Uint8Array;
  hmac: Record<string, any>;
  mac: Uint8Array;
  ecdh: Record<string, any>;
  peer: Uint8Array;
  kem: Record<string, any>;
  encapsulated: Uint8Array;
  grantToken: string;
  grantId: string;
  /** A key of EXTERNAL origin, an import token for it and 32 bytes of material wrapped for that token. */
  external: Record<string, any>;
  importToken: Uint8Array;
  wrappedMaterial: Uint8Array;
  /** A ValidTo inside AWS's 365 days. */
  validTo: Date;
  /** A passkey key store (DISCONNECTED, no keys) and its test passkey (ADR 0016). */
  store: { id: string; passkey: () => Promise<{ credentialId: Uint8Array; kek: CryptoKey }> };
}

/** A valid request for every implemented operation (run in this order). */
export const VALID: Reqs = {
  CreateKey: () => ({ Description: 'audit' }),
  DescribeKey: (w) => ({ KeyId: w.k.KeyId }),
  ListKeys: () => ({}),
  UpdateKeyDescription: (w) => ({ KeyId: w.k.KeyId, Description: 'd' }),
  DisableKey: (w) => ({ KeyId: w.other.KeyId }),
  EnableKey: (w) => ({ KeyId: w.other.KeyId }),
  GetKeyLastUsage: (w) => ({ KeyId: w.k.KeyId }),
  CreateAlias: (w) => ({ AliasName: 'alias/a', TargetKeyId: w.k.KeyId }),
  UpdateAlias: (w) => ({ AliasName: 'alias/a', TargetKeyId: w.other.KeyId }),
  ListAliases: () => ({}),
  DeleteAlias: () => ({ AliasName: 'alias/a' }),
  TagResource: (w) => ({ KeyId: w.k.KeyId, Tags: [{ TagKey: 't', TagValue: 'v' }] }),
  UntagResource: (w) => ({ KeyId: w.k.KeyId, TagKeys: ['t'] }),
  ListResourceTags: (w) => ({ KeyId: w.k.KeyId }),
  GetKeyPolicy: (w) => ({ KeyId: w.k.KeyId }),
  PutKeyPolicy: (w) => ({
    KeyId: w.k.KeyId,
    Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }] }),
  }),
  ListKeyPolicies: (w) => ({ KeyId: w.k.KeyId }),
  Encrypt: (w) => ({ KeyId: w.k.KeyId, Plaintext: utf8('p') }),
  Decrypt: (w) => ({ CiphertextBlob: w.blob }),
  ReEncrypt: (w) => ({ CiphertextBlob: w.blob, DestinationKeyId: w.other.KeyId }),
  GenerateDataKey: (w) => ({ KeyId: w.k.KeyId, KeySpec: 'AES_256' }),
  GenerateDataKeyWithoutPlaintext: (w) => ({ KeyId: w.k.KeyId, NumberOfBytes: 8 }),
  GenerateRandom: () => ({ NumberOfBytes: 8 }),
  EnableKeyRotation: (w) => ({ KeyId: w.k.KeyId }),
  GetKeyRotationStatus: (w) => ({ KeyId: w.k.KeyId }),
  DisableKeyRotation: (w) => ({ KeyId: w.k.KeyId }),
  RotateKeyOnDemand: (w) => ({ KeyId: w.k.KeyId }),
  ListKeyRotations: (w) => ({ KeyId: w.k.KeyId }),
  ScheduleKeyDeletion: (w) => ({ KeyId: w.other.KeyId }),
  CancelKeyDeletion: (w) => ({ KeyId: w.other.KeyId }),
  Sign: (w) => ({ KeyId: w.signer.KeyId, Message: utf8('m'), SigningAlgorithm: 'ECDSA_SHA_256' }),
  Verify: (w) => ({
    KeyId: w.signer.KeyId,
    Message: utf8('m'),
    SigningAlgorithm: 'ECDSA_SHA_256',
    Signature: w.signature,
  }),
  GetPublicKey: (w) => ({ KeyId: w.signer.KeyId }),
  GenerateMac: (w) => ({ KeyId: w.hmac.KeyId, Message: utf8('m'), MacAlgorithm: 'HMAC_SHA_256' }),
  VerifyMac: (w) => ({ KeyId: w.hmac.KeyId, Message: utf8('m'), MacAlgorithm: 'HMAC_SHA_256', Mac: w.mac }),
  GenerateDataKeyPair: (w) => ({ KeyId: w.k.KeyId, KeyPairSpec: 'ECC_NIST_P256' }),
  GenerateDataKeyPairWithoutPlaintext: (w) => ({ KeyId: w.k.KeyId, KeyPairSpec: 'ECC_NIST_P256' }),
  DeriveSharedSecret: (w) => ({ KeyId: w.ecdh.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: w.peer }),
  Encapsulate: (w) => ({ KeyId: w.kem.KeyId, EncapsulationAlgorithm: 'ML_KEM' }),
  Decapsulate: (w) => ({
    KeyId: w.kem.KeyId,
    EncapsulationAlgorithm: 'ML_KEM',
    SharedSecretCiphertextBlob: w.encapsulated,
  }),
  CreateGrant: (w) => ({
    KeyId: w.k.KeyId,
    GranteePrincipal: `arn:aws:iam::${ACCOUNT}:role/App`,
    Operations: ['Decrypt'],
  }),
  ListGrants: (w) => ({ KeyId: w.k.KeyId }),
  ListRetirableGrants: () => ({ RetiringPrincipal: `arn:aws:iam::${ACCOUNT}:role/Ops` }),
  RetireGrant: (w) => ({ GrantToken: w.grantToken }),
  RevokeGrant: (w) => ({ KeyId: w.k.KeyId, GrantId: w.grantId }),
  GetParametersForImport: (w) => ({
    KeyId: w.external.KeyId,
    WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
    WrappingKeySpec: 'RSA_2048',
  }),
  ImportKeyMaterial: (w) => ({
    KeyId: w.external.KeyId,
    ImportToken: w.importToken,
    EncryptedKeyMaterial: w.wrappedMaterial,
    ExpirationModel: 'KEY_MATERIAL_EXPIRES',
    ValidTo: w.validTo,
  }),
  DeleteImportedKeyMaterial: (w) => ({ KeyId: w.external.KeyId }),
  ReplicateKey: (w) => ({ KeyId: w.mrk.KeyId, ReplicaRegion: 'us-west-2' }),
  UpdatePrimaryRegion: (w) => ({ KeyId: w.moved.KeyId, PrimaryRegion: 'eu-west-1' }),
  DescribeCustomKeyStores: (w) => ({ CustomKeyStoreId: w.store.id }),
  ConnectCustomKeyStore: (w) => ({ CustomKeyStoreId: w.store.id }),
  UpdateCustomKeyStore: (w) => ({ CustomKeyStoreId: w.store.id, NewCustomKeyStoreName: 'renamed' }),
  DisconnectCustomKeyStore: (w) => ({ CustomKeyStoreId: w.store.id }),
  CreateCustomKeyStore: () => ({ CustomKeyStoreName: 'another', CustomKeyStoreType: 'AWS_CLOUDHSM' }),
  DeleteCustomKeyStore: (w) => ({ CustomKeyStoreId: w.store.id }),
};

/** What the console adds to a call of the corpus (never sent over the wire): the passkey of a key store. */
export const EXTRAS: Record<string, (w: World) => Promise<CallOptions>> = {
  ConnectCustomKeyStore: async (w) => ({ keyStore: { passkey: await w.store.passkey() } }),
  CreateCustomKeyStore: async (w) => ({ keyStore: { passkey: await w.store.passkey() } }),
};

/** The options `op` of the corpus is called with. */
export const extrasOf = (op: string, w: World): Promise<CallOptions | undefined> =>
  EXTRAS[op]?.(w) ?? Promise.resolve(undefined);

export async function world(f: Fresh): Promise<World> {
  const k = await f.createKey();
  const other = await f.createKey();
  const { CiphertextBlob } = await f.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('w') });
  const signer = await f.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
  const { Signature } = await f.call('Sign', {
    KeyId: signer.KeyId,
    Message: utf8('m'),
    SigningAlgorithm: 'ECDSA_SHA_256',
  });
  const hmac = await f.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
  const { Mac } = await f.call('GenerateMac', { KeyId: hmac.KeyId, Message: utf8('m'), MacAlgorithm: 'HMAC_SHA_256' });
  const ecdh = await f.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
  const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
  const peer = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
  const kem = await f.createKey({ KeySpec: 'ML_KEM_512', KeyUsage: 'ENCAPSULATE_DECAPSULATE' });
  const { SharedSecretCiphertextBlob } = await f.call('Encapsulate', {
    KeyId: kem.KeyId,
    EncapsulationAlgorithm: 'ML_KEM',
  });
  const grant = (Name: string) =>
    f.call('CreateGrant', {
      KeyId: k.KeyId,
      GranteePrincipal: `arn:aws:iam::${ACCOUNT}:role/App`,
      RetiringPrincipal: `arn:aws:iam::${ACCOUNT}:role/Ops`,
      Operations: ['Encrypt'],
      Name,
    });
  const retire = await grant('to-retire');
  const revoke = await grant('to-revoke');
  const external = await f.createKey({ Origin: 'EXTERNAL' });
  const p = await f.call('GetParametersForImport', {
    KeyId: external.KeyId,
    WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
    WrappingKeySpec: 'RSA_2048',
  });
  const wrapping = await crypto.subtle.importKey('spki', p.PublicKey, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, [
    'encrypt',
  ]);
  const material = crypto.getRandomValues(new Uint8Array(32));
  const wrappedMaterial = new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, wrapping, material));
  const mrk = await f.createKey({ MultiRegion: true });
  const moved = await f.createKey({ MultiRegion: true });
  await f.call('ReplicateKey', { KeyId: moved.KeyId, ReplicaRegion: 'eu-west-1' });
  const credentialId = crypto.getRandomValues(new Uint8Array(16));
  const prf = crypto.getRandomValues(new Uint8Array(32));
  const passkey = async () => ({ credentialId, kek: await storeKek(prf.slice()) });
  const { CustomKeyStoreId } = await f.call(
    'CreateCustomKeyStore',
    { CustomKeyStoreName: 'corpus' },
    { keyStore: { passkey: await passkey() } },
  );
  return {
    store: { id: CustomKeyStoreId, passkey },
    external,
    importToken: p.ImportToken,
    wrappedMaterial,
    validTo: new Date(f.clock.now() + 30 * 86_400_000),
    k,
    mrk,
    moved,
    other,
    blob: CiphertextBlob,
    signer,
    signature: Signature,
    hmac,
    mac: Mac,
    ecdh,
    peer,
    kem,
    encapsulated: SharedSecretCiphertextBlob,
    grantToken: retire.GrantToken,
    grantId: revoke.GrantId,
  };
}
