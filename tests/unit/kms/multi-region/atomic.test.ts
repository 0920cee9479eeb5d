// ReplicateKey changes nothing when it is refused (ADR 0015 "Consequences"): every check runs before a new
// Region is made, and a failure between its two writes (the replica's Region, then the primary's) is
// repaired by maintenance (src/kms/multi-region/sync.ts joinPrimary).
import { describe, expect, it } from 'vitest';
import type { Store } from '../../../../src/kms/ports';
import { rejectsWith, text, utf8 } from '../../helpers/kms';
import { freshRegions } from '../../helpers/regions';

const policy = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const ROOT = 'arn:aws:iam::111122223333:root';

async function primaryWithUser() {
  const r = await freshRegions();
  const east = await r.at('us-east-1');
  const bob = await east.kms.iam.createPrincipal(east.caller, 'user', 'bob');
  const { KeyMetadata: k } = await east.call('CreateKey', {
    MultiRegion: true,
    Policy: policy([
      { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
      { Effect: 'Allow', Principal: { AWS: bob.arn }, Action: 'kms:ReplicateKey', Resource: '*' },
    ]),
  });
  const asBob = await east.kms.iam.callerFor(bob.arn, { userAgent: 'vitest' });
  const stored = () => east.kms.peerEnv().store.read((tx) => tx.getKey(k.KeyId));
  return { ...r, east, bob, asBob, k, stored };
}

describe('a refused ReplicateKey to a Region not yet in use', () => {
  it('without kms:CreateKey in the replica\u2019s Region: AccessDeniedException, and no Region is made', async () => {
    const { east, asBob, k, stored } = await primaryWithUser();
    const before = { regions: await east.kms.regionsInUse(), key: await stored() };
    await rejectsWith(
      east.kms.call('ReplicateKey', { KeyId: k.KeyId, ReplicaRegion: 'eu-central-1' }, asBob),
      'AccessDeniedException',
    );
    expect(await east.kms.regionsInUse()).toEqual(before.regions);
    expect(await stored()).toEqual(before.key);
  });

  it('with a policy that would lock the caller out: MalformedPolicyDocumentException, and no Region is made', async () => {
    const { east, bob, asBob, k, stored } = await primaryWithUser();
    await east.kms.iam.putPolicy(
      east.caller,
      bob.arn,
      'create',
      policy([{ Effect: 'Allow', Action: 'kms:CreateKey', Resource: '*' }]),
    );
    const before = { regions: await east.kms.regionsInUse(), key: await stored() };
    const lockout = policy([{ Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:Decrypt', Resource: '*' }]);
    await rejectsWith(
      east.kms.call('ReplicateKey', { KeyId: k.KeyId, ReplicaRegion: 'eu-central-1', Policy: lockout }, asBob),
      'MalformedPolicyDocumentException',
    );
    expect(await east.kms.regionsInUse()).toEqual(before.regions);
    expect(await stored()).toEqual(before.key);
    // The same call with kms:CreateKey and a policy that keeps the caller in makes the Region and the replica.
    const ok = (await east.kms.call('ReplicateKey', { KeyId: k.KeyId, ReplicaRegion: 'eu-central-1' }, asBob)) as {
      ReplicaKeyMetadata: { Arn: string };
    };
    expect(ok.ReplicaKeyMetadata.Arn).toContain(':eu-central-1:');
    expect(await east.kms.regionsInUse()).toEqual([...before.regions, 'eu-central-1'].sort());
  });
});

/** `store` whose next write, once armed, fails (a crash or quota error between ReplicateKey's two writes). */
function failingNextWrite(store: Store) {
  let armed = false;
  const wrapped = new Proxy(store, {
    get(target, prop) {
      if (prop === 'write' && armed)
        return () => {
          armed = false;
          return Promise.reject(new Error('injected: the write failed'));
        };
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { store: wrapped, arm: () => (armed = true) };
}

describe('a ReplicateKey that fails between its two writes', () => {
  it('leaves a replica the primary does not list, which maintenance adds to the list', async () => {
    let primaryStore: ReturnType<typeof failingNextWrite> | undefined;
    const r = await freshRegions({
      wrap: (region, store) => {
        if (region !== 'us-east-1') return store;
        primaryStore = failingNextWrite(store);
        return primaryStore.store;
      },
    });
    const east = await r.at('us-east-1');
    const { KeyMetadata: k } = await east.call('CreateKey', { MultiRegion: true });
    await east.call('ReplicateKey', { KeyId: k.KeyId, ReplicaRegion: 'us-west-2' });
    const { CiphertextBlob } = await east.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('kept') });

    primaryStore!.arm();
    await expect(east.call('ReplicateKey', { KeyId: k.KeyId, ReplicaRegion: 'eu-west-1' })).rejects.toThrow();
    const euArn = `arn:aws:kms:eu-west-1:111122223333:key/${k.KeyId}`;
    const eu = await r.at('eu-west-1');
    // The replica's Region was written, the primary's was not: the state this repair is for.
    expect((await eu.call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.Arn).toBe(euArn);
    const listed = async (at: { call: typeof east.call }) =>
      (await at.call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.MultiRegionConfiguration.ReplicaKeys.map(
        (x: { Region: string }) => x.Region,
      );
    expect(await listed(east)).toEqual(['us-west-2']);
    // Trying again changes nothing: the replica is there.
    await rejectsWith(
      east.call('ReplicateKey', { KeyId: k.KeyId, ReplicaRegion: 'eu-west-1' }),
      'AlreadyExistsException',
    );

    await eu.kms.maintain();
    expect(await listed(east)).toEqual(['us-west-2', 'eu-west-1']);
    // The other replica learns of it too, and the repaired replica decrypts what the primary encrypted.
    expect((await listed(await r.at('us-west-2'))).sort()).toEqual(['eu-west-1', 'us-west-2']);
    expect(text((await eu.call('Decrypt', { CiphertextBlob })).Plaintext)).toBe('kept');
    // A second run finds nothing to repair.
    const before = (await east.audit()).length;
    await eu.kms.maintain();
    expect((await east.audit()).length).toBe(before);
  });
});
