// ReplicateKey changes nothing when it is refused (ADR 0015 "Consequences"): every check runs before a new
// Region is made, and a failure between its two writes (the replica's Region, then the primary's) is
// repaired by maintenance (src/kms/multi-region/sync.ts joinPrimary).
import { describe, expect, it } from 'vitest';
import { rejectsWith } from '../../helpers/kms';
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
