// Passkey key stores with the keystore's custody (ADR 0016 with ADR 0009): recovery through the keystore's
// secret only when chosen at creation; a backup restored into a fresh keystore brings the store back still
// locked to its passkey; moving a device keystore to a secret leaves store material alone; locking disconnects.
import { describe, expect, it } from 'vitest';
import { rootCaller } from '../../../../src/kms/ids';
import { Kms } from '../../../../src/kms/kms';
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

async function withStore(opts: { recovery?: boolean; secretFirst?: boolean } = {}) {
  const f = await freshKms();
  const caller = rootCaller(f.kms.keystore, via);
  if (opts.secretFirst) await f.kms.custody.setUpRecovery(caller, PASS, { iterations: 100_000 });
  const passkey = authenticator();
  const { CustomKeyStoreId: id } = await f.call(
    'CreateCustomKeyStore',
    { CustomKeyStoreName: 's' },
    { keyStore: { passkey: await passkey(), ...(opts.recovery ? { recovery: true } : {}) } },
  );
  await f.call('ConnectCustomKeyStore', { CustomKeyStoreId: id }, { keyStore: { passkey: await passkey() } });
  const key = await f.createKey({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: id });
  const { CiphertextBlob: blob } = await f.call('Encrypt', { KeyId: key.KeyId, Plaintext: utf8('kept') });
  return { f, caller, id, passkey, key, blob };
}

describe('passkey key stores and the keystore custody', () => {
  it('recovery through the keystore secret exists only when chosen, and only in a keystore with a secret', async () => {
    const device = await freshKms();
    await rejectsWith(
      device.call(
        'CreateCustomKeyStore',
        { CustomKeyStoreName: 'r' },
        { keyStore: { passkey: await authenticator()(), recovery: true } },
      ),
      'ValidationException',
    );
    const plain = await withStore({ secretFirst: true });
    await plain.f.call('DisconnectCustomKeyStore', { CustomKeyStoreId: plain.id });
    await rejectsWith(
      plain.f.call('ConnectCustomKeyStore', { CustomKeyStoreId: plain.id }, { keyStore: { recovery: true } }),
      'CustomKeyStoreInvalidStateException',
    );
    const r = await withStore({ secretFirst: true, recovery: true });
    await r.f.call('DisconnectCustomKeyStore', { CustomKeyStoreId: r.id });
    await r.f.call('ConnectCustomKeyStore', { CustomKeyStoreId: r.id }, { keyStore: { recovery: true } });
    expect(text((await r.f.call('Decrypt', { CiphertextBlob: r.blob })).Plaintext)).toBe('kept');
  });

  it('locking the keystore disconnects its stores', async () => {
    const s = await withStore({ secretFirst: true });
    await s.f.kms.custody.lock(s.caller);
    await s.f.kms.custody.unlock(s.caller, PASS);
    await rejectsWith(s.f.call('Decrypt', { CiphertextBlob: s.blob }), 'KMSInvalidStateException');
  });

  it('moving a device keystore to a secret leaves store material under its store key', async () => {
    const s = await withStore();
    // Even in a device keystore, whose own keys are exposed, the store's key is reported protected.
    const report = await s.f.kms.custody.report();
    expect(report.find((r) => r.keyId === s.key.KeyId)).toMatchObject({ protection: 'protected' });
    await s.f.kms.custody.setUpRecovery(s.caller, PASS, { iterations: 100_000 });
    await s.f.call('ConnectCustomKeyStore', { CustomKeyStoreId: s.id }, { keyStore: { passkey: await s.passkey() } });
    expect(text((await s.f.call('Decrypt', { CiphertextBlob: s.blob })).Plaintext)).toBe('kept');
  });

  it('a restored backup brings the store back still locked to its passkey', async () => {
    const s = await withStore({ secretFirst: true });
    const file = await s.f.kms.custody.backup(s.caller);
    const name = `test-cks-restore-${Date.now()}-${n++}`;
    const target = await Kms.open({
      store: await IdbStore.open(name),
      clock: new TestClock(),
      random: systemRandom,
      locks: new LocalLocks(),
    });
    await target.custody.restore(rootCaller(target.keystore, via), file, { secret: PASS, mode: 'empty' });
    const restored = await Kms.open({
      store: await IdbStore.open(name),
      clock: new TestClock(),
      random: systemRandom,
      locks: new LocalLocks(),
    });
    const caller = rootCaller(restored.keystore, via);
    await restored.custody.unlock(caller, PASS);
    const call = (op: string, req: object, keyStore?: object) =>
      restored.call(op, req, caller, keyStore ? { keyStore } : {}) as Promise<Record<string, any>>;
    // The keystore's secret opens the keystore, not the store: its keys stay locked.
    await rejectsWith(call('Decrypt', { CiphertextBlob: s.blob }), 'KMSInvalidStateException');
    await rejectsWith(
      call('ConnectCustomKeyStore', { CustomKeyStoreId: s.id }, { recovery: true }),
      'CustomKeyStoreInvalidStateException',
    );
    expect((await call('DescribeCustomKeyStores', {})).CustomKeyStores[0].ConnectionState).toBe('DISCONNECTED');
    await call('ConnectCustomKeyStore', { CustomKeyStoreId: s.id }, { passkey: await authenticator()() });
    expect((await call('DescribeCustomKeyStores', { CustomKeyStoreId: s.id })).CustomKeyStores[0]).toMatchObject({
      ConnectionState: 'FAILED',
    });
    await call('DisconnectCustomKeyStore', { CustomKeyStoreId: s.id });
    await call('ConnectCustomKeyStore', { CustomKeyStoreId: s.id }, { passkey: await s.passkey() });
    expect(text((await call('Decrypt', { CiphertextBlob: s.blob })).Plaintext)).toBe('kept');
  });
});
