// A multi-Region key's replica on another device (src/kms/multi-region/device-replica.ts, ADR 0015): the
// destination's request, the source's signed package, the import; another request's package, an altered
// one or a replayed one → a named error and nothing changed; both audit trails record it.
import { describe, expect, it } from 'vitest';
import { rejectsWith, text, utf8 } from '../../helpers/kms';
import { freshRegions } from '../../helpers/regions';
import { SUITES } from '../../../../src/format';
import { coreKeyring } from '../../../../src/worker/files-keyring';

const SECRET = { passphrase: 'correct horse battery staple' };

/** Two browsers: each a keystore of its own, locked at rest under a passphrase. */
async function twoDevices() {
  const a = await (await freshRegions()).at('us-east-1');
  const b = await (await freshRegions({ first: 'eu-west-1', accountId: '444455556666' })).at('eu-west-1');
  for (const d of [a, b]) await d.kms.custody.setUpRecovery(d.caller, SECRET, { iterations: 1000 });
  const { KeyMetadata: key } = await a.call('CreateKey', { MultiRegion: true, Description: 'travels' });
  return { a, b, key };
}

describe('replica to another device', () => {
  it('a package answering the request imports as a replica that decrypts the source\u2019s ciphertext', async () => {
    const { a, b, key } = await twoDevices();
    await a.call('RotateKeyOnDemand', { KeyId: key.KeyId });
    const before = await a.call('Encrypt', { KeyId: key.KeyId, Plaintext: utf8('old'), EncryptionContext: { x: 'y' } });
    const req = await b.kms.deviceReplicas.request(b.caller);
    expect(req.fingerprint).toMatch(/^[0-9A-F]{4}(-[0-9A-F]{4}){4}$/);
    const pkg = await a.kms.deviceReplicas.answer(a.caller, key.KeyId, req.text, SECRET);
    // The source computes the same fingerprint from the request alone: the people compare it by voice.
    expect(pkg.fingerprint).toBe(req.fingerprint);
    const r = await b.kms.deviceReplicas.import(b.caller, pkg.text);
    expect(r.keyArn).toBe(`arn:aws:kms:eu-west-1:444455556666:key/${key.KeyId}`);
    expect(r.source.keyArn).toBe(key.Arn);
    const m = (await b.call('DescribeKey', { KeyId: key.KeyId })).KeyMetadata;
    expect(m.MultiRegionConfiguration).toMatchObject({ MultiRegionKeyType: 'REPLICA', PrimaryKey: { Arn: key.Arn } });
    expect(m.Description).toBe('travels');
    const back = await b.call('Decrypt', { CiphertextBlob: before.CiphertextBlob, EncryptionContext: { x: 'y' } });
    expect(text(back.Plaintext)).toBe('old');
    // An ESDK data key made on the source (its ARN names the source's account) opens on the destination.
    const suite = SUITES.get(0x0478)!;
    const made = await coreKeyring(a.kms, a.caller, { keyIds: [key.Arn] }).onEncrypt(suite, { f: '1' });
    expect(await coreKeyring(b.kms, b.caller).onDecrypt(suite, { f: '1' }, made.encryptedDataKeys)).toEqual(
      made.dataKey,
    );
    const fromB = await b.call('Encrypt', { KeyId: key.KeyId, Plaintext: utf8('new') });
    expect(text((await a.call('Decrypt', { CiphertextBlob: fromB.CiphertextBlob })).Plaintext)).toBe('new');
    // Both trails: the request and import in the destination, the export in the source.
    expect((await b.audit()).map((e) => e.eventName)).toEqual(
      expect.arrayContaining(['CreateReplicaRequest', 'ImportReplicaPackage']),
    );
    const exported = (await a.audit()).filter((e) => e.eventName === 'ExportReplicaPackage');
    expect(exported).toHaveLength(1);
    expect(exported[0]!.keyIds).toEqual([key.KeyId]);
    expect(JSON.stringify(exported[0]!.record)).not.toContain(SECRET.passphrase);
  });

  it('a newer package (after the primary rotated) brings the new material version to the replica', async () => {
    const { a, b, key } = await twoDevices();
    const first = await b.kms.deviceReplicas.request(b.caller);
    await b.kms.deviceReplicas.import(
      b.caller,
      (await a.kms.deviceReplicas.answer(a.caller, key.KeyId, first.text, SECRET)).text,
    );
    await a.call('RotateKeyOnDemand', { KeyId: key.KeyId });
    const after = await a.call('Encrypt', { KeyId: key.KeyId, Plaintext: utf8('rotated') });
    await rejectsWith(b.call('Decrypt', { CiphertextBlob: after.CiphertextBlob }), 'InvalidCiphertextException');
    const second = await b.kms.deviceReplicas.request(b.caller);
    await b.kms.deviceReplicas.import(
      b.caller,
      (await a.kms.deviceReplicas.answer(a.caller, key.KeyId, second.text, SECRET)).text,
    );
    expect(text((await b.call('Decrypt', { CiphertextBlob: after.CiphertextBlob })).Plaintext)).toBe('rotated');
    const fromB = await b.call('Encrypt', { KeyId: key.KeyId, Plaintext: utf8('b') });
    expect(text((await a.call('Decrypt', { CiphertextBlob: fromB.CiphertextBlob })).Plaintext)).toBe('b');
  });

  it('refuses a replayed package: ReplicaPackageMismatchException, nothing changed', async () => {
    const { a, b, key } = await twoDevices();
    const req = await b.kms.deviceReplicas.request(b.caller);
    const pkg = await a.kms.deviceReplicas.answer(a.caller, key.KeyId, req.text, SECRET);
    await b.kms.deviceReplicas.import(b.caller, pkg.text);
    await b.call('ScheduleKeyDeletion', { KeyId: key.KeyId, PendingWindowInDays: 7 });
    await rejectsWith(b.kms.deviceReplicas.import(b.caller, pkg.text), 'ReplicaPackageMismatchException');
    expect((await b.call('DescribeKey', { KeyId: key.KeyId })).KeyMetadata.KeyState).toBe('PendingDeletion');
  });

  it('refuses a package made for another request (of this keystore or of another one)', async () => {
    const { a, b, key } = await twoDevices();
    const mine = await b.kms.deviceReplicas.request(b.caller);
    const c = await (await freshRegions({ first: 'eu-west-1' })).at('eu-west-1');
    await c.kms.custody.setUpRecovery(c.caller, SECRET, { iterations: 1000 });
    const theirs = await c.kms.deviceReplicas.request(c.caller);
    const forThem = await a.kms.deviceReplicas.answer(a.caller, key.KeyId, theirs.text, SECRET);
    await rejectsWith(b.kms.deviceReplicas.import(b.caller, forThem.text), 'ReplicaPackageMismatchException');
    // The same request ID with another key: the fingerprint no longer matches this keystore's request.
    const swapped = JSON.parse(theirs.text);
    swapped.requestId = mine.requestId;
    const forged = await a.kms.deviceReplicas.answer(a.caller, key.KeyId, JSON.stringify(swapped), SECRET);
    await rejectsWith(b.kms.deviceReplicas.import(b.caller, forged.text), 'ReplicaPackageMismatchException');
    await rejectsWith(b.call('DescribeKey', { KeyId: key.KeyId }), 'NotFoundException');
    // The genuine package still imports: the refused ones used nothing up.
    const ok = await a.kms.deviceReplicas.answer(a.caller, key.KeyId, mine.text, SECRET);
    await b.kms.deviceReplicas.import(b.caller, ok.text);
  });

  it('refuses an altered package: ReplicaPackageSignatureException', async () => {
    const { a, b, key } = await twoDevices();
    const req = await b.kms.deviceReplicas.request(b.caller);
    const pkg = await a.kms.deviceReplicas.answer(a.caller, key.KeyId, req.text, SECRET);
    const p = JSON.parse(pkg.text);
    p.key.description = 'altered';
    await rejectsWith(b.kms.deviceReplicas.import(b.caller, JSON.stringify(p)), 'ReplicaPackageSignatureException');
    const q = JSON.parse(pkg.text);
    q.materials[0].wrapped = Buffer.from(new Uint8Array(40)).toString('base64');
    await rejectsWith(b.kms.deviceReplicas.import(b.caller, JSON.stringify(q)), 'ReplicaPackageSignatureException');
    await rejectsWith(b.kms.deviceReplicas.import(b.caller, 'not json'), 'ReplicaFormatException');
    await rejectsWith(b.call('DescribeKey', { KeyId: key.KeyId }), 'NotFoundException');
    await b.kms.deviceReplicas.import(b.caller, pkg.text);
  });

  it('asks the source for its secret, and refuses single-Region keys and keystores without a secret', async () => {
    const { a, b, key } = await twoDevices();
    const req = await b.kms.deviceReplicas.request(b.caller);
    await rejectsWith(
      a.kms.deviceReplicas.answer(a.caller, key.KeyId, req.text, { passphrase: 'not the passphrase' }),
      'IncorrectSecretException',
    );
    const single = (await a.call('CreateKey', {})).KeyMetadata;
    await rejectsWith(
      a.kms.deviceReplicas.answer(a.caller, single.KeyId, req.text, SECRET),
      'UnsupportedOperationException',
    );
    expect((await a.audit()).filter((e) => e.eventName === 'ExportReplicaPackage' && e.errorCode)).toHaveLength(2);
    const device = await (await freshRegions()).at('us-east-1');
    await rejectsWith(device.kms.deviceReplicas.request(device.caller), 'ValidationException');
  });
});
