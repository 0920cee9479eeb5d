// The tamper-evident trail (src/kms/audit/chain.ts, appended by src/store/idb-store.ts): an intact
// chain verifies; an edited, deleted, swapped or truncated record is found at the right place; a v1
// database is chained by the upgrade.
import { describe, expect, it } from 'vitest';
import { canonicalJson, chainEntry, GENESIS_HASH, hashEntry, verifyChain } from '../../../../src/kms/audit/chain';
import type { AuditEntry } from '../../../../src/kms/records';
import { IdbStore } from '../../../../src/store/idb-store';
import { freshKms, type Fresh } from '../../helpers/kms';

/** Raw IndexedDB access, as someone editing the browser profile would have. */
function rawDb(name: string): Promise<IDBDatabase> {
  return new Promise((res, rej) => {
    const r = indexedDB.open(name);
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
}

async function tamper(name: string, fn: (audit: IDBObjectStore, meta: IDBObjectStore) => void): Promise<void> {
  const db = await rawDb(name);
  await new Promise<void>((res, rej) => {
    const t = db.transaction(['audit', 'meta'], 'readwrite');
    fn(t.objectStore('audit'), t.objectStore('meta'));
    t.oncomplete = () => res();
    t.onerror = () => rej(t.error);
  });
  db.close();
}

const get = (s: IDBObjectStore, seq: number, then: (e: AuditEntry) => void) => {
  const r = s.get(seq);
  r.onsuccess = () => then(r.result as AuditEntry);
};

/** A keystore with 10 audit records (CreateKey, then Encrypt calls). */
async function tenRecords(): Promise<Fresh> {
  const f = await freshKms();
  const k = await f.createKey();
  for (let i = 0; i < 9; i++) await f.call('Encrypt', { KeyId: k.KeyId, Plaintext: new Uint8Array([i]) });
  expect((await f.audit()).length).toBe(10);
  return f;
}

describe('audit chain', () => {
  it('canonical JSON sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 'x', c: undefined }, null], e: { z: true, y: 'é' } })).toBe(
      '{"a":[{"d":"x"},null],"b":1,"e":{"y":"é","z":true}}',
    );
    expect(canonicalJson(Object.defineProperty({}, '__proto__', { value: 1, enumerable: true }))).toBe(
      '{"__proto__":1}',
    );
  });

  it('links each record to the previous one and covers every field but its own hash', () => {
    const e = {
      eventTime: 1,
      eventName: 'Encrypt',
      eventId: 'e',
      readOnly: true,
      username: 'root',
      keyIds: [],
      usedKeyIds: [],
      record: {} as AuditEntry['record'],
    };
    const first = chainEntry(undefined, e);
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    const second = chainEntry(first, { ...e, eventId: 'f' });
    expect(second).toMatchObject({ seq: 2, prevHash: first.hash });
    expect(hashEntry(second)).toBe(second.hash);
    expect(hashEntry({ ...second, keyIds: ['x'] })).not.toBe(second.hash);
    expect(hashEntry({ ...second, seq: 3 })).not.toBe(second.hash);
  });

  it('every call appends a chained record; the whole trail verifies intact', async () => {
    const f = await tenRecords();
    const all = await f.audit();
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (let i = 1; i < all.length; i++) expect(all[i]!.prevHash).toBe(all[i - 1]!.hash);
    const r = await verifyChain(f.store, { pageSize: 3 });
    expect(r).toEqual({ intact: true, checked: 10, firstSeq: 1, lastSeq: 10, findings: [] });
  });

  it('an empty trail is intact', async () => {
    const s = await IdbStore.open(`chain-empty-${Date.now()}`);
    expect(await verifyChain(s)).toEqual({ intact: true, checked: 0, findings: [] });
  });

  it('finds an edited record at its place', async () => {
    const f = await tenRecords();
    await tamper(f.name, (a) => get(a, 4, (e) => a.put({ ...e, eventName: 'Decrypt' })));
    const r = await verifyChain(f.store);
    expect(r.intact).toBe(false);
    expect(r.findings).toEqual([expect.objectContaining({ seq: 4, kind: 'modified' })]);
  });

  it('finds an edited record whose hash was recomputed at the next record', async () => {
    const f = await tenRecords();
    await tamper(f.name, (a) =>
      get(a, 4, (e) => {
        const edited = { ...e, username: 'someone-else' };
        a.put({ ...edited, hash: hashEntry(edited) });
      }),
    );
    const r = await verifyChain(f.store);
    expect(r.findings).toEqual([expect.objectContaining({ seq: 5, kind: 'unlinked' })]);
  });

  it('finds a deleted record', async () => {
    const f = await tenRecords();
    await tamper(f.name, (a) => a.delete(6));
    const r = await verifyChain(f.store);
    expect(r.checked).toBe(9);
    expect(r.findings).toEqual([expect.objectContaining({ seq: 6, kind: 'missing', message: 'Record 6 is missing.' })]);
  });

  it('finds two swapped records at the first of them', async () => {
    const f = await tenRecords();
    await tamper(f.name, (a) =>
      get(a, 3, (three) =>
        get(a, 7, (seven) => {
          a.put({ ...seven, seq: 3 });
          a.put({ ...three, seq: 7 });
        }),
      ),
    );
    const r = await verifyChain(f.store);
    expect(r.findings[0]).toMatchObject({ seq: 3, kind: 'modified' });
    expect(r.findings.map((x) => x.seq)).toContain(7);
  });

  it('finds swapped records even when their hashes were recomputed', async () => {
    const f = await tenRecords();
    await tamper(f.name, (a) =>
      get(a, 3, (three) =>
        get(a, 7, (seven) => {
          const s = { ...seven, seq: 3 };
          const t = { ...three, seq: 7 };
          a.put({ ...s, hash: hashEntry(s) });
          a.put({ ...t, hash: hashEntry(t) });
        }),
      ),
    );
    const r = await verifyChain(f.store);
    expect(r.findings[0]).toMatchObject({ seq: 3, kind: 'unlinked' });
  });

  it('finds the newest records deleted (the trail is shorter than its head)', async () => {
    const f = await tenRecords();
    await tamper(f.name, (a) => {
      a.delete(9);
      a.delete(10);
    });
    const r = await verifyChain(f.store);
    expect(r.findings).toEqual([expect.objectContaining({ seq: 9, kind: 'missing' })]);
  });

  it('finds the oldest record deleted', async () => {
    const f = await tenRecords();
    await tamper(f.name, (a) => a.delete(1));
    const r = await verifyChain(f.store);
    expect(r.findings).toEqual([expect.objectContaining({ seq: 1, kind: 'missing' })]);
  });

  it('keeps chaining across instances writing to one database', async () => {
    const f = await freshKms();
    const other = await IdbStore.open(f.name);
    const k = await f.createKey();
    const { Kms } = await import('../../../../src/kms/kms');
    const { LocalLocks, systemRandom } = await import('../../../../src/kms/ports');
    const { rootCaller } = await import('../../../../src/kms/ids');
    const b = await Kms.open({ store: other, clock: f.clock, random: systemRandom, locks: new LocalLocks() });
    const caller = rootCaller(b.keystore, { userAgent: 'b' });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        i % 2 ? f.call('DescribeKey', { KeyId: k.KeyId }) : b.call('DescribeKey', { KeyId: k.KeyId }, caller),
      ),
    );
    expect(await verifyChain(f.store)).toMatchObject({ intact: true, checked: 11 });
  });

  it('the v2 upgrade chains the records of a v1 database', async () => {
    const name = `chain-v1-${Date.now()}`;
    const db = await new Promise<IDBDatabase>((res, rej) => {
      const r = indexedDB.open(name, 1);
      r.onupgradeneeded = () => {
        const d = r.result;
        d.createObjectStore('meta');
        d.createObjectStore('keys', { keyPath: 'keyId' });
        d.createObjectStore('materials', { keyPath: ['keyId', 'version'] });
        d.createObjectStore('aliases', { keyPath: 'name' }).createIndex('byKey', 'keyId');
        const a = d.createObjectStore('audit', { keyPath: 'seq', autoIncrement: true });
        a.createIndex('byTime', 'eventTime');
        a.createIndex('byKey', 'keyIds', { multiEntry: true });
        a.createIndex('byUse', 'usedKeyIds', { multiEntry: true });
        for (let i = 0; i < 5; i++)
          a.add({
            eventTime: i,
            eventName: 'ListKeys',
            eventId: `e${i}`,
            readOnly: true,
            username: 'root',
            keyIds: [],
            usedKeyIds: [],
            record: { eventID: `e${i}` },
          });
      };
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    db.close();
    const s = await IdbStore.open(name);
    expect(await verifyChain(s)).toMatchObject({ intact: true, checked: 5, lastSeq: 5 });
    await s.write((tx) =>
      tx.appendAudit({
        eventTime: 9,
        eventName: 'ListKeys',
        eventId: 'e9',
        readOnly: true,
        username: 'root',
        keyIds: [],
        usedKeyIds: [],
        record: {} as AuditEntry['record'],
      }),
    );
    expect(await verifyChain(s)).toMatchObject({ intact: true, checked: 6, lastSeq: 6 });
  });
});
