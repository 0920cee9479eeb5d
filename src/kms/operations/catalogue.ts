// The operation catalogue's table: one descriptor per AWS KMS operation (the 56 of the KMS service model),
// the one home of what each operation is. lookup.ts derives every other table from it.

import { REQUEST_MEMBERS } from './request-members';

/** Whether Pocket KMS answers an operation (docs/API.md's Status column, word for word). */
export type OperationStatus = 'supported' | 'partial' | 'not yet';

export type KeyUsage =
  'ENCRYPT_DECRYPT' | 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC' | 'KEY_AGREEMENT' | 'ENCAPSULATE_DECAPSULATE';

/** The policy simulator's groups of actions, in the order it shows them (the AWS KMS Developer
 * Guide's permissions reference groups them so). */
export const SIMULATOR_GROUPS = ['Cryptographic', 'Management', 'Grants'] as const;
export type SimulatorGroup = (typeof SIMULATOR_GROUPS)[number];

/** An operation as a grant operation (AWS: "Grant operations"). */
export interface GrantFacts {
  /** The usages of the keys whose grants may list it; `any` for the management ones every key allows. */
  readonly usages: 'any' | readonly KeyUsage[];
  /** Data keys come only from symmetric keys; GetPublicKey exists only for asymmetric ones. */
  readonly keys?: 'symmetric' | 'asymmetric';
}

/** One IAM action of an operation: its own name, except ReEncrypt, which is ReEncryptFrom on the
 * source key and ReEncryptTo on the destination. */
export interface ActionFacts {
  /** Without the `kms:` prefix; also the grant operation's name. */
  readonly name: string;
  readonly side?: 'source' | 'destination';
  /** The request member whose encryption context kms:EncryptionContext* condition keys and grant constraints read. */
  readonly contextField?: string;
  readonly grant?: GrantFacts;
  /** The simulator's group offering it; without one it can still be typed by hand. */
  readonly simulator?: SimulatorGroup;
}

/** What one AWS KMS operation is. Plain data: the worker hands it to the UI as it is. */
export interface OperationFacts {
  readonly name: OperationName;
  readonly status: OperationStatus;
  /** CloudTrail's readOnly: cryptographic operations count as read-only, as in AWS's records. */
  readonly readOnly: boolean;
  /** Writes nothing but its audit record, so group commit may run it beside others (ADR 0013): the
   * read-only operations, less those that keep state though CloudTrail calls them read-only. */
  readonly appendOnly: boolean;
  /** `account`: no key; identity policies alone decide (the root is always allowed). */
  readonly scope: 'account' | 'key';
  /** Successful calls count as use of their keys (GetKeyLastUsage). */
  readonly usesKey: boolean;
  /** Successful calls create or destroy key material, or save it from deletion (a backup is then due). */
  readonly changesMaterial: boolean;
  readonly actions: readonly ActionFacts[];
  /** Top-level request members that are blobs (base64 on the wire). Responses are encoded by type
   * (Uint8Array, Date), so they need no table. */
  readonly requestBlobs: readonly string[];
  /** Top-level request members that are timestamps (epoch seconds on the wire). */
  readonly requestTimestamps: readonly string[];
  /** Condition keys of this operation beyond those every request gets, and beyond the
   * kms:EncryptionContext* keys its actions' contextField implies (authz/request-context.ts). */
  readonly conditionKeys: readonly string[];
  /** The members of its request shape (KMS service model): all an audit record may hold of a request. */
  readonly requestMembers: readonly string[];
  /** Its request has `DryRun` (KMS model): a dry run validates, authorizes and checks the keys as the
   * call would, then answers DryRunOperationException instead of acting (context.ts, kms.ts). */
  readonly dryRun: boolean;
}

interface Spec {
  status: OperationStatus;
  readOnly: boolean;
  /** Read-only to CloudTrail, yet it stores something (GetParametersForImport keeps its wrapping key). */
  keepsState?: true;
  account?: true;
  usesKey?: true;
  changesMaterial?: true;
  /** Shorthand for the one action named like the operation. */
  context?: string;
  grant?: GrantFacts;
  simulator?: SimulatorGroup;
  /** Instead of the shorthand, when the operation has several actions (ReEncrypt). */
  actions?: readonly ActionFacts[];
  blobs?: readonly string[];
  timestamps?: readonly string[];
  conditionKeys?: readonly string[];
}

const EC = 'EncryptionContext';
const ANY_KEY: GrantFacts = { usages: 'any' };
const ENCRYPTION: GrantFacts = { usages: ['ENCRYPT_DECRYPT'] };
const DATA_KEY: GrantFacts = { usages: ['ENCRYPT_DECRYPT'], keys: 'symmetric' };
const ALGORITHM = ['kms:EncryptionAlgorithm'];
const PAIR = ['kms:EncryptionAlgorithm', 'kms:DataKeyPairSpec'];
const TAGGING = ['aws:RequestTag/', 'aws:TagKeys'];
const CRYPTO = { readOnly: true, usesKey: true, simulator: 'Cryptographic' } as const;
const MANAGE = { status: 'supported', simulator: 'Management' } as const;

// Declaration order is presentation order: grantOperations and the simulator list actions in it.
const SPECS = {
  Decrypt: {
    ...CRYPTO,
    status: 'partial',
    context: EC,
    grant: ENCRYPTION,
    blobs: ['CiphertextBlob'],
    conditionKeys: ALGORITHM,
  },
  Encrypt: {
    ...CRYPTO,
    status: 'partial',
    context: EC,
    grant: ENCRYPTION,
    blobs: ['Plaintext'],
    conditionKeys: ALGORITHM,
  },
  GenerateDataKey: { ...CRYPTO, status: 'partial', context: EC, grant: DATA_KEY, conditionKeys: ALGORITHM },
  GenerateDataKeyWithoutPlaintext: {
    ...CRYPTO,
    status: 'partial',
    context: EC,
    grant: DATA_KEY,
    conditionKeys: ALGORITHM,
  },
  ReEncrypt: {
    ...CRYPTO,
    status: 'partial',
    blobs: ['CiphertextBlob'],
    conditionKeys: ['kms:EncryptionAlgorithm', 'kms:ReEncryptOnSameKey'],
    actions: [
      {
        name: 'ReEncryptFrom',
        side: 'source',
        contextField: 'SourceEncryptionContext',
        grant: ENCRYPTION,
        simulator: 'Cryptographic',
      },
      {
        name: 'ReEncryptTo',
        side: 'destination',
        contextField: 'DestinationEncryptionContext',
        grant: ENCRYPTION,
        simulator: 'Cryptographic',
      },
    ],
  },
  GenerateDataKeyPair: { ...CRYPTO, status: 'partial', context: EC, grant: DATA_KEY, conditionKeys: PAIR },
  GenerateDataKeyPairWithoutPlaintext: {
    ...CRYPTO,
    status: 'partial',
    context: EC,
    grant: DATA_KEY,
    conditionKeys: PAIR,
  },
  Sign: {
    ...CRYPTO,
    status: 'supported',
    grant: { usages: ['SIGN_VERIFY'] },
    blobs: ['Message'],
    conditionKeys: ['kms:SigningAlgorithm', 'kms:MessageType'],
  },
  Verify: {
    ...CRYPTO,
    status: 'supported',
    grant: { usages: ['SIGN_VERIFY'] },
    blobs: ['Message', 'Signature'],
    conditionKeys: ['kms:SigningAlgorithm', 'kms:MessageType'],
  },
  GenerateMac: {
    ...CRYPTO,
    status: 'supported',
    grant: { usages: ['GENERATE_VERIFY_MAC'] },
    blobs: ['Message'],
    conditionKeys: ['kms:MacAlgorithm'],
  },
  VerifyMac: {
    ...CRYPTO,
    status: 'supported',
    grant: { usages: ['GENERATE_VERIFY_MAC'] },
    blobs: ['Message', 'Mac'],
    conditionKeys: ['kms:MacAlgorithm'],
  },
  DeriveSharedSecret: {
    ...CRYPTO,
    status: 'supported',
    grant: { usages: ['KEY_AGREEMENT'] },
    blobs: ['PublicKey'],
    conditionKeys: ['kms:KeyAgreementAlgorithm'],
  },
  Decapsulate: {
    ...CRYPTO,
    status: 'supported',
    grant: { usages: ['ENCAPSULATE_DECAPSULATE'] },
    blobs: ['SharedSecretCiphertextBlob'],
  },
  GetPublicKey: {
    status: 'supported',
    readOnly: true,
    simulator: 'Cryptographic',
    grant: {
      usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT', 'ENCAPSULATE_DECAPSULATE'],
      keys: 'asymmetric',
    },
  },
  GenerateRandom: { status: 'partial', readOnly: true, account: true, simulator: 'Cryptographic' },
  // A grant operation since the 2025 model (GrantOperation lists it); only the public key is used.
  Encapsulate: { status: 'supported', readOnly: true, usesKey: true, grant: { usages: ['ENCAPSULATE_DECAPSULATE'] } },

  // Grants before DescribeKey: CreateGrant, RetireGrant, DescribeKey is the order of the grant
  // operations every key allows.
  CreateGrant: {
    status: 'supported',
    readOnly: false,
    grant: ANY_KEY,
    simulator: 'Grants',
    conditionKeys: [
      'kms:GranteePrincipal',
      'kms:RetiringPrincipal',
      'kms:GrantOperations',
      'kms:GrantConstraintType',
      'kms:GrantIsForAWSResource',
    ],
  },
  ListGrants: { status: 'supported', readOnly: true, simulator: 'Grants' },
  RetireGrant: { status: 'supported', readOnly: false, grant: ANY_KEY, simulator: 'Grants' },
  RevokeGrant: { status: 'supported', readOnly: false, simulator: 'Grants' },
  ListRetirableGrants: { status: 'supported', readOnly: true, account: true, simulator: 'Grants' },

  DescribeKey: { ...MANAGE, readOnly: true, grant: ANY_KEY },
  GetKeyPolicy: { ...MANAGE, readOnly: true },
  PutKeyPolicy: { ...MANAGE, readOnly: false, conditionKeys: ['kms:BypassPolicyLockoutSafetyCheck'] },
  EnableKey: { ...MANAGE, readOnly: false },
  DisableKey: { ...MANAGE, readOnly: false },
  ScheduleKeyDeletion: {
    ...MANAGE,
    readOnly: false,
    changesMaterial: true,
    conditionKeys: ['kms:ScheduleKeyDeletionPendingWindowInDays'],
  },
  CancelKeyDeletion: { ...MANAGE, readOnly: false, changesMaterial: true },
  EnableKeyRotation: { ...MANAGE, readOnly: false, conditionKeys: ['kms:RotationPeriodInDays'] },
  DisableKeyRotation: { ...MANAGE, readOnly: false },
  GetKeyRotationStatus: { ...MANAGE, readOnly: true },
  RotateKeyOnDemand: { ...MANAGE, readOnly: false, changesMaterial: true },
  ListKeyRotations: { ...MANAGE, readOnly: true },
  UpdateKeyDescription: { ...MANAGE, readOnly: false },
  TagResource: { ...MANAGE, readOnly: false, conditionKeys: TAGGING },
  UntagResource: { ...MANAGE, readOnly: false, conditionKeys: ['aws:TagKeys'] },
  ListResourceTags: { ...MANAGE, readOnly: true },
  CreateAlias: { ...MANAGE, readOnly: false },
  DeleteAlias: { ...MANAGE, readOnly: false },
  CreateKey: {
    changesMaterial: true,
    ...MANAGE,
    status: 'partial',
    readOnly: false,
    account: true,
    conditionKeys: ['kms:BypassPolicyLockoutSafetyCheck', ...TAGGING],
  },
  ListKeys: { ...MANAGE, readOnly: true, account: true },
  ListAliases: { ...MANAGE, readOnly: true, account: true },
  UpdateAlias: { status: 'supported', readOnly: false },
  GetKeyLastUsage: { status: 'supported', readOnly: true },
  ListKeyPolicies: { status: 'supported', readOnly: true },
  GetParametersForImport: {
    ...MANAGE,
    readOnly: true,
    keepsState: true,
    conditionKeys: ['kms:WrappingAlgorithm', 'kms:WrappingKeySpec'],
  },
  ImportKeyMaterial: {
    changesMaterial: true,
    ...MANAGE,
    readOnly: false,
    blobs: ['ImportToken', 'EncryptedKeyMaterial'],
    timestamps: ['ValidTo'],
    conditionKeys: ['kms:ExpirationModel', 'kms:ValidTo'],
  },
  DeleteImportedKeyMaterial: { ...MANAGE, readOnly: false, changesMaterial: true },

  // Passkey key stores (ADR 0016): 'partial', as CloudHSM's cluster, trust anchor and password and the external
  // key store's proxy have no meaning here; Create and Connect need the console's passkey.
  ConnectCustomKeyStore: { status: 'partial', readOnly: false, account: true },
  CreateCustomKeyStore: { status: 'partial', readOnly: false, account: true },
  DeleteCustomKeyStore: { status: 'partial', readOnly: false, account: true },
  DescribeCustomKeyStores: { status: 'partial', readOnly: true, account: true },
  DisconnectCustomKeyStore: { status: 'partial', readOnly: false, account: true },
  UpdateCustomKeyStore: { status: 'partial', readOnly: false, account: true },
  ReplicateKey: {
    ...MANAGE,
    readOnly: false,
    changesMaterial: true,
    conditionKeys: ['kms:BypassPolicyLockoutSafetyCheck', 'kms:ReplicaRegion', ...TAGGING],
  },
  UpdatePrimaryRegion: { ...MANAGE, readOnly: false, conditionKeys: ['kms:PrimaryRegion'] },
} as const satisfies Record<string, Spec>;

/** An AWS KMS operation name (the catalogue's keys). */
export type OperationName = keyof typeof SPECS;

/** The operations Pocket KMS implements: kms.ts must have a handler for exactly these. */
export type ImplementedOperation = {
  [K in OperationName]: (typeof SPECS)[K]['status'] extends 'not yet' ? never : K;
}[OperationName];

function describe(name: OperationName, s: Spec): OperationFacts {
  const own: ActionFacts = {
    name,
    ...(s.context ? { contextField: s.context } : {}),
    ...(s.grant ? { grant: s.grant } : {}),
    ...(s.simulator ? { simulator: s.simulator } : {}),
  };
  return {
    name,
    status: s.status,
    readOnly: s.readOnly,
    appendOnly: s.readOnly && !s.keepsState,
    scope: s.account ? 'account' : 'key',
    usesKey: s.usesKey ?? false,
    changesMaterial: s.changesMaterial ?? false,
    actions: s.actions ?? [own],
    requestBlobs: s.blobs ?? [],
    requestTimestamps: s.timestamps ?? [],
    conditionKeys: s.conditionKeys ?? [],
    requestMembers: REQUEST_MEMBERS[name],
    dryRun: REQUEST_MEMBERS[name].includes('DryRun'),
  };
}

/** Every operation's facts, in catalogue (presentation) order. */
export const OPERATIONS: readonly OperationFacts[] = Object.entries(SPECS).map(([n, s]) =>
  describe(n as OperationName, s),
);

/** Every AWS KMS operation name, implemented or not, in alphabetical order. */
export const AWS_KMS_OPERATIONS: readonly OperationName[] = OPERATIONS.map((o) => o.name).sort();
