// Test helpers for enforced authorization: a keystore with IAM users and roles, and a `call` per principal.
import type { Caller } from '../../../../src/kms/ids';
import { ACCOUNT, freshKms } from '../../helpers/kms';

export const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
export const userArn = (n: string) => `arn:aws:iam::${ACCOUNT}:user/${n}`;
export const roleArn = (n: string) => `arn:aws:iam::${ACCOUNT}:role/${n}`;

export const policy = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: '2012-10-17', Statement });

/** AWS's default key policy statement: the account root may do everything (and delegates to IAM). */
export const rootStatement = {
  Sid: 'Enable IAM User Permissions',
  Effect: 'Allow',
  Principal: { AWS: ROOT },
  Action: 'kms:*',
  Resource: '*',
};

export async function world() {
  const f = await freshKms();
  const owner = f.kms.iam.callerFor(ROOT, { userAgent: 'vitest' });
  const o = await owner;
  /** Creates a user or role, with inline identity policies, and returns a `call` as that principal. */
  const principal = async (
    kind: 'user' | 'role',
    name: string,
    policies: Record<string, string> = {},
    tags?: { TagKey: string; TagValue: string }[],
  ) => {
    const p = await f.kms.iam.createPrincipal(o, kind, name, tags);
    for (const [n, doc] of Object.entries(policies)) await f.kms.iam.putPolicy(o, p.arn, n, doc);
    const caller: Caller = await f.kms.iam.callerFor(p.arn, { userAgent: 'vitest' });
    const call = <T = Record<string, any>>(op: string, req: unknown = {}) =>
      f.kms.call(op, req, caller) as Promise<T & Record<string, any>>;
    return { ...p, caller, call };
  };
  return { ...f, owner: o, principal };
}
