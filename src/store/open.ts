// The browser's ports for a region's keystore: its IndexedDB store, Web Locks, the system clock and
// randomness. The worker and the service worker open the core over them (Kms.open), and over the
// Regions in use in this browser (ADR 0015: one database per Region, `pocket-kms-<region>`).
import { isRegionName, type RegionStores } from '../kms/multi-region';
import { systemClock, systemRandom, type Clock, type Locks, type Random } from '../kms/ports';
import { databaseName, IdbStore } from './idb-store';
import { webLocks } from './web-locks';

export const DEFAULT_REGION = 'us-east-1';

export async function browserPorts(
  region = DEFAULT_REGION,
): Promise<{ store: IdbStore; clock: Clock; random: Random; locks: Locks }> {
  return {
    store: await IdbStore.open(databaseName(region)),
    clock: systemClock,
    random: systemRandom,
    locks: webLocks,
  };
}

/** The ports every Region's keystore opens with. */
export const regionPorts = { clock: systemClock, random: systemRandom, locks: webLocks };

const PREFIX = databaseName('');

/** The Regions whose keystore database exists in this browser (IndexedDB's own list, so nothing else to
 * keep in step), and their stores. */
export const browserRegionStores: RegionStores = {
  async list() {
    const dbs = await indexedDB.databases();
    return dbs
      .map((d) => d.name ?? '')
      .filter((n) => n.startsWith(PREFIX))
      .map((n) => n.slice(PREFIX.length))
      .filter(isRegionName);
  },
  open: (region) => IdbStore.open(databaseName(region)),
};
