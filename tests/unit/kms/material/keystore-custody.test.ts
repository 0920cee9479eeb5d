// A keystore moved to a secret (Kms.custody, ADR 0009): nothing stored is a usable key any more, every
// key made before still works, another instance opens locked, a wrong secret is named, locking drops
// everything, idle locking is recorded, and a stale device instance refuses to write under old roots.
import { describe, expect, it } from 'vitest';
import { rootCaller } from '../../../../src/kms/ids';
import { Kms } from '../../../../src/kms/kms';
import { LocalLocks, systemRandom } from '../../../../src/kms/ports';
import { IdbStore } from '../../../../src/store/idb-store';
import { freshKms, rejectsWith, utf8, type Fresh } from '../../helpers/kms';

const PASS = { passphrase: 'correct horse battery staple' };
const FAST = { iterations: 1000 };

/** Every value of every record of every object store of database `name`, read with plain IndexedDB. */
async function everything(name: string): Promise<unknown[]> {
  const db = await new Promise<IDBDatabase>((ok, fail) => {
    const r = indexedDB.open(name);
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
  const out: unknown[] = [];
  for (const storeName of [...db.objectStoreNames]) {
    const all = await new Promise<unknown[]>((ok) => {
      const r = db.transaction(storeName).objectStore(storeName).getAll();
      r.onsuccess = () => ok(r.result);
    });
    out.push(...all);
  }
  db.close();
  return out;
}

function* walk(v: unknown, seen = new Set<unknown>()): Generator<unknown> {
  if (v === null || typeof v !== 'object' || seen.has(v)) return;
  seen.add(v);
  yield v;
  if (v instanceof CryptoKey || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return;
  for (const x of Object.values(v as object)) yield* walk(x, seen);
}

const storedKeys = async (name: string) => [...walk(await everything(name))].filter((v) => v instanceof CryptoKey);

async function seed(f: Fresh) {
  const sym = await f.createKey();
  await f.call('RotateKeyOnDemand', { KeyId: sym.KeyId });
  const blob = (await f.call('Encrypt', { KeyId: sym.KeyId, Plaintext: utf8('before') })).CiphertextBlob;
  const rsa = await f.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
  const k1 = await f.createKey({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' });
  const hmac = await f.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
  const sig = (await f.call('Sign', { KeyId: rsa.KeyId, Message: utf8('m'), SigningAlgorithm: 'RSASSA_PSS_SHA_256' }))
    .Signature;
  await f.kms.iam.createAccessKey(
    rootCaller(f.kms.keystore, { userAgent: 't' }),
    `arn:aws:iam::${f.kms.keystore.accountId}:root`,
  );
  await f.kms.audit.publicKey();
  return { sym, blob, rsa, k1, hmac, sig };
}

describe('a keystore locked at rest', () => {
  it('stores no usable key after the secret is set, and every key made before still works', async () => {
    const f = await freshKms();
    const s = await seed(f);
    expect((await storedKeys(f.name)).length).toBeGreaterThan(5);
    const caller = rootCaller(f.kms.keystore, { userAgent: 't' });
    const r = await f.kms.custody.setUpRecovery(caller, PASS, FAST);
    expect(r).toMatchObject({ mode: 'secret', locked: false, materialsRewrapped: 5 });
    expect(r.accessKeysDeleted).toHaveLength(1);
    expect(await storedKeys(f.name)).toEqual([]);
    expect(
      new TextDecoder().decode((await f.call('Decrypt', { CiphertextBlob: s.blob })).Plaintext as Uint8Array),
    ).toBe('before');
    const v = await f.call('Verify', {
      KeyId: s.rsa.KeyId,
      Message: utf8('m'),
      Signature: s.sig,
      SigningAlgorithm: 'RSASSA_PSS_SHA_256',
    });
    expect(v.SignatureValid).toBe(true);
    await f.call('Sign', { KeyId: s.k1.KeyId, Message: utf8('m'), SigningAlgorithm: 'ECDSA_SHA_256' });
    await f.call('GenerateMac', { KeyId: s.hmac.KeyId, Message: utf8('m'), MacAlgorithm: 'HMAC_SHA_256' });
    // New material, a new access key and the audit signing key are stored sealed too.
    await f.call('RotateKeyOnDemand', { KeyId: s.sym.KeyId });
    await f.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const ak = await f.kms.iam.createAccessKey(caller, `arn:aws:iam::${f.kms.keystore.accountId}:root`);
    expect((await f.kms.iam.authenticate(ak.AccessKeyId, { userAgent: 't' }))?.secret.extractable).toBe(false);
    expect((await f.kms.audit.verifyChain()).intact).toBe(true);
    await f.kms.audit.publicKey();
    expect(await storedKeys(f.name)).toEqual([]);
    const events = (await f.audit()).map((e) => e.eventName);
    expect(events).toContain('EnableKeystoreSecret');
    expect(JSON.stringify(await f.audit())).not.toContain(PASS.passphrase);
  });

  it('another instance opens locked: every call is refused until the right secret unlocks it', async () => {
    const f = await freshKms();
    const s = await seed(f);
    const caller = rootCaller(f.kms.keystore, { userAgent: 't' });
    await f.kms.custody.setUpRecovery(caller, PASS, FAST);
    const b = await Kms.open({
      store: await IdbStore.open(f.name),
      clock: f.clock,
      random: systemRandom,
      locks: new LocalLocks(),
    });
    expect(b.custody.status()).toMatchObject({ mode: 'secret', locked: true });
    const call = (op: string, req: object) => b.call(op, req, caller);
    await rejectsWith(call('Decrypt', { CiphertextBlob: s.blob }), 'KMSInvalidStateException');
    await rejectsWith(call('DescribeKey', { KeyId: s.sym.KeyId }), 'KMSInvalidStateException');
    await rejectsWith(
      b.custody.unlock(caller, { passphrase: 'not the passphrase at all' }),
      'IncorrectSecretException',
    );
    await rejectsWith(b.custody.unlock(caller, { passphrase: 'short' }), 'ValidationException');
    await b.custody.unlock(caller, PASS);
    expect((await call('Decrypt', { CiphertextBlob: s.blob })) as { KeyId: string }).toMatchObject({
      KeyId: expect.stringContaining(s.sym.KeyId),
    });
    await b.custody.lock(caller);
    await rejectsWith(call('Decrypt', { CiphertextBlob: s.blob }), 'KMSInvalidStateException');
    const names = (await f.audit()).map((e) => `${e.eventName}${e.errorCode ? ':' + e.errorCode : ''}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'UnlockKeystore:IncorrectSecretException',
        'UnlockKeystore',
        'LockKeystore',
        'Decrypt:KMSInvalidStateException',
      ]),
    );
  });

  it('locks itself after the idle time it was given, and records it', async () => {
    const f = await freshKms();
    const caller = rootCaller(f.kms.keystore, { userAgent: 't' });
    await f.kms.custody.setUpRecovery(caller, PASS, FAST);
    await f.kms.custody.setAutoLock(caller, 5);
    await rejectsWith(f.kms.custody.setAutoLock(caller, 5000), 'ValidationException');
    f.clock.t += 4 * 60_000;
    await f.kms.maintain();
    expect(f.kms.custody.status().locked).toBe(false);
    f.clock.t += 5 * 60_000;
    await f.kms.maintain();
    expect(f.kms.custody.status().locked).toBe(true);
    const last = (await f.audit()).at(-1)!;
    expect(last.eventName).toBe('LockKeystore');
    expect(JSON.stringify(last.record)).toContain('IdleTimeout');
  });

  it('a device instance that missed the change refuses to write material under its old root keys', async () => {
    const f = await freshKms();
    const stale = await Kms.open({
      store: await IdbStore.open(f.name),
      clock: f.clock,
      random: systemRandom,
      locks: new LocalLocks(),
    });
    const caller = rootCaller(f.kms.keystore, { userAgent: 't' });
    await f.kms.custody.setUpRecovery(caller, PASS, FAST);
    await rejectsWith(stale.call('CreateKey', {}, caller), 'KMSInternalException');
    expect((await f.call('ListKeys', {})).Keys).toEqual([]);
  });

  it('changes the passphrase: the old one no longer unlocks, keys are untouched', async () => {
    const f = await freshKms();
    const s = await seed(f);
    const caller = rootCaller(f.kms.keystore, { userAgent: 't' });
    await f.kms.custody.setUpRecovery(caller, PASS, FAST);
    await rejectsWith(
      f.kms.custody.changeSecret(
        caller,
        { passphrase: 'wrong passphrase here' },
        { passphrase: 'next passphrase please' },
        FAST,
      ),
      'IncorrectSecretException',
    );
    await f.kms.custody.changeSecret(caller, PASS, { passphrase: 'next passphrase please' }, FAST);
    await rejectsWith(f.kms.custody.setUpRecovery(caller, PASS, FAST), 'ValidationException');
    const b = await Kms.open({
      store: await IdbStore.open(f.name),
      clock: f.clock,
      random: systemRandom,
      locks: new LocalLocks(),
    });
    await rejectsWith(b.custody.unlock(caller, PASS), 'IncorrectSecretException');
    await b.custody.unlock(caller, { passphrase: 'next passphrase please' });
    await b.call('Decrypt', { CiphertextBlob: s.blob }, caller);
  });

  it('reports each key as protected, software or exposed', async () => {
    const f = await freshKms();
    await seed(f);
    expect(new Set((await f.kms.custody.report()).map((r) => r.protection))).toEqual(new Set(['exposed']));
    await f.kms.custody.setUpRecovery(rootCaller(f.kms.keystore, { userAgent: 't' }), PASS, FAST);
    const report = await f.kms.custody.report();
    expect(report.find((r) => r.keySpec === 'ECC_SECG_P256K1')?.protection).toBe('software');
    expect(report.find((r) => r.keySpec === 'RSA_2048')?.protection).toBe('protected');
    expect(report.find((r) => r.keySpec === 'SYMMETRIC_DEFAULT')?.protection).toBe('protected');
  });
});
