// Worker side of audit export and validation: export sessions the UI pulls chunk by chunk (so the
// worker holds at most one log file and one chunk), the public key, and validation of an archive.
import type { ExportOptions, RetentionPolicy, TrimPlan, TrimResult, ValidationReport } from '../kms/audit';
import type { Caller } from '../kms/ids';
import type { Kms } from '../kms/kms';
import type { AuditExportRequest, AuditExportStart, AuditPublicKey } from './api';

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
  if (!['cloudtrail', 'jsonl', 'csv'].includes(r.format)) throw new TypeError(`"format" expected cloudtrail, jsonl or csv, got ${String(r.format)}`);
  for (const k of ['startTime', 'endTime', 'recordsPerFile'] as const) {
    const v = r[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new TypeError(`"${k}" expected a non-negative number, got ${String(v)}`);
    o[k] = v;
  }
  if (o.recordsPerFile !== undefined && (o.recordsPerFile < 1 || !Number.isInteger(o.recordsPerFile))) throw new TypeError(`"recordsPerFile" expected a positive integer, got ${o.recordsPerFile}`);
  for (const k of ['keyId', 'principal', 'eventName'] as const) {
    const v = r[k];
    if (v === undefined || v === '') continue;
    if (typeof v !== 'string') throw new TypeError(`"${k}" expected a string, got ${typeof v}`);
    o[k] = v;
  }
  return o;
}

export async function startExport(kms: Kms, r: AuditExportRequest): Promise<AuditExportStart> {
  const o = options(r);
  const { chunks: gen, name, type } = await kms.audit.export(o);
  const id = crypto.randomUUID();
  const unfiltered = ['startTime', 'endTime', 'keyId', 'principal', 'eventName'].every((k) => o[k as keyof ExportOptions] === undefined);
  const head = unfiltered ? await kms.audit.head() : undefined;
  sessions.set(id, { gen, kms, ...(head ? { covers: head.seq } : {}) });
  return { id, name, type };
}

/** The next chunk of an export, or null at its end (the session is then gone). */
export async function nextChunk(id: string): Promise<Uint8Array | null> {
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

export async function cancelExport(id: string): Promise<void> {
  const session = sessions.get(id);
  sessions.delete(id);
  await session?.gen.return(undefined);
}

export async function publicKey(kms: Kms): Promise<AuditPublicKey> {
  return kms.audit.publicKey();
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

/** Validates an exported archive against this keystore's public key, or against `publicKeyPem`. */
export async function validateArchive(kms: Kms, archive: Blob, publicKeyPem?: string): Promise<ValidationReport> {
  return kms.audit.validate(chunksOf(archive), publicKeyPem);
}

export function retentionPlan(kms: Kms): Promise<TrimPlan> {
  return kms.audit.planTrim();
}

export async function setRetention(kms: Kms, policy: RetentionPolicy): Promise<TrimPlan> {
  return kms.audit.setRetention(policy);
}

export async function applyRetention(kms: Kms, caller: Caller | 'service', confirmUnexported: boolean): Promise<TrimResult> {
  return kms.audit.trim(caller, { confirmUnexported });
}
