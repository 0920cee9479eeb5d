// The IndexedDB Store (src/store/idb-store.ts) over fake-indexeddb: schema, transactions that
// commit together or not at all, ordered reads, the audit log queries, and CryptoKeys at rest.
import { describe, expect, it } from 'vitest';
import type { AuditEntry, KeyRecord, SymmetricMaterialRecord } from '../../../src/kms/records';
import { databaseName, DB_VERSION, IdbStore } from '../../../src/store/idb-store';

let n = 0;
const open = () => IdbStore.open(`store-test-${n++}`);

const key = (keyId: string, extra: Partial<KeyRecord> = {}): KeyRecord => ({
  keyId,
  arn: `arn:aws:kms:us-east-1:111122223333:key/${keyId}`,
  createdAt: 0,
  description: '',
  keyUsage: 'ENCRYPT_DECRYPT',
  keySpec: 'SYMMETRIC_DEFAULT',
  origin: 'AWS_KMS',
  state: 'Enabled',
  tags: [],
  policy: '{}',
  rotationEnabled: false,
  currentVersion: 1,
  currentMaterialId: 'm',
  ...extra,
});

const aesKey = () => crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
const material = async (keyId: string, version: number): Promise<SymmetricMaterialRecord> => ({
  keyId,
  version,
  materialId: `${keyId}-${version}`,
  createdAt: version,
  key: await aesKey(),
  wrapped: new ArrayBuffer(40),
});

const entry = (eventTime: number, extra: Partial<AuditEntry> = {}): AuditEntry => ({
  eventTime,
  eventName: 'Encrypt',
  eventId: `e${eventTime}`,
  readOnly: true,
  username: 'root',
  keyIds: [],
  usedKeyIds: [],
  record: { requestID: `r${eventTime}` } as AuditEntry['record'],
  ...extra,
});

describe('IdbStore', () => {
  it('names one database per region, at schema version 4', () => {
    expect(databaseName('eu-west-1')).toBe('pocket-kms-eu-west-1');
    expect(DB_VERSION).toBe(4);
  });

  it('gives way to a newer schema opened elsewhere, then says to reload instead of failing obscurely', async () => {
    const name = `store-test-${n++}`;
    const old = await IdbStore.open(name);
    await old.write((tx) => tx.putKey(key('k1')));
    // A newer app version (another tab) opens the next schema version: not blocked by this connection.
    const upgraded = await new Promise<IDBDatabase>((ok, no) => {
      const r = indexedDB.open(name, DB_VERSION + 1);
      r.onsuccess = () => ok(r.result);
      r.onerror = () => no(r.error);
      r.onblocked = () => no(new Error('blocked by the old connection'));
    });
    upgraded.close();
    const e = (await old
      .read((tx) => tx.getKey('k1'))
      .then(
        () => undefined,
        (x: unknown) => x,
      )) as Error;
    expect(e.name).toBe('KMSInternalException');
    expect(e.message).toMatch(/newer version of Pocket KMS.*Reload this page/);
  });

  it('stores and reads meta, keys, aliases; lists keys and aliases in key order', async () => {
    const s = await open();
    await s.write(async (tx) => {
      await tx.putMeta('keystore', { region: 'r' });
      for (const id of ['c', 'a', 'b']) await tx.putKey(key(id));
      await tx.putAlias({ name: 'alias/z', keyId: 'a', createdAt: 0, updatedAt: 0 });
      await tx.putAlias({ name: 'alias/y', keyId: 'b', createdAt: 0, updatedAt: 0 });
      await tx.putAlias({ name: 'alias/x', keyId: 'a', createdAt: 0, updatedAt: 0 });
    });
    await s.read(async (tx) => {
      expect(await tx.getMeta('keystore')).toEqual({ region: 'r' });
      expect(await tx.getMeta('none')).toBeUndefined();
      expect((await tx.allKeys()).map((k) => k.keyId)).toEqual(['a', 'b', 'c']);
      expect((await tx.listAliases()).map((a) => a.name)).toEqual(['alias/x', 'alias/y', 'alias/z']);
      expect((await tx.listAliases('a')).map((a) => a.name)).toEqual(['alias/x', 'alias/z']);
      expect(await tx.listAliases('c')).toEqual([]);
    });
    await s.write(async (tx) => {
      await tx.deleteAlias('alias/x');
      await tx.deleteKey('c');
    });
    expect(await s.read((tx) => tx.getKey('c'))).toBeUndefined();
    expect((await s.read((tx) => tx.listAliases('a'))).map((a) => a.name)).toEqual(['alias/z']);
  });

  it('keeps the materials of one key apart from a key whose ID it prefixes', async () => {
    const s = await open();
    const ms = [await material('ab', 1), await material('a', 2), await material('a', 1), await material('a', 10)];
    await s.write(async (tx) => {
      for (const m of ms) await tx.putMaterial(m);
    });
    expect((await s.read((tx) => tx.listMaterials('a'))).map((m) => m.version)).toEqual([1, 2, 10]);
    expect((await s.read((tx) => tx.getMaterial('a', 2)))?.materialId).toBe('a-2');
    await s.write((tx) => tx.deleteMaterials('a'));
    expect(await s.read((tx) => tx.listMaterials('a'))).toEqual([]);
    expect((await s.read((tx) => tx.listMaterials('ab'))).map((m) => m.materialId)).toEqual(['ab-1']);
  });

  it('keeps a non-extractable CryptoKey usable across a round trip and a reopen', async () => {
    const name = `store-test-${n++}`;
    const s = await IdbStore.open(name);
    const m = await material('k', 1);
    const iv = new Uint8Array(12);
    const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, m.key!, new Uint8Array([1, 2, 3]));
    await s.write((tx) => tx.putMaterial(m));
    s.close();
    const again = await IdbStore.open(name);
    const back = (await again.read((tx) => tx.getMaterial('k', 1))) as SymmetricMaterialRecord;
    expect(back.key).toBeInstanceOf(CryptoKey);
    expect(back.key!.extractable).toBe(false);
    expect(back.wrapped).toBeInstanceOf(ArrayBuffer);
    expect(new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, back.key!, ct))).toEqual(
      new Uint8Array([1, 2, 3]),
    );
  });

  it('commits all writes of a transaction or none: an error rolls back and is rethrown as is', async () => {
    const s = await open();
    const boom = new Error('boom');
    await expect(
      s.write(async (tx) => {
        await tx.putKey(key('x'));
        await tx.appendAudit(entry(1));
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await s.read((tx) => tx.getKey('x'))).toBeUndefined();
    expect(await s.queryAudit({ limit: 10 })).toEqual([]);
  });

  it('fails a write whose record cannot be cloned, and keeps nothing of it', async () => {
    const s = await open();
    await expect(
      s.write(async (tx) => {
        await tx.putKey(key('ok'));
        await tx.putKey({ ...key('bad'), description: (() => 1) as unknown as string });
      }),
    ).rejects.toMatchObject({ name: 'DataCloneError' });
    expect(await s.read((tx) => tx.allKeys())).toEqual([]);
  });

  it('refuses writes in a read transaction', async () => {
    const s = await open();
    await expect(s.read((tx) => tx.putKey(key('x')))).rejects.toMatchObject({ name: 'ReadOnlyError' });
  });

  it('serialises concurrent read-modify-write transactions', async () => {
    const s = await open();
    await s.write((tx) => tx.putMeta('n', 0));
    await Promise.all(
      Array.from({ length: 10 }, () =>
        s.write(async (tx) => {
          const v = (await tx.getMeta<number>('n'))!;
          await tx.putMeta('n', v + 1);
        }),
      ),
    );
    expect(await s.read((tx) => tx.getMeta('n'))).toBe(10);
  });
});

describe('audit log', () => {
  const filled = async () => {
    const s = await open();
    await s.write(async (tx) => {
      for (let t = 1; t <= 10; t++) {
        await tx.appendAudit(
          entry(t, { keyIds: [t % 2 ? 'odd' : 'even'], usedKeyIds: t <= 6 ? [t % 2 ? 'odd' : 'even'] : [] }),
        );
      }
    });
    return s;
  };

  it('numbers entries and returns them newest first, up to the limit', async () => {
    const s = await filled();
    const all = await s.queryAudit({ limit: 100 });
    expect(all.map((e) => e.eventTime)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(all.map((e) => e.seq)).toEqual([...all.map((e) => e.seq)].sort((a, b) => b! - a!));
    expect((await s.queryAudit({ limit: 3 })).map((e) => e.eventTime)).toEqual([10, 9, 8]);
  });

  it('pages with beforeSeq and filters by time and predicate', async () => {
    const s = await filled();
    const first = await s.queryAudit({ limit: 4 });
    const next = await s.queryAudit({ limit: 4, beforeSeq: first.at(-1)!.seq });
    expect(next.map((e) => e.eventTime)).toEqual([6, 5, 4, 3]);
    expect((await s.queryAudit({ limit: 100, startTime: 3, endTime: 5 })).map((e) => e.eventTime)).toEqual([5, 4, 3]);
    expect((await s.queryAudit({ limit: 2, match: (e) => e.keyIds.includes('odd') })).map((e) => e.eventTime)).toEqual([
      9, 7,
    ]);
  });

  it('finds the newest successful use of a key', async () => {
    const s = await filled();
    expect((await s.lastUsage('odd'))?.eventTime).toBe(5);
    expect((await s.lastUsage('even'))?.eventTime).toBe(6);
    expect(await s.lastUsage('none')).toBeUndefined();
  });
});
