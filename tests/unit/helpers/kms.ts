// A fresh keystore over fake-indexeddb with an injected clock and in-process locks.
import { rootCaller } from '../../../src/kms/audit';
import { Kms } from '../../../src/kms/kms';
import { LocalLocks, systemRandom, type Clock } from '../../../src/kms/ports';
import { IdbStore } from '../../../src/store/idb-store';

export class TestClock implements Clock {
  constructor(public t = Date.UTC(2026, 10, 29, 12, 0, 0)) {}
  now() {
    return this.t;
  }
  advanceDays(d: number) {
    this.t += d * 86_400_000;
  }
}

let n = 0;

export async function freshKms(opts: { name?: string; clock?: TestClock } = {}) {
  const name = opts.name ?? `test-kms-${Date.now()}-${n++}`;
  const clock = opts.clock ?? new TestClock();
  const store = await IdbStore.open(name);
  const kms = await Kms.open({ store, clock, random: systemRandom, locks: new LocalLocks(), region: 'us-east-1', accountId: '111122223333' });
  const caller = rootCaller(kms.keystore, { userAgent: 'vitest' });
  const call = <T = Record<string, any>>(op: string, req: unknown = {}) => kms.call(op, req, caller) as Promise<T & Record<string, any>>;
  return { kms, store, clock, call, name };
}

export const utf8 = (s: string) => new TextEncoder().encode(s);
