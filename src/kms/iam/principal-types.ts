// What the keystore's IAM answers about principals and access keys (iam.ts): the shapes the console and the
// /iam endpoint read, and the alphabets access key IDs and secrets are drawn from, as AWS draws them.

import type { Tag } from '../records';

export type PrincipalKind = 'root' | 'user' | 'role';

export interface AccessKeySummary {
  accessKeyId: string;
  status: 'Active' | 'Inactive';
  createdAt: number;
}

export interface PrincipalSummary {
  arn: string;
  /** The account it belongs to (the keystore's own, or another of its accounts). */
  accountId: string;
  kind: PrincipalKind;
  name: string;
  /** AIDA… / AROA…, or the account ID for the root. */
  id: string;
  createdAt?: number;
  tags: Tag[];
  /** Inline identity policies by name (JSON text). */
  policies: Record<string, string>;
  /** ARNs of the attached managed policies. */
  attached: string[];
  /** A role's trust policy (JSON text). */
  trustPolicy?: string;
  accessKeys: AccessKeySummary[];
}

/** The one time a secret access key is seen. */
export interface NewAccessKey {
  AccessKeyId: string;
  SecretAccessKey: string;
  Status: 'Active';
  CreateDate: Date;
  principalArn: string;
}

/** AWS: at most two access keys per user. */
export const MAX_ACCESS_KEYS = 2;
export const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const SECRET_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function pick(random: Uint8Array, alphabet: string): string {
  // 256 is a multiple of both alphabets' sizes (32, 64): no modulo bias.
  return [...random].map((b) => alphabet[b % alphabet.length]).join('');
}
