// The Regions of one account in this browser (ADR 0015): each Region is its own keystore (database,
// root keys' store, audit trail), opened once and shared by every call that reaches across Regions
// (ReplicateKey, UpdatePrimaryRegion, synchronization). A new Region is made as a sibling of an open one.

import type { Kms } from '../kms';
import type { Clock, Locks, Random, Store } from '../ports';
import { isRegionName } from './config';
import { seedSibling } from './sibling';

/** Where the Regions' stores live (src/store/open.ts for the browser; tests pass fake-indexeddb ones). */
export interface RegionStores {
  /** The Regions that have a keystore. */
  list(): Promise<string[]>;
  /** `region`'s store, created empty when it has none. */
  open(region: string): Promise<Store>;
}

export interface RegionPorts {
  clock: Clock;
  random: Random;
  locks: Locks;
}

type Opener = (o: { store: Store; region: string; regions: RegionSet } & RegionPorts) => Promise<Kms>;

export class RegionSet {
  private readonly opened = new Map<string, Promise<Kms>>();

  constructor(
    private readonly stores: RegionStores,
    private readonly ports: RegionPorts,
    /** Kms.open (passed in: this wing's files do not import the core's entry at run time). */
    private readonly openKms: Opener,
  ) {}

  /** Called by Kms.open for a keystore opened with this set. */
  register(kms: Kms): void {
    if (!this.opened.has(kms.keystore.region)) this.opened.set(kms.keystore.region, Promise.resolve(kms));
  }

  /** The Regions in use in this browser, sorted. */
  async inUse(): Promise<string[]> {
    const listed = await this.stores.list();
    return [...new Set([...listed, ...this.opened.keys()])].filter(isRegionName).sort();
  }

  /** `region`'s keystore, opened, or undefined when this browser has none there. It shares the unlock
   * of an open Region with the same custody (Custodian.shareUnlock). */
  async get(region: string): Promise<Kms | undefined> {
    let p = this.opened.get(region);
    if (!p) {
      if (!(await this.stores.list()).includes(region)) return undefined;
      p = this.open(region);
    }
    const kms = await p;
    await this.shareUnlock(kms);
    return kms;
  }

  /** `region`'s keystore, made first when it has none: a sibling of `from` (same account, custody and
   * principals; seedSibling says what is copied and why). */
  async create(region: string, from: Kms): Promise<Kms> {
    const have = await this.get(region);
    if (have) return have;
    const p = this.stores.open(region).then(async (store) => {
      await seedSibling(from, store, region);
      return this.openKms({ ...this.ports, store, region, regions: this });
    });
    this.opened.set(region, p);
    p.catch(() => this.opened.delete(region));
    const kms = await p;
    await this.shareUnlock(kms);
    return kms;
  }

  /** Locks every open Region (the console's "Lock" locks the browser's keystores, not one of them). */
  async each(fn: (kms: Kms) => Promise<void>): Promise<void> {
    for (const p of this.opened.values()) await fn(await p);
  }

  /** Drops the open Regions `gone` names (e.g. a store a newer version of the app upgraded under this one), so the
   * next call opens them again rather than keep a dead keystore for the owner's life. Returns how many went. */
  async forget(gone: (kms: Kms) => boolean): Promise<number> {
    let n = 0;
    for (const [r, p] of [...this.opened]) {
      const kms = await p.catch(() => undefined);
      if (kms && gone(kms) && this.opened.get(r) === p) {
        this.opened.delete(r);
        n++;
      }
    }
    return n;
  }

  private open(region: string): Promise<Kms> {
    const p = this.stores.open(region).then((store) => this.openKms({ ...this.ports, store, region, regions: this }));
    this.opened.set(region, p);
    p.catch(() => this.opened.delete(region));
    return p;
  }

  private async shareUnlock(kms: Kms): Promise<void> {
    if (!kms.custody.status().locked) return;
    for (const [r, p] of this.opened) {
      if (r === kms.keystore.region) continue;
      const other = await p.catch(() => undefined);
      if (other && kms.adoptUnlockOf(other)) return;
    }
  }
}
