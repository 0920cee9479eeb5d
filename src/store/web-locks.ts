// The Locks port over the Web Locks API, shared by every tab, worker and the service worker of the origin.
import type { Locks } from '../kms/ports';

export const webLocks: Locks = {
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    // request() resolves with fn's result once the lock is released.
    return navigator.locks.request(name, { mode: 'exclusive' }, fn) as Promise<unknown> as Promise<T>;
  },
};
