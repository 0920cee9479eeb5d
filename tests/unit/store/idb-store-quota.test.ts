// A write the browser refuses for lack of storage (src/store/idb-store.ts storageError): the call is
// answered with KMSInternalException naming the full storage quota, and nothing of it is kept: no key,
// no material, no audit record. fake-indexeddb has no quota, so its record store is made to fail as
// Chromium's does when a transaction would exceed the site's quota (QuotaExceededError, transaction aborted).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KMSInternalException } from '../../../src/kms/errors';
import { IdbStore, storageError } from '../../../src/store/idb-store';
import { freshKms, rejectsWith } from '../helpers/kms';

let full = false;

beforeAll(async () => {
  // The record store behind every fake object store: a write fails while `full` is set.
  const db = await new Promise<IDBDatabase>((ok, no) => {
    const r = indexedDB.open('quota-probe', 1);
    r.onupgradeneeded = () => r.result.createObjectStore('x');
    r.onsuccess = () => ok(r.result);
    r.onerror = () => no(r.error);
  });
  const raw = (db.transaction('x').objectStore('x') as unknown as { _rawObjectStore: object })._rawObjectStore;
  const proto = Object.getPrototypeOf(raw) as { storeRecord: (...a: unknown[]) => unknown };
  const store = proto.storeRecord;
  proto.storeRecord = function (this: unknown, ...a: unknown[]) {
    if (full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    return store.apply(this, a);
  };
  db.close();
});

afterEach(() => {
  full = false;
});

const QUOTA_MESSAGE = /storage quota for this site is full, so nothing of this call was saved/;

describe('a write that exceeds the storage quota', () => {
  it('is named: KMSInternalException saying the storage quota is full; other errors pass unchanged', () => {
    const named = storageError(new DOMException('x', 'QuotaExceededError'));
    expect(named).toBeInstanceOf(KMSInternalException);
    expect((named as Error).message).toMatch(QUOTA_MESSAGE);
    const other = new DOMException('x', 'ConstraintError');
    expect(storageError(other)).toBe(other);
  });

  it('leaves nothing of the transaction in the store', async () => {
    const s = await IdbStore.open('quota-store');
    await s.write((tx) => tx.putMeta('before', 1));
    full = true;
    const e = await s
      .write(async (tx) => {
        await tx.putMeta('half', 1);
        await tx.putMeta('written', 2);
      })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KMSInternalException);
    expect((e as Error).message).toMatch(QUOTA_MESSAGE);
    full = false;
    expect(await s.read(async (tx) => [await tx.getMeta('before'), await tx.getMeta('half')])).toEqual([1, undefined]);
  });

  it('fails CreateKey, RotateKeyOnDemand, CreateGrant and Encrypt with the named error and changes nothing', async () => {
    const { call, createKey, audit, store } = await freshKms();
    const key = await createKey();
    const count = async () => ({
      keys: (await store.read((tx) => tx.allKeys())).length,
      materials: (await store.read((tx) => tx.listMaterials(key.KeyId))).length,
      grants: (await store.read((tx) => tx.listGrants({ keyId: key.KeyId }))).length,
      records: (await audit()).length,
    });
    const before = await count();
    full = true;
    const calls: [string, object][] = [
      ['CreateKey', {}],
      ['RotateKeyOnDemand', { KeyId: key.KeyId }],
      [
        'CreateGrant',
        { KeyId: key.KeyId, GranteePrincipal: 'arn:aws:iam::111122223333:root', Operations: ['Encrypt'] },
      ],
      ['Encrypt', { KeyId: key.KeyId, Plaintext: new Uint8Array([1]) }],
    ];
    for (const [op, req] of calls) {
      const e = await rejectsWith(call(op, req), 'KMSInternalException');
      expect(e.message, op).toMatch(QUOTA_MESSAGE);
    }
    full = false;
    expect(await count()).toEqual(before);
    // Once there is room again, the next call works and is recorded.
    await call('RotateKeyOnDemand', { KeyId: key.KeyId });
    expect((await count()).materials).toBe(before.materials + 1);
  });
});
