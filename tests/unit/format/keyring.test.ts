// The aws-kms keyring: what it asks KMS for, what it writes, which keys it tries on decrypt.
import { describe, expect, it } from 'vitest';
import { awsKmsKeyring, NoUsableKeyError, PROVIDER_AWS_KMS, SUITES, type KmsDataKeyClient } from '../../../src/format';
import { rootCaller } from '../../../src/kms/ids';
import { coreKeyring } from '../../../src/worker/files-keyring';
import { freshKms } from '../helpers/kms';

const suite = SUITES.get(0x0478)!;
const utf8 = (s: string) => new TextEncoder().encode(s);

describe('aws-kms keyring over the KMS core', () => {
  it('GenerateDataKey under the first key, Encrypt under the others, all with the context; provider info = key ARN', async () => {
    const f = await freshKms();
    const a = await f.createKey();
    const b = await f.createKey();
    await f.call('CreateAlias', { AliasName: 'alias/b', TargetKeyId: b.KeyId });
    const keyring = coreKeyring(f.kms, rootCaller(f.kms.keystore, { userAgent: 't' }), {
      keyIds: [a.KeyId, 'alias/b'],
    });
    const ctx = { purpose: 'files' };
    const m = await keyring.onEncrypt(suite, ctx);
    expect(m.dataKey).toHaveLength(32);
    expect(m.encryptedDataKeys.map((k) => [k.providerId, new TextDecoder().decode(k.providerInfo)])).toEqual([
      [PROVIDER_AWS_KMS, a.Arn],
      [PROVIDER_AWS_KMS, b.Arn],
    ]);
    const events = (await f.audit()).slice(-2);
    expect(events.map((e) => e.eventName)).toEqual(['GenerateDataKey', 'Encrypt']);
    for (const e of events) expect(JSON.stringify(e.record)).toContain('purpose');
    // Each data key decrypts alone, with the context.
    for (const edk of m.encryptedDataKeys) expect(await keyring.onDecrypt(suite, ctx, [edk])).toEqual(m.dataKey);
    await expect(keyring.onDecrypt(suite, { purpose: 'other' }, m.encryptedDataKeys)).rejects.toBeInstanceOf(
      NoUsableKeyError,
    );
  });

  it('refuses to encrypt without a key', async () => {
    const f = await freshKms();
    await expect(
      coreKeyring(f.kms, rootCaller(f.kms.keystore, { userAgent: 't' })).onEncrypt(suite, {}),
    ).rejects.toBeInstanceOf(RangeError);
  });
});

describe('aws-kms keyring decrypt rules', () => {
  const ARN = 'arn:aws:kms:us-east-1:111122223333:key/11111111-1111-4111-8111-111111111111';
  const OTHER = 'arn:aws:kms:us-east-1:111122223333:key/22222222-2222-4222-8222-222222222222';
  const calls: string[] = [];
  const fake = (reply: (keyId: string) => { KeyId?: string; Plaintext?: Uint8Array }): KmsDataKeyClient => ({
    generateDataKey: async () => ({}),
    encrypt: async () => ({}),
    decrypt: async ({ KeyId }) => (calls.push(KeyId), reply(KeyId)),
  });
  const edk = (providerId: string, info: string) => ({
    providerId,
    providerInfo: utf8(info),
    ciphertext: new Uint8Array(4),
  });

  it('tries only aws-kms keys whose provider info is a key ARN, in order, with KeyId = that ARN', async () => {
    calls.length = 0;
    const k = awsKmsKeyring(fake((id) => ({ KeyId: id, Plaintext: new Uint8Array(32).fill(id === OTHER ? 2 : 1) })));
    const key = await k.onDecrypt(suite, {}, [
      edk('raw', ARN),
      edk('aws-kms', 'alias/x'),
      edk('aws-kms', OTHER),
      edk('aws-kms', ARN),
    ]);
    expect(calls).toEqual([OTHER]);
    expect(key[0]).toBe(2);
  });

  it('honours allowedKeyArns', async () => {
    calls.length = 0;
    const k = awsKmsKeyring(
      fake((id) => ({ KeyId: id, Plaintext: new Uint8Array(32) })),
      { allowedKeyArns: [ARN] },
    );
    await k.onDecrypt(suite, {}, [edk('aws-kms', OTHER), edk('aws-kms', ARN)]);
    expect(calls).toEqual([ARN]);
  });

  it('does not accept a response from a different key, or a data key of the wrong length', async () => {
    for (const reply of [
      () => ({ KeyId: OTHER, Plaintext: new Uint8Array(32) }),
      (id: string) => ({ KeyId: id, Plaintext: new Uint8Array(16) }),
    ]) {
      const e = await awsKmsKeyring(fake(reply))
        .onDecrypt(suite, {}, [edk('aws-kms', ARN)])
        .catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NoUsableKeyError);
      expect((e as Error).message).toContain(`${ARN} (unexpected response)`);
    }
  });

  it('names every key and the exception each gave', async () => {
    const k = awsKmsKeyring(
      fake(() => {
        throw Object.assign(new Error('no'), { name: 'AccessDeniedException' });
      }),
    );
    const e = await k.onDecrypt(suite, {}, [edk('aws-kms', ARN), edk('aws-kms', OTHER)]).catch((x: unknown) => x);
    expect((e as Error).message).toContain(`${ARN} (AccessDeniedException)`);
    expect((e as Error).message).toContain(`${OTHER} (AccessDeniedException)`);
  });
});
