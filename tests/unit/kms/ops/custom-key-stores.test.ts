// Passkey key stores (ADR 0016, src/kms/ops/custom-key-stores.ts): AWS's six custom key store operations,
// CreateKey and GenerateRandom with CustomKeyStoreId, with the PRF output a test authenticator would give.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { freshKms, rejectsWith, utf8, text, type Fresh } from '../../helpers/kms';
import { storeKek } from '../../../../src/ui/keystores/store-kek';
import type { KeyStoreExtras } from '../../../../src/kms/context';

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

/** A stand-in authenticator: one credential and its fixed PRF output. */
function authenticator() {
  const credentialId = random(16);
  const prf = random(32);
  return { credentialId, proof: async () => ({ credentialId, kek: await storeKek(prf.slice()) }) };
}

async function setUp() {
  const f = await freshKms();
  const caller = (await import('../../../../src/kms/ids')).rootCaller(f.kms.keystore, { userAgent: 'vitest' });
  const withStore = <T = Record<string, any>>(op: string, req: object, keyStore: KeyStoreExtras) =>
    f.kms.call(op, req, caller, { keyStore }) as Promise<T & Record<string, any>>;
  return { ...f, withStore };
}

async function createStore(f: Fresh & { withStore: any }, a = authenticator(), name = 'hardware') {
  const { CustomKeyStoreId } = await f.withStore(
    'CreateCustomKeyStore',
    { CustomKeyStoreName: name },
    {
      passkey: await a.proof(),
    },
  );
  return { id: CustomKeyStoreId as string, a };
}

const state = async (f: Fresh, id: string) =>
  (await f.call('DescribeCustomKeyStores', { CustomKeyStoreId: id })).CustomKeyStores[0];

describe('passkey key stores', () => {
  it('creates a DISCONNECTED AWS_CLOUDHSM store with an AWS-shaped ID, and Describe lists it', async () => {
    const f = await setUp();
    const { id } = await createStore(f);
    expect(id).toMatch(/^cks-[0-9a-f]{17}$/);
    const s = await state(f, id);
    expect(s).toEqual({
      CustomKeyStoreId: id,
      CustomKeyStoreName: 'hardware',
      CustomKeyStoreType: 'AWS_CLOUDHSM',
      ConnectionState: 'DISCONNECTED',
      CreationDate: expect.any(Date),
    });
    const all = await f.call('DescribeCustomKeyStores', {});
    expect(all.CustomKeyStores).toHaveLength(1);
    expect(all.Truncated).toBe(false);
    expect(
      (await f.call('DescribeCustomKeyStores', { CustomKeyStoreName: 'hardware' })).CustomKeyStores[0].CustomKeyStoreId,
    ).toBe(id);
    await rejectsWith(
      f.call('DescribeCustomKeyStores', { CustomKeyStoreId: 'cks-00000000000000000' }),
      'CustomKeyStoreNotFoundException',
    );
  });

  it('refuses creation over the API (no passkey), a taken name, CloudHSM and XKS fields', async () => {
    const f = await setUp();
    await rejectsWith(f.call('CreateCustomKeyStore', { CustomKeyStoreName: 'x' }), 'UnsupportedOperationException');
    await createStore(f);
    await rejectsWith(createStore(f), 'CustomKeyStoreNameInUseException');
    const a = authenticator();
    await rejectsWith(
      f.withStore(
        'CreateCustomKeyStore',
        { CustomKeyStoreName: 'y', KeyStorePassword: 'kmsuser-pw' },
        { passkey: await a.proof() },
      ),
      'ValidationException',
    );
    await rejectsWith(
      f.withStore(
        'CreateCustomKeyStore',
        { CustomKeyStoreName: 'y', CustomKeyStoreType: 'EXTERNAL_KEY_STORE' },
        { passkey: await a.proof() },
      ),
      'UnsupportedOperationException',
    );
    // An extractable key is refused: the page that derived it could read it back.
    const extractable = await crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, true, [
      'wrapKey',
      'unwrapKey',
    ]);
    await rejectsWith(
      f.withStore(
        'CreateCustomKeyStore',
        { CustomKeyStoreName: 'z' },
        { passkey: { credentialId: a.credentialId, kek: extractable } },
      ),
      'ValidationException',
    );
  });

  it('connects only with its passkey; keys work while connected and fail with KMSInvalidStateException after', async () => {
    const f = await setUp();
    const { id, a } = await createStore(f);
    // Creating a key needs the store connected (AWS: CustomKeyStoreInvalidStateException).
    await rejectsWith(
      f.createKey({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: id }),
      'CustomKeyStoreInvalidStateException',
    );
    await rejectsWith(f.call('ConnectCustomKeyStore', { CustomKeyStoreId: id }), 'CustomKeyStoreInvalidStateException');
    await f.withStore('ConnectCustomKeyStore', { CustomKeyStoreId: id }, { passkey: await a.proof() });
    expect((await state(f, id)).ConnectionState).toBe('CONNECTED');

    const key = await f.createKey({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: id, Description: 'in the store' });
    expect(key).toMatchObject({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: id, KeySpec: 'SYMMETRIC_DEFAULT' });
    const { CiphertextBlob } = await f.call('Encrypt', { KeyId: key.KeyId, Plaintext: utf8('secret') });
    expect(text((await f.call('Decrypt', { CiphertextBlob })).Plaintext)).toBe('secret');
    expect((await f.call('GenerateRandom', { NumberOfBytes: 16, CustomKeyStoreId: id })).Plaintext).toHaveLength(16);

    await f.call('DisconnectCustomKeyStore', { CustomKeyStoreId: id });
    expect((await state(f, id)).ConnectionState).toBe('DISCONNECTED');
    const e = await rejectsWith(f.call('Decrypt', { CiphertextBlob }), 'KMSInvalidStateException');
    expect(e.message).toMatch(/connect it with its passkey in the Pocket KMS console/);
    await rejectsWith(f.call('Encrypt', { KeyId: key.KeyId, Plaintext: utf8('x') }), 'KMSInvalidStateException');
    await rejectsWith(f.call('GenerateDataKey', { KeyId: key.KeyId, KeySpec: 'AES_256' }), 'KMSInvalidStateException');
    await rejectsWith(
      f.call('GenerateRandom', { NumberOfBytes: 8, CustomKeyStoreId: id }),
      'CustomKeyStoreInvalidStateException',
    );
    await rejectsWith(
      f.call('DisconnectCustomKeyStore', { CustomKeyStoreId: id }),
      'CustomKeyStoreInvalidStateException',
    );
    // Describe still works while disconnected, as in AWS.
    expect((await f.call('DescribeKey', { KeyId: key.KeyId })).KeyMetadata.CustomKeyStoreId).toBe(id);

    // Reconnected: the old ciphertext decrypts.
    await f.withStore('ConnectCustomKeyStore', { CustomKeyStoreId: id }, { passkey: await a.proof() });
    expect(text((await f.call('Decrypt', { CiphertextBlob })).Plaintext)).toBe('secret');
  });

  it('another authenticator fails the connection (FAILED, USER_NOT_FOUND); a wrong PRF is INVALID_CREDENTIALS', async () => {
    const f = await setUp();
    const { id, a } = await createStore(f);
    await f.withStore('ConnectCustomKeyStore', { CustomKeyStoreId: id }, { passkey: await authenticator().proof() });
    expect(await state(f, id)).toMatchObject({ ConnectionState: 'FAILED', ConnectionErrorCode: 'USER_NOT_FOUND' });
    // AWS: a FAILED store is disconnected before it is connected again.
    await rejectsWith(
      f.withStore('ConnectCustomKeyStore', { CustomKeyStoreId: id }, { passkey: await a.proof() }),
      'CustomKeyStoreInvalidStateException',
    );
    await f.call('DisconnectCustomKeyStore', { CustomKeyStoreId: id });
    const forged = { credentialId: a.credentialId, kek: await storeKek(random(32)) };
    await f.withStore('ConnectCustomKeyStore', { CustomKeyStoreId: id }, { passkey: forged });
    expect(await state(f, id)).toMatchObject({ ConnectionState: 'FAILED', ConnectionErrorCode: 'INVALID_CREDENTIALS' });
  });

  it('stores nothing usable: no CryptoKey and no material unwrappable under the keystore root keys', async () => {
    const f = await setUp();
    const { id, a } = await createStore(f);
    await f.withStore('ConnectCustomKeyStore', { CustomKeyStoreId: id }, { passkey: await a.proof() });
    const key = await f.createKey({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: id });
    const m = await f.store.read((tx) => tx.getMaterial(key.KeyId, 1));
    expect(m).toMatchObject({ customKeyStoreId: id });
    expect((m as any).key).toBeUndefined();
    // Every CryptoKey the origin stores (a device keystore's root keys, ADR 0001) tried as an attacker would.
    const stored: CryptoKey[] = [];
    JSON.stringify(await f.store.snapshot(), (_k, v) => (v instanceof CryptoKey ? (stored.push(v), 'CK') : v));
    expect(stored.length).toBeGreaterThan(0);
    for (const k of stored) {
      const tryUnwrap = crypto.subtle.unwrapKey('raw', (m as any).wrapped, k, k.algorithm as any, 'AES-GCM', true, [
        'encrypt',
      ]);
      await expect(tryUnwrap).rejects.toThrow();
    }
    const { materials, keys } = (await f.store.snapshot()).stores;
    expect(JSON.stringify([materials, keys], (_k, v) => (v instanceof CryptoKey ? 'CK' : v))).not.toContain('"CK"');
  });

  it('a spare passkey opens the same store; delete waits for disconnection and for the store to hold no keys', async () => {
    const f = await setUp();
    const { id, a } = await createStore(f);
    const spare = authenticator();
    await f.withStore(
      'UpdateCustomKeyStore',
      { CustomKeyStoreId: id },
      { passkey: await a.proof(), addPasskey: await spare.proof() },
    );
    await f.withStore('ConnectCustomKeyStore', { CustomKeyStoreId: id }, { passkey: await spare.proof() });
    const key = await f.createKey({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: id });
    const { CiphertextBlob } = await f.call('Encrypt', { KeyId: key.KeyId, Plaintext: utf8('two keys') });
    await f.call('DisconnectCustomKeyStore', { CustomKeyStoreId: id });
    await f.withStore('ConnectCustomKeyStore', { CustomKeyStoreId: id }, { passkey: await a.proof() });
    expect(text((await f.call('Decrypt', { CiphertextBlob })).Plaintext)).toBe('two keys');

    await f.call('UpdateCustomKeyStore', { CustomKeyStoreId: id, NewCustomKeyStoreName: 'renamed' });
    expect((await state(f, id)).CustomKeyStoreName).toBe('renamed');
    await rejectsWith(f.call('DeleteCustomKeyStore', { CustomKeyStoreId: id }), 'CustomKeyStoreInvalidStateException');
    await f.call('DisconnectCustomKeyStore', { CustomKeyStoreId: id });
    await rejectsWith(f.call('DeleteCustomKeyStore', { CustomKeyStoreId: id }), 'CustomKeyStoreHasCMKsException');
    await f.call('ScheduleKeyDeletion', { KeyId: key.KeyId, PendingWindowInDays: 7 });
    await rejectsWith(f.call('DeleteCustomKeyStore', { CustomKeyStoreId: id }), 'CustomKeyStoreHasCMKsException');
    f.clock.advanceDays(8);
    await f.kms.maintain();
    await f.call('DeleteCustomKeyStore', { CustomKeyStoreId: id });
    await rejectsWith(f.call('DescribeCustomKeyStores', { CustomKeyStoreId: id }), 'CustomKeyStoreNotFoundException');
  });

  it('refuses what AWS refuses in a custom key store: asymmetric keys, rotation, multi-Region', async () => {
    const f = await setUp();
    const { id, a } = await createStore(f);
    await f.withStore('ConnectCustomKeyStore', { CustomKeyStoreId: id }, { passkey: await a.proof() });
    await rejectsWith(
      f.createKey({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: id, KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }),
      'UnsupportedOperationException',
    );
    await rejectsWith(
      f.createKey({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: id, MultiRegion: true }),
      'UnsupportedOperationException',
    );
    await rejectsWith(f.createKey({ CustomKeyStoreId: id }), 'ValidationException');
    await rejectsWith(
      f.createKey({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: 'cks-11111111111111111' }),
      'CustomKeyStoreNotFoundException',
    );
    const key = await f.createKey({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: id });
    await rejectsWith(f.call('EnableKeyRotation', { KeyId: key.KeyId }), 'UnsupportedOperationException');
    await rejectsWith(f.call('RotateKeyOnDemand', { KeyId: key.KeyId }), 'UnsupportedOperationException');
  });

  it('disconnects after the idle timeout the person set, recorded as the service', async () => {
    const f = await setUp();
    const { id, a } = await createStore(f);
    await f.withStore('UpdateCustomKeyStore', { CustomKeyStoreId: id }, { idleMinutes: 5 });
    await f.withStore('ConnectCustomKeyStore', { CustomKeyStoreId: id }, { passkey: await a.proof() });
    f.clock.t += 4 * 60_000;
    await f.kms.maintain();
    expect((await state(f, id)).ConnectionState).toBe('CONNECTED');
    f.clock.t += 5 * 60_000;
    await f.kms.maintain();
    expect((await state(f, id)).ConnectionState).toBe('DISCONNECTED');
    const records = await f.audit();
    expect(records.filter((r) => r.eventName === 'DisconnectCustomKeyStore').at(-1)?.username).toBe(
      'kms.amazonaws.com',
    );
  });

  it('audits every call, success or failure, without the passkey', async () => {
    const f = await setUp();
    const { id, a } = await createStore(f);
    await f.withStore('ConnectCustomKeyStore', { CustomKeyStoreId: id }, { passkey: await a.proof() });
    await rejectsWith(f.call('DeleteCustomKeyStore', { CustomKeyStoreId: id }), 'CustomKeyStoreInvalidStateException');
    const names = (await f.audit()).map((r) => [r.eventName, r.errorCode ?? 'ok']);
    expect(names).toEqual([
      ['CreateCustomKeyStore', 'ok'],
      ['ConnectCustomKeyStore', 'ok'],
      ['DeleteCustomKeyStore', 'CustomKeyStoreInvalidStateException'],
    ]);
    const json = JSON.stringify((await f.audit()).map((r) => r.record));
    expect(json).not.toMatch(/kek|credentialId/i);
  });
});
