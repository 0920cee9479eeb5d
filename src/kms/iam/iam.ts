// The keystore's principals (docs/AUTHORIZATION.md "Principals"): IAM users and roles with inline
// identity policies and tags, and access keys for SigV4. Secrets are shown once, at creation, and
// stored only as an HMAC key over "AWS4" + secret (access-key-secret.ts). Every change is recorded in the
// audit trail as an IAM event (eventSource iam.amazonaws.com), in the transaction that makes it.

import type { Caller } from '../ids';
import { parsedPolicy } from '../authz';
import { OpContext, type KmsEnv } from '../context';
import {
  DeleteConflictException,
  EntityAlreadyExistsException,
  KmsError,
  LimitExceededException,
  NoSuchEntityException,
  toKmsError,
  ValidationException,
} from '../errors';
import { accountOf, addAccount, isAccount, listAccounts, rootAccountOf, type AccountRecord } from '../accounts';
import type { Tx } from '../ports';
import type { AccessKeyRecord, PrincipalRecord, Tag } from '../records';
import { storedSecret } from './access-key-secret';
import { globalIamChange } from './global';
import { authenticateKey, callerFor, type CallerVia } from './callers';

export type { CallerVia };
import { NAME, POLICY_NAME, roleSettings, tagsFrom, trustPolicy, type RoleSettings } from './validate';

export type { RoleSettings };
export * from './principal-types';
import type { NewAccessKey, PrincipalSummary } from './principal-types';
import { BASE32, MAX_ACCESS_KEYS, pick, SECRET_CHARS } from './principal-types';

/** IAM calls that change nothing (besides their audit record): they need no global change. */
const READS = /^(Get|List)/;

export class Iam {
  /** The request ID the endpoint answers with, for the audit record (see forRequest). */
  private requestId?: string;

  constructor(private readonly env: KmsEnv) {}

  /** This IAM, recording its calls under `requestId` (the one the /iam endpoint answers with). */
  forRequest(requestId: string): Iam {
    const view = Object.create(this) as Iam;
    view.requestId = requestId;
    return view;
  }

  get accountId(): string {
    return this.env.keystore.accountId;
  }

  now(): number {
    return this.env.clock.now();
  }

  randomBytes(n: number): Uint8Array {
    return this.env.random.bytes(n);
  }

  /** Whether `arn` is the root of one of the keystore's accounts. */
  private async isRoot(tx: Tx, arn: string): Promise<boolean> {
    const account = rootAccountOf(arn);
    return account !== undefined && (await isAccount(tx, this.env.keystore, account));
  }

  /**
   * One IAM call in its own transaction with its audit record, authorized as AWS authorizes IAM: the
   * action `iam:<op>` on `resource` by the caller's identity policies (the account root always).
   */
  async run<T>(
    caller: Caller,
    op: string,
    request: object,
    resource: string,
    fn: (tx: Tx, c: OpContext) => Promise<T>,
    eventSource = 'iam.amazonaws.com',
  ): Promise<T> {
    const c = new OpContext(this.env, caller, op, request, this.requestId);
    c.eventSource = eventSource;
    const call = (stamp?: (tx: Tx) => Promise<void>) =>
      c.write(async (tx) => {
        await c.authorizeAccount(tx, `iam:${op}`, resource);
        const out = await fn(tx, c);
        await stamp?.(tx);
        return out;
      });
    try {
      // IAM is global (ADR 0017): a change reaches every Region's copy; a read reads this one.
      return await (READS.test(op) ? call() : globalIamChange(this.env, call));
    } catch (e) {
      const err = toKmsError(e);
      if (!(e instanceof KmsError)) console.error(`Pocket KMS internal error in ${op}:`, (e as Error)?.name);
      await this.env.store.write((tx) => tx.appendAudit(c.entry(undefined, err)));
      throw err;
    }
  }

  /** The ARN a user or role of this name has in `account` (IAM paths are always '/'). */
  arnOf(kind: 'user' | 'role', name: string, account = this.env.keystore.accountId): string {
    return `arn:aws:iam::${account}:${kind}/${name}`;
  }

  /** The keystore's accounts: its own (which holds the keys) first. */
  accounts(): Promise<AccountRecord[]> {
    return this.env.store.read((tx) => listAccounts(tx, this.env.keystore));
  }

  /** Adds an account to the keystore (recorded as AWS Organizations' CreateAccount, by the caller), with a
   * random 12-digit ID unless one is given. @throws ValidationException, EntityAlreadyExistsException */
  createAccount(caller: Caller, name: string, accountId?: string): Promise<AccountRecord> {
    const id =
      accountId ??
      [...this.env.random.bytes(12)].map((b, i) => String((i === 0 ? (b % 9) + 1 : b % 10) as number)).join('');
    return this.run(
      caller,
      'CreateAccount',
      { accountName: name, accountId: id },
      '*',
      (tx) => addAccount(tx, this.env.keystore, { accountId: id, name, createdAt: this.env.clock.now() }),
      'organizations.amazonaws.com',
    );
  }

  /** @throws NoSuchEntityException in IAM's words ("The user with name X cannot be found."). */
  async principal(tx: Tx, arn: string): Promise<PrincipalRecord> {
    const p = await tx.getPrincipal(arn);
    if (!p) {
      const m = /:(user|role)\/(.+)$/.exec(arn);
      throw new NoSuchEntityException(
        m ? `The ${m[1]} with name ${m[2]} cannot be found.` : `The principal ${arn} cannot be found.`,
      );
    }
    return p;
  }

  /** A read of the keystore's principals outside any call (no audit record). */
  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.env.store.read(fn);
  }

  private summary(p: PrincipalRecord, keys: AccessKeyRecord[]): PrincipalSummary {
    keys = keys.filter((k) => !k.session);
    return {
      arn: p.arn,
      accountId: accountOf(p.arn) ?? this.env.keystore.accountId,
      kind: p.kind,
      name: p.name,
      id: p.id,
      createdAt: p.createdAt,
      tags: p.tags,
      policies: p.policies,
      attached: p.attached ?? [],
      ...(p.assumeRolePolicy !== undefined ? { trustPolicy: p.assumeRolePolicy } : {}),
      accessKeys: keys
        .filter((k) => k.principalArn === p.arn)
        .map((k) => ({ accessKeyId: k.accessKeyId, status: k.status, createdAt: k.createdAt })),
    };
  }

  /** Each account's root (the keystore's own first), then users and roles by ARN, each with its access keys
   * (never their secrets). */
  async list(): Promise<PrincipalSummary[]> {
    const { principals, keys, accounts } = await this.env.store.read(async (tx) => ({
      principals: await tx.listPrincipals(),
      keys: (await tx.listAccessKeys()).filter((k) => !k.session),
      accounts: await listAccounts(tx, this.env.keystore),
    }));
    const roots = accounts.map((a): PrincipalSummary => {
      const arn = `arn:aws:iam::${a.accountId}:root`;
      return {
        arn,
        accountId: a.accountId,
        kind: 'root',
        name: 'root',
        id: a.accountId,
        tags: [],
        policies: {},
        attached: [],
        accessKeys: keys
          .filter((k) => k.principalArn === arn)
          .map((k) => ({ accessKeyId: k.accessKeyId, status: k.status, createdAt: k.createdAt })),
      };
    });
    return [...roots, ...principals.map((p) => this.summary(p, keys))];
  }

  /** CreateUser / CreateRole.
   * @throws ValidationException, EntityAlreadyExistsException, LimitExceededException */
  createPrincipal(
    caller: Caller,
    kind: 'user' | 'role',
    name: string,
    tags?: Tag[],
    role: RoleSettings = {},
  ): Promise<PrincipalSummary> {
    const op = kind === 'user' ? 'CreateUser' : 'CreateRole';
    const field = kind === 'user' ? 'UserName' : 'RoleName';
    const request = { [field]: name, ...(tags?.length ? { Tags: tags } : {}), ...role };
    // A principal is made in the caller's account (the console acts as the root of the account it shows).
    const account = caller.accountId;
    return this.run(caller, op, request, this.arnOf(kind, String(name), account), async (tx) => {
      if (typeof name !== 'string' || !NAME.test(name))
        throw new ValidationException(`${field} must be 1–64 letters, digits or +=,.@_-.`);
      const checked = tagsFrom(tags);
      const settings = roleSettings(role);
      // IAM names are unique without regard to case, across users and across roles.
      const all = (await tx.listPrincipals()).filter((p) => accountOf(p.arn) === account);
      if (all.some((p) => p.kind === kind && p.name.toLowerCase() === name.toLowerCase()))
        throw new EntityAlreadyExistsException(`A ${kind} with name ${name} already exists.`);
      const rec: PrincipalRecord = {
        arn: this.arnOf(kind, name, account),
        kind,
        name,
        id: (kind === 'user' ? 'AIDA' : 'AROA') + pick(this.env.random.bytes(17), BASE32),
        createdAt: this.env.clock.now(),
        tags: checked,
        policies: {},
        ...settings,
      };
      await tx.putPrincipal(rec);
      return this.summary(rec, []);
    });
  }

  /** DeleteUser / DeleteRole, with its access keys and inline policies (the console's one click), or with
   * `strict`, as the IAM API does: refused while it has any (DeleteConflictException). Grants that name it
   * stay, as in AWS. */
  deletePrincipal(caller: Caller, arn: string, strict = false): Promise<void> {
    const op = arn.includes(':role/') ? 'DeleteRole' : 'DeleteUser';
    return this.run(caller, op, { principalArn: arn }, arn, async (tx) => {
      const p = await this.principal(tx, arn);
      if (strict && Object.keys(p.policies).length)
        throw new DeleteConflictException('Cannot delete entity, must delete policies first.');
      if (strict && p.attached?.length)
        throw new DeleteConflictException('Cannot delete entity, must detach all policies first.');
      if (strict && (await tx.listAccessKeys(p.arn)).some((k) => !k.session))
        throw new DeleteConflictException('Cannot delete entity, must delete access keys first.');
      for (const k of await tx.listAccessKeys(p.arn)) await tx.deleteAccessKey(k.accessKeyId);
      await tx.deletePrincipal(p.arn);
    });
  }

  /** UpdateAssumeRolePolicy: replaces a role's trust policy.
   * @throws MalformedPolicyDocumentException, NoSuchEntityException */
  updateAssumeRolePolicy(caller: Caller, roleArn: string, document: string): Promise<void> {
    const request = { principalArn: roleArn, PolicyDocument: document };
    return this.run(caller, 'UpdateAssumeRolePolicy', request, roleArn, async (tx) => {
      const p = await this.principal(tx, roleArn);
      if (p.kind !== 'role') throw new NoSuchEntityException(`The role ${roleArn} cannot be found.`);
      await tx.putPrincipal({ ...p, assumeRolePolicy: trustPolicy(document) });
    });
  }

  /** TagUser / TagRole: adds or replaces tags (aws:PrincipalTag/<key> in conditions). */
  tagPrincipal(caller: Caller, arn: string, tags: Tag[]): Promise<PrincipalSummary> {
    return this.run(
      caller,
      arn.includes(':role/') ? 'TagRole' : 'TagUser',
      { principalArn: arn, Tags: tags },
      arn,
      async (tx) => {
        const p = await this.principal(tx, arn);
        const added = tagsFrom(tags);
        const kept = p.tags.filter((t) => !added.some((a) => a.TagKey.toLowerCase() === t.TagKey.toLowerCase()));
        const next = { ...p, tags: tagsFrom([...kept, ...added]) };
        await tx.putPrincipal(next);
        return this.summary(next, await tx.listAccessKeys(arn));
      },
    );
  }

  untagPrincipal(caller: Caller, arn: string, tagKeys: string[]): Promise<PrincipalSummary> {
    return this.run(
      caller,
      arn.includes(':role/') ? 'UntagRole' : 'UntagUser',
      { principalArn: arn, TagKeys: tagKeys },
      arn,
      async (tx) => {
        const p = await this.principal(tx, arn);
        const drop = new Set(tagKeys.map((k) => k.toLowerCase()));
        const next = { ...p, tags: p.tags.filter((t) => !drop.has(t.TagKey.toLowerCase())) };
        await tx.putPrincipal(next);
        return this.summary(next, await tx.listAccessKeys(arn));
      },
    );
  }

  /** PutUserPolicy / PutRolePolicy: an inline identity policy, validated as IAM does.
   * @throws MalformedPolicyDocumentException saying where, ValidationException, NoSuchEntityException */
  putPolicy(caller: Caller, arn: string, policyName: string, document: string): Promise<PrincipalSummary> {
    return this.run(
      caller,
      arn.includes(':role/') ? 'PutRolePolicy' : 'PutUserPolicy',
      { principalArn: arn, PolicyName: policyName, PolicyDocument: document },
      arn,
      async (tx) => {
        if (typeof policyName !== 'string' || !POLICY_NAME.test(policyName))
          throw new ValidationException('PolicyName must be 1–128 letters, digits or +=,.@_-.');
        if (typeof document !== 'string') throw new ValidationException('PolicyDocument must be a JSON string.');
        parsedPolicy(document, 'identity');
        const p = await this.principal(tx, arn);
        const next = { ...p, policies: { ...p.policies, [policyName]: document } };
        await tx.putPrincipal(next);
        return this.summary(next, await tx.listAccessKeys(arn));
      },
    );
  }

  deletePolicy(caller: Caller, arn: string, policyName: string): Promise<PrincipalSummary> {
    return this.run(
      caller,
      arn.includes(':role/') ? 'DeleteRolePolicy' : 'DeleteUserPolicy',
      { principalArn: arn, PolicyName: policyName },
      arn,
      async (tx) => {
        const p = await this.principal(tx, arn);
        if (!Object.hasOwn(p.policies, policyName))
          throw new NoSuchEntityException(`The policy ${policyName} of ${arn} cannot be found.`);
        const policies = { ...p.policies };
        delete policies[policyName];
        const next = { ...p, policies };
        await tx.putPrincipal(next);
        return this.summary(next, await tx.listAccessKeys(arn));
      },
    );
  }

  /** CreateAccessKey for a user, a role (a stand-in for AssumeRole credentials) or the account root.
   * The secret is returned here and never again.
   * @throws NoSuchEntityException, LimitExceededException */
  async createAccessKey(caller: Caller, principalArn: string): Promise<NewAccessKey> {
    const secretAccessKey = pick(this.env.random.bytes(40), SECRET_CHARS);
    const accessKeyId = 'AKIA' + pick(this.env.random.bytes(16), BASE32);
    const createdAt = this.env.clock.now();
    const stored = await storedSecret(this.env.custodian, this.env.random, accessKeyId, secretAccessKey);
    return this.run(caller, 'CreateAccessKey', { principalArn }, principalArn, async (tx) => {
      await this.env.custodian.requireCurrent(tx);
      if (!(await this.isRoot(tx, principalArn))) await this.principal(tx, principalArn);
      // Temporary credentials from STS are not access keys of the principal's.
      const existing = (await tx.listAccessKeys(principalArn)).filter((k) => !k.session);
      if (existing.length >= MAX_ACCESS_KEYS)
        throw new LimitExceededException(
          `Cannot exceed quota for AccessKeysPerUser: ${MAX_ACCESS_KEYS}. Delete an access key of ${principalArn} first.`,
        );
      await tx.putAccessKey({ accessKeyId, principalArn, status: 'Active', createdAt, ...stored });
      return {
        AccessKeyId: accessKeyId,
        SecretAccessKey: secretAccessKey,
        Status: 'Active' as const,
        CreateDate: new Date(createdAt),
        principalArn,
      };
    });
  }

  /** UpdateAccessKey: Active or Inactive (an inactive key is refused by the endpoint). */
  updateAccessKey(caller: Caller, accessKeyId: string, status: 'Active' | 'Inactive', owner?: string): Promise<void> {
    return this.run(
      caller,
      'UpdateAccessKey',
      { AccessKeyId: accessKeyId, Status: status },
      owner ?? '*',
      async (tx) => {
        if (status !== 'Active' && status !== 'Inactive')
          throw new ValidationException("Status must be 'Active' or 'Inactive'.");
        const k = await tx.getAccessKey(accessKeyId);
        if (!k || (owner !== undefined && k.principalArn !== owner))
          throw new NoSuchEntityException(`The Access Key with id ${accessKeyId} cannot be found.`);
        await tx.putAccessKey({ ...k, status });
      },
    );
  }

  /** DeleteAccessKey; with `owner` (the API's UserName, or the caller) only a key of that principal. */
  deleteAccessKey(caller: Caller, accessKeyId: string, owner?: string): Promise<void> {
    return this.run(caller, 'DeleteAccessKey', { AccessKeyId: accessKeyId }, owner ?? '*', async (tx) => {
      const k = await tx.getAccessKey(accessKeyId);
      if (!k || (owner !== undefined && k.principalArn !== owner))
        throw new NoSuchEntityException(`The Access Key with id ${accessKeyId} cannot be found.`);
      await tx.deleteAccessKey(accessKeyId);
    });
  }

  /** What SigV4 needs of an access key, in one read (callers.ts). */
  authenticate(accessKeyId: string, via: CallerVia): Promise<{ secret: CryptoKey; caller: Caller } | undefined> {
    return authenticateKey(this.env, accessKeyId, via);
  }

  /** The caller for a principal (callers.ts). @throws NoSuchEntityException */
  callerFor(principalArn: string, via: CallerVia): Promise<Caller> {
    return callerFor(this.env, principalArn, via);
  }
}
