// The one-transaction path of cryptographic calls (src/kms/material/sealing.ts, cache.ts): an
// instance caches material, yet a change made by another instance over the same database takes
// effect on its very next call.
import { describe, expect, it } from 'vitest';
import { decodeBlobHeader } from '../../../../src/kms/material/blob';
import { freshKms, rejectsWith, TestClock, text, utf8 } from '../../helpers/kms';

async function twoInstances() {
  const clock = new TestClock();
  const a = await freshKms({ clock });
  const b = await freshKms({ clock, name: a.name });
  const { KeyMetadata } = await a.call('CreateKey');
  const KeyId = KeyMetadata.KeyId as string;
  // Warm instance A's cache.
  const warm = await a.call('Encrypt', { KeyId, Plaintext: utf8('warm') });
  await a.call('Decrypt', { CiphertextBlob: warm.CiphertextBlob });
  return { a, b, KeyId, clock, warm: warm.CiphertextBlob as Uint8Array };
}

const versionOf = (blob: Uint8Array) => {
  const h = decodeBlobHeader(blob);
  if (!h.ok) throw new Error(h.reason);
  return h.header.version;
};

describe('cached material never outlives a change made elsewhere', () => {
  it('a key disabled by another instance refuses the next call', async () => {
    const { a, b, KeyId, warm } = await twoInstances();
    await b.call('DisableKey', { KeyId });
    await rejectsWith(a.call('Encrypt', { KeyId, Plaintext: utf8('x') }), 'DisabledException');
    await rejectsWith(a.call('Decrypt', { CiphertextBlob: warm }), 'DisabledException');
    await rejectsWith(a.call('GenerateDataKey', { KeyId, KeySpec: 'AES_256' }), 'DisabledException');
  });

  it('a rotation by another instance is used by the next encryption', async () => {
    const { a, b, KeyId } = await twoInstances();
    await b.call('RotateKeyOnDemand', { KeyId });
    const enc = await a.call('Encrypt', { KeyId, Plaintext: utf8('after rotation') });
    expect(versionOf(enc.CiphertextBlob)).toBe(2);
    const dk = await a.call('GenerateDataKey', { KeyId, NumberOfBytes: 16 });
    expect(dk.KeyMaterialId).toBe((await b.call('DescribeKey', { KeyId })).KeyMetadata.CurrentKeyMaterialId);
  });

  it('an alias moved by another instance points the next call at the new key', async () => {
    const { a, b, KeyId } = await twoInstances();
    const other = (await b.call('CreateKey')).KeyMetadata;
    await a.call('CreateAlias', { AliasName: 'alias/moving', TargetKeyId: KeyId });
    expect((await a.call('Encrypt', { KeyId: 'alias/moving', Plaintext: utf8('1') })).KeyId).toContain(KeyId);
    await b.call('UpdateAlias', { AliasName: 'alias/moving', TargetKeyId: other.KeyId });
    expect((await a.call('Encrypt', { KeyId: 'alias/moving', Plaintext: utf8('2') })).KeyId).toBe(other.Arn);
  });

  it('a key deleted by another instance is not found, and its ciphertext stays unreadable', async () => {
    const { a, b, KeyId, clock, warm } = await twoInstances();
    await b.call('ScheduleKeyDeletion', { KeyId, PendingWindowInDays: 7 });
    clock.advanceDays(8);
    await b.kms.maintain();
    await rejectsWith(a.call('Decrypt', { CiphertextBlob: warm }), 'NotFoundException');
    await rejectsWith(a.call('Encrypt', { KeyId, Plaintext: utf8('x') }), 'NotFoundException');
  });

  it('a failed check releases nothing: the plaintext is not returned and the failure is audited', async () => {
    const { a, b, KeyId, warm } = await twoInstances();
    await b.call('DisableKey', { KeyId });
    const err = await rejectsWith(a.call('Decrypt', { CiphertextBlob: warm }), 'DisabledException');
    expect(JSON.stringify(err)).not.toContain('warm');
    const [last] = await a.store.queryAudit({ limit: 1 });
    expect(last).toMatchObject({ eventName: 'Decrypt', errorCode: 'DisabledException' });
  });

  it('each successful call writes exactly one audit record, also when it had to retry', async () => {
    const { a, b, KeyId } = await twoInstances();
    const before = (await a.store.queryAudit({ limit: 10_000 })).length;
    await b.call('RotateKeyOnDemand', { KeyId });
    const r = await a.call('ReEncrypt', {
      CiphertextBlob: (await a.call('Encrypt', { KeyId, Plaintext: utf8('re') })).CiphertextBlob,
      DestinationKeyId: KeyId,
    });
    expect(text((await a.call('Decrypt', { CiphertextBlob: r.CiphertextBlob })).Plaintext)).toBe('re');
    const after = await a.store.queryAudit({ limit: 10_000 });
    expect(after.length - before).toBe(4);
    expect(after.slice(0, 3).map((e) => e.eventName)).toEqual(['Decrypt', 'ReEncrypt', 'Encrypt']);
  });
});
