// The browser's ports for a region's keystore: its IndexedDB store, Web Locks, the system clock and
// randomness. The worker and the service worker open the core over them (Kms.open).
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
