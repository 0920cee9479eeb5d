// Imported material under custody (ADR 0009): in a keystore locked at rest it is stored only wrapped, like
// generated material, and still works; import parameters made before the secret was set are refused after;
// a backup carries imported keys (with deleted material too) and restores them, usable with the same material.
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rootCaller } from '../../../../src/kms/ids';
import { Kms } from '../../../../src/kms/kms';
import { LocalLocks, systemRandom } from '../../../../src/kms/ports';
import { IdbStore } from '../../../../src/store/idb-store';
import { freshKms, rejectsWith, TestClock, text, utf8, type Fresh } from '../../helpers/kms';
import { importMaterial, params, wrap } from './wrap';

const PASS = { passphrase: 'correct horse battery staple' };
let n = 0;

function* walk(v: unknown, seen = new Set<unknown>()): Generator<unknown> {
  if (v === null || typeof v !== 'object' || seen.has(v)) return;
  seen.add(v);
  yield v;
  if (v instanceof CryptoKey || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return;
  for (const x of Object.values(v as object)) yield* walk(x, seen);
}
/** Every CryptoKey anywhere in the stored keystore (a script of the origin could use one). */
const storedKeys = async (f: Fresh) =>
  [...walk((await f.store.snapshot()).stores)].filter((v) => v instanceof CryptoKey);

describe('imported material in a keystore locked at rest', () => {
  it('is stored only wrapped, works, and parameters made before the secret are refused after it', async () => {
    const f = await freshKms();
    const caller = rootCaller(f.kms.keystore, { userAgent: 't' });
    const sym = await f.createKey({ Origin: 'EXTERNAL' });
    const material = randomBytes(32);
    await importMaterial(f, sym.KeyId, material);
    const blob = (await f.call('Encrypt', { KeyId: sym.KeyId, Plaintext: utf8('device') })).CiphertextBlob;
    const early = await params(f, sym.KeyId);
    await f.kms.custody.setUpRecovery(caller, PASS, { iterations: 1000 });
    expect(await storedKeys(f)).toEqual([]);
    expect(text((await f.call('Decrypt', { CiphertextBlob: blob })).Plaintext)).toBe('device');

    // Parameters sealed under the device's root keys no longer open.
    await rejectsWith(
      f.call('ImportKeyMaterial', {
        KeyId: sym.KeyId,
        ImportToken: early.ImportToken,
        EncryptedKeyMaterial: wrap(early.PublicKey, material, 'RSAES_OAEP_SHA_256'),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
      'InvalidImportTokenException',
    );
    // New imports store nothing usable either: symmetric, HMAC (WebCrypto) and a private key.
    const hmac = await f.createKey({ Origin: 'EXTERNAL', KeySpec: 'HMAC_384', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const hmacKey = randomBytes(48);
    await importMaterial(f, hmac.KeyId, hmacKey, 'RSA_AES_KEY_WRAP_SHA_256');
    await f.call('DeleteImportedKeyMaterial', { KeyId: sym.KeyId });
    await importMaterial(f, sym.KeyId, material);
    expect(await storedKeys(f)).toEqual([]);
    const { Mac } = await f.call('GenerateMac', {
      KeyId: hmac.KeyId,
      Message: utf8('m'),
      MacAlgorithm: 'HMAC_SHA_384',
    });
    expect(Buffer.from(Mac).equals(createHmac('sha384', hmacKey).update('m').digest())).toBe(true);
    expect(text((await f.call('Decrypt', { CiphertextBlob: blob })).Plaintext)).toBe('device');
    // The custody report counts imported keys like the others.
    const report = await f.kms.custody.report();
    expect(report.find((r) => r.keyId === sym.KeyId)?.protection).toBe('protected');
    expect(report.find((r) => r.keyId === hmac.KeyId)?.protection).toBe('protected');
  });

  it('backs up and restores imported keys, including one whose material was deleted', async () => {
    const f = await freshKms();
    const caller = rootCaller(f.kms.keystore, { userAgent: 't' });
    const live = await f.createKey({ Origin: 'EXTERNAL' });
    const gone = await f.createKey({ Origin: 'EXTERNAL' });
    const m1 = randomBytes(32);
    const m2 = randomBytes(32);
    await importMaterial(f, live.KeyId, m1);
    await importMaterial(f, gone.KeyId, m2);
    const b1 = (await f.call('Encrypt', { KeyId: live.KeyId, Plaintext: utf8('live') })).CiphertextBlob;
    const b2 = (await f.call('Encrypt', { KeyId: gone.KeyId, Plaintext: utf8('gone') })).CiphertextBlob;
    await f.call('DeleteImportedKeyMaterial', { KeyId: gone.KeyId });
    await f.kms.custody.setUpRecovery(caller, PASS, { iterations: 100_000 });
    const file = await f.kms.custody.backup(caller);

    const target = await Kms.open({
      store: await IdbStore.open(`test-import-restore-${Date.now()}-${n++}`),
      clock: new TestClock(),
      random: systemRandom,
      locks: new LocalLocks(),
    });
    const r = await target.custody.restore(rootCaller(target.keystore, { userAgent: 't' }), file, {
      secret: PASS,
      mode: 'empty',
    });
    expect(r).toMatchObject({ keysRestored: 2, skipped: [] });
    const t = {
      ...f,
      kms: target,
      call: (op: string, req: unknown = {}) => target.call(op, req, caller) as Promise<Record<string, any>>,
    } as unknown as Fresh;
    expect(text((await t.call('Decrypt', { CiphertextBlob: b1 })).Plaintext)).toBe('live');
    expect((await t.call('DescribeKey', { KeyId: gone.KeyId })).KeyMetadata.KeyState).toBe('PendingImport');
    await rejectsWith(t.call('Decrypt', { CiphertextBlob: b2 }), 'KMSInvalidStateException');
    await importMaterial(t, gone.KeyId, m2);
    expect(text((await t.call('Decrypt', { CiphertextBlob: b2 })).Plaintext)).toBe('gone');
  });
});
