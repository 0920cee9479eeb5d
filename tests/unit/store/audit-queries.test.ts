// Audit queries served from indexes (src/store/idb-store.ts queryAudit): by event name and by key,
// newest first, paged with beforeSeq, give exactly what a full scan with the same filter gives; and an
// append whose record cannot be stored fails the whole transaction.
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src/kms/records';
import { IdbStore } from '../../../src/store/idb-store';

let n = 0;
const NAMES = ['Encrypt', 'Decrypt', 'ListKeys', 'CreateKey'];

async function seeded(count: number): Promise<IdbStore> {
  const s = await IdbStore.open(`audit-queries-${n++}`);
  await s.write(async (tx) => {
    for (let i = 1; i <= count; i++) {
      await tx.appendAudit({
        eventTime: i,
        eventName: NAMES[(i * 7) % 4]!,
        eventId: `e${i}`,
        readOnly: true,
        username: 'root',
        keyIds: i % 3 === 0 ? ['k3'] : i % 5 === 0 ? ['k5', 'k3'] : [],
        usedKeyIds: [],
        record: { requestID: `r${i}` } as AuditEntry['record'],
      });
    }
  });
  return s;
}

async function pages(
  s: IdbStore,
  q: { eventName?: string; keyId?: string; match?: (e: AuditEntry) => boolean },
  limit: number,
): Promise<number[]> {
  const seqs: number[] = [];
  let beforeSeq: number | undefined;
  for (;;) {
    const page = await s.queryAudit({ limit, ...q, ...(beforeSeq !== undefined ? { beforeSeq } : {}) });
    seqs.push(...page.map((e) => e.seq!));
    if (page.length < limit) return seqs;
    beforeSeq = page.at(-1)!.seq;
  }
}

describe('audit queries by index', () => {
  it('by event name and by key, paged, equal a filtered full scan', async () => {
    const s = await seeded(200);
    for (const eventName of NAMES) {
      const scan = await pages(s, { match: (e) => e.eventName === eventName }, 1000);
      expect(scan.length).toBeGreaterThan(0);
      for (const limit of [1, 7, 50]) expect(await pages(s, { eventName }, limit)).toEqual(scan);
    }
    for (const keyId of ['k3', 'k5', 'none']) {
      const scan = await pages(s, { match: (e) => e.keyIds.includes(keyId) }, 1000);
      for (const limit of [1, 9, 50]) expect(await pages(s, { keyId }, limit)).toEqual(scan);
    }
    // Both hints together: the key's index, the name checked on each record.
    const both = await pages(s, { keyId: 'k3', eventName: 'Encrypt' }, 4);
    expect(both).toEqual(await pages(s, { match: (e) => e.keyIds.includes('k3') && e.eventName === 'Encrypt' }, 1000));
    // Ascending scans honour the hints too.
    const asc = await s.queryAudit({ limit: 1000, ascending: true, eventName: 'CreateKey' });
    expect(asc.map((e) => e.seq)).toEqual([...(await pages(s, { eventName: 'CreateKey' }, 1000))].reverse());
  });

  it('a record that cannot be cloned fails the append and keeps nothing of the transaction', async () => {
    const s = await seeded(3);
    await expect(
      s.write(async (tx) => {
        await tx.appendAudit({
          eventTime: 9,
          eventName: 'X',
          eventId: 'x',
          readOnly: true,
          username: 'root',
          keyIds: [],
          usedKeyIds: [],
          record: { bad: () => 1 } as unknown as AuditEntry['record'],
        });
      }),
    ).rejects.toMatchObject({ name: 'DataCloneError' });
    expect((await s.queryAudit({ limit: 10 })).map((e) => e.seq)).toEqual([3, 2, 1]);
    // The chain head did not move: the next record is 4.
    await s.write((tx) =>
      tx.appendAudit({
        eventTime: 10,
        eventName: 'Y',
        eventId: 'y',
        readOnly: true,
        username: 'root',
        keyIds: [],
        usedKeyIds: [],
        record: {} as AuditEntry['record'],
      }),
    );
    expect((await s.queryAudit({ limit: 1 }))[0]!.seq).toBe(4);
  });
});
