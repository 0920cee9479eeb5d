// A fresh keystore over fake-indexeddb with an injected clock and in-process locks, plus small
// assertion helpers shared by the unit tests.
import { expect } from 'vitest';
import { rootCaller } from '../../../src/kms/ids';
import { KmsError } from '../../../src/kms/errors';
import { Kms, type CallOptions } from '../../../src/kms/kms';
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

export const REGION = 'us-east-1';
export const ACCOUNT = '111122223333';

export async function freshKms(opts: { name?: string; clock?: TestClock } = {}) {
  const name = opts.name ?? `test-kms-${Date.now()}-${n++}`;
  const clock = opts.clock ?? new TestClock();
  const store = await IdbStore.open(name);
  const locks = new LocalLocks();
  // The account's other Regions (ADR 0015), made on demand in databases named after this one.
  const others = new Set<string>();
  const regions = Kms.regionSet(
    {
      list: async () => [REGION, ...others],
      open: async (region) => (region === REGION ? store : (others.add(region), IdbStore.open(`${name}:${region}`))),
    },
    { clock, random: systemRandom, locks },
  );
  const kms = await Kms.open({
    store,
    clock,
    random: systemRandom,
    locks,
    region: REGION,
    accountId: ACCOUNT,
    regions,
  });
  const caller = rootCaller(kms.keystore, { userAgent: 'vitest' });
  const call = <T = Record<string, any>>(op: string, req: unknown = {}, opts?: CallOptions) =>
    kms.call(op, req, caller, opts) as Promise<T & Record<string, any>>;
  /** Creates a symmetric key and returns its KeyMetadata. */
  const createKey = async (req: Record<string, unknown> = {}) =>
    (await call('CreateKey', req)).KeyMetadata as Record<string, any>;
  /** Every audit entry, oldest first. */
  const audit = async () => (await store.queryAudit({ limit: 100_000 })).reverse();
  return { kms, store, clock, call, createKey, audit, name };
}

export type Fresh = Awaited<ReturnType<typeof freshKms>>;

export const utf8 = (s: string) => new TextEncoder().encode(s);
export const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Asserts that p rejects with the AWS exception `name` (a KmsError subclass, compared by name). */
export async function rejectsWith(p: Promise<unknown>, name: string): Promise<KmsError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, `expected ${name}, but the call succeeded`).toBeDefined();
  expect(e).toBeInstanceOf(KmsError);
  expect(e).toMatchObject({ name });
  return e as KmsError;
}

/** Walks a paged List* operation to the end and returns every item, checking the paging fields. */
export async function walk<T>(
  call: Fresh['call'],
  op: string,
  req: Record<string, unknown>,
  field: string,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let marker: string | undefined;
  let pages = 0;
  for (;;) {
    const r = await call(op, marker === undefined ? req : { ...req, Marker: marker });
    pages++;
    items.push(...(r[field] as T[]));
    expect(r.Truncated).toBe(r.NextMarker !== undefined);
    if (!r.Truncated) return { items, pages };
    marker = r.NextMarker as string;
    if (pages > 1000) throw new Error('paging does not end');
  }
}

export const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
export const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
