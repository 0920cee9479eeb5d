// Retention of the audit trail (docs/AUDIT.md §5): keep everything, the last N days or the last N
// records. Only records already exported are trimmed unless the caller confirms; a trim deletes the
// oldest records, records the newest deleted record's hash as the trail's anchor, and appends its own
// audit record (DeleteAuditRecords) in the same transaction, so the chain verifies from the trim point.

import type { Caller } from '../ids';
import { AUDIT_ANCHOR, AUDIT_HEAD, TRIM_EVENT, type ChainPoint } from './chain';
import { DAY_MS, OpContext, type KmsEnv } from '../context';
import type { Store } from '../ports';

export { TRIM_EVENT };

export type RetentionPolicy = { mode: 'all' } | { mode: 'days'; days: number } | { mode: 'records'; records: number };

export const RETENTION_META = 'auditRetention';
/** The newest record a complete (unfiltered) export has covered. */
export const EXPORTED_META = 'auditExportedThrough';

export interface ExportMark {
  seq: number;
  at: number;
}

export interface TrimPlan {
  policy: RetentionPolicy;
  /** The policy would delete every record up to this one (0: nothing). */
  throughSeq: number;
  records: number;
  /** Of those, how many were never exported (deleted only with confirmation). */
  unexported: number;
  exportedThrough: number;
  /** The trail currently starts after this record (0: never trimmed). */
  anchorSeq: number;
}

export interface TrimResult {
  deleted: number;
  /** The trail now starts after this record. */
  anchor?: ChainPoint;
}

/** @throws TypeError naming the field for a policy that is not one of the three shapes. */
export function checkPolicy(p: unknown): RetentionPolicy {
  const o = p as Partial<{ mode: string; days: number; records: number }> | null;
  if (o?.mode === 'all') return { mode: 'all' };
  if (o?.mode === 'days' && Number.isInteger(o.days) && o.days! >= 1 && o.days! <= 36_500)
    return { mode: 'days', days: o.days! };
  if (o?.mode === 'records' && Number.isInteger(o.records) && o.records! >= 1 && o.records! <= 1e9)
    return { mode: 'records', records: o.records! };
  throw new TypeError(
    '"policy" expected {mode:"all"}, {mode:"days", days: 1..36500} or {mode:"records", records: 1..10^9}',
  );
}

export async function getPolicy(store: Store): Promise<RetentionPolicy> {
  return (await store.read((tx) => tx.getMeta<RetentionPolicy>(RETENTION_META))) ?? { mode: 'all' };
}

export async function setPolicy(store: Store, p: RetentionPolicy): Promise<void> {
  const policy = checkPolicy(p);
  await store.write((tx) => tx.putMeta(RETENTION_META, policy));
}

/** Records that a complete export covered the trail through `seq` (never moves backwards). */
export async function markExported(store: Store, seq: number, at: number): Promise<void> {
  await store.write(async (tx) => {
    const cur = await tx.getMeta<ExportMark>(EXPORTED_META);
    if (!cur || cur.seq < seq) await tx.putMeta(EXPORTED_META, { seq, at } satisfies ExportMark);
  });
}

/** What the policy (the stored one unless given) would delete now. */
export async function planTrim(env: KmsEnv, policy?: RetentionPolicy): Promise<TrimPlan> {
  const p = policy ?? (await getPolicy(env.store));
  return env.store.read(async (tx) => {
    const head = await tx.getMeta<ChainPoint>(AUDIT_HEAD);
    const anchor = (await tx.getMeta<ChainPoint>(AUDIT_ANCHOR))?.seq ?? 0;
    const exportedThrough = (await tx.getMeta<ExportMark>(EXPORTED_META))?.seq ?? 0;
    let through = 0;
    if (head && p.mode === 'records') through = head.seq - p.records;
    // By age: through the newest record older than the cut-off.
    if (head && p.mode === 'days') through = (await tx.lastAuditBefore(env.clock.now() - p.days * DAY_MS))?.seq ?? 0;
    through = Math.max(through, anchor);
    return {
      policy: p,
      throughSeq: through,
      records: through - anchor,
      unexported: Math.max(0, through - Math.max(anchor, exportedThrough)),
      exportedThrough,
      anchorSeq: anchor,
    };
  });
}

/**
 * Applies the retention policy: deletes the oldest records it allows, only exported ones unless
 * `confirmUnexported`, and appends a DeleteAuditRecords record naming the new anchor, all in one
 * transaction (the plan is re-read inside it, so concurrent trims cannot overlap).
 */
export async function trimTrail(
  env: KmsEnv,
  caller: Caller | 'service',
  opts: { confirmUnexported?: boolean; policy?: RetentionPolicy } = {},
): Promise<TrimResult> {
  const plan = await planTrim(env, opts.policy);
  const target = opts.confirmUnexported ? plan.throughSeq : Math.min(plan.throughSeq, plan.exportedThrough);
  if (plan.policy.mode === 'all' || target <= plan.anchorSeq) return { deleted: 0 };
  const c = new OpContext(env, caller, TRIM_EVENT, {});
  return env.store.write(async (tx) => {
    const before = (await tx.getMeta<ChainPoint>(AUDIT_ANCHOR))?.seq ?? 0;
    if (target <= before) return { deleted: 0 };
    const last = await tx.getAudit(target);
    if (!last?.hash) return { deleted: 0 };
    const anchor: ChainPoint = { seq: target, hash: last.hash };
    await tx.deleteAuditThrough(target);
    await tx.putMeta(AUDIT_ANCHOR, anchor);
    const entry = c.entry({});
    // Described by its own fields (the request is the console's, the effect is the store's).
    entry.readOnly = false;
    entry.record.readOnly = false;
    entry.record.requestParameters = {
      retention: { ...plan.policy },
      throughSequenceNumber: anchor.seq,
      throughEventTime: new Date(last.eventTime).toISOString(),
      anchorHash: anchor.hash,
      recordsDeleted: target - before,
      includedUnexported: Boolean(opts.confirmUnexported) && target > plan.exportedThrough,
    };
    await tx.appendAudit(entry);
    return { deleted: target - before, anchor };
  });
}
