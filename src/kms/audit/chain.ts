// The tamper-evident audit trail (docs/AUDIT.md): each stored record carries the SHA-256 of the
// previous record and its own, over a canonical JSON encoding. Hashing is synchronous (@noble/hashes)
// because it runs inside the IndexedDB transaction that appends the record (docs/decisions/0004).

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Store } from '../ports';
import type { AuditEntry } from '../records';

/** The link of the first record of a trail that was never trimmed. */
export const GENESIS_HASH = '0'.repeat(64);
/** Domain separation: a record hash can never be confused with another SHA-256 of ours. */
const HASH_PREFIX = 'pocket-kms-audit-chain-v1\n';

/** Meta names: the newest record (head) and, after a trim, the record the trail now starts after. */
export const AUDIT_HEAD = 'auditHead';
export const AUDIT_ANCHOR = 'auditAnchor';
/** The event a retention trim records (kms/audit/retention.ts); it names the anchor it set. */
export const TRIM_EVENT = 'DeleteAuditRecords';

export interface ChainPoint {
  seq: number;
  hash: string;
}

/** JSON with object keys sorted (by UTF-16 code units) and no whitespace; undefined members are
 * left out as JSON.stringify does. Records are plain JSON (audit.ts toTrail), so this is total. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') {
    const s = JSON.stringify(v);
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  const parts: string[] = [];
  for (const k of Object.keys(v).sort()) {
    const x = (v as Record<string, unknown>)[k];
    if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
    parts.push(`${JSON.stringify(k)}:${canonicalJson(x)}`);
  }
  return `{${parts.join(',')}}`;
}

/** SHA-256 (hex) of a stored record: every field but `hash` itself, so seq, the link and the
 * indexed fields are covered as well as the CloudTrail record. */
export function hashEntry(e: AuditEntry): string {
  const { hash: _omit, ...rest } = e;
  return bytesToHex(sha256(utf8ToBytes(HASH_PREFIX + canonicalJson(rest))));
}

/** The record to store after `prev` (undefined for the first record ever). Does not change `entry`. */
export function chainEntry(
  prev: ChainPoint | undefined,
  entry: AuditEntry,
  seq = (prev?.seq ?? 0) + 1,
): AuditEntry & { seq: number; hash: string; prevHash: string } {
  const { hash: _h, prevHash: _p, seq: _s, ...body } = entry;
  const linked = { ...body, seq, prevHash: prev?.hash ?? GENESIS_HASH };
  return { ...linked, hash: hashEntry(linked) };
}

export type ChainFindingKind = 'modified' | 'missing' | 'unlinked' | 'unchained';

export interface ChainFinding {
  /** The first record concerned (for "missing", the first sequence number absent). */
  seq: number;
  kind: ChainFindingKind;
  message: string;
}

export interface ChainReport {
  intact: boolean;
  /** Records checked. */
  checked: number;
  firstSeq?: number;
  lastSeq?: number;
  /** Where the trail starts: after a trim, the record it was trimmed after. */
  anchor?: ChainPoint;
  /** In trail order; at most `maxFindings`. */
  findings: ChainFinding[];
}

/**
 * Walks the whole trail oldest first, in pages (bounded memory), and reports where it breaks:
 * a record whose hash does not match its content (modified), a gap in sequence numbers or a trail
 * shorter than its recorded head (missing), a record that does not link to the one before it
 * (unlinked: reordered, or replaced with a recomputed hash), or a record without hashes.
 */
export async function verifyChain(
  store: Store,
  opts: { pageSize?: number; maxFindings?: number } = {},
): Promise<ChainReport> {
  const pageSize = opts.pageSize ?? 2000;
  const maxFindings = opts.maxFindings ?? 20;
  const [head, anchor] = await store.read(
    async (tx) => [await tx.getMeta<ChainPoint>(AUDIT_HEAD), await tx.getMeta<ChainPoint>(AUDIT_ANCHOR)] as const,
  );
  const findings: ChainFinding[] = [];
  const add = (f: ChainFinding) => void (findings.length < maxFindings && findings.push(f));
  let prev: ChainPoint = anchor ?? { seq: 0, hash: GENESIS_HASH };
  let checked = 0;
  let firstSeq: number | undefined;
  let lastTrim: ChainPoint | undefined;
  for (;;) {
    const page = await store.queryAudit({ limit: pageSize, ascending: true, afterSeq: prev.seq });
    for (const e of page) {
      const seq = e.seq!;
      firstSeq ??= seq;
      checked++;
      let gap = false;
      if (seq !== prev.seq + 1) {
        gap = true;
        add({
          seq: prev.seq + 1,
          kind: 'missing',
          message:
            seq - prev.seq === 2
              ? `Record ${prev.seq + 1} is missing.`
              : `Records ${prev.seq + 1} to ${seq - 1} are missing.`,
        });
      }
      if (typeof e.hash !== 'string' || typeof e.prevHash !== 'string') {
        add({ seq, kind: 'unchained', message: `Record ${seq} carries no hashes.` });
      } else if (hashEntry(e) !== e.hash) {
        add({
          seq,
          kind: 'modified',
          message: `Record ${seq} was changed after it was written (its hash does not match its content).`,
        });
      } else if (!gap && e.prevHash !== prev.hash) {
        add({
          seq,
          kind: 'unlinked',
          message: `Record ${seq} does not follow record ${prev.seq} (the link to the previous record does not match).`,
        });
      }
      if (e.eventName === TRIM_EVENT && !e.errorCode) {
        const p = e.record.requestParameters ?? {};
        lastTrim = { seq: Number(p['throughSequenceNumber']), hash: String(p['anchorHash']) };
      }
      prev = { seq, hash: typeof e.hash === 'string' ? e.hash : '' };
    }
    if (page.length < pageSize) break;
  }
  // The anchor is only meta: it must be the one the newest trim recorded inside the chain.
  if (anchor && (!lastTrim || lastTrim.seq !== anchor.seq || lastTrim.hash !== anchor.hash)) {
    add({
      seq: anchor.seq,
      kind: 'missing',
      message: `The trail starts after record ${anchor.seq}, but no ${TRIM_EVENT} record in it says so: older records were removed.`,
    });
  }
  if (head && head.seq > prev.seq) {
    add({
      seq: prev.seq + 1,
      kind: 'missing',
      message:
        head.seq - prev.seq === 1
          ? `Record ${head.seq}, the newest, is missing.`
          : `Records ${prev.seq + 1} to ${head.seq}, the newest, are missing.`,
    });
  } else if (head && head.seq === prev.seq && head.hash !== prev.hash) {
    add({
      seq: head.seq,
      kind: 'modified',
      message: `Record ${head.seq}, the newest, is not the one that was written last.`,
    });
  }
  return {
    intact: findings.length === 0,
    checked,
    ...(firstSeq !== undefined ? { firstSeq, lastSeq: prev.seq } : {}),
    ...(anchor ? { anchor } : {}),
    findings,
  };
}
