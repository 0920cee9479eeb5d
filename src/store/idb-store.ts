// The IndexedDB implementation of the core's Store port (idb). One database per region.
// Schema upgrades are numbered; every transaction spans all stores so a change and its audit
// record always commit together.

import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';
import { AUDIT_HEAD, chainEntry, type ChainPoint } from '../kms/audit';
import { ChainHead, GroupCommit, signedKey, type RwTransaction } from './group-commit';
import { StagingTx } from './staged-tx';
import { KMSInternalException } from '../kms/errors';
import { STORE_NAMES, type AuditQuery, type Store, type StoreSnapshot, type Tx, type WriteOptions } from '../kms/ports';
import type {
  AccessKeyRecord,
  AliasRecord,
  AuditEntry,
  KeyRecord,
  MaterialRecord,
  PrincipalRecord,
  StoredGrant,
} from '../kms/records';

interface KmsDb extends DBSchema {
  meta: { key: string; value: unknown };
  keys: { key: string; value: KeyRecord };
  materials: { key: [string, number]; value: MaterialRecord };
  aliases: { key: string; value: AliasRecord; indexes: { byKey: string } };
  audit: { key: number; value: AuditEntry; indexes: { byTime: number; byKey: string; byUse: string; byName: string } };
  principals: { key: string; value: PrincipalRecord };
  accessKeys: { key: string; value: AccessKeyRecord; indexes: { byPrincipal: string } };
  grants: { key: string; value: StoredGrant; indexes: { byKey: string; byRetiring: string } };
}

const STORES = STORE_NAMES;
/** 1: the first schema. 2: audit records chained by hash (existing records chained in the upgrade).
 * 3: an audit index by event name (LookupEvents and the Event history filter without a full scan).
 * 4: principals (IAM users and roles), their access keys, and grants (authorization). */
export const DB_VERSION = 4;

export function databaseName(region: string): string {
  return `pocket-kms-${region}`;
}

type T = IDBPTransaction<KmsDb, typeof STORES extends readonly (infer U)[] ? U[] : never, IDBTransactionMode>;

function materialRange(keyId: string): IDBKeyRange {
  return IDBKeyRange.bound([keyId, 0], [keyId, Number.MAX_SAFE_INTEGER]);
}

const ignore = () => undefined;

const isQuota = (e: unknown) => (e as { name?: unknown } | null)?.name === 'QuotaExceededError';

/** A signed request the browser sent again after it was run (records.ts SignedRequest). */
function replayedError(requestId: string): Error {
  return new KMSInternalException(
    `Request ${requestId} was already run: the service worker restarted before its answer was sent, and the browser sent the same signed request again. Pocket KMS did not run it twice; the audit record of request ${requestId} says how it ended.`,
  );
}

/** The browser refuses a write that would exceed the site's storage quota by aborting its transaction
 * (QuotaExceededError): nothing of it is kept. Named as AWS names a failure of its own storage, with
 * the cause and what to do, instead of an anonymous DOMException or "internal error". */
export function storageError(e: unknown): unknown {
  if (!isQuota(e)) return e;
  return new KMSInternalException(
    "The browser's storage quota for this site is full, so nothing of this call was saved. Free storage for this site, then try again.",
  );
}

/** A transaction as a Tx. Its writes are direct: read-write calls get a StagingTx over it instead
 * (group-commit.ts), whose writes are issued when the call's function has returned. */
function wrap(t: T): Tx {
  const os = <N extends (typeof STORES)[number]>(n: N) => t.objectStore(n);
  return {
    getMeta: async <V>(name: string) => (await os('meta').get(name)) as V | undefined,
    putMeta: async (name, value) => void (await os('meta').put!(value, name)),
    deleteMeta: async (name) => void (await os('meta').delete!(name)),
    getKey: (id) => os('keys').get(id),
    putKey: async (rec) => void (await os('keys').put!(rec)),
    deleteKey: (id) => os('keys').delete!(id),
    allKeys: () => os('keys').getAll(),
    getMaterial: (id, v) => os('materials').get([id, v]),
    listMaterials: (id) => os('materials').getAll(materialRange(id)),
    putMaterial: async (rec) => void (await os('materials').put!(rec)),
    deleteMaterials: (id) => os('materials').delete!(materialRange(id)),
    getAlias: (name) => os('aliases').get(name),
    putAlias: async (rec) => void (await os('aliases').put!(rec)),
    deleteAlias: (name) => os('aliases').delete!(name),
    listAliases: (keyId) => (keyId === undefined ? os('aliases').getAll() : os('aliases').index('byKey').getAll(keyId)),
    getPrincipal: (arn) => os('principals').get(arn),
    putPrincipal: async (rec) => void (await os('principals').put!(rec)),
    deletePrincipal: (arn) => os('principals').delete!(arn),
    listPrincipals: () => os('principals').getAll(),
    getAccessKey: (id) => os('accessKeys').get(id),
    putAccessKey: async (rec) => void (await os('accessKeys').put!(rec)),
    deleteAccessKey: (id) => os('accessKeys').delete!(id),
    listAccessKeys: (arn) =>
      arn === undefined ? os('accessKeys').getAll() : os('accessKeys').index('byPrincipal').getAll(arn),
    getGrant: (id) => os('grants').get(id),
    putGrant: async (rec) => void (await os('grants').put!(rec)),
    deleteGrant: (id) => os('grants').delete!(id),
    listGrants: (by) =>
      'keyId' in by
        ? os('grants').index('byKey').getAll(by.keyId)
        : os('grants').index('byRetiring').getAll(by.retiringPrincipal),
    appendAudit: () =>
      Promise.reject(new KMSInternalException('Audit records are appended through a staged write (group-commit.ts).')),
    getAudit: (seq) => os('audit').get(seq),
    lastAuditBefore: async (time) =>
      (await os('audit').index('byTime').openCursor(IDBKeyRange.upperBound(time, true), 'prev'))?.value,
    // One request for any number of records: a key range delete.
    deleteAuditThrough: (seq) => os('audit').delete!(IDBKeyRange.upperBound(seq)),
  };
}

/** Upgrade to v2: chain the records written before chaining existed, oldest first, inside the
 * upgrade transaction (synchronous hashing, IDB requests only), and record the head. */
async function chainExisting(t: IDBPTransaction<KmsDb, ('meta' | 'audit')[], 'versionchange'>): Promise<void> {
  let prev: ChainPoint | undefined;
  let cursor = await t.objectStore('audit').openCursor();
  while (cursor) {
    // Keep the stored seq (the key): a gap, if any, stays visible to verification.
    const fixed = chainEntry(prev, cursor.value, cursor.value.seq!);
    await cursor.update(fixed);
    prev = { seq: fixed.seq, hash: fixed.hash };
    cursor = await cursor.continue();
  }
  if (prev) await t.objectStore('meta').put(prev, AUDIT_HEAD);
}

export class IdbStore implements Store {
  /** Set when a newer version of the app upgraded the schema from another tab (this connection closed). */
  private gaveWay = false;

  private constructor(private readonly db: IDBPDatabase<KmsDb>) {}

  static async open(name: string): Promise<IdbStore> {
    let store: IdbStore | undefined;
    const db = await openDB<KmsDb>(name, DB_VERSION, {
      upgrade(db, oldVersion, _newVersion, transaction) {
        if (oldVersion < 1) {
          db.createObjectStore('meta');
          db.createObjectStore('keys', { keyPath: 'keyId' });
          db.createObjectStore('materials', { keyPath: ['keyId', 'version'] });
          db.createObjectStore('aliases', { keyPath: 'name' }).createIndex('byKey', 'keyId');
          const audit = db.createObjectStore('audit', { keyPath: 'seq', autoIncrement: true });
          audit.createIndex('byTime', 'eventTime');
          audit.createIndex('byKey', 'keyIds', { multiEntry: true });
          audit.createIndex('byUse', 'usedKeyIds', { multiEntry: true });
        }
        // A failure part-way must not commit a half-chained trail: abort the upgrade (the open fails).
        if (oldVersion >= 1 && oldVersion < 2) chainExisting(transaction as never).catch(() => transaction.abort());
        if (oldVersion < 3) transaction.objectStore('audit').createIndex('byName', 'eventName');
        if (oldVersion < 4) {
          db.createObjectStore('principals', { keyPath: 'arn' });
          db.createObjectStore('accessKeys', { keyPath: 'accessKeyId' }).createIndex('byPrincipal', 'principalArn');
          const grants = db.createObjectStore('grants', { keyPath: 'grantId' });
          grants.createIndex('byKey', 'keyId');
          grants.createIndex('byRetiring', 'retiringPrincipal');
        }
      },
      blocking() {
        // A newer version of the app wants to upgrade the schema: let it, and say so from now on.
        if (store) store.gaveWay = true;
        db.close();
      },
    });
    store = new IdbStore(db);
    return store;
  }

  close(): void {
    this.db.close();
  }

  /** Whether a newer version of the app upgraded the schema from another tab: this store then refuses
   * every call, and a long-lived owner (the service worker) opens the database again instead. */
  get superseded(): boolean {
    return this.gaveWay;
  }

  get schemaVersion(): number {
    return this.db.version;
  }

  private async run<R>(mode: IDBTransactionMode, fn: (tx: Tx, t: T) => Promise<R>, durable = false): Promise<R> {
    if (this.gaveWay) throw this.gaveWayError();
    const t = this.db.transaction([...STORES], mode, { durability: durable ? 'strict' : 'relaxed' }) as unknown as T;
    // The done promise rejects on abort; the caller sees fn's error instead.
    const done = t.done.catch((e: unknown) => e);
    try {
      const result = await fn(wrap(t), t);
      const end = await done;
      if (end instanceof Error || (end && typeof end === 'object' && 'name' in end)) throw end;
      return result;
    } catch (e) {
      try {
        t.abort();
      } catch {
        // Already finished or aborted.
      }
      // A request may fail with AbortError when the transaction failed for lack of storage: say why.
      throw storageError(isQuota(t.error) ? t.error : e);
    }
  }

  read<R>(fn: (tx: Tx) => Promise<R>): Promise<R> {
    return this.run('readonly', fn);
  }

  /** Group-committed (docs/decisions/0013): a write that arrives while another commits shares the next
   * transaction with the others that arrived meanwhile; its writes are staged until fn returns. */
  write<R>(fn: (tx: Tx) => Promise<R>, opts: WriteOptions = {}): Promise<R> {
    if (this.gaveWay) return Promise.reject(this.gaveWayError());
    return this.group.write(fn, opts);
  }

  private readonly group = new GroupCommit({
    begin: (durable) => {
      if (this.gaveWay) throw this.gaveWayError();
      return this.db.transaction([...STORES], 'readwrite', {
        durability: durable ? 'strict' : 'relaxed',
      }) as unknown as RwTransaction;
    },
    reads: (t) => wrap(t as unknown as T),
    // A request may fail with AbortError when the transaction failed for lack of storage: say why.
    failure: (e, t) => storageError(isQuota(t?.error) ? t!.error : e),
    replayError: replayedError,
  });

  private gaveWayError(): Error {
    return new KMSInternalException(
      'A newer version of Pocket KMS, open in another tab, upgraded this keystore. Reload this page to use it.',
    );
  }

  async snapshot(): Promise<StoreSnapshot> {
    return this.run('readonly', async (_tx, t) => {
      const stores: Record<string, unknown[]> = {};
      // All requests are queued at once in the one transaction: a consistent point in time.
      const reads = STORES.map(async (n) => {
        const os = t.objectStore(n);
        if (n !== 'meta') return (stores[n] = await os.getAll());
        const [names, values] = await Promise.all([os.getAllKeys(), os.getAll()]);
        return (stores[n] = names.map((k, i) => [k, values[i]]));
      });
      await Promise.all(reads);
      return { schemaVersion: this.schemaVersion, stores };
    });
  }

  replaceAll<R>(snapshot: StoreSnapshot, check: (tx: Tx) => Promise<void>, then: (tx: Tx) => Promise<R>): Promise<R> {
    const unknown = Object.keys(snapshot.stores).filter((n) => !(STORES as readonly string[]).includes(n));
    if (unknown.length > 0 || snapshot.schemaVersion !== this.db.version)
      throw new KMSInternalException(
        `The snapshot does not fit this database (schema ${snapshot.schemaVersion}, stores ${unknown.join(', ')}).`,
      );
    return this.run(
      'readwrite',
      async (before, t) => {
        await check(before);
        for (const n of STORES) {
          const os = t.objectStore(n);
          void os.clear!().catch(ignore);
          for (const rec of snapshot.stores[n] ?? []) {
            // Queued without awaiting, in order; a failed request aborts the transaction (write rejects).
            if (n === 'meta') {
              const [name, value] = rec as [string, unknown];
              void os.put!(value as never, name as never).catch(ignore);
            } else void os.put!(rec as never).catch(ignore);
          }
        }
        // Read after the puts: the chain head is the restored one. `then`'s writes are staged, then issued.
        const chain = new ChainHead(t as unknown as RwTransaction);
        const reads = wrap(t);
        const replayed = async (r: { at: number }, id: string) =>
          (await reads.getMeta(signedKey(r.at, id))) !== undefined;
        const staging = new StagingTx(reads, replayed, replayedError);
        const result = await then(staging);
        await chain.ready();
        chain.issue(staging.staged);
        return result;
      },
      true,
    );
  }

  async queryAudit(q: AuditQuery): Promise<AuditEntry[]> {
    const out: AuditEntry[] = [];
    const store = this.db.transaction('audit').store;
    const keep = (e: AuditEntry) =>
      (q.startTime === undefined || e.eventTime >= q.startTime) &&
      (q.endTime === undefined || e.eventTime <= q.endTime) &&
      (q.eventName === undefined || e.eventName === q.eventName) &&
      (q.keyId === undefined || e.keyIds.includes(q.keyId)) &&
      (!q.match || q.match(e));
    if (q.ascending) {
      const from = IDBKeyRange.lowerBound(q.afterSeq ?? 0, true);
      // getAll with a count is one request for a whole page (verification and export walk 10^6 records).
      if (
        q.startTime === undefined &&
        q.endTime === undefined &&
        !q.match &&
        q.eventName === undefined &&
        q.keyId === undefined
      )
        return store.getAll(from, q.limit);
      let c = await store.openCursor(from, 'next');
      while (c && out.length < q.limit) {
        if (keep(c.value)) out.push(c.value);
        c = await c.continue();
      }
      return out;
    }
    if (q.keyId !== undefined || q.eventName !== undefined) {
      // An index walks only the matching records; duplicates in an index are ordered by primary key
      // (seq), so 'prev' is still newest first, and continuePrimaryKey jumps below beforeSeq.
      const value = q.keyId ?? q.eventName!;
      let c = await store.index(q.keyId !== undefined ? 'byKey' : 'byName').openCursor(IDBKeyRange.only(value), 'prev');
      if (c && q.beforeSeq !== undefined && c.primaryKey >= q.beforeSeq)
        c = q.beforeSeq > 1 ? await c.continuePrimaryKey(value, q.beforeSeq - 1) : null;
      while (c && out.length < q.limit) {
        if (keep(c.value)) out.push(c.value);
        c = await c.continue();
      }
      return out;
    }
    const range = q.beforeSeq === undefined ? null : IDBKeyRange.upperBound(q.beforeSeq, true);
    let cursor = await store.openCursor(range, 'prev');
    while (cursor && out.length < q.limit) {
      if (keep(cursor.value)) out.push(cursor.value);
      cursor = await cursor.continue();
    }
    return out;
  }

  async lastUsage(keyId: string): Promise<AuditEntry | undefined> {
    const cursor = await this.db.transaction('audit').store.index('byUse').openCursor(IDBKeyRange.only(keyId), 'prev');
    return cursor?.value;
  }
}
