// A 'merge' restore with passkey key stores (ADR 0016 "Backup and restore", src/kms/backup/store-merge.ts): a key
// of a store that is here already joins it, still locked to its passkeys; a store that is not here comes with its
// keys; a store ID here with another store key, or a store name taken here, keeps the backup's keys out.
import { describe, expect, it } from 'vitest';
import { rootCaller } from '../../../../src/kms/ids';
import { Kms } from '../../../../src/kms/kms';
import { putKeyStore, allKeyStores } from '../../../../src/kms/keystores';
import { LocalLocks, systemRandom } from '../../../../src/kms/ports';
import { IdbStore } from '../../../../src/store/idb-store';
import { storeKek } from '../../../../src/ui/keystores/store-kek';
import { freshKms, rejectsWith, TestClock, text, utf8 } from '../../helpers/kms';

const PASS = { passphrase: 'correct horse battery staple' };
const via = { userAgent: 't' };
let n = 0;

function authenticator() {
  const credentialId = crypto.getRandomValues(new Uint8Array(16));
  const prf = crypto.getRandomValues(new Uint8Array(32));
  return async () => ({ credentialId, kek: await storeKek(prf.slice()) });
}

/** A keystore with a passphrase and a store 's' (recovery as asked); `before` is a backup taken before its key. */
async function source(recovery = false) {
  const f = await freshKms();
  const caller = rootCaller(f.kms.keystore, via);
  await f.kms.custody.setUpRecovery(caller, PASS, { iterations: 100_000 });
  const passkey = authenticator();
  const { CustomKeyStoreId: id } = await f.call(
    'CreateCustomKeyStore',
    { CustomKeyStoreName: 's' },
    { keyStore: { passkey: await passkey(), ...(recovery ? { recovery: true } : {}) } },
  );
  const before = await f.kms.custody.backup(caller);
  await f.call('ConnectCustomKeyStore', { CustomKeyStoreId: id }, { keyStore: { passkey: await passkey() } });
  const key = await f.createKey({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: id });
  const { CiphertextBlob: blob } = await f.call('Encrypt', { KeyId: key.KeyId, Plaintext: utf8('kept') });
  const after = await f.kms.custody.backup(caller);
  return { id, passkey, keyId: key.KeyId as string, blob, before, after };
}

/** A keystore opened over a fresh database, restored 'empty' from `file` and unlocked. */
async function restoredFrom(file: Uint8Array) {
  const name = `test-cks-merge-${Date.now()}-${n++}`;
  const open = async () =>
    Kms.open({
      store: await IdbStore.open(name),
      clock: new TestClock(),
      random: systemRandom,
      locks: new LocalLocks(),
    });
  const empty = await open();
  await empty.custody.restore(rootCaller(empty.keystore, via), file, { secret: PASS, mode: 'empty' });
  const kms = await open();
  const caller = rootCaller(kms.keystore, via);
  await kms.custody.unlock(caller, PASS);
  return harness(kms);
}

function harness(kms: Kms) {
  const caller = rootCaller(kms.keystore, via);
  const call = (op: string, req: object, keyStore?: object) =>
    kms.call(op, req, caller, keyStore ? { keyStore } : {}) as Promise<Record<string, any>>;
  const merge = (file: Uint8Array) => kms.custody.restore(caller, file, { secret: PASS, mode: 'merge' });
  return { kms, call, merge };
}

describe("a 'merge' restore with passkey key stores", () => {
  it('a key of a store that is here already joins it, still locked to its passkeys', async () => {
    const s = await source();
    // The target has the store (an earlier backup of the same keystore) but not the key.
    const t = await restoredFrom(s.before);
    const r = await t.merge(s.after);
    expect(r.keysRestored).toBe(1);
    expect(r.skipped).toEqual([]);
    expect((await t.call('DescribeCustomKeyStores', {})).CustomKeyStores).toHaveLength(1);
    expect((await t.call('DescribeKey', { KeyId: s.keyId })).KeyMetadata).toMatchObject({
      CustomKeyStoreId: s.id,
      Origin: 'AWS_CLOUDHSM',
    });
    await rejectsWith(t.call('Decrypt', { CiphertextBlob: s.blob }), 'KMSInvalidStateException');
    await t.call('ConnectCustomKeyStore', { CustomKeyStoreId: s.id }, { passkey: await s.passkey() });
    expect(text((await t.call('Decrypt', { CiphertextBlob: s.blob })).Plaintext)).toBe('kept');
    // Merged again: the same key with the same material is already here.
    const again = await t.merge(s.after);
    expect(again.keysRestored).toBe(0);
    expect(again.skipped).toEqual([{ keyId: s.keyId, reason: 'already here' }]);
  });

  it('a store that is not here comes with its keys, locked to the same passkeys; recovery follows the new secret', async () => {
    const s = await source(true);
    const f = await freshKms();
    const caller = rootCaller(f.kms.keystore, via);
    await f.kms.custody.setUpRecovery(
      caller,
      { passphrase: 'another secret entirely, long enough' },
      { iterations: 100_000 },
    );
    const t = harness(f.kms);
    const r = await t.merge(s.after);
    expect(r.keysRestored).toBe(1);
    const [store] = (await t.call('DescribeCustomKeyStores', {})).CustomKeyStores;
    expect(store).toMatchObject({ CustomKeyStoreId: s.id, CustomKeyStoreName: 's', ConnectionState: 'DISCONNECTED' });
    await rejectsWith(t.call('Decrypt', { CiphertextBlob: s.blob }), 'KMSInvalidStateException');
    // Recovery was allowed: this keystore's own secret opens it now (re-wrapped under its domain key).
    await t.call('ConnectCustomKeyStore', { CustomKeyStoreId: s.id }, { recovery: true });
    expect(text((await t.call('Decrypt', { CiphertextBlob: s.blob })).Plaintext)).toBe('kept');
    await t.call('DisconnectCustomKeyStore', { CustomKeyStoreId: s.id });
    await t.call('ConnectCustomKeyStore', { CustomKeyStoreId: s.id }, { passkey: await s.passkey() });
    expect(text((await t.call('Decrypt', { CiphertextBlob: s.blob })).Plaintext)).toBe('kept');
  });

  it('into a device keystore the store comes without recovery: only its passkeys open it', async () => {
    const s = await source(true);
    const f = await freshKms();
    const t = harness(f.kms);
    expect((await t.merge(s.after)).keysRestored).toBe(1);
    expect((await f.kms.keyStorePasskeys())[0]).toMatchObject({ id: s.id, recovery: false });
    await rejectsWith(
      t.call('ConnectCustomKeyStore', { CustomKeyStoreId: s.id }, { recovery: true }),
      'CustomKeyStoreInvalidStateException',
    );
    await t.call('ConnectCustomKeyStore', { CustomKeyStoreId: s.id }, { passkey: await s.passkey() });
    expect(text((await t.call('Decrypt', { CiphertextBlob: s.blob })).Plaintext)).toBe('kept');
  });

  it('a store ID here with another store key, or a store name taken here, keeps the keys out', async () => {
    const s = await source();
    const t = await restoredFrom(s.before);
    // Tampered here: the record with the store's ID now holds another store key.
    const store = t.kms.peerEnv().store;
    await store.write(async (tx) => {
      const [rec] = await allKeyStores(tx);
      await putKeyStore(tx, {
        ...rec!,
        slots: rec!.slots.map((x) => ({ ...x, wrappedKey: x.wrappedKey.map((b) => b ^ 1) })),
      });
    });
    const r = await t.merge(s.after);
    expect(r.keysRestored).toBe(0);
    expect(r.skipped).toEqual([
      { keyId: s.keyId, reason: `in a passkey key store: a different key store with the ID ${s.id} exists here` },
    ]);
    await rejectsWith(t.call('DescribeKey', { KeyId: s.keyId }), 'NotFoundException');

    const f = await freshKms();
    await f.call(
      'CreateCustomKeyStore',
      { CustomKeyStoreName: 's' },
      { keyStore: { passkey: await authenticator()() } },
    );
    const named = await harness(f.kms).merge(s.after);
    expect(named.keysRestored).toBe(0);
    expect(named.skipped[0]!.reason).toContain("a key store named 's' exists here");
    expect((await f.call('DescribeCustomKeyStores', {})).CustomKeyStores).toHaveLength(1);
  });
});
