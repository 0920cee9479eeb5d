// Backup and restore keep each key in its account (docs/AUTHORIZATION.md "Accounts"): a key and an alias of a second
// account come back that account's, whether the backup replaces the keystore or is merged into one.
import { describe, expect, it } from 'vitest';
import { rootCaller } from '../../../../src/kms/ids';
import { freshKms, text, utf8 } from '../../helpers/kms';

const PASS = { passphrase: 'correct horse battery staple' };
// The backup header's floor (MIN_ITERATIONS).
const KDF = { iterations: 100_000 };
const B = '222233334444';

async function source() {
  const f = await freshKms();
  const root = rootCaller(f.kms.keystore, { userAgent: 'vitest' });
  await f.kms.iam.createAccount(root, 'Applications', B);
  const bRoot = rootCaller({ ...f.kms.keystore, accountId: B }, { userAgent: 'vitest' });
  const bKey = ((await f.kms.call('CreateKey', {}, bRoot)) as { KeyMetadata: { KeyId: string; Arn: string } })
    .KeyMetadata;
  await f.kms.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: bKey.KeyId }, bRoot);
  const blob = (
    (await f.kms.call('Encrypt', { KeyId: 'alias/app', Plaintext: utf8('b') }, bRoot)) as {
      CiphertextBlob: Uint8Array;
    }
  ).CiphertextBlob;
  await f.kms.custody.setUpRecovery(root, PASS, KDF);
  return { root, bRoot, bKey, blob, file: await f.kms.custody.backup(root) };
}

describe("backups of another account's keys", () => {
  it('merges them into a keystore as that account’s keys, with their aliases in that account', async () => {
    const s = await source();
    const t = await freshKms();
    const root = rootCaller(t.kms.keystore, { userAgent: 'vitest' });
    await t.kms.iam.createAccount(root, 'Applications', B);
    await t.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: (await t.createKey()).KeyId });
    const r = await t.kms.custody.restore(root, s.file, { secret: PASS, mode: 'merge' });
    expect(r).toMatchObject({ mode: 'merge', keysRestored: 1, skipped: [] });
    const listed = (await t.kms.call('ListKeys', {}, s.bRoot)) as { Keys: { KeyArn: string }[] };
    expect(listed.Keys.map((k) => k.KeyArn)).toEqual([s.bKey.Arn]);
    const described = (await t.kms.call('DescribeKey', { KeyId: 'alias/app' }, s.bRoot)) as {
      KeyMetadata: { Arn: string; AWSAccountId: string };
    };
    expect(described.KeyMetadata).toMatchObject({ Arn: s.bKey.Arn, AWSAccountId: B });
    const out = (await t.kms.call('Decrypt', { CiphertextBlob: s.blob }, s.bRoot)) as { Plaintext: Uint8Array };
    expect(text(out.Plaintext)).toBe('b');
    // The first account's alias of the same name was not taken by the merge.
    expect(((await t.call('ListKeys')) as { Keys: unknown[] }).Keys).toHaveLength(1);
  });
});
