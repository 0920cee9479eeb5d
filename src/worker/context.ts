// What every part of the worker API shares: the current Region's keystore and the account's other Regions
// in this browser (ADR 0015; each opened once, with maintenance at start-up and every minute), who console calls run as ("Acting as" in the header), and the continuous
// backup that every change creating or destroying material schedules (continuous-backup.ts).
import { roleOfSession, rootCaller, type Caller } from '../kms/ids';
import { Kms } from '../kms/kms';
import { checkRegion } from '../kms/multi-region';
import type { Store } from '../kms/ports';
import type { RegionSet } from '../kms/multi-region';
import { browserPorts, browserRegionStores, DEFAULT_REGION, regionPorts } from '../store/open';
import { setting } from '../store/settings';
import { FolderBackup, type StoredBackupFolder } from './continuous-backup';

const MAINTENANCE_MS = 60_000;

export interface WorkerContext {
  /** The keystore, once open. */
  readonly ready: Promise<Kms>;
  /** Opens the keystore again (after a restore brought another region or account). */
  reopen(): Promise<void>;
  /** Calls `fn` each time `ready` becomes another keystore (reopen, another Region). */
  onSwitch(fn: () => void): void;
  /** The account's Regions in this browser (ADR 0015): the endpoint answers each request from its own. */
  readonly regions: RegionSet;
  /** Makes `region` the console's Region (remembered in this browser), creating its keystore as a sibling
   * of the current one when it has none. @throws InvalidArnException for a name that is not a Region ID */
  useRegion(region: string): Promise<Kms>;
  readonly acting: ActingAs;
  /** The user agent console calls are recorded with. */
  readonly userAgent: string;
  /** The backup to a folder the person picked: parts of the API call `changed()` after material changes. */
  readonly folderBackup: FolderBackup;
  /** The store `kms` was opened over, for the labs' checks, which read keys without adding audit records
   * (src/worker/lab-world.ts); nothing else may reach around the core. */
  storeOf(kms: Kms): Store;
}

/** Opens the region's keystore and schedules maintenance: deletion and rotation when due, and
 * retention, which trims only exported records (trimming unexported ones is the console's to confirm). */
export function openWorkerContext(userAgent: string, region?: string): WorkerContext {
  const stores = new WeakMap<Kms, Store>();
  let regions = Kms.regionSet(browserRegionStores, regionPorts);
  const remembered = setting<string>('region');
  const open = async () => {
    const r = region ?? (await remembered.get().catch(() => undefined)) ?? DEFAULT_REGION;
    const ports = await browserPorts(r);
    const kms = await Kms.open({ ...ports, region: r, regions });
    stores.set(kms, ports.store);
    return kms;
  };
  let ready = open();
  const switched = new Set<() => void>();
  const acting = new ActingAs(userAgent);
  const folderBackup = new FolderBackup({
    async backup() {
      const kms = await ready;
      // Checked before the core is asked, so the trail does not fill with failed BackupKeystore records.
      const { mode, locked } = kms.custody.status();
      if (mode === 'device') throw new Error('A backup needs a passphrase: set one under Keystore protection first.');
      if (locked) throw new Error('The keystore is locked: unlock it in the Pocket KMS console to back it up.');
      const data = await kms.custody.backup(acting.owner(kms));
      return { data: new Blob([data as Uint8Array<ArrayBuffer>]), region: kms.keystore.region };
    },
    folder: setting<StoredBackupFolder>('backupFolder'),
    now: () => Date.now(),
  });
  const tick = () =>
    ready
      .then(async (kms) => {
        const { deleted, rotated, expired } = await kms.maintain();
        if (deleted.length || rotated.length || expired.length) folderBackup.changed();
        await kms.audit.trim('service', { confirmUnexported: false });
        // The other open Regions: their deletions, and replicas their primaries could not reach.
        await regions.each(async (other) => {
          if (other !== kms) await other.maintain().catch(() => undefined);
        });
      })
      .catch(() => undefined);
  void tick();
  setInterval(tick, MAINTENANCE_MS);
  return {
    get ready() {
      return ready;
    },
    async reopen() {
      // A restore may bring another Region or account: every open Region is forgotten.
      regions = Kms.regionSet(browserRegionStores, regionPorts);
      const next = open();
      await next;
      ready = next;
      for (const fn of switched) fn();
    },
    onSwitch(fn) {
      switched.add(fn);
    },
    get regions() {
      return regions;
    },
    async useRegion(name) {
      const current = await ready;
      if (name === current.keystore.region) return current;
      checkRegion(name, 'Region');
      const next = regions.create(name, current);
      const kms = await next;
      const { store } = kms.peerEnv();
      stores.set(kms, store);
      ready = next;
      for (const fn of switched) fn();
      await remembered.put(name);
      return kms;
    },
    acting,
    userAgent,
    folderBackup,
    storeOf(kms) {
      const store = stores.get(kms);
      if (!store) throw new Error('This keystore was not opened by this worker context.');
      return store;
    },
  };
}

export class ActingAs {
  private caller: Caller | undefined;

  constructor(private readonly userAgent: string) {}

  /** The principal console calls run as (the account root until another is chosen). */
  current(kms: Kms): Caller {
    return this.caller ?? this.owner(kms);
  }

  /** The keystore's owner, who manages principals and the trail: the root of the account the console acts in
   * (the keystore's own, or another of its accounts chosen in the header). */
  owner(kms: Kms): Caller {
    const accountId = this.caller?.accountId ?? kms.keystore.accountId;
    return rootCaller({ ...kms.keystore, accountId }, { userAgent: this.userAgent });
  }

  async set(kms: Kms, principalArn: string): Promise<void> {
    this.caller = await kms.iam.callerFor(principalArn, { userAgent: this.userAgent });
  }

  /** Back to the root when the chosen principal was deleted. */
  forget(arn: string): void {
    const c = this.caller;
    if (c && (c.arn === arn || (c.type === 'AssumedRole' && roleOfSession(c.arn)?.roleArn === arn)))
      this.caller = undefined;
  }
}
