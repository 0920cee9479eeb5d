// Demo keys (ADR 0018, src/kms/demo): two fresh keystores given the same demo key answer identically where the
// format allows; a known-answer test recomputes the outputs with Node's crypto from the documented derivation;
// CreateKey from the wire makes one only in demo mode; backups leave them out unless asked.
import { createECDH, createHmac, createCipheriv, createPrivateKey, hkdfSync, sign as nodeSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rootCaller } from '../../../../src/kms/ids';
import { Kms } from '../../../../src/kms/kms';
import { LocalLocks, systemRandom } from '../../../../src/kms/ports';
import { IdbStore } from '../../../../src/store/idb-store';
import { freshKms, rejectsWith, TestClock, text, utf8, type Fresh } from '../../helpers/kms';

const TAG = 'pocket-kms:demo-key';
const SEED = 'Pocket KMS demo keys: published material, insecure, for workshops only';
const SALT = 'pocket-kms/demo-keys/v1';
const demo = (name: string, req: Record<string, unknown> = {}) => ({ ...req, Tags: [{ TagKey: TAG, TagValue: name }] });

/** docs/LABS.md "Demo keys", recomputed with Node's crypto only. */
const hkdf = (info: string | Buffer, n: number) => Buffer.from(hkdfSync('sha256', SEED, SALT, info, n));
function uuid(b: Buffer): string {
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

async function demoKms(): Promise<Fresh> {
  const f = await freshKms();
  await f.kms.demo.setMode(true);
  return f;
}

/** The same calls on one keystore: every output a sheet would print. */
async function outputs(f: Fresh) {
  const sym = (await f.call('CreateKey', demo('lab-sym', { Description: 'envelope lab' }))).KeyMetadata;
  const mac = (await f.call('CreateKey', demo('lab-mac', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })))
    .KeyMetadata;
  const ed = (await f.call('CreateKey', demo('lab-ed', { KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' })))
    .KeyMetadata;
  const p256 = (await f.call('CreateKey', demo('lab-p256', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })))
    .KeyMetadata;
  const ctx = { EncryptionContext: { project: 'workshop' } };
  const msg = utf8('hello, workshop');
  return {
    keyIds: [sym.KeyId, mac.KeyId, ed.KeyId, p256.KeyId],
    description: sym.Description,
    encrypt: (await f.call('Encrypt', { KeyId: sym.KeyId, Plaintext: msg, ...ctx })).CiphertextBlob,
    dataKey: await f.call('GenerateDataKey', { KeyId: sym.KeyId, KeySpec: 'AES_256', ...ctx }),
    dataKeyWithout: (await f.call('GenerateDataKeyWithoutPlaintext', { KeyId: sym.KeyId, NumberOfBytes: 16 }))
      .CiphertextBlob,
    mac: (await f.call('GenerateMac', { KeyId: mac.KeyId, Message: msg, MacAlgorithm: 'HMAC_SHA_256' })).Mac,
    edSig: (await f.call('Sign', { KeyId: ed.KeyId, Message: msg, SigningAlgorithm: 'ED25519_SHA_512' })).Signature,
    edPub: (await f.call('GetPublicKey', { KeyId: ed.KeyId })).PublicKey,
    p256Pub: (await f.call('GetPublicKey', { KeyId: p256.KeyId })).PublicKey,
    p256Sig: (await f.call('Sign', { KeyId: p256.KeyId, Message: msg, SigningAlgorithm: 'ECDSA_SHA_256' })).Signature,
  };
}

describe('demo keys', () => {
  it('give identical outputs in two fresh keystores (Encrypt, GenerateDataKey, GenerateMac, Ed25519 Sign, GetPublicKey)', async () => {
    const a = await demoKms();
    const b = await demoKms();
    const x = await outputs(a);
    const y = await outputs(b);
    expect(y.keyIds).toEqual(x.keyIds);
    expect(x.description).toBe('[INSECURE DEMO KEY] envelope lab');
    expect(Buffer.from(y.encrypt)).toEqual(Buffer.from(x.encrypt));
    expect(Buffer.from(y.dataKey.Plaintext)).toEqual(Buffer.from(x.dataKey.Plaintext));
    expect(Buffer.from(y.dataKey.CiphertextBlob)).toEqual(Buffer.from(x.dataKey.CiphertextBlob));
    expect(Buffer.from(y.dataKeyWithout)).toEqual(Buffer.from(x.dataKeyWithout));
    expect(Buffer.from(y.mac)).toEqual(Buffer.from(x.mac));
    expect(Buffer.from(y.edSig)).toEqual(Buffer.from(x.edSig));
    expect(Buffer.from(y.edPub)).toEqual(Buffer.from(x.edPub));
    expect(Buffer.from(y.p256Pub)).toEqual(Buffer.from(x.p256Pub));
    // ECDSA signs with a fresh random k (WebCrypto): it differs, and verifies in the other keystore.
    const v = { KeyId: y.keyIds[3], Message: utf8('hello, workshop'), SigningAlgorithm: 'ECDSA_SHA_256' };
    expect((await b.call('Verify', { ...v, Signature: x.p256Sig })).SignatureValid).toBe(true);
    // A blob made in one keystore decrypts in the other; a different plaintext gets a different nonce.
    const opened = await b.call('Decrypt', { CiphertextBlob: x.encrypt, EncryptionContext: { project: 'workshop' } });
    expect(text(opened.Plaintext)).toBe('hello, workshop');
    const other = await a.call('Encrypt', {
      KeyId: x.keyIds[0],
      Plaintext: utf8('hello, workshop!'),
      EncryptionContext: { project: 'workshop' },
    });
    expect(Buffer.from(other.CiphertextBlob.subarray(22, 34))).not.toEqual(Buffer.from(x.encrypt.subarray(22, 34)));
    // Ordinary keys stay random.
    const real = (await a.createKey()).KeyId;
    const e1 = await a.call('Encrypt', { KeyId: real, Plaintext: utf8('x') });
    const e2 = await a.call('Encrypt', { KeyId: real, Plaintext: utf8('x') });
    expect(Buffer.from(e1.CiphertextBlob)).not.toEqual(Buffer.from(e2.CiphertextBlob));
  });

  it('match a known answer recomputed with Node crypto from the documented derivation', async () => {
    const f = await demoKms();
    const keyId = (await f.call('CreateKey', demo('kat'))).KeyMetadata.KeyId;
    expect(keyId).toBe(uuid(hkdf('key-id/kat', 16)));
    const plaintext = Buffer.from('known answer');
    const blob = Buffer.from(
      (await f.call('Encrypt', { KeyId: keyId, Plaintext: plaintext, EncryptionContext: {} })).CiphertextBlob,
    );
    // Header: version 1, kind 0, the key ID's 16 bytes, material version 1; then the derived nonce.
    const head = Buffer.concat([
      Buffer.from([1, 0]),
      Buffer.from(keyId.replaceAll('-', ''), 'hex'),
      Buffer.from([0, 0, 0, 1]),
    ]);
    const iv = createHmac('sha256', hkdf('iv/kat', 32)).update(head).update(plaintext).digest().subarray(0, 12);
    const gcm = createCipheriv('aes-256-gcm', hkdf('material/SYMMETRIC_DEFAULT/kat', 32), iv);
    gcm.setAAD(Buffer.concat([head, iv]));
    const expected = Buffer.concat([head, iv, gcm.update(plaintext), gcm.final(), gcm.getAuthTag()]);
    expect(blob.toString('hex')).toBe(expected.toString('hex'));

    const dk = await f.call('GenerateDataKey', { KeyId: keyId, NumberOfBytes: 32 });
    expect(Buffer.from(dk.Plaintext)).toEqual(hkdf('data-key/kat/32/', 32));

    const mac = await f
      .call('CreateKey', demo('kat', { KeySpec: 'HMAC_384', KeyUsage: 'GENERATE_VERIFY_MAC' }))
      .catch((e) => e);
    expect(mac).toMatchObject({ name: 'AlreadyExistsException' });
    const macKey = (
      await f.call('CreateKey', demo('kat-mac', { KeySpec: 'HMAC_384', KeyUsage: 'GENERATE_VERIFY_MAC' }))
    ).KeyMetadata.KeyId;
    const m = await f.call('GenerateMac', { KeyId: macKey, Message: utf8('m'), MacAlgorithm: 'HMAC_SHA_384' });
    expect(Buffer.from(m.Mac)).toEqual(
      createHmac('sha384', hkdf('material/HMAC_384/kat-mac', 48)).update('m').digest(),
    );

    const p = (await f.call('CreateKey', demo('kat-p256', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })))
      .KeyMetadata.KeyId;
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const d = (BigInt('0x' + hkdf('material/ECC_NIST_P256/kat-p256', 48).toString('hex')) % (n - 1n)) + 1n;
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from(d.toString(16).padStart(64, '0'), 'hex'));
    const spki = Buffer.from((await f.call('GetPublicKey', { KeyId: p })).PublicKey);
    expect(spki.subarray(-65)).toEqual(ecdh.getPublicKey());

    const ed = (
      await f.call('CreateKey', demo('kat-ed', { KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' }))
    ).KeyMetadata.KeyId;
    const pkcs8 = Buffer.concat([
      Buffer.from('302e020100300506032b657004220420', 'hex'),
      hkdf('material/ECC_NIST_EDWARDS25519/kat-ed', 32),
    ]);
    const s = await f.call('Sign', { KeyId: ed, Message: utf8('m'), SigningAlgorithm: 'ED25519_SHA_512' });
    const want = nodeSign(null, Buffer.from('m'), createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }));
    expect(Buffer.from(s.Signature)).toEqual(want);
  });

  it('never seal a derived data key under a real key after the alias moved', async () => {
    const f = await demoKms();
    const dk = (await f.call('CreateKey', demo('moving'))).KeyMetadata.KeyId;
    const real = (await f.createKey()).KeyId;
    await f.call('CreateAlias', { AliasName: 'alias/moving', TargetKeyId: dk });
    const derived = hkdf('data-key/moving/32/', 32);
    const first = await f.call('GenerateDataKey', { KeyId: 'alias/moving', NumberOfBytes: 32 });
    expect(Buffer.from(first.Plaintext)).toEqual(derived);
    await f.call('UpdateAlias', { AliasName: 'alias/moving', TargetKeyId: real });
    const second = await f.call('GenerateDataKey', { KeyId: 'alias/moving', NumberOfBytes: 32 });
    expect(second.KeyId).toContain(real);
    expect(Buffer.from(second.Plaintext)).not.toEqual(derived);
    const again = await f.call('GenerateDataKey', { KeyId: 'alias/moving', NumberOfBytes: 32 });
    expect(Buffer.from(again.Plaintext)).not.toEqual(Buffer.from(second.Plaintext));
  });

  it('are refused by CreateKey unless demo mode is on, and their tag is reserved', async () => {
    const f = await freshKms();
    const e = await rejectsWith(f.call('CreateKey', demo('lab')), 'UnsupportedOperationException');
    expect(e.message).toContain('demo mode');
    expect((await f.kms.demo.status()).keys).toEqual([]);
    const real = (await f.createKey()).KeyId;
    await rejectsWith(f.call('TagResource', { KeyId: real, Tags: [{ TagKey: TAG, TagValue: 'lab' }] }), 'TagException');
    await f.kms.demo.setMode(true);
    const k = (await f.call('CreateKey', demo('lab'))).KeyMetadata;
    expect(await f.kms.demo.status()).toEqual({
      mode: true,
      keys: [{ keyId: k.KeyId, name: 'lab', state: 'Enabled' }],
    });
    await rejectsWith(f.call('UntagResource', { KeyId: k.KeyId, TagKeys: [TAG] }), 'TagException');
    await rejectsWith(f.call('RotateKeyOnDemand', { KeyId: k.KeyId }), 'UnsupportedOperationException');
    await rejectsWith(f.call('CreateKey', demo('Bad Name')), 'ValidationException');
    await rejectsWith(
      f.call('CreateKey', demo('rsa', { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })),
      'UnsupportedOperationException',
    );
    await f.call('UpdateKeyDescription', { KeyId: k.KeyId, Description: 'renamed' });
    expect((await f.call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.Description).toBe(
      '[INSECURE DEMO KEY] renamed',
    );
    // Turning demo mode off stops new ones; the one made stays usable.
    await f.kms.demo.setMode(false);
    await rejectsWith(f.call('CreateKey', demo('lab-2')), 'UnsupportedOperationException');
    await f.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') });
  });

  it('are left out of a backup unless asked, and a restore names them', async () => {
    const f = await demoKms();
    const caller = rootCaller(f.kms.keystore, { userAgent: 't' });
    const real = (await f.createKey()).KeyId;
    const dk = (await f.call('CreateKey', demo('lab'))).KeyMetadata.KeyId;
    await f.call('CreateAlias', { AliasName: 'alias/demo', TargetKeyId: dk });
    await f.kms.custody.setUpRecovery(caller, { passphrase: 'correct horse battery staple' }, { iterations: 100_000 });
    const restoreInto = async (file: Uint8Array) => {
      const t = await Kms.open({
        store: await IdbStore.open(`demo-restore-${Date.now()}-${Math.random()}`),
        clock: new TestClock(),
        random: systemRandom,
        locks: new LocalLocks(),
      });
      const r = await t.custody.restore(rootCaller(t.keystore, { userAgent: 't' }), file, {
        secret: { passphrase: 'correct horse battery staple' },
        mode: 'empty',
      });
      const reopened = await Kms.open({
        store: (t as any).env.store,
        clock: new TestClock(),
        random: systemRandom,
        locks: new LocalLocks(),
      });
      return { r, status: await reopened.demo.status() };
    };
    const without = await restoreInto(await f.kms.custody.backup(caller));
    expect(without.r).toMatchObject({ keysRestored: 1, demoKeys: [] });
    expect(without.status.keys).toEqual([]);
    const withDemo = await restoreInto(await f.kms.custody.backup(caller, { includeDemoKeys: true }));
    expect(withDemo.r).toMatchObject({ keysRestored: 2, demoKeys: [`lab (${dk})`] });
    expect(withDemo.status.keys.map((k) => k.keyId)).toEqual([dk]);
    expect(real).not.toBe(dk);
  });
});
