// Authorization of multi-Region operations (ADR 0015): the kms:ReplicaRegion and kms:PrimaryRegion condition
// keys, kms:CreateKey in the replica's Region, and kms:UpdatePrimaryRegion on both keys, as AWS documents.
import { describe, expect, it } from 'vitest';
import { rejectsWith } from '../../helpers/kms';
import { freshRegions } from '../../helpers/regions';

const policy = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

describe('multi-Region authorization', () => {
  it('a key policy limits ReplicateKey to the Regions kms:ReplicaRegion names', async () => {
    const r = await freshRegions();
    const east = await r.at('us-east-1');
    const alice = await east.kms.iam.createPrincipal(east.caller, 'user', 'alice');
    await east.kms.iam.putPolicy(
      east.caller,
      alice.arn,
      'create',
      policy([{ Effect: 'Allow', Action: 'kms:CreateKey', Resource: '*' }]),
    );
    const { KeyMetadata: k } = await east.call('CreateKey', {
      MultiRegion: true,
      Policy: policy([
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
        {
          Effect: 'Allow',
          Principal: { AWS: alice.arn },
          Action: 'kms:ReplicateKey',
          Resource: '*',
          Condition: { StringEquals: { 'kms:ReplicaRegion': 'eu-west-1' } },
        },
      ]),
    });
    const asAlice = await east.kms.iam.callerFor(alice.arn, { userAgent: 'vitest' });
    const call = (req: object) => east.kms.call('ReplicateKey', req, asAlice);
    await rejectsWith(call({ KeyId: k.KeyId, ReplicaRegion: 'us-west-2' }), 'AccessDeniedException');
    const ok = (await call({ KeyId: k.KeyId, ReplicaRegion: 'eu-west-1' })) as Record<string, any>;
    expect(ok.ReplicaKeyMetadata.Arn).toContain(':eu-west-1:');
  });

  it('ReplicateKey needs kms:CreateKey in the replica\u2019s Region: without it nothing is made', async () => {
    const r = await freshRegions();
    const east = await r.at('us-east-1');
    const bob = await east.kms.iam.createPrincipal(east.caller, 'user', 'bob');
    const { KeyMetadata: k } = await east.call('CreateKey', {
      MultiRegion: true,
      Policy: policy([
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: bob.arn }, Action: 'kms:ReplicateKey', Resource: '*' },
      ]),
    });
    const asBob = await east.kms.iam.callerFor(bob.arn, { userAgent: 'vitest' });
    await rejectsWith(
      east.kms.call('ReplicateKey', { KeyId: k.KeyId, ReplicaRegion: 'us-west-2' }, asBob),
      'AccessDeniedException',
    );
    // Not even the Region: the call was refused before it was made (atomic.test.ts).
    expect(await r.regions.get('us-west-2')).toBeUndefined();
    expect(
      (await east.call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.MultiRegionConfiguration.ReplicaKeys,
    ).toEqual([]);
  });
});
