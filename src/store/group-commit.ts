// Group commit of read-write calls (docs/decisions/0013): the writes that arrive while a store's read-write
// transaction is committing share the next one. Each runs in arrival order (read-only calls side by side) against
// a StagingTx; its writes and its chained audit record enter the transaction only once its function has
// returned, and its answer is released only after the shared commit.

import type { IDBPTransaction } from 'idb';
import { AUDIT_HEAD, chainEntry, type ChainPoint } from '../kms/audit';
import type { Tx } from '../kms/ports';
import type { AuditEntry } from '../kms/records';
import { StagingTx, type Staged } from './staged-tx';

/** The one transaction type this module drives (any object store, read-write). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RwTransaction = IDBPTransaction<any, any, 'readwrite'>;

const ignore = () => undefined;

/** Meta keys of the signed requests recorded lately (`<prefix><X-Amz-Date ms, 15 digits>:<request ID>`). */
const SIGNED_PREFIX = 'signed-request:';
/** A signature is valid 15 minutes either side of its date (SigV4): a request signed an hour before a
 * newer one can no longer arrive, so its mark can go. */
const SIGNED_KEEP_MS = 60 * 60_000;
export const signedKey = (at: number, requestId = '') =>
  `${SIGNED_PREFIX}${String(Math.max(0, at)).padStart(15, '0')}:${requestId}`;

/** The chain head of one transaction: read once as it opens (nobody else can append until it ends). */
export class ChainHead {
  private head: ChainPoint | undefined;
  private known = false;
  private readonly first: Promise<ChainPoint | undefined>;
  /** Requests the last `issue` made, so that after a throw the caller knows whether any were. */
  issued = 0;

  constructor(private readonly t: RwTransaction) {
    // Requested at once, so it arrives while the first call's own reads run (bench: ~30% of an Encrypt when
    // it was read on demand).
    this.first = t.objectStore('meta').get(AUDIT_HEAD) as Promise<ChainPoint | undefined>;
    this.first.catch(ignore);
  }

  async ready(): Promise<void> {
    if (this.known) return;
    this.head = (await this.first) ?? (await lastPoint(this.t));
    this.known = true;
  }

  /**
   * Issues one call's staged writes, all at once and in order, without awaiting (one round trip for the
   * whole call): a failed request aborts the transaction, and every call of it then fails. Audit records
   * first: adding one is the only request that can still throw here (a value IndexedDB cannot clone), and
   * then nothing of the call was issued. Call `ready()` before when `s` holds audit records.
   */
  issue(s: Staged): void {
    this.issued = 0;
    const meta = this.t.objectStore('meta');
    let head = this.head;
    for (const entry of s.audits) {
      const chained = chainEntry(head, entry as AuditEntry);
      this.t.objectStore('audit').add(chained).catch(ignore);
      this.issued++;
      head = { seq: chained.seq, hash: chained.hash };
      this.head = head;
    }
    if (s.audits.length > 0) meta.put(head, AUDIT_HEAD).catch(ignore);
    for (const { at, requestId } of s.marks) {
      // The mark of a signed request commits with its record (StagingTx checked a possible replay).
      meta.put(at, signedKey(at, requestId)).catch(ignore);
      meta.delete(IDBKeyRange.bound(SIGNED_PREFIX, signedKey(at - SIGNED_KEEP_MS), false, true)).catch(ignore);
    }
    for (const w of s.writes) {
      const os = this.t.objectStore(w.store);
      const req =
        w.kind === 'put'
          ? w.store === 'meta'
            ? os.put(w.value, w.key as string)
            : os.put(w.value)
          : os.delete(w.kind === 'delete' ? (w.key as IDBValidKey) : w.range);
      req.catch(ignore);
      this.issued++;
    }
  }
}

async function lastPoint(t: RwTransaction): Promise<ChainPoint | undefined> {
  const c = (await t.objectStore('audit').openCursor(null, 'prev')) as { value: AuditEntry } | null;
  return c ? { seq: c.value.seq!, hash: c.value.hash ?? '' } : undefined;
}

interface Member {
  fn: (tx: Tx) => Promise<unknown>;
  durable: boolean;
  /** WriteOptions.appendOnly: runs beside the other such calls next to it in the group. */
  appendOnly: boolean;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  /** Moved to the next group once already (see `runGroup`). */
  moved?: boolean;
}

export interface GroupHost {
  /** A new read-write transaction over every store (throws when the database cannot give one). */
  begin(durable: boolean): RwTransaction;
  /** The reads of a transaction, as a Tx. */
  reads(t: RwTransaction): Tx;
  /** The error a call fails with, given its own error and the transaction's. */
  failure(e: unknown, t?: RwTransaction): unknown;
  /** The error a signed request fails with when an earlier transaction or call already recorded it. */
  replayError(requestId: string): Error;
}

const inactive = (e: unknown) => (e as { name?: unknown } | null)?.name === 'TransactionInactiveError';

/** The write queue of one store instance. */
export class GroupCommit {
  private waiting: Member[] = [];
  private busy = false;

  constructor(private readonly host: GroupHost) {}

  write<R>(fn: (tx: Tx) => Promise<R>, opts: { durable?: boolean; appendOnly?: boolean } = {}): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({
        fn,
        durable: opts.durable === true,
        appendOnly: opts.appendOnly === true,
        resolve: resolve as (v: unknown) => void,
        reject,
      });
      if (this.busy) return;
      this.busy = true;
      // Not a timer: calls made in the same turn (a burst) join; a lone call starts at once.
      queueMicrotask(() => this.next());
    });
  }

  private next(): void {
    const group = this.waiting.splice(0);
    if (group.length === 0) {
      this.busy = false;
      return;
    }
    void this.runGroup(group).then(() => this.next());
  }

  /**
   * Runs the calls of a group in arrival order. A run of append-only calls next to each other runs side by side:
   * they write nothing another call reads (their audit records are chained when issued, in arrival order), so
   * running them at once is the same as running them one after the other. Any other call runs alone, after
   * everything before it was issued, so it sees it.
   */
  private async runGroup(group: Member[]): Promise<void> {
    let t: RwTransaction;
    try {
      t = this.host.begin(group.some((m) => m.durable));
    } catch (e) {
      for (const m of group) m.reject(this.host.failure(e));
      return;
    }
    // Settles when the transaction commits (undefined) or aborts (its error).
    const done = t.done.then(
      () => undefined,
      (e: unknown) => t.error ?? e ?? new DOMException('The transaction was aborted.', 'AbortError'),
    );
    const reads = this.host.reads(t);
    const chain = new ChainHead(t);
    const replayed = async (s: { at: number }, id: string) => (await reads.getMeta(signedKey(s.at, id))) !== undefined;
    /** Signed requests recorded in this group (calls that ran side by side cannot see each other's marks). */
    const marked = new Set<string>();
    const issued: [Member, unknown][] = [];
    const moved: Member[] = [];
    for (let i = 0; i < group.length;) {
      let j = i + 1;
      if (group[i]!.appendOnly) while (j < group.length && group[j]!.appendOnly) j++;
      const batch = group.slice(i, j);
      const runs = await Promise.all(
        batch.map(async (m) => {
          const staging = new StagingTx(reads, replayed, (id) => this.host.replayError(id), m.appendOnly);
          try {
            const value = await m.fn(staging);
            if (staging.staged.audits.length > 0) await chain.ready();
            return { m, staging, ok: true as const, value };
          } catch (error) {
            return { m, staging, ok: false as const, error };
          }
        }),
      );
      for (const r of runs) {
        const { m, staging } = r;
        if (!r.ok) {
          // Nothing of this call was issued: it fails alone. The transaction can only have gone inactive under it
          // (TransactionInactiveError) because a call awaited something that is not a request (ADR 0004 forbids
          // it); then a call that ran no request here moves to the next transaction, once.
          if (inactive(r.error) && group.length > 1 && !m.moved) moved.push(m);
          else m.reject(this.host.failure(r.error, t));
          continue;
        }
        const replay = staging.staged.marks.find((k) => k.replayCheck && marked.has(signedKey(k.at, k.requestId)));
        if (replay) {
          m.reject(this.host.failure(this.host.replayError(replay.requestId), t));
          continue;
        }
        try {
          chain.issue(staging.staged);
          for (const k of staging.staged.marks) marked.add(signedKey(k.at, k.requestId));
          issued.push([m, r.value]);
        } catch (e) {
          if (inactive(e) && group.length > 1 && !m.moved && chain.issued === 0) {
            moved.push(m);
            continue;
          }
          // A request refused synchronously. If part of this call was issued, no call of the group may commit.
          if (chain.issued > 0) {
            try {
              t.abort();
            } catch {
              // Already finished.
            }
          }
          m.reject(this.host.failure(e, t));
        }
      }
      i = j;
    }
    for (const m of moved) m.moved = true;
    this.waiting.unshift(...moved);
    const end = await done;
    for (const [m, value] of issued) {
      if (end === undefined) m.resolve(value);
      else m.reject(this.host.failure(end, t));
    }
  }
}
