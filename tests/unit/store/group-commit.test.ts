// Group commit (src/store/group-commit.ts, docs/decisions/0013) over fake-indexeddb: concurrent calls share one
// read-write transaction, each with its own audit record in arrival order and the chain intact; a call that
// fails leaves nothing and fails alone; an aborted transaction fails every call of it; readers see whole groups.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KMSInternalException, DisabledException } from '../../../src/kms/errors';
import type { AuditEntry } from '../../../src/kms/records';
import { IdbStore } from '../../../src/store/idb-store';
import { freshKms, utf8 } from '../helpers/kms';

let full = false;
/** Read-write transactions opened since the test began (IDBDatabase.prototype.transaction, fake-indexeddb's). */
let readWrite = 0;

beforeAll(async () => {
  // As tests/unit/store/idb-store-quota.test.ts: every fake object store refuses a write while `full` is set.
  const db = await new Promise<IDBDatabase>((ok, no) => {
    const r = indexedDB.open('group-quota-probe', 1);
    r.onupgradeneeded = () => r.result.createObjectStore('x');
    r.onsuccess = () => ok(r.result);
    r.onerror = () => no(r.error);
  });
  const raw = (db.transaction('x').objectStore('x') as unknown as { _rawObjectStore: object })._rawObjectStore;
  const proto = Object.getPrototypeOf(raw) as { storeRecord: (...a: unknown[]) => unknown };
  const storeRecord = proto.storeRecord;
  proto.storeRecord = function (this: unknown, ...a: unknown[]) {
    if (full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    return storeRecord.apply(this, a);
  };
  db.close();
  const dbProto = IDBDatabase.prototype as unknown as { transaction: (...a: unknown[]) => unknown };
  const transaction = dbProto.transaction;
  dbProto.transaction = function (this: unknown, ...a: unknown[]) {
    if (a[1] === 'readwrite') readWrite++;
    return transaction.apply(this, a);
  };
});

afterEach(() => {
  full = false;
});

let n = 0;
const open = () => IdbStore.open(`group-commit-${n++}`);

/** A minimal audit entry named `label` (its eventName), as a call's record. */
const entry = (label: string): AuditEntry => ({
  eventTime: 1,
  eventName: label,
  eventId: label,
  readOnly: false,
  username: 'root',
  keyIds: [],
  usedKeyIds: [],
  record: { requestID: label } as AuditEntry['record'],
});

const names = async (s: IdbStore) => (await s.queryAudit({ limit: 1000, ascending: true })).map((e) => e.eventName);

describe('concurrent Encrypt calls', () => {
  it('share transactions and each gets its own record, the chain intact and every answer valid', async () => {
    const { call, createKey, kms, audit } = await freshKms();
    const key = await createKey();
    await call('Encrypt', { KeyId: key.KeyId, Plaintext: utf8('warm') });
    const before = (await audit()).length;
    readWrite = 0;
    const N = 32;
    const answers = await Promise.all(
      Array.from({ length: N }, (_, i) => call('Encrypt', { KeyId: key.KeyId, Plaintext: utf8(`p${i}`) })),
    );
    expect(readWrite).toBeLessThan(N / 2);
    const records = (await audit()).slice(before);
    expect(records).toHaveLength(N);
    expect(records.every((e) => e.eventName === 'Encrypt' && !e.errorCode)).toBe(true);
    expect(new Set(records.map((e) => e.record.requestID)).size).toBe(N);
    expect(await kms.audit.verifyChain()).toMatchObject({ intact: true, findings: [] });
    // The CloudTrail export of the trail validates (src/kms/audit/validate.ts): digests, signatures, log files.
    const { chunks } = await kms.audit.export({ format: 'cloudtrail' });
    const report = await kms.audit.validate(chunks);
    expect(report).toMatchObject({ valid: true, chain: 'intact' });
    for (const [i, a] of answers.entries()) {
      const back = await call('Decrypt', { CiphertextBlob: a.CiphertextBlob });
      expect(new TextDecoder().decode(back.Plaintext)).toBe(`p${i}`);
    }
  });

  it('one that fails inside the shared transaction (a disabled key) fails alone; the others commit', async () => {
    const { call, createKey, audit, kms } = await freshKms();
    const ok = await createKey();
    const off = await createKey();
    // Cached material: the disabled key is found disabled only inside the recording transaction.
    await call('Encrypt', { KeyId: off.KeyId, Plaintext: utf8('x') });
    await call('DisableKey', { KeyId: off.KeyId });
    const before = (await audit()).length;
    const results = await Promise.allSettled(
      Array.from({ length: 9 }, (_, i) =>
        call('Encrypt', { KeyId: i === 4 ? off.KeyId : ok.KeyId, Plaintext: utf8(`p${i}`) }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(8);
    expect((results[4] as PromiseRejectedResult).reason).toBeInstanceOf(DisabledException);
    const records = (await audit()).slice(before);
    expect(records).toHaveLength(9);
    expect(records.filter((e) => e.errorCode === 'DisabledException')).toHaveLength(1);
    expect(await kms.audit.verifyChain()).toMatchObject({ intact: true });
  });
});

describe("the store's shared transaction", () => {
  it('records calls in the order they arrived, with one transaction for those that arrived together', async () => {
    const s = await open();
    readWrite = 0;
    const labels = Array.from({ length: 20 }, (_, i) => `call-${i}`);
    await Promise.all(labels.map((l) => s.write((tx) => tx.appendAudit(entry(l)))));
    expect(await names(s)).toEqual(labels);
    expect(readWrite).toBe(1);
  });

  it('a lone write opens its transaction before the next task (no timer)', async () => {
    const s = await open();
    readWrite = 0;
    const p = s.write((tx) => tx.putMeta('x', 1));
    await Promise.resolve();
    await Promise.resolve();
    expect(readWrite).toBe(1);
    await p;
  });

  it('a call that throws after writing leaves none of its writes; the calls before and after it commit', async () => {
    const s = await open();
    const results = await Promise.allSettled([
      s.write(async (tx) => {
        await tx.putMeta('a', 1);
        await tx.appendAudit(entry('a'));
      }),
      s.write(async (tx) => {
        await tx.putMeta('b', 1);
        await tx.deleteMeta('a');
        await tx.appendAudit(entry('b'));
        // It reads what it wrote, then fails.
        expect(await tx.getMeta('b')).toBe(1);
        expect(await tx.getMeta('a')).toBeUndefined();
        throw new DisabledException('b fails');
      }),
      s.write(async (tx) => {
        // It sees the first call's write, not the failed one's.
        expect([await tx.getMeta('a'), await tx.getMeta('b')]).toEqual([1, undefined]);
        await tx.appendAudit(entry('c'));
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(DisabledException);
    expect(await names(s)).toEqual(['a', 'c']);
    expect(await s.read(async (tx) => [await tx.getMeta('a'), await tx.getMeta('b')])).toEqual([1, undefined]);
  });

  it('a call that puts what IndexedDB cannot store fails alone, inside its own function', async () => {
    const s = await open();
    const results = await Promise.allSettled([
      s.write((tx) => tx.appendAudit(entry('a'))),
      s.write((tx) => tx.putMeta('f', () => 1)),
      s.write((tx) => tx.appendAudit(entry('c'))),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ name: 'DataCloneError' });
    expect(await names(s)).toEqual(['a', 'c']);
  });

  it('a replay of a signed request fails alone, even in the group of its first sending', async () => {
    const s = await open();
    const signed = (label: string) => ({ ...entry(label), signedRequest: { at: 1000, replayCheck: true } });
    const results = await Promise.allSettled([
      s.write((tx) => tx.appendAudit({ ...signed('same'), eventName: 'first' })),
      s.write((tx) => tx.appendAudit(entry('other'))),
      s.write((tx) => tx.appendAudit({ ...signed('same'), eventName: 'again' })),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(KMSInternalException);
    expect(await names(s)).toEqual(['first', 'other']);
  });

  it('an aborted transaction (the storage quota) fails every call of it with the named error; nothing is kept', async () => {
    const s = await open();
    await s.write((tx) => tx.appendAudit(entry('before')));
    full = true;
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        s.write(async (tx) => {
          await tx.putMeta(`k${i}`, i);
          await tx.appendAudit(entry(`call-${i}`));
        }),
      ),
    );
    full = false;
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(KMSInternalException);
      expect(((r as PromiseRejectedResult).reason as Error).message).toMatch(/storage quota for this site is full/);
    }
    expect(await names(s)).toEqual(['before']);
    expect(await s.read((tx) => tx.getMeta('k0'))).toBeUndefined();
    // The chain continues from the last committed record.
    await s.write((tx) => tx.appendAudit(entry('after')));
    expect(await names(s)).toEqual(['before', 'after']);
  });

  it('a reader never sees part of a group: only whole groups, in order', async () => {
    const s = await open();
    const N = 24;
    // The first write runs alone; the N that arrive while it commits form the second group.
    const writes = [s.write((tx) => tx.appendAudit(entry('lone')))];
    for (let i = 0; i < N; i++) writes.push(s.write((tx) => tx.appendAudit(entry(`g${i}`))));
    const seen = new Set<number>();
    let finished = false;
    void Promise.all(writes).then(() => (finished = true));
    while (!finished) {
      seen.add((await s.queryAudit({ limit: 1000 })).length);
      await new Promise((r) => setTimeout(r, 0));
    }
    seen.add((await s.queryAudit({ limit: 1000 })).length);
    for (const count of seen) expect([0, 1, N + 1]).toContain(count);
    // The first read began before any write did.
    expect(seen.has(0)).toBe(true);
    expect(seen.has(N + 1)).toBe(true);
  });

  it('runs read-only (append-only) calls side by side, records them in arrival order, and orders other writes around them', async () => {
    const s = await open();
    let inFlight = 0;
    let most = 0;
    const readOnly = (label: string) =>
      s.write(
        async (tx) => {
          inFlight++;
          most = Math.max(most, inFlight);
          const seen = await tx.getMeta('x');
          await tx.getMeta('y');
          inFlight--;
          await tx.appendAudit(entry(label));
          return seen;
        },
        { appendOnly: true },
      );
    const first = s.write((tx) => tx.appendAudit(entry('first')));
    const calls = [
      readOnly('r1'),
      readOnly('r2'),
      s.write(async (tx) => {
        await tx.putMeta('x', 1);
        await tx.appendAudit(entry('w'));
      }),
      readOnly('r3'),
      readOnly('r4'),
    ];
    await first;
    expect(await Promise.all(calls)).toEqual([undefined, undefined, undefined, 1, 1]);
    expect(most).toBe(2);
    expect(await names(s)).toEqual(['first', 'r1', 'r2', 'w', 'r3', 'r4']);
  });

  it('refuses any other write of an append-only call, failing it alone', async () => {
    const s = await open();
    const results = await Promise.allSettled([
      s.write((tx) => tx.appendAudit(entry('a')), { appendOnly: true }),
      s.write(
        async (tx) => {
          await tx.appendAudit(entry('b'));
          await tx.putMeta('b', 1);
        },
        { appendOnly: true },
      ),
      s.write((tx) => tx.appendAudit(entry('c')), { appendOnly: true }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(KMSInternalException);
    expect(await names(s)).toEqual(['a', 'c']);
  });

  it('refuses the replay of a signed request that ran side by side with its first sending', async () => {
    const s = await open();
    const signed = (name: string) => ({
      ...entry('same'),
      eventName: name,
      signedRequest: { at: 5, replayCheck: true },
    });
    const results = await Promise.allSettled([
      s.write((tx) => tx.appendAudit(signed('first')), { appendOnly: true }),
      s.write((tx) => tx.appendAudit(signed('again')), { appendOnly: true }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(KMSInternalException);
    expect(await names(s)).toEqual(['first']);
  });
});
