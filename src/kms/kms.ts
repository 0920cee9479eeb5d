// The KMS core: opens a keystore, dispatches operations by AWS name, records every call in the
// audit log (success or failure), and runs maintenance (deletion when due, automatic rotation).
// The handler map is handlers.ts, beside the handler-free catalogue (operations/index.ts) it is checked against.

import type { AnyCaller, Caller } from './ids';
import { DAY_MS, isPastDeletion, OpContext, type KmsEnv } from './context';
import { KmsError, toKmsError, UnknownOperationException, UnsupportedOperationException } from './errors';
import type { Keystore } from './ids';
import { Custodian, KeystoreCustody, MaterialCache } from './material';
import { hasDryRun, isOperationName } from './operations';
import type { Clock, Locks, Random, Store } from './ports';
import type { RegionPorts, RegionStores } from './multi-region';
import * as rotation from './ops/rotation';
import { deviceReplicas, joinPrimary, RegionSet, replicaGone, syncReplicas, type DeviceReplicas } from './multi-region';
import { allKeyStores, StoreConnections } from './keystores';
import type { KeyStoreExtras } from './context';
import { parametersMeta } from './import';
import { HANDLERS } from './handlers';
export { SUPPORTED_OPERATIONS, type KmsResponses, type SupportedOperation } from './handlers';
import { expireImported } from './ops/import-expiry';
import { catchUpIam, Iam, Sts } from './iam';
import { simulate, type SimulationRequest, type SimulationResult } from './authz';
import { Audit, type LookupEventsRequest } from './audit';
import { backupKeystore, restoreKeystore } from './backup';
import { DemoKeys } from './demo';
import { asRequest, optBool } from './validate';
import type { SignedRequest } from './records';

export interface OpenOptions {
  store: Store;
  clock: Clock;
  random: Random;
  locks: Locks;
  /** Used only when the keystore is created. */
  region?: string;
  accountId?: string;
  /** The account's other Regions in this browser (multi-Region keys, ADR 0015); this keystore joins it. */
  regions?: RegionSet;
}

/** Calls after which a multi-Region primary's shared properties go to its replicas (ADR 0015). */
const SHARED_CHANGES: ReadonlySet<string> = new Set(['EnableKeyRotation', 'DisableKeyRotation', 'RotateKeyOnDemand']);

export interface CallOptions {
  /** The request ID the caller answers with (x-amzn-RequestId), so the audit record names the same one. */
  requestId?: string;
  /** The endpoint's signed request (records.ts SignedRequest): a replay of one that committed is refused. */
  signedRequest?: SignedRequest;
  /** Custom key store calls from the console only: the passkey presented and the rest (ADR 0016). The
   * endpoint never sets it, so over /kms a store is neither created nor connected. */
  keyStore?: KeyStoreExtras;
}

interface KeystoreMeta extends Keystore {
  createdAt: number;
}

export class Kms {
  /** The keystore's principals and access keys. */
  readonly iam: Iam;
  /** STS's AssumeRole and GetSessionToken: temporary credentials (iam/sts.ts). */
  readonly sts: Sts;
  /** The keystore's audit trail: history, LookupEvents, verification, exports, retention. */
  readonly audit: Audit;
  /** Whether the keystore is locked at rest, and its secret, lock and backup (ADR 0009). */
  readonly custody: KeystoreCustody;
  /** Replicas of multi-Region keys to and from another device or browser (ADR 0015, docs/FORMAT.md). */
  readonly deviceReplicas: DeviceReplicas;
  /** Demo keys (ADR 0018): demo mode and the demo keys here, for the console. */
  readonly demo: DemoKeys;

  private constructor(private readonly env: KmsEnv) {
    this.iam = new Iam(env);
    this.sts = new Sts(env);
    this.audit = new Audit(env);
    this.deviceReplicas = deviceReplicas(env, this.audit);
    this.demo = new DemoKeys(env);
    this.custody = new KeystoreCustody(env, {
      resealAuditKey: (k) => this.audit.resealSigningKey(k),
      unlocked: async () => {
        if (env.regions) await catchUpIam(env);
      },
      backup: (o) => backupKeystore(env, o),
      restore: (c, file, o) => restoreKeystore(env, c, file, o),
    });
  }

  /** What a call by `caller` would be told, and why (the policy simulator). Not audited: it changes nothing. */
  simulate(caller: Caller, request: SimulationRequest): Promise<SimulationResult> {
    return simulate(this.env, caller, request);
  }

  /** Opens the keystore in `store`, creating its region, account ID and (device keystores) root keys on
   * first use. Concurrent first opens agree: the first committed keystore wins and the others adopt it.
   * A keystore locked at rest opens locked (ADR 0009). */
  static async open(o: OpenOptions): Promise<Kms> {
    let meta = await o.store.read((tx) => tx.getMeta<KeystoreMeta>('keystore'));
    if (!meta) {
      const digits = [...o.random.bytes(12)].map((b) => String(b % 10)).join('');
      const candidate: KeystoreMeta = {
        region: o.region ?? 'us-east-1',
        accountId: o.accountId ?? (digits[0] === '0' ? '1' + digits.slice(1) : digits),
        createdAt: o.clock.now(),
      };
      meta = await o.store.write(async (tx) => {
        const m = await tx.getMeta<KeystoreMeta>('keystore');
        if (m) return m;
        await tx.putMeta('keystore', candidate);
        return candidate;
      });
    }
    const cache = new MaterialCache(o.clock);
    const keyStores = new StoreConnections(o.clock, () => cache.clear());
    // Locking the keystore disconnects its passkey key stores too: nothing usable outlives the lock. (Setting
    // or changing its secret clears the cache but keeps them: a store key is never under the keystore's roots.)
    const custodian: Custodian = await Custodian.open(o.store, o.clock, () => {
      cache.clear();
      if (custodian.status().locked) keyStores.disconnectAll();
    });
    const kms = new Kms({
      store: o.store,
      clock: o.clock,
      random: o.random,
      locks: o.locks,
      keystore: { region: meta.region, accountId: meta.accountId },
      custodian,
      trackingStart: meta.createdAt,
      cache,
      ...(o.regions ? { regions: o.regions } : {}),
      keyStores,
    });
    o.regions?.register(kms);
    return kms;
  }

  /** A RegionSet over `stores` whose keystores open with these ports (ADR 0015). */
  static regionSet(stores: RegionStores, ports: RegionPorts): RegionSet {
    return new RegionSet(stores, ports, (o) => Kms.open(o));
  }

  /** For the multi-Region wing (src/kms/multi-region), which acts in two Regions' keystores in one call. */
  peerEnv(): KmsEnv {
    return this.env;
  }

  /** Shares the unlock of `other`, another Region of this browser with the same custody (ADR 0015).
   * Returns whether this keystore is now unlocked. */
  adoptUnlockOf(other: Kms): boolean {
    return this.env.custodian.shareUnlock(other.env.custodian);
  }

  /** The account's Regions in use in this browser (this one alone when it was opened without the others). */
  regionsInUse(): Promise<string[]> {
    return this.env.regions?.inUse() ?? Promise.resolve([this.env.keystore.region]);
  }

  get keystore(): Keystore {
    return this.env.keystore;
  }

  /**
   * Runs one AWS KMS operation as `caller` and records it in the audit log (CallOptions: request ID, signed request).
   * @throws UnknownOperationException for a name AWS KMS does not have; UnsupportedOperationException
   * for an AWS operation Pocket KMS does not implement yet; KMSInternalException for a signed request the
   * browser sent again after it was run (nothing is run or recorded twice); otherwise the operation's own exceptions.
   */
  async call(operation: string, request: unknown, caller: AnyCaller, opts: CallOptions = {}): Promise<object> {
    if (!isOperationName(operation)) throw new UnknownOperationException(`${operation} is not an AWS KMS operation.`);
    const c = new OpContext(this.env, caller, operation, request, opts.requestId, opts.signedRequest);
    try {
      // A keystore locked at rest answers nothing, not even from this instance's caches (ADR 0009).
      this.env.custodian.requireUnlocked();
      const handler = HANDLERS[operation];
      if (!handler)
        throw new UnsupportedOperationException(`${operation} is not supported by Pocket KMS yet (see docs/API.md).`);
      const req = asRequest(request);
      c.dryRun = hasDryRun(operation) && optBool(req, 'DryRun') === true;
      if (opts.keyStore) c.keyStore = opts.keyStore;
      const response = await handler(c, req);
      // A handler that acts without a write (Verify's answer is its act) stops here on a dry run.
      c.stopIfDryRun();
      if (!c.audited) await this.env.store.write((tx) => tx.appendAudit(c.entry(response)));
      // After the record: a replica not reached now (its Region locked) catches up at maintenance.
      if (SHARED_CHANGES.has(operation))
        for (const k of c.keyIds) await syncReplicas(this.env, k).catch(() => undefined);
      return response;
    } catch (e) {
      const err = toKmsError(e);
      if (!(e instanceof KmsError)) console.error(`Pocket KMS internal error in ${operation}:`, (e as Error)?.name);
      await this.env.store.write((tx) => tx.appendAudit(c.entry(undefined, err)));
      throw err;
    }
  }

  /**
   * CloudTrail LookupEvents at the endpoint, as `caller`: authorized by identity policies
   * (`cloudtrail:LookupEvents`; the root always), then recorded as CloudTrail records it (a
   * read-only management event of cloudtrail.amazonaws.com), after the lookup, so an answer never
   * lists its own call. `decode` turns the wire request into the lookup's (after authorization: a
   * caller without permission learns nothing about its parameters).
   * @throws AccessDeniedException, the LookupEvents exceptions
   */
  async lookupEvents(
    request: Record<string, unknown>,
    decode: (r: Record<string, unknown>) => LookupEventsRequest,
    caller: Caller,
    opts: CallOptions = {},
  ): Promise<object> {
    const c = new OpContext(this.env, caller, 'LookupEvents', request, opts.requestId, opts.signedRequest);
    c.eventSource = 'cloudtrail.amazonaws.com';
    try {
      this.env.custodian.requireUnlocked();
      await this.env.store.read((tx) => c.authorizeAccount(tx, 'cloudtrail:LookupEvents'));
      // Another account of the keystore sees its own principals' events only (docs/AUTHORIZATION.md "Accounts").
      const other = caller.accountId !== this.keystore.accountId ? caller.accountId : undefined;
      const response = await this.audit.lookupEvents(decode(request), other);
      await this.env.store.write((tx) => tx.appendAudit(c.entry(undefined)));
      return response;
    } catch (e) {
      const err = toKmsError(e);
      if (!(e instanceof KmsError)) console.error('Pocket KMS internal error in LookupEvents:', (e as Error)?.name);
      await this.env.store.write((tx) => tx.appendAudit(c.entry(undefined, err)));
      throw err;
    }
  }

  /**
   * STS GetCallerIdentity at the endpoint: who signed the request. As in AWS it needs no permission
   * (not even an explicit deny stops it); it is recorded like every call, as a read-only event of
   * sts.amazonaws.com.
   * @throws KMSInvalidStateException while the keystore is locked
   */
  async getCallerIdentity(caller: Caller, opts: { requestId?: string } = {}) {
    this.env.custodian.requireUnlocked();
    const c = new OpContext(this.env, caller, 'GetCallerIdentity', {}, opts.requestId);
    c.eventSource = 'sts.amazonaws.com';
    // principalId is AWS's UserId: an IAM user's unique ID, `<role ID>:<session>`, the account for the root.
    const response = { UserId: caller.principalId, Account: caller.accountId, Arn: caller.arn };
    await this.env.store.write((tx) => tx.appendAudit(c.entry(undefined)));
    return response;
  }

  /**
   * Authorizes `caller` for an action of another AWS service this keystore models on one of its resources
   * (S3: `s3:GetObject` on `arn:aws:s3:::<bucket>/<key>`, ADR 0011) by the caller's identity policies, the
   * account root always. Not recorded: S3's data events are not in CloudTrail by default.
   * @throws AccessDeniedException; KMSInvalidStateException while the keystore is locked
   */
  async authorizeIdentity(caller: Caller, action: string, resource: string): Promise<void> {
    this.env.custodian.requireUnlocked();
    const c = new OpContext(this.env, caller, action.slice(action.indexOf(':') + 1), {});
    await this.env.store.read((tx) => c.authorizeAccount(tx, action, resource));
  }

  /** Destroys keys whose deletion date has passed, imported material whose ValidTo has passed and import
   * parameters that expired, and rotates keys whose automatic rotation is due.
   * Safe to run from several instances at once. Returns what it did. */
  async maintain(): Promise<{ deleted: string[]; rotated: string[]; expired: string[] }> {
    await this.custody.lockIfIdle();
    await this.disconnectIdleStores();
    const now = this.env.clock.now();
    // Expired STS credentials go (src/kms/iam/sts.ts); nothing is recorded, as AWS records nothing.
    await this.sts.sweepExpired(now);
    // A Region that missed an IAM change (closed, or locked under other root keys) takes it now (ADR 0017).
    if (this.env.regions) await catchUpIam(this.env).catch(() => undefined);
    const all = await this.env.store.read((tx) => tx.allKeys());
    const deleted: string[] = [];
    const rotated: string[] = [];
    const expired: string[] = [];
    for (const key of all) {
      if (key.origin === 'EXTERNAL' && !isPastDeletion(key, now) && (await expireImported(this.env, key.keyId, now)))
        expired.push(key.keyId);
    }
    for (const key of all) {
      if (isPastDeletion(key, now)) {
        const c = new OpContext(this.env, 'service', 'DeleteKey', { keyId: key.arn });
        c.noteKey(key);
        const gone = await this.env.store.write(
          async (tx) => {
            const cur = await tx.getKey(key.keyId);
            if (!cur || !isPastDeletion(cur, now)) return false;
            for (const a of await tx.listAliases(key.keyId)) await tx.deleteAlias(a.name);
            for (const g of await tx.listGrants({ keyId: key.keyId })) await tx.deleteGrant(g.grantId);
            for (const t of cur.importTokens ?? []) await tx.deleteMeta(parametersMeta(t.id));
            await tx.deleteMaterials(key.keyId);
            await tx.deleteKey(key.keyId);
            await tx.appendAudit(c.entry(null));
            return true;
          },
          { durable: true },
        );
        this.env.cache.forgetKey(key.keyId);
        if (gone) deleted.push(key.keyId);
        if (gone) await replicaGone(this.env, key).catch(() => undefined);
      } else if (
        key.state === 'Enabled' &&
        key.rotationEnabled &&
        key.nextRotationAt! <= now &&
        key.multiRegion?.type !== 'REPLICA'
      ) {
        const c = new OpContext(this.env, 'service', 'RotateKey', { keyId: key.arn });
        try {
          const updated = await this.rotateIfDue(c, key.keyId, now);
          if (updated) rotated.push(key.keyId);
        } catch {
          // Another instance changed the key meanwhile; the next run sees its new state.
        }
      }
    }
    // Replicas a rotation or a change could not reach (another Region locked or not open) catch up here.
    for (const key of all)
      if (key.multiRegion?.type === 'PRIMARY' && key.multiRegion.replicaRegions.length)
        await syncReplicas(this.env, key.keyId).catch(() => undefined);
    // A replica its primary does not list (a ReplicateKey that failed between its two writes) joins the list.
    for (const key of all)
      if (key.multiRegion?.type === 'REPLICA') await joinPrimary(this.env, key.keyId).catch(() => undefined);
    return { deleted, rotated, expired };
  }

  /** Passkey key stores connected here whose idle timeout passed (or that were deleted) are disconnected, each
   * recorded as the service's DisconnectCustomKeyStore. */
  private async disconnectIdleStores(): Promise<void> {
    if (this.env.keyStores.connectedIds().length === 0) return;
    const stores = await this.env.store.read((tx) => allKeyStores(tx));
    const gone = this.env.keyStores.expire((id) => stores.find((s) => s.id === id)?.idleMinutes);
    for (const id of gone) {
      const c = new OpContext(this.env, 'service', 'DisconnectCustomKeyStore', { CustomKeyStoreId: id });
      await this.env.store.write((tx) => tx.appendAudit(c.entry(null)));
    }
  }

  /** Passkey key stores this instance holds the keys of (the console tells the service worker: ADR 0016). */
  connectedKeyStores(): string[] {
    return this.env.keyStores.connectedIds();
  }

  /** Calls `fn` with connectedKeyStores() each time a store connects or disconnects here; returns the unsubscribe. */
  watchKeyStores(fn: (connected: string[]) => void): () => void {
    return this.env.keyStores.watch(fn);
  }

  /** What the console needs of each passkey key store beyond DescribeCustomKeyStores: its passkeys' credential
   * IDs (for the WebAuthn prompt; a credential ID opens nothing without its authenticator), whether recovery
   * through the keystore's secret was allowed, and the idle timeout. Not audited: it reads no key. */
  async keyStorePasskeys(): Promise<
    { id: string; credentialIds: Uint8Array[]; recovery: boolean; idleMinutes: number }[]
  > {
    this.env.custodian.requireUnlocked();
    const all = await this.env.store.read((tx) => allKeyStores(tx));
    return all.map((s) => ({
      id: s.id,
      credentialIds: s.slots.map((x) => x.credentialId.slice()),
      recovery: s.recovery !== undefined,
      idleMinutes: s.idleMinutes,
    }));
  }

  private async rotateIfDue(c: OpContext, keyId: string, now: number): Promise<boolean> {
    const fresh = await this.env.store.read((tx) => tx.getKey(keyId));
    if (!fresh || !fresh.rotationEnabled || fresh.state !== 'Enabled' || fresh.nextRotationAt! > now) return false;
    await rotation.rotate(c, keyId, 'AUTOMATIC');
    return true;
  }
}

export { DAY_MS };
