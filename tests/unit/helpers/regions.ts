// Several Regions of one account over fake-indexeddb (ADR 0015): a RegionSet whose stores are named per
// test, the first Region opened as the helpers' freshKms does, and a root caller per Region.
import { rootCaller } from '../../../src/kms/ids';
import { Kms } from '../../../src/kms/kms';
import type { RegionStores } from '../../../src/kms/multi-region';
import { LocalLocks, systemRandom, type Store } from '../../../src/kms/ports';
import { IdbStore } from '../../../src/store/idb-store';
import { ACCOUNT, TestClock } from './kms';

let n = 0;

export async function freshRegions(
  opts: {
    clock?: TestClock;
    first?: string;
    accountId?: string;
    /** Wraps a Region's store (e.g. to inject a failing write). */
    wrap?: (region: string, store: Store) => Store;
  } = {},
) {
  const prefix = `test-regions-${Date.now()}-${n++}-`;
  const names = new Set<string>();
  const stores: RegionStores = {
    async list() {
      return [...names];
    },
    async open(region) {
      names.add(region);
      const store = await IdbStore.open(prefix + region);
      return opts.wrap ? opts.wrap(region, store) : store;
    },
  };
  const clock = opts.clock ?? new TestClock();
  const ports = { clock, random: systemRandom, locks: new LocalLocks() };
  const regions = Kms.regionSet(stores, ports);
  const first = opts.first ?? 'us-east-1';
  const home = await Kms.open({
    ...ports,
    store: await stores.open(first),
    region: first,
    accountId: opts.accountId ?? ACCOUNT,
    regions,
  });
  /** `region`'s keystore (made on demand as a sibling of the first) and calls as its root. */
  const at = async (region: string) => {
    const kms = region === first ? home : await regions.create(region, home);
    const caller = rootCaller(kms.keystore, { userAgent: 'vitest' });
    const call = <T = Record<string, any>>(op: string, req: unknown = {}) =>
      kms.call(op, req, caller) as Promise<T & Record<string, any>>;
    const audit = async () => (await kms.audit.query({ limit: 10_000 })).reverse();
    return { kms, call, caller, audit };
  };
  return { regions, clock, home, at, prefix };
}
