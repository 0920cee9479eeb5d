// The IndexedDB implementation of the core's Store port (idb). One database per region.
// Schema upgrades are numbered; every transaction spans all stores so a change and its audit
// record always commit together.

import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';
import { AUDIT_HEAD, chainEntry, type ChainPoint } from '../kms/audit-chain';
import type { AuditQuery, Store, Tx } from '../kms/ports';
import type { AliasRecord, AuditEntry, KeyRecord, MaterialRecord } from '../kms/records';

interface KmsDb extends DBSchema {
  meta: { key: string; value: unknown };
  keys: { key: string; value: KeyRecord };
  materials: { key: [string, number]; value: MaterialRecord };
  aliases: { key: string; value: AliasRecord; indexes: { byKey: string } };
  audit: { key: number; value: AuditEntry; indexes: { byTime: number; byKey: string; byUse: string } };
}

const STORES = ['meta', 'keys', 'materials', 'aliases', 'audit'] as const;
/** 1: the first schema. 2: audit records chained by hash (existing records chained in the upgrade). */
export const DB_VERSION = 2;

export function databaseName(region: string): string {
  return `pocket-kms-${region}`;
}

type T = IDBPTransaction<KmsDb, typeof STORES extends readonly (infer U)[] ? U[] : never, IDBTransactionMode>;

function materialRange(keyId: string): IDBKeyRange {
  return IDBKeyRange.bound([keyId, 0], [keyId, Number.MAX_SAFE_INTEGER]);
}

function wrap(t: T): Tx {
  const os = <N extends (typeof STORES)[number]>(n: N) => t.objectStore(n);
  return {
    getMeta: async <V>(name: string) => (await os('meta').get(name)) as V | undefined,
    putMeta: async (name, value) => void (await os('meta').put!(value, name)),
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
    appendAudit: async (entry) => {
      // Chained inside this transaction: transactions over the audit store are serialised, so the
      // head read here is the newest record, whichever instance wrote it.
      const head = ((await os('meta').get(AUDIT_HEAD)) as ChainPoint | undefined) ?? (await lastPoint(os('audit').openCursor(null, 'prev')));
      const chained = chainEntry(head, entry);
      await os('audit').add!(chained);
      await os('meta').put!({ seq: chained.seq, hash: chained.hash } satisfies ChainPoint, AUDIT_HEAD);
    },
    getAudit: (seq) => os('audit').get(seq),
    lastAuditBefore: async (time) => (await os('audit').index('byTime').openCursor(IDBKeyRange.upperBound(time, true), 'prev'))?.value,
    // One request for any number of records: a key range delete.
    deleteAuditThrough: (seq) => os('audit').delete!(IDBKeyRange.upperBound(seq)),
  };
}

async function lastPoint(cursor: Promise<{ value: AuditEntry } | null>): Promise<ChainPoint | undefined> {
  const c = await cursor;
  return c && c.value.hash ? { seq: c.value.seq!, hash: c.value.hash } : c ? { seq: c.value.seq!, hash: '' } : undefined;
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
  private constructor(private readonly db: IDBPDatabase<KmsDb>) {}

  static async open(name: string): Promise<IdbStore> {
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
        if (oldVersion >= 1 && oldVersion < 2) void chainExisting(transaction as never);
      },
      blocking() {
        // A newer version of the app wants to upgrade the schema: let it.
        db.close();
      },
    });
    return new IdbStore(db);
  }

  close(): void {
    this.db.close();
  }

  private async run<R>(mode: IDBTransactionMode, fn: (tx: Tx) => Promise<R>): Promise<R> {
    const t = this.db.transaction([...STORES], mode, { durability: 'relaxed' }) as unknown as T;
    // The done promise rejects on abort; the caller sees fn's error instead.
    const done = t.done.catch((e: unknown) => e);
    try {
      const result = await fn(wrap(t));
      const end = await done;
      if (end instanceof Error || (end && typeof end === 'object' && 'name' in end)) throw end;
      return result;
    } catch (e) {
      try {
        t.abort();
      } catch {
        // Already finished or aborted.
      }
      throw e;
    }
  }

  read<R>(fn: (tx: Tx) => Promise<R>): Promise<R> {
    return this.run('readonly', fn);
  }

  write<R>(fn: (tx: Tx) => Promise<R>): Promise<R> {
    return this.run('readwrite', fn);
  }

  async queryAudit(q: AuditQuery): Promise<AuditEntry[]> {
    const out: AuditEntry[] = [];
    const store = this.db.transaction('audit').store;
    if (q.ascending) {
      const from = IDBKeyRange.lowerBound(q.afterSeq ?? 0, true);
      // getAll with a count is one request for a whole page (verification and export walk 10^6 records).
      if (q.startTime === undefined && q.endTime === undefined && !q.match) return store.getAll(from, q.limit);
      let c = await store.openCursor(from, 'next');
      while (c && out.length < q.limit) {
        const e = c.value;
        if ((q.startTime === undefined || e.eventTime >= q.startTime) && (q.endTime === undefined || e.eventTime <= q.endTime) && (!q.match || q.match(e))) out.push(e);
        c = await c.continue();
      }
      return out;
    }
    const range = q.beforeSeq === undefined ? null : IDBKeyRange.upperBound(q.beforeSeq, true);
    let cursor = await store.openCursor(range, 'prev');
    while (cursor && out.length < q.limit) {
      const e = cursor.value;
      if ((q.startTime === undefined || e.eventTime >= q.startTime) && (q.endTime === undefined || e.eventTime <= q.endTime) && (!q.match || q.match(e))) out.push(e);
      cursor = await cursor.continue();
    }
    return out;
  }

  async lastUsage(keyId: string): Promise<AuditEntry | undefined> {
    const cursor = await this.db.transaction('audit').store.index('byUse').openCursor(IDBKeyRange.only(keyId), 'prev');
    return cursor?.value;
  }
}
