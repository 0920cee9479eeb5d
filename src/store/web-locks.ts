// The Locks port over the Web Locks API, shared by every tab, worker and the service worker of the origin.
import type { Locks } from '../kms/ports';

export const webLocks: Locks = {
  withLock: (name, fn) => navigator.locks.request(name, { mode: 'exclusive' }, fn),
};
