// Opens the browser keystore of a region: IndexedDB store, Web Locks, the system clock and randomness.
import { Kms } from '../kms/kms';
import { systemClock, systemRandom } from '../kms/ports';
import { databaseName, IdbStore } from './idb-store';
import { webLocks } from './web-locks';

export const DEFAULT_REGION = 'us-east-1';

export async function openBrowserKeystore(region = DEFAULT_REGION): Promise<Kms> {
  const store = await IdbStore.open(databaseName(region));
  return Kms.open({ store, clock: systemClock, random: systemRandom, locks: webLocks, region });
}
