// What the core stores. Internal records are camelCase; AWS's PascalCase shapes are built from them.

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';
export type RotationType = 'AUTOMATIC' | 'ON_DEMAND';

export interface Tag {
  TagKey: string;
  TagValue: string;
}

export interface KeyRecord {
  keyId: string;
  arn: string;
  createdAt: number;
  description: string;
  keyUsage: 'ENCRYPT_DECRYPT';
  keySpec: 'SYMMETRIC_DEFAULT';
  origin: 'AWS_KMS';
  state: KeyState;
  deletionDate?: number;
  pendingWindowDays?: number;
  tags: Tag[];
  policy: string;
  rotationEnabled: boolean;
  rotationPeriodDays?: number;
  /** When automatic rotation is next due (epoch ms). */
  nextRotationAt?: number;
  currentVersion: number;
  currentMaterialId: string;
}

/** One version of a key's material. `key` is a non-extractable CryptoKey; `wrapped` is the same
 * material wrapped under the keystore's domain key (AES-KW), for backup and replication. */
export interface MaterialRecord {
  keyId: string;
  version: number;
  materialId: string;
  createdAt: number;
  /** Absent for the key's first material. */
  rotationType?: RotationType;
  key: CryptoKey;
  wrapped: ArrayBuffer;
}

export interface AliasRecord {
  name: string;
  keyId: string;
  createdAt: number;
  updatedAt: number;
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
  /** SHA-256 (hex) of the previous stored record; set by the store when it appends (kms/audit-chain.ts). */
  prevHash?: string;
  /** SHA-256 (hex) of this stored record, every field but this one. */
  hash?: string;
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
