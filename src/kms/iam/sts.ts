// AWS STS's AssumeRole and GetSessionToken (STS API Reference) over the keystore's principals: temporary
// credentials (ASIA… access key, secret, session token, expiration) that /kms, /iam, /sts and /s3 accept
// with X-Amz-Security-Token until they expire (callers.ts). AssumeRole is decided by the role's trust
// policy and the caller's identity policies as AWS decides it (a trust policy naming the caller allows
// alone; one naming the account needs an identity policy allowing sts:AssumeRole too); session tags need
// sts:TagSession as well. Every call is an sts.amazonaws.com record; secrets and tokens never are.

import { accountOf } from '../accounts';
import { decide, loadIdentity, parsedPolicy, requestContext, withOrganization } from '../authz';
import { OpContext, type KmsEnv } from '../context';
import { AccessDeniedException, KmsError, toKmsError, ValidationException } from '../errors';
import { roleOfSession, type Caller } from '../ids';
import type { Tx } from '../ports';
import type { AccessKeyRecord, SessionRecord, Tag } from '../records';
import { storedSecret } from './access-key-secret';
import { globalIamChange } from './global';
import { BASE32, pick, SECRET_CHARS } from './iam';
import { tokenHash } from './session-token';
import { tagsFrom } from './validate';

export interface StsTag {
  Key: string;
  Value: string;
}

export interface AssumeRoleInput {
  RoleArn: string;
  RoleSessionName: string;
  DurationSeconds?: number;
  ExternalId?: string;
  Policy?: string;
  Tags?: StsTag[];
  TransitiveTagKeys?: string[];
}

export interface Credentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: Date;
}

/** STS: sessions last 15 minutes at least; GetSessionToken up to 36 hours (1 hour for the root). */
const MIN_SECONDS = 900;
const SESSION_TOKEN_MAX = 129_600;
const ROOT_SESSION_MAX = 3600;
/** A role assumed with a role session's credentials (role chaining) lasts at most an hour. */
const CHAINED_MAX = 3600;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const MAX_SESSION_POLICY = 2048;

const invalid = (member: string, value: unknown, constraint: string) =>
  new ValidationException(
    `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );

/** PackedPolicySize: how much of the packed allowance (2048 characters here) the session policy and tags
 * use, as a percentage; present only when either was given, as STS answers it. */
function packedPolicySize(policy: string | undefined, tags: Tag[]): { PackedPolicySize?: number } {
  if (policy === undefined && !tags.length) return {};
  const used = (policy?.length ?? 0) + (tags.length ? JSON.stringify(tags).length : 0);
  return { PackedPolicySize: Math.ceil((100 * used) / MAX_SESSION_POLICY) };
}

/** An STS session whose credentials have not expired (the console's Identities page). */
export interface SessionSummary {
  accessKeyId: string;
  /** The role assumed (AssumeRole), or the user or root that asked (GetSessionToken). */
  principalArn: string;
  kind: 'AssumeRole' | 'GetSessionToken';
  sessionName?: string;
  createdAt: number;
  expiresAt: number;
  tags: Tag[];
  transitiveTagKeys: string[];
  hasSessionPolicy: boolean;
}

/** The inline policy AWS's console attaches to a role to revoke its active sessions ("Revoke active
 * sessions", IAM User Guide): deny everything to credentials issued before `now`, rounded up to the next
 * second (aws:TokenIssueTime has whole seconds), so no session issued before the click survives it. */
export const REVOKE_POLICY_NAME = 'AWSRevokeOlderSessions';
export function revokeOlderSessionsPolicy(now: number): string {
  const cutoff = new Date(Math.ceil(now / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff } } },
    ],
  });
}

/** The session tags of the caller marked transitive (TransitiveTagKeys), which a chained session inherits. */
function transitiveTags(caller: Caller): Tag[] {
  const s = caller.session;
  if (!s?.transitiveTagKeys?.length || !s.tags) return [];
  const keys = new Set(s.transitiveTagKeys.map((k) => k.toLowerCase()));
  return Object.entries(s.tags)
    .filter(([k]) => keys.has(k.toLowerCase()))
    .map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
}

interface Fresh {
  accessKeyId: string;
  secretAccessKey: string;
  token: string;
  stored: Awaited<ReturnType<typeof storedSecret>>;
  tokenHash: string;
}

export class Sts {
  constructor(private readonly env: KmsEnv) {}

  private async run<T>(caller: Caller, op: string, request: object, fn: (tx: Tx) => Promise<T>, requestId?: string) {
    const c = new OpContext(this.env, caller, op, request, requestId);
    c.eventSource = 'sts.amazonaws.com';
    try {
      // STS credentials work in every Region, as AWS's do (ADR 0017): the new session reaches each copy of IAM.
      return await globalIamChange(this.env, (stamp) =>
        c.write(async (tx) => {
          const out = await fn(tx);
          await stamp(tx);
          return out;
        }),
      );
    } catch (e) {
      const err = toKmsError(e);
      if (!(e instanceof KmsError)) console.error(`Pocket KMS internal error in ${op}:`, (e as Error)?.name);
      await this.env.store.write((tx) => tx.appendAudit(c.entry(undefined, err)));
      throw err;
    }
  }

  /** New credentials, made before the call's transaction (crypto would let IndexedDB's transaction end). */
  private async fresh(): Promise<Fresh> {
    const accessKeyId = 'ASIA' + pick(this.env.random.bytes(16), BASE32);
    const secretAccessKey = pick(this.env.random.bytes(40), SECRET_CHARS);
    const token = btoa(String.fromCharCode(...this.env.random.bytes(96)));
    const stored = await storedSecret(this.env.custodian, this.env.random, accessKeyId, secretAccessKey);
    return { accessKeyId, secretAccessKey, token, stored, tokenHash: await tokenHash(token) };
  }

  /** Stores `f` as temporary credentials of `principalArn` with their session (inside the call's transaction). */
  private async issue(
    tx: Tx,
    f: Fresh,
    principalArn: string,
    seconds: number,
    session: Omit<SessionRecord, 'tokenHash' | 'expiresAt'>,
  ): Promise<Credentials> {
    const now = this.env.clock.now();
    await this.env.custodian.requireCurrent(tx);
    // Expired sessions of this principal go as new ones come: they could never be used again.
    for (const k of await tx.listAccessKeys(principalArn))
      if (k.session && k.session.expiresAt <= now) await tx.deleteAccessKey(k.accessKeyId);
    const record: AccessKeyRecord = {
      accessKeyId: f.accessKeyId,
      principalArn,
      status: 'Active',
      createdAt: now,
      ...f.stored,
      session: { ...session, tokenHash: f.tokenHash, expiresAt: now + seconds * 1000 },
    };
    await tx.putAccessKey(record);
    return {
      AccessKeyId: f.accessKeyId,
      SecretAccessKey: f.secretAccessKey,
      SessionToken: f.token,
      Expiration: new Date(now + seconds * 1000),
    };
  }

  /**
   * AssumeRole: credentials of a session of a role of this account.
   * @throws AccessDeniedException (also for a role that does not exist, as AWS), ValidationException,
   *   MalformedPolicyDocumentException, PackedPolicyTooLargeException
   */
  async assumeRole(caller: Caller, input: AssumeRoleInput, requestId?: string) {
    const f = await this.fresh();
    const request = {
      roleArn: input.RoleArn,
      roleSessionName: input.RoleSessionName,
      ...(input.DurationSeconds !== undefined ? { durationSeconds: input.DurationSeconds } : {}),
      ...(input.ExternalId !== undefined ? { externalId: input.ExternalId } : {}),
      ...(input.Tags?.length ? { tags: input.Tags } : {}),
      ...(input.TransitiveTagKeys?.length ? { transitiveTagKeys: input.TransitiveTagKeys } : {}),
    };
    return this.run(
      caller,
      'AssumeRole',
      request,
      async (tx) => {
        const { RoleArn: roleArn, RoleSessionName: name } = input;
        if (typeof roleArn !== 'string' || roleArn.length < 20 || roleArn.length > 2048)
          throw invalid('roleArn', roleArn, 'Member must have length between 20 and 2048');
        if (typeof name !== 'string' || !SESSION_NAME.test(name))
          throw invalid(
            'roleSessionName',
            name,
            'Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64',
          );
        if (input.ExternalId !== undefined && (input.ExternalId.length < 2 || input.ExternalId.length > 1224))
          throw invalid('externalId', input.ExternalId, 'Member must have length between 2 and 1224');
        const given: Tag[] = tagsFrom((input.Tags ?? []).map((t) => ({ TagKey: t.Key, TagValue: t.Value })));
        for (const k of input.TransitiveTagKeys ?? [])
          if (!given.some((t) => t.TagKey.toLowerCase() === k.toLowerCase()))
            throw new ValidationException(`The transitive tag key ${k} is not one of the session tags.`);
        // Role chaining: the caller's transitive session tags pass into the new session, still transitive, and
        // cannot be given again with another value (IAM User Guide, "Chaining roles with session tags").
        const inherited = transitiveTags(caller);
        for (const t of given)
          if (inherited.some((i) => i.TagKey.toLowerCase() === t.TagKey.toLowerCase()))
            throw new ValidationException(
              `The session tag ${t.TagKey} is a transitive tag of the calling session and cannot be set again.`,
            );
        const tags = [...inherited, ...given];
        const transitiveKeys = [...inherited.map((t) => t.TagKey), ...(input.TransitiveTagKeys ?? [])];
        if (input.Policy !== undefined) {
          if (input.Policy.length > MAX_SESSION_POLICY)
            throw invalid('policy', '…', `Member must have length less than or equal to ${MAX_SESSION_POLICY}`);
          parsedPolicy(input.Policy, 'identity');
        }

        const role = await tx.getPrincipal(roleArn);
        const who = `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;
        if (!role || role.kind !== 'role' || !role.assumeRolePolicy) throw new AccessDeniedException(who);
        const identity = await loadIdentity(tx, caller);
        const now = this.env.clock.now();
        const context = requestContext('AssumeRole', request, identity.facts, undefined, now);
        withOrganization(context, identity, this.env.keystore);
        context['sts:RoleSessionName'] = name;
        if (input.ExternalId !== undefined) context['sts:ExternalId'] = input.ExternalId;
        if (tags.length) {
          context['aws:TagKeys'] = tags.map((t) => t.TagKey);
          for (const t of tags) context[`aws:RequestTag/${t.TagKey}`] = t.TagValue;
        }
        if (transitiveKeys.length) context['sts:TransitiveTagKeys'] = transitiveKeys;
        const trust = parsedPolicy(role.assumeRolePolicy, 'trust');
        for (const action of ['sts:AssumeRole', ...(tags.length ? ['sts:TagSession'] : [])]) {
          const request = { principal: identity.principal, action, resource: roleArn, context };
          // A role of another account of the keystore: its trust policy and the caller's account must both allow.
          const d = decide({
            request,
            keyPolicy: trust,
            identityPolicies: identity.policies,
            resourceAccount: accountOf(roleArn) ?? this.env.keystore.accountId,
            callerIsRoot: identity.root,
          });
          if (!d.allowed)
            throw new AccessDeniedException(action === 'sts:AssumeRole' ? who : who.replace('sts:AssumeRole', action));
        }

        const chained = caller.type === 'AssumedRole';
        const max = chained ? CHAINED_MAX : (role.maxSessionDuration ?? 3600);
        const seconds = input.DurationSeconds ?? 3600;
        if (!Number.isInteger(seconds) || seconds < MIN_SECONDS)
          throw invalid('durationSeconds', seconds, `Member must have value greater than or equal to ${MIN_SECONDS}`);
        if (seconds > max)
          throw new ValidationException(
            chained
              ? `The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.`
              : 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
          );
        const credentials = await this.issue(tx, f, roleArn, seconds, {
          roleArn,
          sessionName: name,
          ...(tags.length ? { tags } : {}),
          ...(input.Policy !== undefined ? { policy: input.Policy } : {}),
          ...(transitiveKeys.length ? { transitiveTagKeys: transitiveKeys } : {}),
        });
        return {
          Credentials: credentials,
          AssumedRoleUser: {
            AssumedRoleId: `${role.id}:${name}`,
            Arn: `arn:aws:sts::${accountOf(roleArn) ?? this.env.keystore.accountId}:assumed-role/${role.name}/${name}`,
          },
          ...packedPolicySize(input.Policy, given),
        };
      },
      requestId,
    );
  }

  /** Sessions whose credentials have not expired, newest first (never their secrets or tokens). */
  async active(): Promise<SessionSummary[]> {
    const now = this.env.clock.now();
    const keys = await this.env.store.read((tx) => tx.listAccessKeys());
    return keys
      .filter((k) => k.session && k.session.expiresAt > now)
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((k) => {
        const s = k.session!;
        return {
          accessKeyId: k.accessKeyId,
          principalArn: k.principalArn,
          kind: s.roleArn ? 'AssumeRole' : 'GetSessionToken',
          ...(s.sessionName !== undefined ? { sessionName: s.sessionName } : {}),
          createdAt: k.createdAt,
          expiresAt: s.expiresAt,
          tags: s.tags ?? [],
          transitiveTagKeys: s.transitiveTagKeys ?? [],
          hasSessionPolicy: s.policy !== undefined,
        };
      });
  }

  /** Deletes temporary credentials past their expiry (maintenance; they could never be used again).
   * Not recorded: AWS records nothing when credentials expire. Returns how many went. */
  async sweepExpired(now: number): Promise<number> {
    const due = (tx: Tx) => tx.listAccessKeys().then((ks) => ks.filter((k) => k.session && k.session.expiresAt <= now));
    // Read first: most runs find nothing, and a write transaction costs more.
    if (!(await this.env.store.read(due)).length) return 0;
    return this.env.store.write(async (tx) => {
      const gone = await due(tx);
      for (const k of gone) await tx.deleteAccessKey(k.accessKeyId);
      return gone.length;
    });
  }

  /**
   * GetSessionToken: temporary credentials of the caller itself (an IAM user or the root).
   * @throws AccessDeniedException for role sessions (AWS: "Cannot call GetSessionToken with session credentials")
   */
  async getSessionToken(caller: Caller, durationSeconds: number | undefined, requestId?: string) {
    const f = await this.fresh();
    const request = durationSeconds !== undefined ? { durationSeconds } : {};
    return this.run(
      caller,
      'GetSessionToken',
      request,
      async (tx) => {
        if (caller.type === 'AssumedRole' || caller.session || roleOfSession(caller.arn))
          throw new AccessDeniedException('Cannot call GetSessionToken with session credentials');
        const root = caller.type === 'Root';
        const seconds = durationSeconds ?? (root ? ROOT_SESSION_MAX : 43_200);
        const max = root ? ROOT_SESSION_MAX : SESSION_TOKEN_MAX;
        if (!Number.isInteger(seconds) || seconds < MIN_SECONDS || seconds > max)
          throw invalid('durationSeconds', seconds, `Member must have value between ${MIN_SECONDS} and ${max}`);
        return { Credentials: await this.issue(tx, f, caller.arn, seconds, {}) };
      },
      requestId,
    );
  }
}
