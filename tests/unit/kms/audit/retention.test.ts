// Retention (src/kms/audit/retention.ts): trims only exported records unless confirmed, records the
// trim as an audit event, and the chain still verifies from the trim point; a forged anchor is found.
import { describe, expect, it } from 'vitest';
import { rootCaller } from '../../../../src/kms/ids';
import { AUDIT_ANCHOR, verifyChain } from '../../../../src/kms/audit/chain';
import { checkPolicy, getPolicy, markExported, setPolicy, TRIM_EVENT } from '../../../../src/kms/audit/retention';
import { freshKms, type Fresh } from '../../helpers/kms';

async function trail(n: number, dayStep = 0): Promise<Fresh> {
  const f = await freshKms();
  for (let i = 0; i < n; i++) {
    await f.call('ListKeys', {});
    f.clock.advanceDays(dayStep);
  }
  return f;
}

const caller = (f: Fresh) => rootCaller(f.kms.keystore, { userAgent: 'vitest' });

describe('audit retention', () => {
  it('keeps everything by default, and validates policies', async () => {
    const f = await trail(3);
    expect(await getPolicy(f.store)).toEqual({ mode: 'all' });
    expect(await f.kms.audit.trim(caller(f), { confirmUnexported: true })).toEqual({ deleted: 0 });
    for (const bad of [
      null,
      {},
      { mode: 'days', days: 0 },
      { mode: 'records', records: 1.5 },
      { mode: 'days', days: '3' },
      { mode: 'forever' },
    ]) {
      expect(() => checkPolicy(bad)).toThrow(TypeError);
    }
    await setPolicy(f.store, { mode: 'records', records: 2 });
    expect(await getPolicy(f.store)).toEqual({ mode: 'records', records: 2 });
  });

  it('trims only exported records unless confirmed', async () => {
    const f = await trail(20);
    await setPolicy(f.store, { mode: 'records', records: 5 });
    expect(await f.kms.audit.planTrim()).toMatchObject({
      throughSeq: 15,
      records: 15,
      unexported: 15,
      exportedThrough: 0,
    });
    expect(await f.kms.audit.trim(caller(f))).toEqual({ deleted: 0 });
    await markExported(f.store, 10, f.clock.now());
    await markExported(f.store, 4, f.clock.now()); // never moves backwards
    expect(await f.kms.audit.planTrim()).toMatchObject({ unexported: 5, exportedThrough: 10 });
    const r = await f.kms.audit.trim(caller(f));
    expect(r).toMatchObject({ deleted: 10, anchor: { seq: 10 } });
    const all = await f.audit();
    expect(all[0]!.seq).toBe(11);
    const trim = all.at(-1)!;
    expect(trim.eventName).toBe(TRIM_EVENT);
    expect(trim.readOnly).toBe(false);
    expect(trim.record.requestParameters).toMatchObject({
      throughSequenceNumber: 10,
      recordsDeleted: 10,
      includedUnexported: false,
      retention: { mode: 'records', records: 5 },
    });
    expect(await verifyChain(f.store)).toMatchObject({ intact: true, firstSeq: 11, anchor: { seq: 10 } });
  });

  it('deletes unexported records after confirmation, and the chain verifies from the trim point', async () => {
    const f = await trail(20);
    await setPolicy(f.store, { mode: 'records', records: 5 });
    expect(await f.kms.audit.trim(caller(f), { confirmUnexported: true })).toMatchObject({ deleted: 15 });
    expect((await f.audit()).at(-1)!.record.requestParameters).toMatchObject({ includedUnexported: true });
    await f.call('ListKeys', {});
    expect(await verifyChain(f.store)).toMatchObject({ intact: true, firstSeq: 16, lastSeq: 22 });
    // A second trim moves the anchor on; still intact.
    await setPolicy(f.store, { mode: 'records', records: 2 });
    expect(await f.kms.audit.trim('service', { confirmUnexported: true })).toMatchObject({ deleted: 5 });
    expect(await verifyChain(f.store)).toMatchObject({ intact: true, firstSeq: 21 });
  });

  it('trims by age: records older than N days', async () => {
    const f = await trail(10, 1); // one record a day
    await setPolicy(f.store, { mode: 'days', days: 3 });
    const plan = await f.kms.audit.planTrim();
    expect(plan.throughSeq).toBe(7);
    expect(await f.kms.audit.trim(caller(f), { confirmUnexported: true })).toMatchObject({ deleted: 7 });
    expect((await f.audit()).map((e) => e.seq)).toEqual([8, 9, 10, 11]);
  });

  it('finds older records removed behind a forged anchor', async () => {
    const f = await trail(12);
    await setPolicy(f.store, { mode: 'records', records: 8 });
    await f.kms.audit.trim(caller(f), { confirmUnexported: true });
    // Someone deletes two more records and moves the anchor to hide it.
    const victim = await f.store.read((tx) => tx.getAudit(6));
    await f.store.write(async (tx) => {
      await tx.deleteAuditThrough(6);
      await tx.putMeta(AUDIT_ANCHOR, { seq: 6, hash: victim!.hash });
    });
    const r = await verifyChain(f.store);
    expect(r.intact).toBe(false);
    expect(r.findings).toEqual([expect.objectContaining({ seq: 6, kind: 'missing' })]);
  });
});
