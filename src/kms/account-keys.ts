// Which account of the keystore owns a key or an alias (docs/AUTHORIZATION.md "Accounts"): every account owns
// keys, as in AWS, and alias names are per account (AWS: per account and Region). Records written before
// accounts owned keys have no account: they belong to the keystore's first account.

import { keyArn, type Keystore } from './ids';
import type { AliasRecord, KeyRecord } from './records';

/** The keystore as seen from `accountId`: its Region, that account (what its ARNs and root name). */
export function accountView(ks: Keystore, accountId: string): Keystore {
  return { region: ks.region, accountId };
}

/** The account that owns `key` (a record without one: the keystore's first account). */
export function keyAccount(ks: Keystore, key: Pick<KeyRecord, 'accountId'>): string {
  return key.accountId ?? ks.accountId;
}

/** The fields a new key of `accountId` carries: its ARN, and its account when not the first (so records of the
 * first account stay exactly as they were, and a restore into another keystore keeps them its own). */
export function ownedBy(ks: Keystore, accountId: string, keyId: string): Pick<KeyRecord, 'arn' | 'accountId'> {
  return {
    arn: keyArn(accountView(ks, accountId), keyId),
    ...(accountId !== ks.accountId ? { accountId } : {}),
  };
}

/** The stored name (the aliases store's key) of alias `name` in `accountId`. The first account's aliases are
 * stored under their own names; another account's under `<account>:<name>`, which no alias name can equal
 * (an alias name starts with `alias/` and has no ':'). */
export function aliasStoreName(ks: Keystore, accountId: string, name: string): string {
  return accountId === ks.accountId ? name : `${accountId}:${name}`;
}

/** The account and the alias name (`alias/…`) of a stored alias record. */
export function aliasOf(ks: Keystore, rec: Pick<AliasRecord, 'name'>): { accountId: string; name: string } {
  const m = /^(\d{12}):(alias\/.*)$/.exec(rec.name);
  return m ? { accountId: m[1]!, name: m[2]! } : { accountId: ks.accountId, name: rec.name };
}

/** The account of a KMS key ARN or alias ARN. */
export function accountOfKeyArn(arn: string): string | undefined {
  return /^arn:aws:kms:[^:]+:(\d{12}):/.exec(arn)?.[1];
}
