// Bench only (never in the production build): the storage floor (one IndexedDB transaction on a scratch
// database), the cost of audit recording, and synthetic records for scale figures.
import { deleteDB, openDB } from 'idb';
import { buildRecord } from '../../src/kms/audit';
import { rootCaller } from '../../src/kms/ids';
import { keyArn } from '../../src/kms/ids';
import { Kms } from '../../src/kms/kms';
import { LocalLocks, systemClock, systemRandom, type Store } from '../../src/kms/ports';
import { databaseName, IdbStore } from '../../src/store/idb-store';

export async function measureIdb(iterations: number): Promise<{ read: number[]; write: number[] }> {
  const name = 'pocket-kms-bench-scratch';
  const db = await openDB(name, 1, { upgrade: (d) => void d.createObjectStore('s', { autoIncrement: true }) });
  const read: number[] = [];
  const write: number[] = [];
  // About the size of an audit record.
  const record = { eventName: 'Encrypt', payload: 'x'.repeat(900) };
  try {
    for (let i = 0; i < iterations; i++) {
      let t = performance.now();
      const w = db.transaction('s', 'readwrite', { durability: 'relaxed' });
      void w.store.add(record);
      await w.done;
      write.push(performance.now() - t);
      t = performance.now();
      await db.transaction('s').store.get(1);
      read.push(performance.now() - t);
    }
  } finally {
    db.close();
    await deleteDB(name);
  }
  return { read, write };
}

/** Diagnostics for `npm run bench`: milliseconds per Encrypt call through a full Kms over a scratch
 * database, with the audit record appended (hash-chained) as always, and with appendAudit made a no-op:
 * what recording costs. Each of `rounds` alternates the two, `iterations` calls each. */
export async function measureAuditCost(
  iterations: number,
  unauditedFirst = false,
): Promise<{ audited: number[]; unaudited: number[] }> {
  const name = 'pocket-kms-bench-audit';
  await deleteDB(name);
  const store = await IdbStore.open(name);
  // The same store, but its transactions drop audit records (never used outside this measurement).
  const silent: Store = {
    schemaVersion: store.schemaVersion,
    read: (fn) => store.read(fn),
    write: (fn, opts) => store.write((tx) => fn({ ...tx, appendAudit: async () => undefined }), opts),
    queryAudit: (q) => store.queryAudit(q),
    lastUsage: (k) => store.lastUsage(k),
    snapshot: () => store.snapshot(),
    replaceAll: (snapshot, check, then) => store.replaceAll(snapshot, check, then),
  };
  try {
    const open = (s: Store) =>
      Kms.open({ store: s, clock: systemClock, random: systemRandom, locks: new LocalLocks(), region: 'us-east-1' });
    const [audited, unaudited] = [await open(store), await open(silent)];
    const caller = rootCaller(audited.keystore, { userAgent: 'pocket-kms-bench' });
    const { KeyMetadata } = (await audited.call('CreateKey', {}, caller)) as { KeyMetadata: { KeyId: string } };
    const req = { KeyId: KeyMetadata.KeyId, Plaintext: new Uint8Array(100), EncryptionContext: { purpose: 'bench' } };
    const time = async (k: Kms) => {
      const out: number[] = [];
      for (let i = 0; i < iterations; i++) {
        const t = performance.now();
        await k.call('Encrypt', req, caller);
        out.push(performance.now() - t);
      }
      return out;
    };
    await time(audited);
    await time(unaudited);
    // Which half runs first alternates between rounds (bench/audit.js), so neither always meets a fresher machine.
    if (unauditedFirst) {
      const u = await time(unaudited);
      return { audited: await time(audited), unaudited: u };
    }
    return { audited: await time(audited), unaudited: await time(unaudited) };
  } finally {
    store.close();
    await deleteDB(name);
  }
}

/** Diagnostics for `npm run bench` and scale checks: appends `n` synthetic Encrypt records (user agent
 * "pocket-kms-bench (synthetic)", one a second ending now) to `kms`'s real trail, `batch` per
 * transaction, chained like any other. Returns milliseconds taken. Never called by the console. */
export async function seedAuditRecords(kms: Kms, n: number, batch = 5000): Promise<number> {
  const ks = kms.keystore;
  const caller = rootCaller(ks, { userAgent: 'pocket-kms-bench (synthetic)' });
  const keyIds = Array.from({ length: 16 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const start = Date.now() - n * 1000;
  // The keystore's own database, opened beside the core's connection (the trail is appended as any instance would).
  const store = await IdbStore.open(databaseName(ks.region));
  const t = performance.now();
  for (let done = 0; done < n;) {
    const count = Math.min(batch, n - done);
    await store.write(async (tx) => {
      for (let i = 0; i < count; i++) {
        const seq = done + i;
        const keyId = keyIds[seq % keyIds.length]!;
        const eventTime = start + seq * 1000;
        const id = `11111111-1111-4111-8111-${String(seq).padStart(12, '0')}`;
        const eventName = seq % 10 === 0 ? 'Decrypt' : 'Encrypt';
        await tx.appendAudit({
          eventTime,
          eventName,
          eventId: id,
          readOnly: true,
          username: 'root',
          keyIds: [keyId],
          usedKeyIds: [keyId],
          record: buildRecord({
            ks,
            eventName,
            eventTime,
            eventId: id,
            requestId: id,
            caller,
            readOnly: true,
            response: null,
            keyArns: [keyArn(ks, keyId)],
            request: {
              KeyId: keyId,
              EncryptionContext: { purpose: 'bench', n: String(seq) },
              EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
            },
          }),
        });
      }
    });
    done += count;
  }
  store.close();
  return performance.now() - t;
}
