// The small interfaces the core needs from its host (DESIGN.md "The shape"): storage, clock,
// randomness and locks. The worker and service worker pass browser versions; tests pass in-process ones.

import type {
  AccessKeyRecord,
  AuditEntry,
  AliasRecord,
  KeyRecord,
  MaterialRecord,
  PrincipalRecord,
  StoredGrant,
} from './records';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export interface Random {
  bytes(n: number): Uint8Array;
}

export interface Locks {
  /** Runs fn while holding the named exclusive lock (Web Locks across tabs and workers). */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** One storage transaction. Await only these methods inside it: any other await may commit it. */
export interface Tx {
  getMeta<T>(name: string): Promise<T | undefined>;
  putMeta(name: string, value: unknown): Promise<void>;
  deleteMeta(name: string): Promise<void>;
  getKey(keyId: string): Promise<KeyRecord | undefined>;
  putKey(rec: KeyRecord): Promise<void>;
  deleteKey(keyId: string): Promise<void>;
  /** Every key, ordered by keyId. */
  allKeys(): Promise<KeyRecord[]>;
  getMaterial(keyId: string, version: number): Promise<MaterialRecord | undefined>;
  listMaterials(keyId: string): Promise<MaterialRecord[]>;
  putMaterial(rec: MaterialRecord): Promise<void>;
  deleteMaterials(keyId: string): Promise<void>;
  getAlias(name: string): Promise<AliasRecord | undefined>;
  putAlias(rec: AliasRecord): Promise<void>;
  deleteAlias(name: string): Promise<void>;
  /** Aliases ordered by name, optionally only those of one key. */
  listAliases(keyId?: string): Promise<AliasRecord[]>;
  getPrincipal(arn: string): Promise<PrincipalRecord | undefined>;
  putPrincipal(rec: PrincipalRecord): Promise<void>;
  deletePrincipal(arn: string): Promise<void>;
  /** Users and roles ordered by ARN. */
  listPrincipals(): Promise<PrincipalRecord[]>;
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  putAccessKey(rec: AccessKeyRecord): Promise<void>;
  deleteAccessKey(accessKeyId: string): Promise<void>;
  /** Access keys, optionally only those of one principal. */
  listAccessKeys(principalArn?: string): Promise<AccessKeyRecord[]>;
  getGrant(grantId: string): Promise<StoredGrant | undefined>;
  putGrant(rec: StoredGrant): Promise<void>;
  deleteGrant(grantId: string): Promise<void>;
  /** Grants of one key, or those a principal may retire. */
  listGrants(by: { keyId: string } | { retiringPrincipal: string }): Promise<StoredGrant[]>;
  appendAudit(entry: AuditEntry): Promise<void>;
  /** One audit record by sequence number. */
  getAudit(seq: number): Promise<AuditEntry | undefined>;
  /** The record with the newest eventTime before `time` (retention by age). */
  lastAuditBefore(time: number): Promise<AuditEntry | undefined>;
  /** Deletes every audit record up to and including `seq` (retention; see kms/audit/retention.ts). */
  deleteAuditThrough(seq: number): Promise<void>;
}

export interface AuditQuery {
  /** Newest first, starting below `beforeSeq`. */
  startTime?: number;
  endTime?: number;
  beforeSeq?: number | undefined;
  /** Only records of this event name / concerning this key ID (served from an index, newest first only). */
  eventName?: string;
  keyId?: string;
  /** Oldest first instead, starting above `afterSeq`. */
  ascending?: boolean;
  afterSeq?: number;
  limit: number;
  match?: (e: AuditEntry) => boolean;
}

export interface WriteOptions {
  /** Commit only once the data is on disk (IndexedDB durability 'strict'): writes that create or
   * destroy key material, or change the keystore's secret. Others are 'relaxed' (ADR 0004). */
  durable?: boolean;
  /** fn only reads and appends audit records (a read-only operation, in CloudTrail's sense): such calls of one
   * group commit run side by side, and any other write of theirs fails (ADR 0013). */
  appendOnly?: boolean;
}

/** The keystore's object stores (src/store/idb-store.ts creates them; a backup carries each). */
export const STORE_NAMES = [
  'meta',
  'keys',
  'materials',
  'aliases',
  'audit',
  'principals',
  'accessKeys',
  'grants',
] as const;
export type StoreName = (typeof STORE_NAMES)[number];

/** Every record of every object store, as stored (a backup's content, docs/FORMAT.md "Backup files").
 * `meta` has out-of-line keys, so its records are `[name, value]` pairs; the others carry their keys. */
export interface StoreSnapshot {
  /** The schema the records follow (IndexedDB's database version). */
  schemaVersion: number;
  stores: Record<string, unknown[]>;
}

export interface Store {
  /** The schema version the records follow (IndexedDB's database version). */
  readonly schemaVersion: number;
  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Every store's records, read in ONE read transaction (a consistent point in time). */
  snapshot(): Promise<StoreSnapshot>;
  /**
   * In ONE durable write transaction: `check` runs first (it may throw, and nothing is written), then every
   * store is cleared and filled with the snapshot's records (audit records keep their `seq`), then `then`
   * runs over the replaced content (an audit record it appends follows the restored chain's head).
   */
  replaceAll<T>(snapshot: StoreSnapshot, check: (tx: Tx) => Promise<void>, then: (tx: Tx) => Promise<T>): Promise<T>;
  /** All writes of fn commit together, or none do when fn throws. */
  write<T>(fn: (tx: Tx) => Promise<T>, opts?: WriteOptions): Promise<T>;
  queryAudit(q: AuditQuery): Promise<AuditEntry[]>;
  /** The newest successful cryptographic use of a key, from the audit log. */
  lastUsage(keyId: string): Promise<AuditEntry | undefined>;
}

/** In-process locks for Node and tests: a promise chain per name. */
export class LocalLocks implements Locks {
  private tails = new Map<string, Promise<unknown>>();
  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(name) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.tails.set(name, tail);
    try {
      return await run;
    } finally {
      if (this.tails.get(name) === tail) this.tails.delete(name);
    }
  }
}

export const systemClock: Clock = { now: () => Date.now() };

export const systemRandom: Random = {
  bytes(n) {
    const out = new Uint8Array(n);
    // getRandomValues fills at most 65536 bytes per call.
    for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
    return out;
  },
};
