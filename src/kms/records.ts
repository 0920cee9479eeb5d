// What the core stores. Internal records are camelCase; AWS's PascalCase shapes are built from them.

/** PendingImport: a key of EXTERNAL origin without (some of) its imported key material. */
/** PendingReplicaDeletion: a multi-Region primary scheduled for deletion while it still has replicas
 * (its waiting period starts when the last replica is deleted: ADR 0015). */
export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport' | 'PendingReplicaDeletion';
export type RotationType = 'AUTOMATIC' | 'ON_DEMAND';
export type KeyUsage =
  'ENCRYPT_DECRYPT' | 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC' | 'KEY_AGREEMENT' | 'ENCAPSULATE_DECAPSULATE';
export type KeySpec =
  | 'SYMMETRIC_DEFAULT'
  | 'RSA_2048'
  | 'RSA_3072'
  | 'RSA_4096'
  | 'ECC_NIST_P256'
  | 'ECC_NIST_P384'
  | 'ECC_NIST_P521'
  | 'ECC_SECG_P256K1'
  | 'ECC_NIST_EDWARDS25519'
  | 'HMAC_224'
  | 'HMAC_256'
  | 'HMAC_384'
  | 'HMAC_512'
  | 'ML_DSA_44'
  | 'ML_DSA_65'
  | 'ML_DSA_87'
  | 'ML_KEM_512'
  | 'ML_KEM_768'
  | 'ML_KEM_1024';

export interface Tag {
  TagKey: string;
  TagValue: string;
}

export interface KeyRecord {
  keyId: string;
  arn: string;
  /** The account of the keystore that owns the key, when not its first account (account-keys.ts keyAccount). */
  accountId?: string;
  createdAt: number;
  description: string;
  keyUsage: KeyUsage;
  keySpec: KeySpec;
  /** EXTERNAL: the key's material is imported (ImportKeyMaterial), never generated here. AWS_CLOUDHSM: the key
   * lives in a passkey key store (ADR 0016), named by `customKeyStoreId`. */
  origin: 'AWS_KMS' | 'EXTERNAL' | 'AWS_CLOUDHSM';
  /** AWS_CLOUDHSM keys: the passkey key store (`cks-…`) whose store key wraps this key's material. */
  customKeyStoreId?: string;
  state: KeyState;
  deletionDate?: number;
  pendingWindowDays?: number;
  tags: Tag[];
  policy: string;
  rotationEnabled: boolean;
  rotationPeriodDays?: number;
  /** When automatic rotation is next due (epoch ms). */
  nextRotationAt?: number;
  /** 0 (and currentMaterialId '') for an EXTERNAL key before its first import. */
  currentVersion: number;
  currentMaterialId: string;
  /** EXTERNAL keys: every material version ever imported and not discarded, oldest first (src/kms/import). */
  imported?: ImportedMaterial[];
  /** EXTERNAL keys: the highest material version ever given, so a discarded pending version's number is
   * never reused (another instance may still cache its CryptoKey under that number). */
  lastVersion?: number;
  /** EXTERNAL keys: import parameters (GetParametersForImport) not yet used, whose wrapping private keys
   * are kept in `meta` under `import:<id>` until they are used or expire. */
  importTokens?: { id: string; expiresAt: number }[];
  /** Multi-Region keys (`mrk-` IDs): this key's role and where the other keys of its set are (ADR 0015). */
  multiRegion?: MultiRegionRecord;
  /** Demo keys (ADR 0018): the name their published, insecure material derives from (src/kms/demo). */
  demo?: string;
}

/** One key of a multi-Region set. Every key of the set keeps the whole set's layout; the primary pushes
 * changes of it (and of the shared properties) to the replicas (src/kms/multi-region/sync.ts). */
export interface MultiRegionRecord {
  type: 'PRIMARY' | 'REPLICA';
  primaryRegion: string;
  /** Every replica's Region, in the order they were made (this key's own too when it is a replica). */
  replicaRegions: string[];
  /** A replica imported from another device's package: its primary's ARN there (another account). */
  primaryArn?: string;
}

/** What is known of one imported material version; its bytes are in `materials` only while IMPORTED. */
export interface ImportedMaterial {
  version: number;
  /** Derived from the key ID and the material, so the same material imported again has the same ID. */
  materialId: string;
  /** CURRENT encrypts; NON_CURRENT only decrypts; PENDING_ROTATION waits for RotateKeyOnDemand. */
  materialState: 'CURRENT' | 'NON_CURRENT' | 'PENDING_ROTATION';
  importState: 'IMPORTED' | 'PENDING_IMPORT';
  expirationModel: 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';
  /** Epoch ms; only with KEY_MATERIAL_EXPIRES. */
  validTo?: number;
  description?: string;
  importedAt: number;
  /** When it became current by rotation (absent for the first material). */
  rotatedAt?: number;
  rotationType?: RotationType;
}

/** One version of a key's material: symmetric (SYMMETRIC_DEFAULT) or that of an asymmetric or HMAC key. */
export type MaterialRecord = SymmetricMaterialRecord | KeyPairMaterialRecord;

/** `key` is a non-extractable CryptoKey; `wrapped` is the same material wrapped under the
 * keystore's domain key (AES-KW), for backup and replication. */
export interface SymmetricMaterialRecord {
  kind?: undefined;
  keyId: string;
  version: number;
  materialId: string;
  createdAt: number;
  /** Absent for the key's first material. */
  rotationType?: RotationType;
  /** Device keystores only: a keystore locked at rest stores `wrapped` alone (ADR 0009). */
  key?: CryptoKey;
  wrapped: ArrayBuffer;
  /** Material of a passkey key store's key (ADR 0016): `wrapped` is under that store's key, not the
   * keystore's domain key, and no usable form is ever stored. */
  customKeyStoreId?: string;
  /** A demo key's material (ADR 0018): its name, from which sealing derives each blob's nonce. */
  demo?: string;
}

/** Material of an asymmetric or HMAC key (ADR 0005). `cryptoKeys` holds non-extractable CryptoKeys by
 * WebCrypto variant (empty for software-protected specs); `sealed` is the private key (PKCS#8, or the
 * library's raw secret for software specs) or the HMAC key, AES-GCM encrypted under the keystore's
 * wrapping key with `iv`, bound to the key ID and version. These keys never rotate: version is 1. */
export interface KeyPairMaterialRecord {
  kind: 'asymmetric' | 'hmac';
  keyId: string;
  version: number;
  materialId: string;
  createdAt: number;
  rotationType?: undefined;
  cryptoKeys: Record<string, CryptoKey>;
  /** DER SubjectPublicKeyInfo (asymmetric keys only). */
  publicKey?: Uint8Array;
  sealed: ArrayBuffer;
  iv: Uint8Array;
}

export interface AliasRecord {
  /** The alias name, prefixed `<account>:` for an account other than the keystore's first (account-keys.ts). */
  name: string;
  keyId: string;
  createdAt: number;
  updatedAt: number;
}

/** An IAM user or role of the keystore's account (the root needs no record). `policies` are its
 * inline identity policies by name, as JSON text. */
export interface PrincipalRecord {
  arn: string;
  kind: 'user' | 'role';
  name: string;
  /** AIDA… for users, AROA… for roles (aws:userid, CloudTrail principalId). */
  id: string;
  createdAt: number;
  tags: Tag[];
  policies: Record<string, string>;
  /** A role's trust policy (AssumeRolePolicyDocument, JSON text), its description and maximum session. */
  assumeRolePolicy?: string;
  description?: string;
  maxSessionDuration?: number;
  /** ARNs of the managed policies attached to it (AttachUserPolicy / AttachRolePolicy), in attach order. */
  attached?: string[];
}

/** An access key. The secret is never stored: `secret` is a non-extractable HMAC-SHA256 key over
 * "AWS4" + secret, the first step of SigV4's signing-key derivation. A keystore locked at rest stores
 * that key only sealed (`sealedSecret`, AES-GCM under the wrapping key with `iv`; ADR 0009). */
export interface AccessKeyRecord {
  accessKeyId: string;
  /** The user's or role's ARN, or the account root's. */
  principalArn: string;
  status: 'Active' | 'Inactive';
  createdAt: number;
  secret?: CryptoKey;
  sealedSecret?: ArrayBuffer;
  iv?: Uint8Array;
  /** Temporary credentials from STS (ASIA… keys): refused without their session token, and after expiry. */
  session?: SessionRecord;
}

/** What STS issued temporary credentials for (AssumeRole, GetSessionToken). */
export interface SessionRecord {
  /** The role assumed; absent for GetSessionToken (the credentials act as `principalArn` itself). */
  roleArn?: string;
  sessionName?: string;
  /** SHA-256 (hex) of the session token: the token itself is given once and never kept. */
  tokenHash: string;
  expiresAt: number;
  /** Session tags (aws:PrincipalTag of the session, over the role's own). */
  tags?: Tag[];
  /** An inline session policy: the session may do only what it and the role's policies both allow. */
  policy?: string;
  /** Keys of session tags that carry into sessions this one assumes (role chaining), as AWS's TransitiveTagKeys. */
  transitiveTagKeys?: string[];
}

/** A grant on a key (AWS KMS Developer Guide, "Grants in AWS KMS"). */
export interface StoredGrant {
  grantId: string;
  keyId: string;
  name?: string;
  createdAt: number;
  /** The grantee: an IAM principal's ARN, or the service principal when granteeServicePrincipal is set
   * (AWS's GrantListEntry names a service grantee in GranteePrincipal too). */
  granteePrincipal: string;
  /** An AWS service principal grantee (CreateGrant GranteeServicePrincipal): only that service may use the grant. */
  granteeServicePrincipal?: string;
  retiringPrincipal?: string;
  retiringServicePrincipal?: string;
  /** The principal that created the grant (ARN). */
  issuer: string;
  operations: string[];
  constraints?: {
    EncryptionContextEquals?: Record<string, string>;
    EncryptionContextSubset?: Record<string, string>;
    /** aws:SourceArn the request must have (every grant operation but RetireGrant). */
    SourceArn?: string;
  };
}

/** A CloudTrail record plus the fields the store indexes. */
export interface AuditEntry {
  seq?: number;
  eventTime: number;
  eventName: string;
  eventId: string;
  readOnly: boolean;
  username: string;
  accessKeyId?: string;
  errorCode?: string;
  /** Key IDs the event concerns (multiEntry index). */
  keyIds: string[];
  /** Key IDs used by a successful cryptographic operation (for GetKeyLastUsage). */
  usedKeyIds: string[];
  record: CloudTrailRecord;
  /** SHA-256 (hex) of the previous stored record; set by the store when it appends (kms/audit/chain.ts). */
  prevHash?: string;
  /** SHA-256 (hex) of this stored record, every field but this one. */
  hash?: string;
  /** Set for a call made by a signed request at the endpoint; the store keeps it beside the record, never in it. */
  signedRequest?: SignedRequest;
}

/** A call made by a SigV4-signed request, whose request ID is derived from its signature. A browser sends a
 * request again, byte for byte, when the service worker that was answering it stops (a restart): such a
 * request, signed before the answering instance started (`replayCheck`), commits only if no earlier
 * transaction recorded the same request ID, so it never runs twice. */
export interface SignedRequest {
  /** X-Amz-Date, epoch ms. */
  at: number;
  replayCheck: boolean;
}

export interface CloudTrailRecord {
  eventVersion: string;
  userIdentity: Record<string, unknown>;
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  errorCode?: string;
  errorMessage?: string;
  requestID: string;
  eventID: string;
  readOnly: boolean;
  resources?: { accountId: string; type: string; ARN: string }[];
  eventType: 'AwsApiCall' | 'AwsServiceEvent';
  managementEvent: boolean;
  recipientAccountId: string;
  eventCategory: 'Management';
  serviceEventDetails?: Record<string, unknown>;
}
