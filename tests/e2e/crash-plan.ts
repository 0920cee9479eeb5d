// The crash test's schedule and ledger: a seeded pseudo-random stream (print the seed, pass it back as
// CRASH_SEED to replay the same choices) that picks calls, delays and faults, and the record of every
// call made and how it ended. Each call carries a marker its audit record keeps, so the record can be found.
import type { CrashCall, CrashOutcome } from './crash-entry';

export type Actor = 'A' | 'B' | 'C';
/** A and B call their own KMS worker; C calls /kms through the AWS SDK. */
export const ACTORS: readonly Actor[] = ['A', 'B', 'C'];
export const ALIASES = ['alias/crash-0', 'alias/crash-1', 'alias/crash-2', 'alias/crash-3'] as const;

export type Fault =
  | { kind: 'terminate-worker'; actor: 'A' | 'B' }
  | { kind: 'stop-service-worker' }
  | { kind: 'close-tab'; actor: Actor };

/** mulberry32: small, seedable, good enough to spread choices. */
export class Rng {
  private s: number;
  constructor(readonly seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
}

export interface Entry {
  call: CrashCall;
  actor: Actor;
  /** Undefined while in flight; 'lost' when its worker or tab went away first. */
  outcome?: CrashOutcome;
}

/** Whether a call's answer says what happened: ok, or an error the KMS answered (an endpoint error
 * without a request ID never reached the service worker's answer, so it may or may not have run). */
export function answered(e: Entry): boolean {
  const o = e.outcome;
  if (!o || o.status === 'lost') return false;
  if (o.status === 'ok') return true;
  return e.call.via === 'worker' || o.requestId !== undefined;
}

/** The marker a call's audit record carries (rotation has no free field: none). */
export function markerOf(op: string, req: Record<string, any> | null | undefined): string | undefined {
  if (!req) return undefined;
  if (op === 'CreateKey') return req.Description ?? req.description;
  if (op === 'Encrypt') return (req.EncryptionContext ?? req.encryptionContext)?.call;
  if (op === 'CreateGrant') return req.Name ?? req.name;
  if (op === 'UpdateAlias' || op === 'CreateAlias')
    return `${req.AliasName ?? req.aliasName} -> ${req.TargetKeyId ?? req.targetKeyId}`;
  return undefined;
}

export class Plan {
  readonly rng: Rng;
  readonly entries = new Map<number, Entry>();
  /** Keys whose creation was answered ok: the calls pick their targets among them. */
  readonly keys: string[] = [];
  private readonly usedPairs = new Set<string>();
  private nextId = 1;

  constructor(
    seed: number,
    private readonly accountId: string,
  ) {
    this.rng = new Rng(seed);
  }

  record(e: Entry): void {
    this.entries.set(e.call.id, e);
  }

  report(o: CrashOutcome): void {
    const e = this.entries.get(o.id);
    if (!e) return;
    // A report that arrives after its tab was declared gone is the better truth.
    if (!e.outcome || e.outcome.status === 'lost') e.outcome = o;
    if (o.status === 'ok' && e.call.op === 'CreateKey' && o.data.keyId) this.keys.push(o.data.keyId);
  }

  /** Marks every unsettled call of `actor` lost (its tab closed). */
  lose(actor: Actor): void {
    for (const e of this.entries.values())
      if (e.actor === actor && !e.outcome) e.outcome = { id: e.call.id, status: 'lost' };
  }

  unsettled(ids: number[]): number[] {
    return ids.filter((id) => !this.entries.get(id)!.outcome);
  }

  /** One given call (the setup's), recorded in the ledger; `marker` in `req` is replaced by the call's marker. */
  add(actor: Actor, op: CrashCall['op'], req: Record<string, unknown>): CrashCall {
    const id = this.nextId++;
    const marker = `crash-${this.rng.seed}-${id}`;
    const call: CrashCall = {
      id,
      via: actor === 'C' ? 'endpoint' : 'worker',
      op,
      req: Object.fromEntries(Object.entries(req).map(([k, v]) => [k, v === 'marker' ? marker : v])),
    };
    this.record({ call, actor });
    return call;
  }

  /** `n` calls for `actor`, recorded in the ledger. */
  calls(actor: Actor, n: number): CrashCall[] {
    const out: CrashCall[] = [];
    for (let i = 0; i < n; i++) {
      const call = this.call(actor);
      this.record({ call, actor });
      out.push(call);
    }
    return out;
  }

  private call(actor: Actor): CrashCall {
    const id = this.nextId++;
    const marker = `crash-${this.rng.seed}-${id}`;
    const via = actor === 'C' ? 'endpoint' : 'worker';
    const key = () => this.rng.pick(this.keys);
    const r = this.rng.next();
    if (r < 0.2) return { id, via, op: 'CreateKey', req: { Description: marker } };
    if (r < 0.4) return { id, via, op: 'RotateKeyOnDemand', req: { KeyId: key() } };
    if (r < 0.65)
      return {
        id,
        via,
        op: 'Encrypt',
        req: {
          KeyId: this.rng.next() < 0.25 ? this.rng.pick(ALIASES) : key(),
          Plaintext: `plaintext of ${marker}`,
          EncryptionContext: { call: marker },
        },
      };
    if (r < 0.85)
      return {
        id,
        via,
        op: 'CreateGrant',
        req: {
          KeyId: key(),
          GranteePrincipal: `arn:aws:iam::${this.accountId}:role/crash-grantee-${this.rng.int(0, 3)}`,
          Operations: ['Encrypt', 'Decrypt'],
          Name: marker,
        },
      };
    // Each (alias, key) pair at most once, so its record is this call's alone.
    for (let tries = 0; tries < 20; tries++) {
      const pair = { AliasName: this.rng.pick(ALIASES), TargetKeyId: key() };
      const m = markerOf('UpdateAlias', pair)!;
      if (this.usedPairs.has(m)) continue;
      this.usedPairs.add(m);
      return { id, via, op: 'UpdateAlias', req: pair };
    }
    return { id, via, op: 'CreateKey', req: { Description: marker } };
  }

  fault(): Fault {
    const r = this.rng.next();
    if (r < 0.45) return { kind: 'terminate-worker', actor: this.rng.pick(['A', 'B'] as const) };
    if (r < 0.8) return { kind: 'stop-service-worker' };
    return { kind: 'close-tab', actor: this.rng.pick(ACTORS) };
  }
}
