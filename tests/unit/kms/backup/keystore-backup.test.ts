// Backup and restore of a whole keystore (Kms.custody.backup / restore, ADR 0009 "Backup and restore"):
// a backup restored into a fresh keystore opens with the passphrase and every old ciphertext, signature,
// alias, ARN, access key and the audit chain still hold; every failure is named and changes nothing but
// its own audit record; a merge adds what is missing and never replaces a key.
import { describe, expect, it } from 'vitest';
import { decodeBackup, decodeBackupHeader, encodeBackup } from '../../../../src/kms/backup';
import { rootCaller, type Caller } from '../../../../src/kms/ids';
import { Kms } from '../../../../src/kms/kms';
import { deriveKek } from '../../../../src/kms/material';
import { LocalLocks, systemRandom, type Store } from '../../../../src/kms/ports';
import { IdbStore } from '../../../../src/store/idb-store';
import { freshKms, rejectsWith, TestClock, text, utf8, type Fresh } from '../../helpers/kms';

const PASS = { passphrase: 'correct horse battery staple' };
// The backup header's floor (MIN_ITERATIONS): a backup uses its slot's own parameters, and the codec
// refuses to write a file weaker than 100,000 iterations, so 1,000 (the custody tests') cannot be backed up.
const KDF = { iterations: 100_000 };
const via = { userAgent: 't' };
let n = 0;

const reopen = async (name: string, clock = new TestClock()) =>
  Kms.open({ store: await IdbStore.open(name), clock, random: systemRandom, locks: new LocalLocks() });

async function source() {
  const f = await freshKms();
  const caller = rootCaller(f.kms.keystore, via);
  const sym = await f.createKey();
  await f.call('RotateKeyOnDemand', { KeyId: sym.KeyId });
  await f.call('RotateKeyOnDemand', { KeyId: sym.KeyId });
  const blob = (await f.call('Encrypt', { KeyId: sym.KeyId, Plaintext: utf8('before') })).CiphertextBlob;
  const rsa = await f.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
  const k1 = await f.createKey({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' });
  const hmac = await f.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
  const sign = { KeyId: rsa.KeyId, Message: utf8('m'), SigningAlgorithm: 'RSASSA_PSS_SHA_256' };
  const sig = (await f.call('Sign', sign)).Signature;
  const mac = (await f.call('GenerateMac', { KeyId: hmac.KeyId, Message: utf8('m'), MacAlgorithm: 'HMAC_SHA_256' }))
    .Mac;
  await f.call('CreateAlias', { AliasName: 'alias/sym', TargetKeyId: sym.KeyId });
  await f.call('CreateAlias', { AliasName: 'alias/rsa', TargetKeyId: rsa.KeyId });
  const user = await f.kms.iam.createPrincipal(caller, 'user', 'ana');
  await f.call('CreateGrant', { KeyId: sym.KeyId, GranteePrincipal: user.arn, Operations: ['Decrypt'] });
  await f.kms.custody.setUpRecovery(caller, PASS, KDF);
  // After the secret is set: setUpRecovery deletes access keys made before (ADR 0009); this one is sealed.
  const ak = await f.kms.iam.createAccessKey(caller, user.arn);
  const k1sig = (await f.call('Sign', { KeyId: k1.KeyId, Message: utf8('m'), SigningAlgorithm: 'ECDSA_SHA_256' }))
    .Signature;
  const file = await f.kms.custody.backup(caller);
  return { f, caller, sym, rsa, k1, hmac, blob, sig, sign, mac, k1sig, ak, user, file };
}
type Source = Awaited<ReturnType<typeof source>>;

/** Checks that every old thing works through `kms`. */
async function expectWorks(kms: Kms, caller: Caller, s: Source) {
  const call = (op: string, req: object) => kms.call(op, req, caller) as Promise<Record<string, any>>;
  expect(text((await call('Decrypt', { CiphertextBlob: s.blob })).Plaintext)).toBe('before');
  expect((await call('Verify', { ...s.sign, Signature: s.sig })).SignatureValid).toBe(true);
  const k1 = { KeyId: s.k1.KeyId, Message: utf8('m'), SigningAlgorithm: 'ECDSA_SHA_256', Signature: s.k1sig };
  expect((await call('Verify', k1)).SignatureValid).toBe(true);
  const mac = { KeyId: s.hmac.KeyId, Message: utf8('m'), MacAlgorithm: 'HMAC_SHA_256', Mac: s.mac };
  expect((await call('VerifyMac', mac)).MacValid).toBe(true);
  expect((await call('DescribeKey', { KeyId: 'alias/sym' })).KeyMetadata.Arn).toBe(s.sym.Arn);
  expect((await call('DescribeKey', { KeyId: 'alias/rsa' })).KeyMetadata.Arn).toBe(s.rsa.Arn);
}

/** Every store before and after a call that must fail: only the call's own failure record is new. */
async function expectNothingChanged(store: Store, run: () => Promise<unknown>, error: string) {
  const before = await store.snapshot();
  await rejectsWith(run(), error);
  const after = await store.snapshot();
  const kept = before.stores.audit!.length;
  expect(after.stores.audit!.slice(kept)).toMatchObject([{ eventName: 'RestoreKeystore', errorCode: error }]);
  const strip = (s: typeof before) => ({
    ...s.stores,
    audit: s.stores.audit!.slice(0, kept),
    meta: s.stores.meta!.filter((p) => (p as [string])[0] !== 'auditHead'),
  });
  expect(strip(after)).toEqual(strip(before));
}

describe('backup and restore of a keystore', () => {
  it('restores into a fresh keystore of another region and account: everything old still works', async () => {
    const s = await source();
    const name = `test-restore-${Date.now()}-${n++}`;
    const target = await Kms.open({
      store: await IdbStore.open(name),
      clock: new TestClock(),
      random: systemRandom,
      locks: new LocalLocks(),
      region: 'eu-west-1',
      accountId: '444455556666',
    });
    const r = await target.custody.restore(rootCaller(target.keystore, via), s.file, { secret: PASS, mode: 'empty' });
    expect(r).toMatchObject({ mode: 'empty', keysRestored: 4, skipped: [], reopen: true });
    expect(r.keystore).toEqual(s.f.kms.keystore);
    // The restored trail verifies and ends with the restore.
    expect(await target.audit.verifyChain()).toMatchObject({ intact: true, findings: [] });
    const [restored] = await target.audit.query({ limit: 1 });
    expect(restored!.eventName).toBe('RestoreKeystore');
    expect(restored!.record).toMatchObject({
      eventSource: 'custody.pocket-kms.local',
      awsRegion: 'us-east-1',
      responseElements: { mode: 'empty', keysRestored: 4 },
    });
    // This instance adopted the restored keystore, unlocked, and names it.
    expect(target.keystore).toEqual(s.f.kms.keystore);
    expect(target.custody.status()).toMatchObject({ mode: 'secret', locked: false });
    await expectWorks(target, s.caller, s);

    // As the worker would: reopen the core over the restored database; it opens locked.
    const b = await reopen(name);
    expect(b.keystore).toEqual(s.f.kms.keystore);
    await rejectsWith(b.call('Decrypt', { CiphertextBlob: s.blob }, s.caller), 'KMSInvalidStateException');
    await b.custody.unlock(s.caller, PASS);
    await expectWorks(b, s.caller, s);
    const ids = ((await b.call('ListKeys', {}, s.caller)) as { Keys: { KeyArn: string }[] }).Keys.map((k) => k.KeyArn);
    expect(ids.sort()).toEqual([s.sym.Arn, s.rsa.Arn, s.k1.Arn, s.hmac.Arn].sort());
    const grants = (await b.call('ListGrants', { KeyId: s.sym.KeyId }, s.caller)) as { Grants: unknown[] };
    expect(grants.Grants).toHaveLength(1);
    const auth = await b.iam.authenticate(s.ak.AccessKeyId, via);
    expect(auth?.caller.arn).toBe(s.user.arn);
    const sig = new Uint8Array(await crypto.subtle.sign('HMAC', auth!.secret, utf8('x')));
    const want = await crypto.subtle.importKey(
      'raw',
      utf8('AWS4' + s.ak.SecretAccessKey),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    expect(sig).toEqual(new Uint8Array(await crypto.subtle.sign('HMAC', want, utf8('x'))));

    expect((await b.audit.verifyChain()).intact).toBe(true);
    // The source's BackupKeystore record came after its snapshot, so the restored trail ends with the restore.
    const trailOfSource = (await s.f.audit()).map((e) => e.eventName);
    expect(trailOfSource.at(-1)).toBe('BackupKeystore');
    expect((await s.f.audit()).at(-1)!.record.responseElements).toEqual({ backupBytes: s.file.length, keys: 4 });
    expect(JSON.stringify(await s.f.audit())).not.toContain(PASS.passphrase);
  });

  it('refuses a wrong passphrase, a flipped byte, a truncated file, a newer version: nothing changes', async () => {
    const s = await source();
    const t = await freshKms();
    const caller = rootCaller(t.kms.keystore, via);
    const restore =
      (file: Uint8Array, secret = PASS) =>
      () =>
        t.kms.custody.restore(caller, file, { secret, mode: 'empty' });
    const wrong = { passphrase: 'not the passphrase at all' };
    const e = await rejectsWith(restore(s.file, wrong)(), 'IncorrectSecretException');
    expect(e.message).toBe('The passphrase does not open this backup.');
    await expectNothingChanged(t.store, restore(s.file, wrong), 'IncorrectSecretException');
    const flipped = s.file.slice();
    flipped[flipped.length - 20]! ^= 1;
    await expectNothingChanged(t.store, restore(flipped), 'BackupFormatException');
    await expectNothingChanged(t.store, restore(s.file.slice(0, s.file.length - 7)), 'BackupFormatException');
    const newer = s.file.slice();
    newer[9] = 2;
    await expectNothingChanged(t.store, restore(newer), 'UnsupportedBackupVersionException');
    const header = s.file.slice();
    header[30]! ^= 1; // inside the PBKDF2 salt: another KEK
    await expectNothingChanged(t.store, restore(header), 'IncorrectSecretException');
    await expectNothingChanged(
      t.store,
      () => t.kms.custody.restore(caller, s.file, { secret: PASS, mode: 'all' }),
      'ValidationException',
    );
    // The target is untouched and still usable as it was.
    expect(t.kms.custody.status()).toMatchObject({ mode: 'device', locked: false });
    await t.createKey();
  });

  it('refuses a snapshot that fails the checks (a key without its material): nothing changes', async () => {
    const s = await source();
    // Re-sealed honestly with the same secret and header KDF, after removing one key's material.
    const { header } = decodeBackupHeader(s.file);
    const kek = await deriveKek(header.kdf, PASS);
    const key = await crypto.subtle.unwrapKey('raw', header.wrappedFileKey, kek, 'AES-KW', { name: 'AES-GCM' }, true, [
      'encrypt',
      'decrypt',
    ]);
    const snapshot = await decodeBackup(s.file, key);
    snapshot.stores.materials = snapshot.stores.materials!.filter(
      (m) => (m as { keyId: string }).keyId !== s.rsa.KeyId,
    );
    const bad = await encodeBackup({
      kdf: header.kdf,
      wrappedFileKey: header.wrappedFileKey,
      fileId: header.fileId,
      fileKey: key,
      snapshot,
    });
    const t = await freshKms();
    const caller = rootCaller(t.kms.keystore, via);
    const e = await rejectsWith(
      t.kms.custody.restore(caller, bad, { secret: PASS, mode: 'empty' }),
      'ValidationException',
    );
    expect(e.message).toContain(`key ${s.rsa.KeyId} lacks its material version 1`);
    await expectNothingChanged(
      t.store,
      () => t.kms.custody.restore(caller, bad, { secret: PASS, mode: 'merge' }),
      'ValidationException',
    );
  });

  it("refuses 'empty' into a keystore that has keys: nothing changes", async () => {
    const s = await source();
    const t = await freshKms();
    await t.createKey();
    const caller = rootCaller(t.kms.keystore, via);
    const e = await rejectsWith(
      t.kms.custody.restore(caller, s.file, { secret: PASS, mode: 'empty' }),
      'ValidationException',
    );
    expect(e.message).toContain('merge');
    await expectNothingChanged(
      t.store,
      () => t.kms.custody.restore(caller, s.file, { secret: PASS, mode: 'empty' }),
      'ValidationException',
    );
  });

  it('backs up only a keystore with a secret, and only while unlocked', async () => {
    const f = await freshKms();
    const caller = rootCaller(f.kms.keystore, via);
    const e = await rejectsWith(f.kms.custody.backup(caller), 'ValidationException');
    expect(e.message).toContain('set a passphrase first');
    await f.kms.custody.setUpRecovery(caller, PASS, KDF);
    const locked = await reopen(f.name);
    await rejectsWith(locked.custody.backup(caller), 'KMSInvalidStateException');
    await f.kms.custody.lock(caller);
    await rejectsWith(f.kms.custody.backup(caller), 'KMSInvalidStateException');
    const names = (await f.audit()).map((x) => `${x.eventName}:${x.errorCode ?? ''}`);
    expect(names.filter((x) => x.startsWith('BackupKeystore'))).toEqual([
      'BackupKeystore:ValidationException',
      'BackupKeystore:KMSInvalidStateException',
      'BackupKeystore:KMSInvalidStateException',
    ]);
  });
});

describe('merging a backup', () => {
  it('adds the keys that are not here, re-wrapped, and leaves out an alias whose name is taken', async () => {
    const s = await source();
    const t: Fresh = await freshKms();
    const mine = await t.createKey();
    const mineBlob = (await t.call('Encrypt', { KeyId: mine.KeyId, Plaintext: utf8('mine') })).CiphertextBlob;
    await t.call('CreateAlias', { AliasName: 'alias/sym', TargetKeyId: mine.KeyId });
    const caller = rootCaller(t.kms.keystore, via);
    const r = await t.kms.custody.restore(caller, s.file, { secret: PASS, mode: 'merge' });
    expect(r).toMatchObject({ mode: 'merge', keysRestored: 4, auditRecords: 0, reopen: false });
    expect(r.notMerged).toEqual(['principals', 'accessKeys', 'audit']);
    expect(r.skipped).toEqual([
      { keyId: s.sym.KeyId, alias: 'alias/sym', reason: 'the alias name is taken here: the alias was left out' },
    ]);
    // A device keystore: the merged keys are usable from its stored forms.
    expect(text((await t.call('Decrypt', { CiphertextBlob: s.blob })).Plaintext)).toBe('before');
    expect(text((await t.call('Decrypt', { CiphertextBlob: mineBlob })).Plaintext)).toBe('mine');
    expect((await t.call('Verify', { ...s.sign, Signature: s.sig })).SignatureValid).toBe(true);
    expect((await t.call('DescribeKey', { KeyId: 'alias/sym' })).KeyMetadata.KeyId).toBe(mine.KeyId);
    expect((await t.call('DescribeKey', { KeyId: 'alias/rsa' })).KeyMetadata.KeyId).toBe(s.rsa.KeyId);
    expect(await t.kms.iam.authenticate(s.ak.AccessKeyId, via)).toBeUndefined();
    await t.call('RotateKeyOnDemand', { KeyId: s.sym.KeyId });
    const last = (await t.audit()).filter((e) => e.eventName === 'RestoreKeystore').at(-1)!;
    expect(last.record.responseElements).toMatchObject({ mode: 'merge', keysRestored: 4, aliasesSkipped: 1 });
    expect((await t.kms.audit.verifyChain()).intact).toBe(true);
  });

  it('never replaces a key: same material is "already here", different material is skipped with its reason', async () => {
    const s = await source();
    // A restored copy of the source, under its own custody, that then diverges by one rotation.
    const t = await freshKms();
    await t.kms.custody.restore(rootCaller(t.kms.keystore, via), s.file, { secret: PASS, mode: 'empty' });
    const copy = await reopen(t.name);
    await copy.custody.unlock(s.caller, PASS);
    const again = await copy.custody.restore(s.caller, s.file, { secret: PASS, mode: 'merge' });
    expect(again.keysRestored).toBe(0);
    expect(again.skipped.map((x) => x.reason)).toEqual(Array(4).fill('already here'));
    await copy.call('RotateKeyOnDemand', { KeyId: s.sym.KeyId }, s.caller);
    const before = await t.store.snapshot();
    const r = await copy.custody.restore(s.caller, s.file, { secret: PASS, mode: 'merge' });
    expect(r.keysRestored).toBe(0);
    expect(r.skipped).toContainEqual({
      keyId: s.sym.KeyId,
      reason: 'a key with this ID and different material exists here',
    });
    const after = await t.store.snapshot();
    expect(after.stores.materials).toEqual(before.stores.materials);
    expect(after.stores.keys).toEqual(before.stores.keys);
  });
});
