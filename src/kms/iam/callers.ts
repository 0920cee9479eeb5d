// Who a request is from: the caller an access key stands for (the root, a user, a role session, or the
// temporary credentials STS issued for one), read with its secret in one go for SigV4; and the caller the
// console acts as.
import { ExpiredTokenException, NoSuchEntityException } from '../errors';
import type { KmsEnv } from '../context';
import { accountOf, isAccount, rootAccountOf } from '../accounts';
import { type Caller, type CallerSession } from '../ids';
import type { Tx } from '../ports';
import type { PrincipalRecord } from '../records';
import { openSecret } from './access-key-secret';
import { callerSession, sessionTokenMatches } from './session-token';

/**
 * What SigV4 needs of an access key, in one read: its stored secret and the caller it stands for (a
 * role's key acts as a session named after the key). Undefined when the key is unknown or inactive,
 * or its owner no longer exists.
 */
export async function authenticateKey(
  env: KmsEnv,
  accessKeyId: string,
  via: CallerVia,
): Promise<{ secret: CryptoKey; caller: Caller } | undefined> {
  const found = await env.store.read(async (tx) => {
    const k = await tx.getAccessKey(accessKeyId);
    if (!k || k.status !== 'Active') return undefined;
    // Known here but its secret has not reached this Region yet (locked under other roots, ADR 0017).
    if (!k.secret && !k.sealedSecret) return undefined;
    const root = await isRoot(env, tx, k.principalArn);
    return { k, root, p: root ? undefined : await tx.getPrincipal(k.principalArn) };
  });
  if (!found || (!found.root && !found.p)) return undefined;
  const s = found.k.session;
  // Temporary credentials count only with their session token (signed, X-Amz-Security-Token), until expiry.
  if (s && !(await sessionTokenMatches(s, via.sessionToken))) return undefined;
  // A long-term key with a session token is refused, as AWS refuses it.
  if (!s && via.sessionToken !== undefined) return undefined;
  if (s && env.clock.now() >= s.expiresAt)
    throw new ExpiredTokenException('The security token included in the request is expired');
  return {
    secret: await openSecret(env.custodian, found.k),
    caller: callerOf(env, found.k.principalArn, found.p, {
      ...via,
      accessKeyId,
      sessionName: s?.sessionName ?? accessKeyId,
      ...(s ? { session: callerSession(s, found.k.createdAt) } : {}),
    }),
  };
}

/**
 * The caller for a principal: the root, a user, or a session of a role (`sessionName`, default "console").
 * @throws NoSuchEntityException when the principal does not exist.
 */
export async function callerFor(env: KmsEnv, principalArn: string, via: CallerVia): Promise<Caller> {
  const found = await env.store.read(async (tx) =>
    (await isRoot(env, tx, principalArn)) ? { root: true as const } : { p: await tx.getPrincipal(principalArn) },
  );
  if ('root' in found) return callerOf(env, principalArn, undefined, via);
  if (!found.p) throw new NoSuchEntityException(`The principal ${principalArn} cannot be found.`);
  return callerOf(env, principalArn, found.p, via);
}

/** Whether `arn` is the root of one of the keystore's accounts (accounts.ts). */
async function isRoot(env: KmsEnv, tx: Tx, arn: string): Promise<boolean> {
  const account = rootAccountOf(arn);
  return account !== undefined && (await isAccount(tx, env.keystore, account));
}

function callerOf(env: KmsEnv, principalArn: string, p: PrincipalRecord | undefined, via: CallerVia): Caller {
  // Every principal belongs to the account its ARN names (the keystore's own, or another of its accounts).
  const accountId = accountOf(principalArn) ?? env.keystore.accountId;
  const base = {
    accountId,
    userAgent: via.userAgent,
    sourceIPAddress: via.sourceIPAddress ?? '127.0.0.1',
    ...(via.accessKeyId ? { accessKeyId: via.accessKeyId } : {}),
    ...(via.session ? { session: via.session } : {}),
  };
  if (!p) return { ...base, type: 'Root', arn: principalArn, principalId: accountId };
  if (p.kind === 'user') return { ...base, type: 'IAMUser', arn: p.arn, principalId: p.id, userName: p.name };
  const session = via.sessionName ?? 'console';
  return {
    ...base,
    type: 'AssumedRole',
    arn: `arn:aws:sts::${accountId}:assumed-role/${p.name}/${session}`,
    principalId: `${p.id}:${session}`,
  };
}

export interface CallerVia {
  userAgent: string;
  sourceIPAddress?: string;
  accessKeyId?: string;
  sessionName?: string;
  /** The request's X-Amz-Security-Token, for temporary credentials. */
  sessionToken?: string;
  session?: CallerSession;
}
