// One call's view of a shared (group-committed) read-write transaction (docs/decisions/0013): reads go to
// the transaction, writes are staged here and issued only once the call's function has returned, so a call
// that throws leaves nothing in the transaction that other calls commit. The call still reads its own writes.

import { KMSInternalException } from '../kms/errors';
import type { StoreName, Tx } from '../kms/ports';
import type { AuditEntry, KeyRecord, SignedRequest } from '../kms/records';

type Key = string | number | Key[];

/** A write waiting for its call to finish. `covers`: the keys a range delete removes. */
export type StagedWrite =
  | { kind: 'put'; store: StoreName; key: Key; value: unknown }
  | { kind: 'delete'; store: StoreName; key: Key }
  | { kind: 'deleteRange'; store: 'materials' | 'audit'; range: IDBKeyRange; covers: (k: Key) => boolean };

/** What a call staged: its writes in order, and its audit records (chained when they are issued). */
export interface Staged {
  writes: StagedWrite[];
  audits: Omit<AuditEntry, 'signedRequest'>[];
  /** Marks of the signed requests the audit records answer (`at`, request ID). */
  marks: { at: number; requestId: string; replayCheck: boolean }[];
}

/** Each object store's primary key of a record (src/store/idb-store.ts creates them with these key paths). */
const KEY_OF: Partial<Record<StoreName, (r: never) => Key>> = {
  keys: (r: KeyRecord) => r.keyId,
  materials: (r: { keyId: string; version: number }) => [r.keyId, r.version],
  aliases: (r: { name: string }) => r.name,
  principals: (r: { arn: string }) => r.arn,
  accessKeys: (r: { accessKeyId: string }) => r.accessKeyId,
  grants: (r: { grantId: string }) => r.grantId,
};

const keyOf = (store: StoreName, rec: unknown): Key => (KEY_OF[store] as (r: unknown) => Key)(rec);

/** IndexedDB's key order for the keys these stores use: numbers before strings before arrays. */
export function compareKeys(a: Key, b: Key): number {
  const rank = (k: Key) => (typeof k === 'number' ? 0 : typeof k === 'string' ? 1 : 2);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compareKeys(a[i]!, b[i]!);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function validKey(k: unknown): k is Key {
  if (typeof k === 'string') return true;
  if (typeof k === 'number') return !Number.isNaN(k);
  return Array.isArray(k) && k.every(validKey);
}

/**
 * A Tx whose writes are staged. IndexedDB clones a value when it is put and refuses a bad key at once; a
 * staged put does both here too (structuredClone, key check), so such a mistake fails this call alone,
 * inside its function, and never when its writes are issued. Audit records are not cloned: they are built
 * for the call (OpContext.entry) and nobody keeps them.
 */
export class StagingTx implements Tx {
  readonly staged: Staged = { writes: [], audits: [], marks: [] };

  /**
   * @param real the shared transaction's reads
   * @param replayed whether a signed request was already recorded by an earlier transaction or call
   * @param replayError the error a replay fails with
   * @param appendOnly whether the call declared it writes nothing but audit records (WriteOptions.appendOnly)
   */
  constructor(
    private readonly real: Tx,
    private readonly replayed: (s: SignedRequest, requestId: string) => Promise<boolean>,
    private readonly replayError: (requestId: string) => Error,
    private readonly appendOnly = false,
  ) {}

  /** A call that runs beside others because it said it only appends may not write anything else. */
  private refuse(store: StoreName): Promise<void> | undefined {
    if (!this.appendOnly) return undefined;
    return Promise.reject(
      new KMSInternalException(`A read-only call tried to write to ${store}; only its audit record may be written.`),
    );
  }

  private put(store: StoreName, value: unknown, key = keyOf(store, value)): Promise<void> {
    const refused = this.refuse(store);
    if (refused) return refused;
    if (!validKey(key)) return Promise.reject(new DOMException(`No valid key for a record of ${store}.`, 'DataError'));
    this.staged.writes.push({ kind: 'put', store, key, value: structuredClone(value) });
    return Promise.resolve();
  }

  private del(store: StoreName, key: Key): Promise<void> {
    const refused = this.refuse(store);
    if (refused) return refused;
    this.staged.writes.push({ kind: 'delete', store, key });
    return Promise.resolve();
  }

  /** The newest staged write of `store` that decides `key`: a put (its value), a delete, or none. */
  private own(store: StoreName, key: Key): { hit: false } | { hit: true; value: unknown } {
    for (let i = this.staged.writes.length - 1; i >= 0; i--) {
      const w = this.staged.writes[i]!;
      if (w.store !== store) continue;
      if (w.kind === 'deleteRange' ? w.covers(key) : compareKeys(w.key, key) === 0)
        return { hit: true, value: w.kind === 'put' ? structuredClone(w.value) : undefined };
    }
    return { hit: false };
  }

  private async get<V>(store: StoreName, key: Key, read: () => Promise<V | undefined>): Promise<V | undefined> {
    const mine = this.own(store, key);
    return mine.hit ? (mine.value as V | undefined) : read();
  }

  /** A list read with this call's staged writes of `store` applied (those `match` selects), in key order. */
  private async list<V>(store: StoreName, read: () => Promise<V[]>, match: (r: V) => boolean = () => true) {
    const rows = await read();
    if (!this.staged.writes.some((w) => w.store === store)) return rows;
    const byKey = new Map<string, { key: Key; value: V }>(
      rows.map((r) => [JSON.stringify(keyOf(store, r)), { key: keyOf(store, r), value: r }]),
    );
    for (const w of this.staged.writes) {
      if (w.store !== store) continue;
      if (w.kind === 'deleteRange') for (const [k, r] of byKey) w.covers(r.key) && byKey.delete(k);
      else if (w.kind === 'delete') byKey.delete(JSON.stringify(w.key));
      else if (match(w.value as V))
        byKey.set(JSON.stringify(w.key), { key: w.key, value: structuredClone(w.value) as V });
      else byKey.delete(JSON.stringify(w.key));
    }
    return [...byKey.values()].sort((a, b) => compareKeys(a.key, b.key)).map((r) => r.value);
  }

  getMeta = <T>(name: string) => this.get<T>('meta', name, () => this.real.getMeta<T>(name));
  putMeta = (name: string, value: unknown) => this.put('meta', value, name);
  deleteMeta = (name: string) => this.del('meta', name);
  getKey = (id: string) => this.get('keys', id, () => this.real.getKey(id));
  putKey = (rec: KeyRecord) => this.put('keys', rec);
  deleteKey = (id: string) => this.del('keys', id);
  allKeys = () => this.list('keys', () => this.real.allKeys());
  getMaterial: Tx['getMaterial'] = (id, v) => this.get('materials', [id, v], () => this.real.getMaterial(id, v));
  listMaterials: Tx['listMaterials'] = (id) =>
    this.list(
      'materials',
      () => this.real.listMaterials(id),
      (r) => r.keyId === id,
    );
  putMaterial: Tx['putMaterial'] = (rec) => this.put('materials', rec);
  deleteMaterials: Tx['deleteMaterials'] = (id) => {
    const refused = this.refuse('materials');
    if (refused) return refused;
    const range = IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER]);
    this.staged.writes.push({ kind: 'deleteRange', store: 'materials', range, covers: (k) => (k as Key[])[0] === id });
    return Promise.resolve();
  };
  getAlias: Tx['getAlias'] = (name) => this.get('aliases', name, () => this.real.getAlias(name));
  putAlias: Tx['putAlias'] = (rec) => this.put('aliases', rec);
  deleteAlias: Tx['deleteAlias'] = (name) => this.del('aliases', name);
  listAliases: Tx['listAliases'] = (keyId) =>
    this.list(
      'aliases',
      () => this.real.listAliases(keyId),
      (r) => keyId === undefined || r.keyId === keyId,
    );
  getPrincipal: Tx['getPrincipal'] = (arn) => this.get('principals', arn, () => this.real.getPrincipal(arn));
  putPrincipal: Tx['putPrincipal'] = (rec) => this.put('principals', rec);
  deletePrincipal: Tx['deletePrincipal'] = (arn) => this.del('principals', arn);
  listPrincipals: Tx['listPrincipals'] = () => this.list('principals', () => this.real.listPrincipals());
  getAccessKey: Tx['getAccessKey'] = (id) => this.get('accessKeys', id, () => this.real.getAccessKey(id));
  putAccessKey: Tx['putAccessKey'] = (rec) => this.put('accessKeys', rec);
  deleteAccessKey: Tx['deleteAccessKey'] = (id) => this.del('accessKeys', id);
  listAccessKeys: Tx['listAccessKeys'] = (arn) =>
    this.list(
      'accessKeys',
      () => this.real.listAccessKeys(arn),
      (r) => arn === undefined || r.principalArn === arn,
    );
  getGrant: Tx['getGrant'] = (id) => this.get('grants', id, () => this.real.getGrant(id));
  putGrant: Tx['putGrant'] = (rec) => this.put('grants', rec);
  deleteGrant: Tx['deleteGrant'] = (id) => this.del('grants', id);
  listGrants: Tx['listGrants'] = (by) =>
    this.list(
      'grants',
      () => this.real.listGrants(by),
      (r) => ('keyId' in by ? r.keyId === by.keyId : r.retiringPrincipal === by.retiringPrincipal),
    );

  /** Staged; chained when issued, in the group's order. A signed request that may be a replay is checked
   * now, by a read: the mark of an earlier call in the same group is already in the transaction. */
  appendAudit: Tx['appendAudit'] = async ({ signedRequest, ...entry }) => {
    const requestId = entry.record.requestID;
    if (signedRequest?.replayCheck && (await this.replayed(signedRequest, requestId)))
      throw this.replayError(requestId);
    this.staged.audits.push(entry);
    if (signedRequest)
      this.staged.marks.push({ at: signedRequest.at, requestId, replayCheck: signedRequest.replayCheck });
  };

  // Records this call staged get their sequence number when issued: reads of the trail see committed ones.
  getAudit: Tx['getAudit'] = async (seq) => {
    const gone = this.staged.writes.some((w) => w.kind === 'deleteRange' && w.store === 'audit' && w.covers(seq));
    return gone ? undefined : this.real.getAudit(seq);
  };
  lastAuditBefore: Tx['lastAuditBefore'] = async (time) => {
    const e = await this.real.lastAuditBefore(time);
    // Sequence numbers and times grow together, so nothing older survives this call's own trim either.
    const gone =
      e && this.staged.writes.some((w) => w.kind === 'deleteRange' && w.store === 'audit' && w.covers(e.seq!));
    return gone ? undefined : e;
  };
  deleteAuditThrough: Tx['deleteAuditThrough'] = (seq) => {
    const refused = this.refuse('audit');
    if (refused) return refused;
    this.staged.writes.push({
      kind: 'deleteRange',
      store: 'audit',
      range: IDBKeyRange.upperBound(seq),
      covers: (k) => typeof k === 'number' && k <= seq,
    });
    return Promise.resolve();
  };
}
