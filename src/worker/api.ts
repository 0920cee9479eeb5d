// The Comlink API of the KMS worker: one flat object. The UI imports only these types.
import type { KmsResponses, SupportedOperation } from '../kms/kms';
import type { LookupEventsRequest } from '../kms/audit';
import type { CloudTrailRecord } from '../kms/records';
import type { ChainReport } from '../kms/audit';
import type { ExportFormat } from '../kms/audit';
import type { ValidationReport } from '../kms/audit';
import type { RetentionPolicy, TrimPlan, TrimResult } from '../kms/audit';

export type { RetentionPolicy, TrimPlan, TrimResult };
import type { FilesWorkerApi } from './files-types';
import type { CatalogueWorkerApi } from './catalogue-api';
import type { FileDigestKind } from '../kms/asymmetric';
import type { ProbeSpec } from '../kms/asymmetric/raw-probe';

export type { KmsResponses, SupportedOperation, ChainReport, ValidationReport, ExportFormat, FileDigestKind };
import type { NewAccessKey, PrincipalSummary, AccessKeySummary } from '../kms/iam';
import type { SimulationRequest, SimulationResult } from '../kms/authz';
import type { Tag } from '../kms/records';
export type { NewAccessKey, PrincipalSummary, AccessKeySummary, SimulationRequest, SimulationResult, Tag };

export interface AuditExportRequest {
  format: ExportFormat;
  /** Epoch ms, inclusive. */
  startTime?: number;
  endTime?: number;
  keyId?: string;
  /** User name, principal ARN or access key ID. */
  principal?: string;
  eventName?: string;
  /** CloudTrail format: most records per log file (files also end at each UTC hour). */
  recordsPerFile?: number;
}

export interface AuditExportStart {
  id: string;
  /** Suggested download name and MIME type. */
  name: string;
  type: string;
}

export interface AuditPublicKey {
  /** The digest signing key's public half, PEM SubjectPublicKeyInfo (ECDSA P-256). */
  pem: string;
  /** The same key as DER SubjectPublicKeyInfo bytes. */
  der: Uint8Array;
  /** Hex SHA-256 of the DER key, as digests name it (digestPublicKeyFingerprint). */
  fingerprint: string;
  createdAt: number;
}

export interface KeystoreInfo {
  region: string;
  accountId: string;
  /** The principal console calls run as (its session ARN for a role). */
  callerArn: string;
  caller: CallerInfo;
}

export interface CallerInfo {
  /** As CloudTrail records it: the root, a user, or a role session (arn:aws:sts::…:assumed-role/<role>/console). */
  arn: string;
  type: 'Root' | 'IAMUser' | 'AssumedRole';
  /** "root", the user name or the role name. */
  name: string;
  /** The root, user or role ARN (what the Identities page and policies name). */
  principalArn: string;
}

/** Principals (docs/AUTHORIZATION.md): managed by the keystore's owner, recorded as the account root. */
export interface IdentitiesWorkerApi {
  /** The account root first, then users and roles, each with its access keys (never a secret). */
  listPrincipals(): Promise<PrincipalSummary[]>;
  /** @throws ValidationException, EntityAlreadyExistsException, LimitExceededException */
  createPrincipal(kind: 'user' | 'role', name: string, tags?: Tag[]): Promise<PrincipalSummary>;
  /** Deletes the user or role with its access keys; the console falls back to the root if it was acting as it. */
  deletePrincipal(arn: string): Promise<void>;
  tagPrincipal(arn: string, tags: Tag[]): Promise<PrincipalSummary>;
  untagPrincipal(arn: string, tagKeys: string[]): Promise<PrincipalSummary>;
  /** An inline identity policy. @throws MalformedPolicyDocumentException saying where */
  putPrincipalPolicy(arn: string, policyName: string, document: string): Promise<PrincipalSummary>;
  deletePrincipalPolicy(arn: string, policyName: string): Promise<PrincipalSummary>;
  /** The secret access key is in this answer and never again. @throws LimitExceededException (2 per principal) */
  createAccessKey(principalArn: string): Promise<NewAccessKey>;
  updateAccessKey(accessKeyId: string, status: 'Active' | 'Inactive'): Promise<void>;
  deleteAccessKey(accessKeyId: string): Promise<void>;
  /** Console calls from now on run as this principal (root, user, or a session of the role). @throws NoSuchEntityException */
  actAs(principalArn: string): Promise<KeystoreInfo>;
  /** The decision a call by `principalArn` would get, with every statement and grant explained. */
  simulate(principalArn: string, request: SimulationRequest): Promise<SimulationResult>;
  /** The operations CreateGrant accepts for a key of this usage and spec (the core's own table). */
  grantOperations(keyUsage: string, keySpec: string): Promise<{ crypto: string[]; management: string[] }>;
}

export interface AuditFilter {
  eventName?: string;
  /** Key ID; matches events whose resources include the key. */
  keyId?: string;
  errorsOnly?: boolean;
  /** Leave out Describe*, Get* and List* calls (the console makes many of them). */
  hideReads?: boolean;
  /** Continue below this sequence number (from the previous page). */
  beforeSeq?: number;
  limit?: number;
}

export interface AuditRow {
  seq: number;
  eventTime: number;
  eventName: string;
  errorCode?: string;
  keyIds: string[];
  username: string;
  record: CloudTrailRecord;
}

/** File encryption (AWS Encryption SDK messages) is declared in files-types.ts. */
export interface KmsWorkerApi extends FilesWorkerApi, IdentitiesWorkerApi, CatalogueWorkerApi {
  /**
   * Runs an AWS KMS operation as the console's caller. Requests and responses keep AWS's PascalCase
   * fields; blobs are Uint8Array and timestamps Date.
   * @throws the AWS KMS exception family (compare by `name`).
   */
  call<Op extends SupportedOperation>(operation: Op, request: object): Promise<KmsResponses[Op]>;
  keystore(): Promise<KeystoreInfo>;
  /** Audit records, newest first. */
  auditEvents(filter: AuditFilter): Promise<AuditRow[]>;
  lookupEvents(request: LookupEventsRequest): Promise<unknown>;
  /** Walks the whole stored audit trail and reports whether its hash chain is intact, and where it breaks. */
  verifyAuditTrail(): Promise<ChainReport>;
  /** Starts an export of the audit trail (docs/AUDIT.md); pull it with exportNext until null.
   * @throws TypeError for a malformed request. */
  exportAudit(request: AuditExportRequest): Promise<AuditExportStart>;
  /** The next chunk of a running export (transferred), or null at its end. */
  exportNext(id: string): Promise<Uint8Array | null>;
  exportCancel(id: string): Promise<void>;
  /** The keystore's digest signing public key (the private key is non-extractable). */
  auditPublicKey(): Promise<AuditPublicKey>;
  /** Validates an exported CloudTrail archive (.tar) against this keystore's key, or `publicKeyPem`. */
  validateAuditExport(archive: Blob, publicKeyPem?: string): Promise<ValidationReport>;
  /** The retention policy and what it would delete now (docs/AUDIT.md §5). */
  auditRetention(): Promise<TrimPlan>;
  /** @throws TypeError for a policy that is not {mode:'all'}, {mode:'days',days} or {mode:'records',records}. */
  setAuditRetention(policy: RetentionPolicy): Promise<TrimPlan>;
  /** Applies the policy now: exported records only, or also unexported ones when confirmed. The trim is audited. */
  trimAuditTrail(confirmUnexported: boolean): Promise<TrimResult>;
  /** Diagnostics for `npm run bench`: milliseconds per raw WebCrypto AES-256-GCM encrypt of `bytes`
   * random bytes with a fresh non-extractable key, timed inside this worker in batches of 20 (the ceiling). */
  rawAesGcm(iterations: number, bytes: number): Promise<number[]>;
  /** Diagnostics for `npm run bench`: milliseconds per IndexedDB transaction on a scratch database
   * (one `get` read-only, and one `put` read-write), the storage floor of any audited call. */
  rawIdb(iterations: number): Promise<{ read: number[]; write: number[] }>;
  /** Diagnostics for `npm run bench`: milliseconds per Encrypt through a Kms on a scratch database, with its
   * audit record appended as always and with appending disabled (what recording costs). */
  auditCost(iterations: number): Promise<{ audited: number[]; unaudited: number[] }>;
  /** Diagnostics for `npm run bench`: appends `n` synthetic Encrypt/Decrypt records (user agent
   * "pocket-kms-bench (synthetic)") to this keystore's real trail; returns milliseconds.
   * @throws TypeError for n outside 1..10^7. */
  seedAuditRecords(n: number): Promise<number>;
  /** Streams a file through a hash in this worker, for Sign / Verify of files: SHA-2 for MessageType
   * DIGEST, or ML-DSA's μ for EXTERNAL_MU (needs the key's SPKI `publicKey`). */
  fileDigest(file: Blob, kind: FileDigestKind, publicKey?: Uint8Array): Promise<Uint8Array>;
  /** Diagnostics for `npm run bench`: mean milliseconds per raw sign and verify (WebCrypto, or @noble for
   * secp256k1) of a 100-byte message with a fresh key in this worker, the ceiling of Sign / Verify. */
  rawSignVerify(spec: ProbeSpec, iterations: number): Promise<{ sign: number; verify: number }>;
  /** A no-op round trip, to measure the Comlink cost alone. */
  ping(): Promise<number>;
  /** Runs deletion and rotation that are due now. */
  maintain(): Promise<{ deleted: string[]; rotated: string[] }>;
}
