// Exports the audit trail, oldest first, read in pages so memory stays bounded by one log file:
// CloudTrail log files ({"Records":[…]}, gzipped, one per UTC hour or per N records) with signed
// digest files in one tar (docs/AUDIT.md), or one JSON Lines or CSV file.

import { toHex, toPem } from '../../format/bytes';
import { cloudTrailTime } from './record';
import {
  EXPORT_BUCKET,
  gzip,
  sha256Hex,
  signDigest,
  SIGNATURE_ALGORITHM,
  type DigestFile,
  type LogFileListing,
  type SigningKey,
} from './digest';
import { tarEnd, tarEntry } from './tar';
import type { Keystore } from '../ids';
import type { Store } from '../ports';
import type { AuditEntry } from '../records';

export type ExportFormat = 'cloudtrail' | 'jsonl' | 'csv';

export interface ExportFilter {
  /** Epoch ms, inclusive. */
  startTime?: number;
  endTime?: number;
  /** Events whose resources include this key ID. */
  keyId?: string;
  /** User name, principal ARN or access key ID. */
  principal?: string;
  eventName?: string;
}

export interface ExportOptions extends ExportFilter {
  format: ExportFormat;
  /** Most records in one log file (a file also ends at each UTC hour). Default 5000. */
  recordsPerFile?: number;
  /** Most log files one digest lists (a digest also ends at each UTC day). Default 100. */
  filesPerDigest?: number;
  /** Records read per storage request. Default 1000. */
  pageSize?: number;
}

export function matchesFilter(f: ExportFilter): (e: AuditEntry) => boolean {
  return (e) =>
    (f.startTime === undefined || e.eventTime >= f.startTime) &&
    (f.endTime === undefined || e.eventTime <= f.endTime) &&
    (!f.keyId || e.keyIds.includes(f.keyId)) &&
    (!f.eventName || e.eventName === f.eventName) &&
    (!f.principal ||
      e.username === f.principal ||
      e.accessKeyId === f.principal ||
      e.record.userIdentity['arn'] === f.principal);
}

/** Matching records oldest first, one page at a time. */
export async function* scanTrail(store: Store, f: ExportFilter, pageSize = 1000): AsyncGenerator<AuditEntry[]> {
  let after = 0;
  const match = matchesFilter(f);
  for (;;) {
    const page = await store.queryAudit({ ascending: true, afterSeq: after, limit: pageSize });
    const hits = page.filter(match);
    if (hits.length) yield hits;
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.seq!;
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const hourOf = (ms: number) => Math.floor(ms / 3_600_000);
const dayOf = (ms: number) => Math.floor(ms / 86_400_000);

function datePath(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
}

function stamp(ms: number, seconds: boolean): string {
  const iso = new Date(ms).toISOString();
  return (
    iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 13) + iso.slice(14, 16) + (seconds ? iso.slice(17, 19) : '') + 'Z'
  );
}

/** CloudTrail's log file key: AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz;
 * the unique part is the first record's sequence number. */
export function logFilePath(ks: Keystore, firstEventMs: number, firstSeq: number): string {
  return `AWSLogs/${ks.accountId}/CloudTrail/${ks.region}/${datePath(firstEventMs)}/${ks.accountId}_CloudTrail_${ks.region}_${stamp(firstEventMs, false)}_${pad(firstSeq, 12)}.json.gz`;
}

export function digestPath(ks: Keystore, endMs: number, n: number): string {
  return `AWSLogs/${ks.accountId}/CloudTrail-Digest/${ks.region}/${datePath(endMs)}/${ks.accountId}_CloudTrail-Digest_${ks.region}_pocket-kms_${ks.region}_${stamp(endMs, true)}_${pad(n, 6)}.json.gz`;
}

export const PUBLIC_KEY_FILE = 'public-key.pem';

/** Groups matching records into log files: a file ends at an hour boundary or at `recordsPerFile`. */
async function* logFiles(store: Store, o: ExportOptions): AsyncGenerator<AuditEntry[]> {
  const max = o.recordsPerFile ?? 5000;
  let cur: AuditEntry[] = [];
  for await (const page of scanTrail(store, o, o.pageSize)) {
    for (const e of page) {
      if (cur.length && (cur.length >= max || hourOf(e.eventTime) !== hourOf(cur[0]!.eventTime))) {
        yield cur;
        cur = [];
      }
      cur.push(e);
    }
  }
  if (cur.length) yield cur;
}

/** The CloudTrail export as a stream of tar pieces: each log file, after every group of log files its
 * digest and the digest's DER signature (`<digest>.sig`), and the public key (`public-key.pem`). */
export async function* exportCloudTrailTar(
  store: Store,
  ks: Keystore,
  key: SigningKey,
  o: ExportOptions,
): AsyncGenerator<Uint8Array> {
  const perDigest = o.filesPerDigest ?? 100;
  const enc = new TextEncoder();
  let listing: LogFileListing[] = [];
  let firstMs = 0;
  let lastMs = 0;
  let prev: { path: string; hash: string; sig: string } | undefined;
  let n = 0;
  async function* flush(): AsyncGenerator<Uint8Array> {
    n++;
    const path = digestPath(ks, lastMs, n);
    const d: DigestFile = {
      awsAccountId: ks.accountId,
      digestStartTime: cloudTrailTime(firstMs),
      digestEndTime: cloudTrailTime(lastMs),
      digestS3Bucket: EXPORT_BUCKET,
      digestS3Object: path,
      digestPublicKeyFingerprint: key.fingerprint,
      digestSignatureAlgorithm: SIGNATURE_ALGORITHM,
      newestEventTime: cloudTrailTime(lastMs),
      oldestEventTime: cloudTrailTime(firstMs),
      previousDigestS3Bucket: prev ? EXPORT_BUCKET : null,
      previousDigestS3Object: prev?.path ?? null,
      previousDigestHashValue: prev?.hash ?? null,
      previousDigestHashAlgorithm: prev ? 'SHA-256' : null,
      previousDigestSignature: prev?.sig ?? null,
      logFiles: listing,
    };
    const body = enc.encode(JSON.stringify(d));
    const hash = await sha256Hex(body);
    const sig = await signDigest(key.privateKey, d, hash);
    const mtime = lastMs / 1000;
    yield tarEntry(path, await gzip(body), mtime);
    yield tarEntry(`${path}.sig`, sig, mtime);
    prev = { path, hash, sig: toHex(sig) };
    listing = [];
  }
  for await (const recs of logFiles(store, o)) {
    const first = recs[0]!;
    const last = recs[recs.length - 1]!;
    if (listing.length && (listing.length >= perDigest || dayOf(first.eventTime) !== dayOf(firstMs))) yield* flush();
    if (!listing.length) firstMs = first.eventTime;
    lastMs = last.eventTime;
    const body = enc.encode(JSON.stringify({ Records: recs.map((e) => e.record) }));
    const path = logFilePath(ks, first.eventTime, first.seq!);
    listing.push({
      s3Bucket: EXPORT_BUCKET,
      s3Object: path,
      hashValue: await sha256Hex(body),
      hashAlgorithm: 'SHA-256',
      newestEventTime: cloudTrailTime(last.eventTime),
      oldestEventTime: cloudTrailTime(first.eventTime),
    });
    yield tarEntry(path, await gzip(body), last.eventTime / 1000);
  }
  if (listing.length) yield* flush();
  yield tarEntry(PUBLIC_KEY_FILE, enc.encode(toPem(key.spki)), key.createdAt / 1000);
  yield tarEnd();
}

/** One JSON object per line: the CloudTrail record. */
export async function* exportJsonLines(store: Store, o: ExportOptions): AsyncGenerator<Uint8Array> {
  const enc = new TextEncoder();
  for await (const page of scanTrail(store, o, o.pageSize))
    yield enc.encode(page.map((e) => JSON.stringify(e.record) + '\n').join(''));
}

export const CSV_COLUMNS = [
  'eventTime',
  'eventName',
  'eventID',
  'requestID',
  'userName',
  'principalArn',
  'accessKeyId',
  'sourceIPAddress',
  'userAgent',
  'readOnly',
  'resources',
  'errorCode',
  'errorMessage',
  'sequenceNumber',
  'recordHash',
] as const;

/** RFC 4180 field; a leading = + - @ tab or CR gets a ' so spreadsheets show it as text, not a formula. */
export function csvField(v: unknown): string {
  let s = v === undefined || v === null ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvRow(e: AuditEntry): string {
  const r = e.record;
  return (
    [
      r.eventTime,
      r.eventName,
      r.eventID,
      r.requestID,
      e.username,
      r.userIdentity['arn'],
      e.accessKeyId,
      r.sourceIPAddress,
      r.userAgent,
      r.readOnly,
      (r.resources ?? []).map((x) => x.ARN).join(' '),
      r.errorCode,
      r.errorMessage,
      e.seq,
      e.hash,
    ]
      .map(csvField)
      .join(',') + '\r\n'
  );
}

export async function* exportCsv(store: Store, o: ExportOptions): AsyncGenerator<Uint8Array> {
  const enc = new TextEncoder();
  yield enc.encode(CSV_COLUMNS.join(',') + '\r\n');
  for await (const page of scanTrail(store, o, o.pageSize)) yield enc.encode(page.map(csvRow).join(''));
}

/** The export's file name and type for a download. */
export function exportFileName(ks: Keystore, format: ExportFormat, now: number): { name: string; type: string } {
  const base = `pocket-kms-audit-${ks.accountId}-${ks.region}-${stamp(now, true)}`;
  if (format === 'cloudtrail') return { name: `${base}.tar`, type: 'application/x-tar' };
  if (format === 'jsonl') return { name: `${base}.jsonl`, type: 'application/x-ndjson' };
  return { name: `${base}.csv`, type: 'text/csv' };
}
