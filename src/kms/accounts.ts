// The accounts of one keystore (docs/AUTHORIZATION.md "Accounts"): the keystore's own account (the first) and
// further accounts (12-digit IDs, names), each with keys (account-keys.ts) and IAM principals of its own, using
// one another's keys across accounts as AWS allows it. All of them form one simple organization (aws:PrincipalOrgID).
// Kept in one `meta` record, so backups carry them.

import { sha256 } from '@noble/hashes/sha2.js';
import { EntityAlreadyExistsException, ValidationException } from './errors';
import type { Keystore } from './ids';
import type { Tx } from './ports';

export interface AccountRecord {
  accountId: string;
  name: string;
  createdAt: number;
}

export const ACCOUNTS_META = 'accounts';
/** AWS Organizations: an account name is 1–50 characters. */
const NAME = /^[\p{L}\p{N}\p{Zs}+=,.@_\-'()]{1,50}$/u;

/** The keystore's own account first, then the others in the order they were added. */
export async function listAccounts(tx: Tx, ks: Keystore): Promise<AccountRecord[]> {
  const stored = (await tx.getMeta<AccountRecord[]>(ACCOUNTS_META)) ?? [];
  const primary = stored.find((a) => a.accountId === ks.accountId) ?? {
    accountId: ks.accountId,
    name: 'Main account',
    createdAt: 0,
  };
  return [primary, ...stored.filter((a) => a.accountId !== ks.accountId)];
}

/** Whether `accountId` is one of the keystore's accounts (the keystore's own always is). */
export async function isAccount(tx: Tx, ks: Keystore, accountId: string): Promise<boolean> {
  if (accountId === ks.accountId) return true;
  return ((await tx.getMeta<AccountRecord[]>(ACCOUNTS_META)) ?? []).some((a) => a.accountId === accountId);
}

/** Adds an account. @throws ValidationException, EntityAlreadyExistsException */
export async function addAccount(tx: Tx, ks: Keystore, rec: AccountRecord): Promise<AccountRecord> {
  if (!/^\d{12}$/.test(rec.accountId)) throw new ValidationException('An account ID is 12 digits.');
  if (typeof rec.name !== 'string' || !NAME.test(rec.name))
    throw new ValidationException("An account name is 1–50 letters, digits, spaces or +=,.@_-'().");
  const all = await listAccounts(tx, ks);
  if (all.some((a) => a.accountId === rec.accountId))
    throw new EntityAlreadyExistsException(`The account ${rec.accountId} already exists in this keystore.`);
  const stored = (await tx.getMeta<AccountRecord[]>(ACCOUNTS_META)) ?? [];
  await tx.putMeta(ACCOUNTS_META, [...stored, rec]);
  return rec;
}

/** The organization every account of the keystore belongs to: `o-` and 10 characters derived from the
 * keystore's account, so it is the same on every device and after a restore. */
export function organizationId(ks: Keystore): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const h = sha256(new TextEncoder().encode(`pocket-kms-organization:${ks.accountId}`));
  return 'o-' + [...h.slice(0, 10)].map((b) => alphabet[b % 36]).join('');
}

/** The account of an IAM or STS ARN (`arn:aws:iam::<account>:…`). */
export function accountOf(arn: string): string | undefined {
  return /^arn:aws:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1];
}

/** The account whose root `arn` is, if it is a root ARN. */
export function rootAccountOf(arn: string): string | undefined {
  return /^arn:aws:iam::(\d{12}):root$/.exec(arn)?.[1];
}

/** The AWS KMS operations AWS lets a principal of another account call on a key, by key ARN (AWS KMS
 * Developer Guide, "AWS KMS permissions", Cross-account use: Yes). */
export const CROSS_ACCOUNT_OPERATIONS: ReadonlySet<string> = new Set([
  'CreateGrant',
  'Decrypt',
  'DeriveSharedSecret',
  'DescribeKey',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateMac',
  'GetKeyRotationStatus',
  'GetPublicKey',
  'ListGrants',
  'ReEncrypt',
  'RetireGrant',
  'RevokeGrant',
  'Sign',
  'Verify',
  'VerifyMac',
  'Decapsulate',
  'Encapsulate',
]);
