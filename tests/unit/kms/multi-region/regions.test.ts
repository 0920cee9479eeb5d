// Regions as sibling keystores (src/kms/multi-region/region-set.ts, sibling.ts; ADR 0015): a new Region has
// the account, custody and principals of the one it was made from; one unlock opens both; material never
// moves into a Region weaker than its source.
import { describe, expect, it } from 'vitest';
import { rejectsWith } from '../../helpers/kms';
import { freshRegions } from '../../helpers/regions';

const SECRET = { passphrase: 'correct horse battery staple' };

describe('a new Region', () => {
  it('is the same account, with its own empty keystore and the account\u2019s principals', async () => {
    const r = await freshRegions();
    const east = await r.at('us-east-1');
    await east.kms.iam.createPrincipal(east.caller, 'user', 'alice');
    await east.call('CreateKey', {});
    const west = await r.at('us-west-2');
    expect(west.kms.keystore).toEqual({ region: 'us-west-2', accountId: east.kms.keystore.accountId });
    expect((await west.call('ListKeys')).Keys).toEqual([]);
    expect((await west.kms.iam.list()).map((p) => p.arn)).toContain('arn:aws:iam::111122223333:user/alice');
    expect(await r.regions.inUse()).toEqual(['us-east-1', 'us-west-2']);
    // Its trail is its own.
    expect((await west.audit()).some((e) => e.eventName === 'CreateKey')).toBe(false);
  });

  it('made from a keystore locked at rest, opens with the same secret and shares the console\u2019s unlock', async () => {
    const r = await freshRegions();
    const east = await r.at('us-east-1');
    await east.kms.custody.setUpRecovery(east.caller, SECRET, { iterations: 1000 });
    const west = await r.at('us-west-2');
    expect(west.kms.custody.status()).toMatchObject({ mode: 'secret', locked: false });
    const { KeyMetadata: k } = await east.call('CreateKey', { MultiRegion: true });
    await east.call('ReplicateKey', { KeyId: k.KeyId, ReplicaRegion: 'us-west-2' });
    // Material stored only wrapped on both sides still moves: an ECC key signs west, verifies east.
    const ecc = (await east.call('CreateKey', { KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY', MultiRegion: true }))
      .KeyMetadata;
    await east.call('ReplicateKey', { KeyId: ecc.KeyId, ReplicaRegion: 'us-west-2' });
    const msg = { KeyId: ecc.KeyId, Message: new TextEncoder().encode('m'), SigningAlgorithm: 'ECDSA_SHA_384' };
    const { Signature } = await west.call('Sign', msg);
    expect((await east.call('Verify', { ...msg, Signature })).SignatureValid).toBe(true);
    // Locked, the sibling opens with the same passphrase on its own.
    await west.kms.custody.lock(west.caller);
    await rejectsWith(west.call('ListKeys'), 'KMSInvalidStateException');
    await rejectsWith(
      west.kms.custody.unlock(west.caller, { passphrase: 'not the passphrase' }),
      'IncorrectSecretException',
    );
    await west.kms.custody.unlock(west.caller, SECRET);
    expect(
      (await west.call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.MultiRegionConfiguration.MultiRegionKeyType,
    ).toBe('REPLICA');
    // Locked again, the set hands it the unlock of a Region that shares its custody.
    await west.kms.custody.lock(west.caller);
    expect((await r.regions.get('us-west-2'))!.custody.status().locked).toBe(false);
  });

  it('refuses to move material from a keystore locked at rest into one that is not (KMSInvalidStateException)', async () => {
    const r = await freshRegions();
    const east = await r.at('us-east-1');
    await r.at('us-west-2'); // a device keystore, made before the secret
    await east.kms.custody.setUpRecovery(east.caller, SECRET, { iterations: 1000 });
    const { KeyMetadata: k } = await east.call('CreateKey', { MultiRegion: true });
    await rejectsWith(
      east.call('ReplicateKey', { KeyId: k.KeyId, ReplicaRegion: 'us-west-2' }),
      'KMSInvalidStateException',
    );
    const west = await r.regions.get('us-west-2');
    expect(await west!.peerEnv().store.read((tx) => tx.getKey(k.KeyId))).toBeUndefined();
  });

  it('ReplicateKey makes a Region not yet in use', async () => {
    const r = await freshRegions();
    const east = await r.at('us-east-1');
    const { KeyMetadata: k } = await east.call('CreateKey', { MultiRegion: true });
    await east.call('ReplicateKey', { KeyId: k.KeyId, ReplicaRegion: 'ap-southeast-2' });
    expect(await r.regions.inUse()).toEqual(['ap-southeast-2', 'us-east-1']);
  });

  it('is opened again after a newer version of the app upgraded its database (RegionSet.forget)', async () => {
    const r = await freshRegions();
    const west = await r.at('us-west-2');
    await west.call('CreateKey', {});
    // Another tab's newer version opens the database at a higher version: this instance's store gives way.
    const upgraded = await new Promise<IDBDatabase>((ok, no) => {
      const req = indexedDB.open(r.prefix + 'us-west-2', west.kms.peerEnv().store.schemaVersion + 1);
      req.onsuccess = () => ok(req.result);
      req.onerror = () => no(req.error);
    });
    upgraded.close();
    const superseded = (k: { peerEnv(): { store: object } }) =>
      (k.peerEnv().store as { superseded?: boolean }).superseded === true;
    expect(superseded(west.kms)).toBe(true);
    expect(superseded(r.home)).toBe(false);
    // Only the Region whose store gave way is dropped; the next use opens it again (here, as a newer app would).
    expect(await r.regions.forget(superseded)).toBe(1);
    expect(await r.regions.forget(superseded)).toBe(0);
    expect(await r.regions.inUse()).toEqual(['us-east-1', 'us-west-2']);
    expect(await r.regions.get('us-east-1')).toBe(r.home);
  });
});
