// The audit part of the worker API: Event history, LookupEvents, chain verification, exports the UI
// pulls chunk by chunk (so the worker holds at most one log file and one chunk), validation of an
// archive, and retention. It reaches the trail only through Kms.audit (src/kms/audit/index.ts).
import * as Comlink from 'comlink';
import type {
  ChainReport,
  ExportFormat,
  ExportOptions,
  LookupEventsRequest,
  RetentionPolicy,
  TrimPlan,
  TrimResult,
  ValidationReport,
} from '../../kms/audit';
import type { Kms } from '../../kms/kms';
import { inAccountTrail } from '../../kms/audit';
import type { CloudTrailRecord } from '../../kms/records';
import type { WorkerContext } from '../context';

export type { ChainReport, ExportFormat, LookupEventsRequest, RetentionPolicy, TrimPlan, TrimResult, ValidationReport };

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

/** The audit trail, as the Event history page uses it (docs/AUDIT.md). */
export interface AuditWorkerApi {
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
  /** The keystore's digest signing public key (the private key is non-extractable, and sealed at rest under a passphrase: ADR 0009). */
  auditPublicKey(): Promise<AuditPublicKey>;
  /** Validates an exported CloudTrail archive (.tar) against this keystore's key, or `publicKeyPem`. */
  validateAuditExport(archive: Blob, publicKeyPem?: string): Promise<ValidationReport>;
  /** The retention policy and what it would delete now (docs/AUDIT.md §5). */
  auditRetention(): Promise<TrimPlan>;
  /** @throws TypeError for a policy that is not {mode:'all'}, {mode:'days',days} or {mode:'records',records}. */
  setAuditRetention(policy: RetentionPolicy): Promise<TrimPlan>;
  /** Applies the policy now: exported records only, or also unexported ones when confirmed. The trim is audited. */
  trimAuditTrail(confirmUnexported: boolean): Promise<TrimResult>;
}

/** Chunks handed to the UI are about this big (fewer Comlink round trips, bounded memory). */
const CHUNK = 512 * 1024;
interface Session {
  gen: AsyncGenerator<Uint8Array>;
  /** For a complete (unfiltered) export: the newest record it is sure to include, marked exported at its end. */
  covers?: number;
  kms: Kms;
}
const sessions = new Map<string, Session>();

function options(r: AuditExportRequest): ExportOptions {
  const o: ExportOptions = { format: r.format };
  if (!['cloudtrail', 'jsonl', 'csv'].includes(r.format))
    throw new TypeError(`"format" expected cloudtrail, jsonl or csv, got ${String(r.format)}`);
  for (const k of ['startTime', 'endTime', 'recordsPerFile'] as const) {
    const v = r[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new TypeError(`"${k}" expected a non-negative number, got ${String(v)}`);
    o[k] = v;
  }
  if (o.recordsPerFile !== undefined && (o.recordsPerFile < 1 || !Number.isInteger(o.recordsPerFile)))
    throw new TypeError(`"recordsPerFile" expected a positive integer, got ${o.recordsPerFile}`);
  for (const k of ['keyId', 'principal', 'eventName'] as const) {
    const v = r[k];
    if (v === undefined || v === '') continue;
    if (typeof v !== 'string') throw new TypeError(`"${k}" expected a string, got ${typeof v}`);
    o[k] = v;
  }
  return o;
}

async function startExport(kms: Kms, r: AuditExportRequest): Promise<AuditExportStart> {
  const o = options(r);
  const { chunks: gen, name, type } = await kms.audit.export(o);
  const id = crypto.randomUUID();
  const unfiltered = ['startTime', 'endTime', 'keyId', 'principal', 'eventName'].every(
    (k) => o[k as keyof ExportOptions] === undefined,
  );
  const head = unfiltered ? await kms.audit.head() : undefined;
  sessions.set(id, { gen, kms, ...(head ? { covers: head.seq } : {}) });
  return { id, name, type };
}

/** The next chunk of an export, or null at its end (the session is then gone). */
async function nextChunk(id: string): Promise<Uint8Array | null> {
  const session = sessions.get(id);
  if (!session) throw new TypeError(`"id" expected a running export, got ${id}`);
  const { gen } = session;
  const parts: Uint8Array[] = [];
  let size = 0;
  while (size < CHUNK) {
    const r = await gen.next();
    if (r.done) break;
    parts.push(r.value);
    size += r.value.length;
  }
  if (parts.length === 0) {
    sessions.delete(id);
    if (session.covers !== undefined) await session.kms.audit.markExported(session.covers);
    return null;
  }
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function cancelExport(id: string): Promise<void> {
  const session = sessions.get(id);
  sessions.delete(id);
  await session?.gen.return(undefined);
}

async function* chunksOf(blob: Blob): AsyncGenerator<Uint8Array> {
  const reader = blob.stream().getReader();
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) return;
      yield r.value;
    }
  } finally {
    reader.releaseLock();
  }
}

export function auditApi(ctx: WorkerContext): AuditWorkerApi {
  // ctx.ready is read at each call: a restore can open the keystore again.
  const { acting } = ctx;
  return {
    async auditEvents(f) {
      const kms = await ctx.ready;
      // In another account of the keystore the console shows that account's trail, as its LookupEvents does.
      const account = acting.current(kms).accountId;
      const other = account !== kms.keystore.accountId ? account : undefined;
      const entries = await kms.audit.query({
        limit: Math.min(f.limit ?? 100, 500),
        ...(f.beforeSeq !== undefined ? { beforeSeq: f.beforeSeq } : {}),
        // Served from the store's indexes (no scan of the whole trail for a rare event or key).
        ...(f.keyId ? { keyId: f.keyId } : f.eventName ? { eventName: f.eventName } : {}),
        match: (e) =>
          (!other || inAccountTrail(e, other)) &&
          (!f.eventName || e.eventName === f.eventName) &&
          (!f.keyId || e.keyIds.includes(f.keyId)) &&
          (!f.errorsOnly || e.errorCode !== undefined) &&
          !(f.hideReads && /^(Describe|Get|List)/.test(e.eventName)),
      });
      return entries.map((e): AuditRow => ({
        seq: e.seq!,
        eventTime: e.eventTime,
        eventName: e.eventName,
        ...(e.errorCode ? { errorCode: e.errorCode } : {}),
        keyIds: e.keyIds,
        username: e.username,
        record: e.record,
      }));
    },
    async lookupEvents(request) {
      const kms = await ctx.ready;
      const account = acting.current(kms).accountId;
      return kms.audit.lookupEvents(request, account !== kms.keystore.accountId ? account : undefined);
    },
    async verifyAuditTrail() {
      return (await ctx.ready).audit.verifyChain();
    },
    async exportAudit(request) {
      return startExport(await ctx.ready, request);
    },
    async exportNext(id) {
      const chunk = await nextChunk(id);
      return chunk ? Comlink.transfer(chunk, [chunk.buffer]) : null;
    },
    exportCancel: (id) => cancelExport(id),
    async auditPublicKey() {
      return (await ctx.ready).audit.publicKey();
    },
    async validateAuditExport(archive, publicKeyPem) {
      return (await ctx.ready).audit.validate(chunksOf(archive), publicKeyPem);
    },
    async auditRetention() {
      return (await ctx.ready).audit.planTrim();
    },
    async setAuditRetention(policy) {
      return (await ctx.ready).audit.setRetention(policy);
    },
    async trimAuditTrail(confirmUnexported) {
      const kms = await ctx.ready;
      return kms.audit.trim(acting.owner(kms), { confirmUnexported: confirmUnexported === true });
    },
  };
}
