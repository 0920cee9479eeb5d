// Which account owns a key or an alias record (src/kms/account-keys.ts): records written before accounts owned
// keys (no account) are the first account's, and the stored alias names of two accounts never collide.
import { describe, expect, it } from 'vitest';
import { accountOfKeyArn, aliasOf, aliasStoreName, keyAccount, ownedBy } from '../../../src/kms/account-keys';
import { checkAliasName } from '../../../src/kms/ids';

const ks = { region: 'eu-west-1', accountId: '111122223333' };
const B = '222233334444';
const KEY = '1234abcd-12ab-44cd-96ef-1234567890ab';

describe('account-keys', () => {
  it('reads a key record without an account as the first account’s', () => {
    expect(keyAccount(ks, {})).toBe(ks.accountId);
    expect(keyAccount(ks, { accountId: B })).toBe(B);
  });

  it('gives a new key of the first account no account field, and one of another account its account and ARN', () => {
    expect(ownedBy(ks, ks.accountId, KEY)).toEqual({ arn: `arn:aws:kms:eu-west-1:111122223333:key/${KEY}` });
    expect(ownedBy(ks, B, KEY)).toEqual({ arn: `arn:aws:kms:eu-west-1:${B}:key/${KEY}`, accountId: B });
    expect(accountOfKeyArn(ownedBy(ks, B, KEY).arn)).toBe(B);
  });

  it('stores the same alias name of two accounts under two names and reads each back', () => {
    const a = aliasStoreName(ks, ks.accountId, 'alias/app');
    const b = aliasStoreName(ks, B, 'alias/app');
    expect(a).toBe('alias/app');
    expect(b).not.toBe(a);
    expect(aliasOf(ks, { name: a })).toEqual({ accountId: ks.accountId, name: 'alias/app' });
    expect(aliasOf(ks, { name: b })).toEqual({ accountId: B, name: 'alias/app' });
    // Another account's stored name is no alias name any account could create.
    expect(() => checkAliasName(b)).toThrow();
  });
});
