// 1,000,000 audit records export in bounded memory: the export reads pages and holds one log file at
// a time. A synthetic Store generates the records on demand (so the test measures the export, not
// fake-indexeddb), and the heap is sampled after forced collections while the archive streams out.
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { buildRecord } from '../../../../src/kms/audit/record';
import { rootCaller } from '../../../../src/kms/ids';
import { chainEntry } from '../../../../src/kms/audit/chain';
import { getSigningKey } from '../../../../src/kms/audit/digest';
import { exportCloudTrailTar, exportCsv } from '../../../../src/kms/audit/export';
import type { AuditQuery, Store, Tx } from '../../../../src/kms/ports';
import type { AuditEntry } from '../../../../src/kms/records';

const KS = { region: 'us-east-1', accountId: '111122223333' };
const T0 = Date.UTC(2026, 0, 1);
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** One real chained record; the synthetic trail varies its time, IDs and sequence number. */
const TEMPLATE = chainEntry(undefined, {
  eventTime: T0,
  eventName: 'Encrypt',
  eventId: 'x',
  readOnly: true,
  username: 'root',
  keyIds: ['1234abcd-12ab-34cd-56ef-1234567890ab'],
  usedKeyIds: [],
  record: buildRecord({
    ks: KS,
    eventName: 'Encrypt',
    eventTime: T0,
    eventId: 'x',
    requestId: 'x',
    caller: rootCaller(KS, { userAgent: 'scale-test' }),
    readOnly: true,
    request: {
      KeyId: KEY,
      EncryptionContext: { department: 'finance', record: '0' },
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    },
    response: null,
    keyArns: [KEY],
  }),
});

/** Record `seq` of a synthetic trail: an Encrypt every 3.6 s (1,000 an hour), each with its own IDs. */
function synthetic(seq: number): AuditEntry {
  const eventTime = T0 + seq * 3600;
  const id = `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`;
  const record = {
    ...TEMPLATE.record,
    eventTime: new Date(eventTime).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventID: id,
    requestID: id,
    requestParameters: {
      ...TEMPLATE.record.requestParameters,
      encryptionContext: { department: 'finance', record: String(seq) },
    },
  };
  return { ...TEMPLATE, seq, eventTime, eventId: id, record };
}

class SyntheticStore implements Store {
  meta = new Map<string, unknown>();
  readonly schemaVersion = 4;
  constructor(readonly n: number) {}
  private tx(): Tx {
    return {
      getMeta: async <T>(k: string) => this.meta.get(k) as T | undefined,
      putMeta: async (k: string, v: unknown) => void this.meta.set(k, v),
    } as unknown as Tx;
  }
  read<T>(fn: (tx: Tx) => Promise<T>) {
    return fn(this.tx());
  }
  write<T>(fn: (tx: Tx) => Promise<T>) {
    return fn(this.tx());
  }
  async queryAudit(q: AuditQuery): Promise<AuditEntry[]> {
    if (!q.ascending) throw new Error('only ascending scans here');
    const out: AuditEntry[] = [];
    for (let s = (q.afterSeq ?? 0) + 1; s <= this.n && out.length < q.limit; s++) out.push(synthetic(s));
    return out;
  }
  async lastUsage() {
    return undefined;
  }
  snapshot(): never {
    throw new Error('not in this test');
  }
  replaceAll(): never {
    throw new Error('not in this test');
  }
}

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

async function drain(
  gen: AsyncIterable<Uint8Array>,
  sampleEvery: number,
): Promise<{ bytes: number; maxGrowth: number; seconds: number }> {
  gc();
  const base = process.memoryUsage().heapUsed;
  let bytes = 0;
  let chunks = 0;
  let maxGrowth = 0;
  const t = performance.now();
  for await (const c of gen) {
    bytes += c.length;
    if (++chunks % sampleEvery === 0) {
      gc();
      maxGrowth = Math.max(maxGrowth, process.memoryUsage().heapUsed - base);
    }
  }
  return { bytes, maxGrowth, seconds: (performance.now() - t) / 1000 };
}

describe('audit export at scale', () => {
  it('exports 1,000,000 records as CloudTrail files in bounded memory', async () => {
    const store = new SyntheticStore(1_000_000);
    const key = await getSigningKey(store, T0);
    const r = await drain(exportCloudTrailTar(store, KS, key, { format: 'cloudtrail' }), 50);
    console.log(
      `1,000,000 records → ${(r.bytes / 1e6).toFixed(1)} MB tar (gzipped) in ${r.seconds.toFixed(1)} s; heap growth at most ${(r.maxGrowth / 1e6).toFixed(1)} MB`,
    );
    // ~1 GB of CloudTrail JSON goes through; what stays is one log file (1,000 records) and the digest listing.
    expect(r.bytes).toBeGreaterThan(5e6);
    expect(r.maxGrowth).toBeLessThan(40e6);
  }, 300_000);

  it('exports 1,000,000 records as CSV in bounded memory', async () => {
    const store = new SyntheticStore(1_000_000);
    const r = await drain(exportCsv(store, { format: 'csv' }), 100);
    console.log(
      `1,000,000 records → ${(r.bytes / 1e6).toFixed(1)} MB CSV in ${r.seconds.toFixed(1)} s; heap growth at most ${(r.maxGrowth / 1e6).toFixed(1)} MB`,
    );
    expect(r.bytes).toBeGreaterThan(300e6);
    expect(r.maxGrowth).toBeLessThan(40e6);
  }, 300_000);
});
