// Global IAM between Regions (src/kms/iam/global.ts, ADR 0017): a Region that was locked or missed a change
// catches up, secrets cross only in a form the destination's custody stores, and accounts are global too.
import { ListAliasesCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { IAM_REVISION_META } from '../../../../src/kms/iam';
import { Kms } from '../../../../src/kms/kms';
import { LocalLocks, systemRandom } from '../../../../src/kms/ports';
import { IdbStore } from '../../../../src/store/idb-store';
import { freshRegions } from '../../helpers/regions';
import { kmsClient } from '../../helpers/sdk-clients';
import { credentialsOf } from '../../helpers/sign';

const SECRET = { passphrase: 'correct horse battery staple' };
const ALL = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }],
});

type Region = Awaited<ReturnType<Awaited<ReturnType<typeof freshRegions>>['at']>>;

/** A user with kms:* and an access key, made through `at`'s console (core API). */
async function userWithKey(at: Region, name: string) {
  const p = await at.kms.iam.createPrincipal(at.caller, 'user', name);
  await at.kms.iam.putPolicy(at.caller, p.arn, 'kms', ALL);
  return { arn: p.arn, creds: credentialsOf(await at.kms.iam.createAccessKey(at.caller, p.arn)) };
}

const stored = (at: Region, accessKeyId: string) => at.kms.peerEnv().store.read((tx) => tx.getAccessKey(accessKeyId));
const signs = (at: Region, creds: { accessKeyId: string; secretAccessKey: string }) =>
  kmsClient(at.kms, creds).send(new ListAliasesCommand({}));

describe('global IAM between Regions', () => {
  it('reaches a Region locked at rest under the same roots, sealed as it was, and it signs once unlocked', async () => {
    const r = await freshRegions();
    const east = await r.at('us-east-1');
    await east.kms.custody.setUpRecovery(east.caller, SECRET, { iterations: 1000 });
    const west = await r.at('us-west-2');
    await west.kms.custody.lock(west.caller);
    const { creds } = await userWithKey(east, 'dana');
    // In us-west-2's store while it was locked: the sealed secret only, never a usable key.
    const rec = await stored(west, creds.accessKeyId);
    expect(rec?.sealedSecret).toBeInstanceOf(ArrayBuffer);
    expect(rec?.secret).toBeUndefined();
    await west.kms.custody.unlock(west.caller, SECRET);
    await expect(signs(west, creds)).resolves.toBeDefined();
  });

  it('a Region that missed a change (made by an instance without the other Regions) catches up at maintenance', async () => {
    const r = await freshRegions();
    const west = await r.at('us-west-2');
    // An instance of us-east-1 that does not know the Region set, as an older tab would be.
    const lone = await Kms.open({
      clock: r.clock,
      random: systemRandom,
      locks: new LocalLocks(),
      store: await IdbStore.open(r.prefix + 'us-east-1'),
    });
    const owner = (await r.at('us-east-1')).caller;
    const p = await lone.iam.createPrincipal(owner, 'user', 'erin');
    await lone.iam.putPolicy(owner, p.arn, 'kms', ALL);
    const creds = credentialsOf(await lone.iam.createAccessKey(owner, p.arn));
    await lone.iam.createAccount(owner, 'Workloads', '444455556666');
    await expect(signs(west, creds)).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    await west.kms.maintain();
    await expect(signs(west, creds)).resolves.toBeDefined();
    expect((await west.kms.iam.accounts()).map((a) => a.accountId)).toContain('444455556666');
    const rev = (at: Kms) => at.peerEnv().store.read((tx) => tx.getMeta<number>(IAM_REVISION_META));
    expect(await rev(west.kms)).toBe(await rev(lone));
  });

  it('re-seals secrets for a Region locked under other roots when it is unlocked, and not before', async () => {
    const r = await freshRegions();
    const east = await r.at('us-east-1');
    const west = await r.at('us-west-2');
    // Each Region given its own secret: the same passphrase, but root keys of its own.
    await east.kms.custody.setUpRecovery(east.caller, SECRET, { iterations: 1000 });
    await west.kms.custody.setUpRecovery(west.caller, SECRET, { iterations: 1000 });
    const first = await userWithKey(east, 'frank');
    // Both unlocked: re-sealed under us-west-2's wrapping key inside WebCrypto.
    await expect(signs(west, first.creds)).resolves.toBeDefined();
    const a = await stored(east, first.creds.accessKeyId);
    const b = await stored(west, first.creds.accessKeyId);
    expect(new Uint8Array(b!.sealedSecret!)).not.toEqual(new Uint8Array(a!.sealedSecret!));

    await west.kms.custody.lock(west.caller);
    const second = await userWithKey(east, 'grace');
    // Known in us-west-2 (listed, a DeleteUser there would conflict) but without a secret it cannot sign yet.
    const known = await stored(west, second.creds.accessKeyId);
    expect(known).toMatchObject({ principalArn: second.arn, status: 'Active' });
    expect(known?.sealedSecret ?? known?.secret).toBeUndefined();
    await west.kms.custody.unlock(west.caller, SECRET);
    await expect(signs(west, second.creds)).resolves.toBeDefined();
  });

  it('merges, never replaces, a Region whose copy predates global IAM (what it alone held stays)', async () => {
    const r = await freshRegions();
    const east = await r.at('us-east-1');
    const west = await r.at('us-west-2');
    // As two Regions made before ADR 0017 were: no revision, each with a user the other never heard of.
    const legacy = async (at: Region, name: string) => {
      const arn = `arn:aws:iam::${at.kms.keystore.accountId}:user/${name}`;
      await at.kms.peerEnv().store.write(async (tx) => {
        await tx.putPrincipal({
          arn,
          kind: 'user',
          name,
          id: `AIDA${name.toUpperCase()}`,
          createdAt: 0,
          tags: [],
          policies: {},
        });
        await tx.deleteMeta(IAM_REVISION_META);
      });
      return arn;
    };
    const both = [await legacy(east, 'old-east'), await legacy(west, 'old-west')];
    const made = await east.kms.iam.createPrincipal(east.caller, 'user', 'newer');
    for (const at of [east, west])
      expect((await at.kms.iam.list()).map((p) => p.arn)).toEqual(expect.arrayContaining([...both, made.arn]));
  });

  it('never carries a secret sealed at rest into a device keystore', async () => {
    const r = await freshRegions();
    const east = await r.at('us-east-1');
    const west = await r.at('us-west-2'); // a device keystore: made before the secret
    await east.kms.custody.setUpRecovery(east.caller, SECRET, { iterations: 1000 });
    const { creds, arn } = await userWithKey(east, 'heidi');
    const rec = await stored(west, creds.accessKeyId);
    expect(rec).toMatchObject({ principalArn: arn });
    expect(rec?.secret ?? rec?.sealedSecret).toBeUndefined();
    await expect(signs(west, creds)).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    // The rest of IAM is global all the same.
    expect((await west.kms.iam.list()).map((p) => p.arn)).toContain(arn);
  });
});
