// One call's context: who is calling, the keystore, key resolution with AWS's key-state rules,
// and writes that append the call's audit record in the same transaction as its change.
// Authorization happens HERE: `resolve` authorizes the call's action on every key it finds (key
// policy, identity policies, grants: authz/authorize.ts), and `authorizeAccount` decides the
// account-level calls; a handler gets a key only through them (docs/AUTHORIZATION.md "Where").

import { buildRecord } from './audit';
import { type AnyCaller } from './ids';
import { enforce, evaluateAccountAccess, evaluateKeyAccess, loadIdentity, type Identity } from './authz';
import { checkGrantTokens } from './authz';
import {
  DisabledException,
  DryRunOperationException,
  KMSInvalidStateException,
  NotFoundException,
  type KmsError,
} from './errors';
import { CROSS_ACCOUNT_OPERATIONS } from './accounts';
import { accountView, aliasStoreName, keyAccount } from './account-keys';
import { aliasArn, keyArn, parseKeyRef, uuidV4, type Keystore } from './ids';
import { actionOf, isAppendOnly, isReadOnly, usesKey } from './operations';
import type { Clock, Locks, Random, Store, Tx, WriteOptions } from './ports';
import type { AuditEntry, KeyRecord, SignedRequest } from './records';
import type { Custodian, MaterialCache } from './material';
import { asOf } from './import';
import type { RegionSet } from './multi-region';
import { disconnectedError, type PasskeyProof, type StoreConnections } from './keystores';

export interface KmsEnv {
  store: Store;
  clock: Clock;
  random: Random;
  locks: Locks;
  keystore: Keystore;
  /** The root keys and the lock (ADR 0009): every use of a root key goes through `custodian.roots()`. */
  custodian: Custodian;
  /** When this keystore began recording key usage (its creation). */
  trackingStart: number;
  /** This instance's cache of immutable key material (never authoritative). */
  cache: MaterialCache;
  /** The account's other Regions in this browser, for multi-Region keys (ADR 0015); absent: this one alone. */
  regions?: RegionSet;
  /** This instance's connections to passkey key stores: their store keys, in memory only (ADR 0016). */
  keyStores: StoreConnections;
}

/** What the console adds to a custom key store call, never from the wire (ADR 0016): the passkey presented
 * (its credential ID and PRF-derived KEK), recovery through the keystore's secret, a spare passkey, the idle timeout. */
export interface KeyStoreExtras {
  passkey?: PasskeyProof;
  recovery?: boolean;
  addPasskey?: PasskeyProof;
  idleMinutes?: number;
}

export const DAY_MS = 86_400_000;

export class OpContext {
  readonly now: number;
  readonly requestId: string;
  readonly eventId: string;
  /** Keys this call concerns (CloudTrail resources). */
  readonly keyIds = new Set<string>();
  audited = false;
  /** CloudTrail's eventSource (IAM changes are recorded as iam.amazonaws.com). */
  eventSource = 'kms.amazonaws.com';
  /** `DryRun: true` on an operation that has it (kms.ts sets it): every check runs, nothing is done. */
  dryRun = false;
  /** The console's additions to a custom key store call (kms.ts sets them from CallOptions). */
  keyStore: KeyStoreExtras = {};
  private identityMemo?: Identity;
  /** Authorizations already granted in this call ("keyId action"): a key checked in the prepare
   * step is not evaluated again when the same call confirms. */
  private allowed = new Set<string>();
  /** The ARNs of the keys this call found (keyId → ARN). */
  private arns = new Map<string, string>();

  constructor(
    readonly env: KmsEnv,
    readonly caller: AnyCaller | 'service',
    readonly op: string,
    readonly request: unknown,
    requestId?: string,
    /** The signed request this call answers at the endpoint, if any (records.ts SignedRequest). */
    private readonly signedRequest?: SignedRequest,
  ) {
    this.now = env.clock.now();
    this.requestId = requestId ?? uuidV4(env.random.bytes(16));
    this.eventId = uuidV4(env.random.bytes(16));
  }

  get ks(): Keystore {
    return this.env.keystore;
  }

  /** The ARN of a key this call concerns: the one it was found with, else one of the caller's account. */
  arn(keyId: string): string {
    return this.arns.get(keyId) ?? keyArn(this.home, keyId);
  }

  /** Notes a key this call concerns with its ARN (CloudTrail's resources name the key's own account). */
  noteKey(key: Pick<KeyRecord, 'keyId' | 'arn'>): void {
    this.keyIds.add(key.keyId);
    this.arns.set(key.keyId, key.arn);
  }

  /** The keystore as the caller's account sees it: the account its new keys, aliases and ARNs belong to. */
  get home(): Keystore {
    return accountView(this.ks, this.callerAccount);
  }

  /**
   * Finds a key by key ID, key ARN, alias name or alias ARN. A key ID or alias name is looked up in the
   * caller's own account (docs/AUTHORIZATION.md "Accounts"); an ARN may name another account's key.
   * @throws NotFoundException when it does not exist or its deletion date has passed.
   */
  async resolve(tx: Tx, id: string, opts: ResolveOptions = {}): Promise<KeyRecord> {
    // Maintenance and AWS service principals reach every account's keys by key ID.
    const home = this.caller === 'service' || this.caller.type === 'AWSService' ? undefined : this.callerAccount;
    const ref = parseKeyRef(this.ks, id, { ...opts, anyAccount: true });
    if (home !== undefined && ref.accountId !== undefined && ref.accountId !== home) this.checkAcrossAccounts(id);
    const owner = ref.accountId ?? (opts.fromCiphertext ? undefined : home);
    let keyId: string;
    if (ref.kind === 'alias') {
      const account = owner ?? this.ks.accountId;
      const alias = await tx.getAlias(aliasStoreName(this.ks, account, ref.aliasName));
      if (!alias)
        throw new NotFoundException(`Alias ${aliasArn(accountView(this.ks, account), ref.aliasName)} is not found.`);
      keyId = alias.keyId;
    } else keyId = ref.keyId;
    const stored = await tx.getKey(keyId);
    const arn = keyArn(
      accountView(this.ks, owner ?? (stored ? keyAccount(this.ks, stored) : this.ks.accountId)),
      keyId,
    );
    if (!stored || isPastDeletion(stored, this.now) || (owner !== undefined && keyAccount(this.ks, stored) !== owner))
      throw new NotFoundException(`Key '${arn}' does not exist`);
    // A ciphertext may name a key of another account: the same operations rule applies.
    if (home !== undefined && keyAccount(this.ks, stored) !== home) this.checkAcrossAccounts(id);
    // Imported material past its ValidTo counts as deleted from that moment (maintenance destroys it later).
    const key = asOf(stored, this.now);
    this.noteKey(key);
    if (opts.action !== false) await this.authorize(tx, key, opts.action ?? this.actionFor(opts.side), opts.side);
    return key;
  }

  /** The account the caller belongs to (the keystore's own for the service). */
  get callerAccount(): string {
    return this.caller === 'service' || this.caller.type === 'AWSService' ? this.ks.accountId : this.caller.accountId;
  }

  /**
   * A caller reaches a key of another account of the keystore (docs/AUTHORIZATION.md "Accounts") only with the
   * operations AWS allows across accounts, and only by ARN (a key ID or alias is looked up in the caller's own
   * account); a ciphertext names its key itself.
   * @throws NotFoundException
   */
  private checkAcrossAccounts(id: string): void {
    if (!CROSS_ACCOUNT_OPERATIONS.has(this.op))
      throw new NotFoundException(
        `Key '${id}' does not exist in account ${this.callerAccount}: ${this.op} cannot be used on a key of another account.`,
      );
  }

  /** The IAM action of this call on one of its keys (ReEncrypt is two: From on the source, To on the destination). */
  actionFor(side?: 'source' | 'destination'): string {
    return `kms:${actionOf(this.op, side)?.name ?? this.op}`;
  }

  /** The caller's identity, loaded once per call. */
  async identity(tx: Tx): Promise<Identity> {
    if (this.caller === 'service') throw new Error('The service needs no identity.');
    this.identityMemo ??= await loadIdentity(tx, this.caller);
    return this.identityMemo;
  }

  /**
   * Authorizes `action` on `key` for this call's caller (the service, maintenance, is not checked).
   * @throws AccessDeniedException, InvalidGrantTokenException
   */
  async authorize(tx: Tx, key: KeyRecord, action: string, side?: 'source' | 'destination'): Promise<void> {
    if (this.caller === 'service') return;
    const memo = `${key.keyId} ${action}`;
    if (this.allowed.has(memo)) return;
    checkGrantTokens(this.request);
    enforce(await evaluateKeyAccess(this as AuthzCallOf, await this.identity(tx), tx, key, action, side));
    this.allowed.add(memo);
  }

  /** Authorizes an account-level call (no key), or an action on `resource` of another service: IAM policies decide.
   * @throws AccessDeniedException */
  async authorizeAccount(tx: Tx, action = `kms:${this.op}`, resource = '*'): Promise<void> {
    if (this.caller === 'service') return;
    checkGrantTokens(this.request);
    enforce(evaluateAccountAccess(this as AuthzCallOf, await this.identity(tx), action, resource));
  }

  /** AWS's rule for cryptographic operations: Disabled → DisabledException, PendingDeletion and
   * PendingImport → KMSInvalidStateException. */
  requireUsable(key: KeyRecord): void {
    if (key.state === 'Disabled') throw new DisabledException(`${key.arn} is disabled.`);
    if (key.state === 'PendingImport')
      throw new KMSInvalidStateException(
        `${key.arn} is pending import: its key material was not imported, was deleted or expired.`,
      );
    this.requireNotPendingDeletion(key);
    // A key of a passkey key store is usable only while this instance holds its store's key (ADR 0016).
    if (key.customKeyStoreId && !this.env.keyStores.isConnected(key.customKeyStoreId))
      throw disconnectedError(key.customKeyStoreId, key.arn);
  }

  requireNotPendingDeletion(key: KeyRecord): void {
    if (key.state === 'PendingDeletion' || key.state === 'PendingReplicaDeletion')
      throw new KMSInvalidStateException(`${key.arn} is pending deletion.`);
  }

  /** A dry run stops here, where the call would begin to act: its checks passed (AWS: "Testing your
   * permissions"). @throws DryRunOperationException on a dry run */
  stopIfDryRun(): void {
    if (this.dryRun) throw new DryRunOperationException(DRY_RUN_MESSAGE);
  }

  /** Runs fn in one write transaction and appends this call's audit record in the same transaction.
   * On a dry run fn still makes every check, then the transaction is aborted by
   * DryRunOperationException: whatever fn wrote is undone (kms.ts records the call as failed). */
  async write<T>(fn: (tx: Tx) => Promise<T>, opts: WriteOptions = {}): Promise<T> {
    // An operation that writes nothing but its record may run beside the other such calls of its group
    // commit (ADR 0013); the catalogue says which (CloudTrail's read-only ones, less those that keep state).
    const appendOnly = opts.appendOnly ?? isAppendOnly(this.op);
    const result = await this.env.store.write(
      async (tx) => {
        const r = await fn(tx);
        this.stopIfDryRun();
        await tx.appendAudit(this.entry(r));
        return r;
      },
      { ...opts, appendOnly },
    );
    this.audited = true;
    return result;
  }

  /** `write`, committed only once on disk: for changes that create or destroy key material or the secret. */
  writeDurable<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.write(fn, { durable: true });
  }

  entry(response: unknown, error?: KmsError): AuditEntry {
    const readOnly = isReadOnly(this.op);
    const keyIds = [...this.keyIds];
    const caller = this.caller;
    const e: AuditEntry = {
      eventTime: this.now,
      eventName: this.op,
      eventId: this.eventId,
      readOnly,
      username:
        caller === 'service'
          ? 'kms.amazonaws.com'
          : (caller.userName ?? (caller.type === 'Root' ? 'root' : caller.arn)),
      keyIds,
      usedKeyIds: !error && usesKey(this.op) ? keyIds : [],
      record: buildRecord({
        ks: this.ks,
        eventName: this.op,
        eventTime: this.now,
        eventId: this.eventId,
        requestId: this.requestId,
        caller,
        readOnly,
        request: this.request,
        response,
        keyArns: keyIds.map((k) => this.arn(k)),
        eventSource: this.eventSource,
        ...(error ? { error: { name: auditErrorCode(error.name), message: error.message } } : {}),
      }),
    };
    if (caller !== 'service' && caller.accessKeyId) e.accessKeyId = caller.accessKeyId;
    if (error) e.errorCode = auditErrorCode(error.name);
    if (this.signedRequest) e.signedRequest = this.signedRequest;
    return e;
  }
}

/** AWS KMS's message for a dry run that would have succeeded. */
export const DRY_RUN_MESSAGE = 'The request would have succeeded, but the DryRun option is set.';

/** CloudTrail records a denied call with errorCode "AccessDenied", AWS's spelling. */
export function auditErrorCode(name: string): string {
  return name === 'AccessDeniedException' ? 'AccessDenied' : name;
}

export interface ResolveOptions {
  /** Whether alias names and ARNs are accepted (default true). */
  aliases?: boolean;
  /** The action to authorize on the key (default: this operation's), or false for none. */
  action?: string | false;
  /** For ReEncrypt: which side of it the key is. */
  side?: 'source' | 'destination' | undefined;
  /** The key ID was read from a ciphertext, not named by the caller (it may then be of another account). */
  fromCiphertext?: boolean;
}

type AuthzCallOf = OpContext & { caller: AnyCaller };

export function isPastDeletion(key: KeyRecord, now: number): boolean {
  return key.state === 'PendingDeletion' && key.deletionDate !== undefined && key.deletionDate <= now;
}
