// ESDK messages across Regions (ADR 0015): the aws-kms keyring is multi-Region-key aware, as the AWS
// Encryption SDK's MRK-aware keyring: a data key encrypted under an mrk key in one Region decrypts under
// its replica in another; a single-Region key's ARN is never rewritten.
import { describe, expect, it } from 'vitest';
import { mrkInRegion, NoUsableKeyError, SUITES } from '../../../../src/format';
import { coreKeyring } from '../../../../src/worker/files-keyring';
import { freshRegions } from '../../helpers/regions';

const suite = SUITES.get(0x0478)!;

describe('multi-Region keys and ESDK data keys', () => {
  it('a data key made in us-east-1 decrypts under the replica in us-west-2', async () => {
    const r = await freshRegions();
    const east = await r.at('us-east-1');
    const west = await r.at('us-west-2');
    const { KeyMetadata: k } = await east.call('CreateKey', { MultiRegion: true });
    await east.call('ReplicateKey', { KeyId: k.KeyId, ReplicaRegion: 'us-west-2' });
    const single = (await east.call('CreateKey', {})).KeyMetadata;
    const ctx = { file: 'a.txt' };
    const made = await coreKeyring(east.kms, east.caller, { keyIds: [k.Arn] }).onEncrypt(suite, ctx);
    const back = await coreKeyring(west.kms, west.caller).onDecrypt(suite, ctx, made.encryptedDataKeys);
    expect(back).toEqual(made.dataKey);
    const other = await coreKeyring(east.kms, east.caller, { keyIds: [single.Arn] }).onEncrypt(suite, ctx);
    await expect(
      coreKeyring(west.kms, west.caller).onDecrypt(suite, ctx, other.encryptedDataKeys),
    ).rejects.toBeInstanceOf(NoUsableKeyError);
  });

  it('rewrites only mrk key ARNs', () => {
    const mrk = 'arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab';
    expect(mrkInRegion(mrk, { region: 'eu-west-1' })).toBe(mrk.replace('us-east-1', 'eu-west-1'));
    expect(mrkInRegion(mrk, { region: 'eu-west-1', accountId: '444455556666' })).toBe(
      'arn:aws:kms:eu-west-1:444455556666:key/mrk-1234abcd12ab34cd56ef1234567890ab',
    );
    const uuid = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(mrkInRegion(uuid, { region: 'eu-west-1', accountId: '444455556666' })).toBe(uuid);
    expect(mrkInRegion(mrk, undefined)).toBe(mrk);
  });
});
