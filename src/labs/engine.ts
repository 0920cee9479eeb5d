// The check engine (docs/LABS.md "Checks"): evaluates a lab's checks from the keystore's state and its
// audit trail since the lab started (a LabWorld), never from what was typed. A step is done the first
// time its check passes and stays done; names a check binds ($labKey) are kept in the progress.
import { globMatch, kmsAction, type AuditMatch, type Check } from './checks';
import { describeEvent, describeKey, pairs, unbound } from './describe';
import type { Lab } from './format';
import { hintsFor } from './hints';
import { decision, grantAbsent, grantExists, principalAbsent, principalExists } from './iam-checks';
import { fail, keyRelated, merge, pass, type Binding, type Outcome } from './outcome';
import type { LabEvent, LabKey, LabSimulation, LabWorld } from './world';

export type { Binding, Outcome } from './outcome';

/** A lab's progress in one keystore. */
export interface LabProgress {
  labId: string;
  /** When the lab started (epoch ms): keys made before it do not count. */
  startedAt: number;
  /** The audit trail's head when it started: only later records count. */
  startSeq: number;
  /** Step index → when its check first passed (epoch ms). */
  done: Record<number, number>;
  bindings: Record<string, Binding>;
}

export interface StepResult {
  done: boolean;
  doneAt?: number;
  /** For a step not done: what its check is missing, one fact a line. */
  missing: string[];
  /** For a step not done: what the trail shows went wrong (AccessDenied and the statement that decided, …). */
  hints: string[];
}

export interface LabEvaluation {
  progress: LabProgress;
  steps: StepResult[];
  /** The audit head the evaluation saw (the console re-evaluates when it moves). */
  auditHead: number;
  complete: boolean;
}

/** A fresh progress record: the lab starts now. */
export async function startLab(labId: string, world: LabWorld, now: number): Promise<LabProgress> {
  return { labId, startedAt: now, startSeq: await world.auditHead(), done: {}, bindings: {} };
}

/** Evaluates every step not yet done, in order (a name bound by one step is seen by the next). */
export async function evaluateLab(
  lab: Lab,
  progress: LabProgress,
  world: LabWorld,
  now: number,
): Promise<LabEvaluation> {
  const auditHead = await world.auditHead();
  const env = new Env(world, progress);
  const next: LabProgress = { ...progress, done: { ...progress.done }, bindings: { ...progress.bindings } };
  const steps: StepResult[] = [];
  for (const [i, step] of lab.steps.entries()) {
    const doneAt = next.done[i];
    if (doneAt !== undefined) {
      steps.push({ done: true, doneAt, missing: [], hints: [] });
      continue;
    }
    // A step's parts see the names bound so far; a step that fails binds nothing.
    env.bindings = { ...next.bindings };
    const r = await env.check(step.check);
    if (r.ok) {
      Object.assign(next.bindings, r.binds);
      next.done[i] = now;
      steps.push({ done: true, doneAt: now, missing: [], hints: [] });
    } else {
      steps.push({ done: false, missing: r.missing, hints: await hintsFor(env, r.related) });
    }
  }
  return { progress: next, steps, auditHead, complete: steps.every((s) => s.done) };
}

/** One evaluation's view of the world (keys and events read once). */
export class Env {
  bindings: Record<string, Binding> = {};
  #keys: Promise<LabKey[]> | undefined;
  #events: Promise<LabEvent[]> | undefined;
  #caller: Promise<string> | undefined;

  constructor(
    readonly world: LabWorld,
    readonly progress: LabProgress,
  ) {}

  keys(): Promise<LabKey[]> {
    return (this.#keys ??= this.world.keys());
  }
  events(): Promise<LabEvent[]> {
    return (this.#events ??= this.world.eventsAfter(this.progress.startSeq));
  }
  caller(): Promise<string> {
    return (this.#caller ??= this.world.callerArn());
  }

  /** `caller`, `root`, `user/<name>`, `role/<name>`, or an ARN (maybe a glob). */
  async principal(p: string): Promise<string> {
    if (p === 'caller') return this.caller();
    if (p === 'root') return `arn:aws:iam::${this.world.accountId}:root`;
    if (/^(user|role)\//.test(p)) return `arn:aws:iam::${this.world.accountId}:${p}`;
    return p;
  }

  /** A `$name[.field]` reference's value, or the text itself; undefined when the name is not bound yet. */
  ref(v: string): string | undefined {
    const m = /^\$([A-Za-z][A-Za-z0-9]*)(?:\.(arn|alias|id))?$/.exec(v);
    if (!m) return v;
    const b = this.bindings[m[1]!];
    return b?.[(m[2] as keyof Binding | undefined) ?? 'id'];
  }

  /** The key a reference, key ID, ARN or alias names. */
  async key(v: string): Promise<LabKey | undefined> {
    const id = this.ref(v);
    if (id === undefined) return undefined;
    return (await this.keys()).find((k) => k.keyId === id || k.arn === id || k.aliases.includes(id));
  }

  async check(c: Check): Promise<Outcome> {
    switch (c.kind) {
      case 'all': {
        const rs: Outcome[] = [];
        for (const x of c.checks) {
          const r = await this.check(x);
          // A name bound by one part is seen by the next.
          if (r.ok) Object.assign(this.bindings, r.binds);
          rs.push(r);
        }
        const related = merge(rs);
        return rs.every((r) => r.ok)
          ? pass(Object.assign({}, ...rs.map((r) => r.binds)), related)
          : fail(
              rs.flatMap((r) => r.missing),
              related,
            );
      }
      case 'any': {
        const rs: Outcome[] = [];
        for (const x of c.checks) {
          const r = await this.check(x);
          if (r.ok) return r;
          rs.push(r);
        }
        return fail([`one of: ${rs.map((r) => r.missing.join('; ')).join(' — or — ')}`], merge(rs));
      }
      case 'not': {
        const r = await this.check(c.check);
        return r.ok ? fail([c.says], r.related) : pass({}, r.related);
      }
      case 'keyExists':
        return this.keyExists(c);
      case 'keyState': {
        const key = await this.key(c.key);
        const related = keyRelated(key);
        if (!key) {
          if (this.ref(c.key) === undefined) return fail([unbound(c.key)]);
          // A key past its waiting period is gone: it was pending deletion.
          return c.state === 'PendingDeletion' ? pass() : fail([`no key ${c.key} exists`]);
        }
        if (key.state !== c.state) return fail([`key ${key.keyId} is ${key.state}, not ${c.state}`], related);
        if (c.pendingWindowDays !== undefined && key.pendingWindowDays !== c.pendingWindowDays)
          return fail(
            [`key ${key.keyId} is to be deleted after ${key.pendingWindowDays} days, not ${c.pendingWindowDays}`],
            related,
          );
        return pass({}, related);
      }
      case 'keyRotation': {
        const key = await this.key(c.key);
        if (!key) return fail([this.ref(c.key) === undefined ? unbound(c.key) : `no key ${c.key} exists`]);
        const related = keyRelated(key, 'EnableKeyRotation', 'RotateKeyOnDemand');
        const out: string[] = [];
        if (c.enabled !== undefined && key.rotationEnabled !== c.enabled)
          out.push(`automatic rotation of key ${key.keyId} is ${key.rotationEnabled ? 'on' : 'off'}`);
        if (c.rotationPeriodInDays !== undefined && key.rotationPeriodDays !== c.rotationPeriodInDays)
          out.push(
            key.rotationEnabled
              ? `key ${key.keyId} rotates every ${key.rotationPeriodDays} days, not ${c.rotationPeriodInDays}`
              : `key ${key.keyId} has no rotation period of ${c.rotationPeriodInDays} days (rotation is off)`,
          );
        if (c.rotations !== undefined && key.rotations < c.rotations)
          out.push(`key ${key.keyId} has been rotated ${key.rotations} time(s), not yet ${c.rotations}`);
        return out.length ? fail(out, related) : pass({}, related);
      }
      case 'aliasAbsent': {
        const pattern = this.ref(c.alias);
        if (pattern === undefined) return fail([unbound(c.alias)]);
        const left = (await this.keys()).flatMap((k) =>
          k.aliases.filter((a) => globMatch(pattern, a)).map((a) => ({ a, k })),
        );
        return left.length
          ? fail(
              left.map(({ a, k }) => `alias ${a} still exists (it points to key ${k.keyId})`),
              keyRelated(left[0]!.k, 'DeleteAlias'),
            )
          : pass();
      }
      case 'keyPolicyAllows':
        return this.keyPolicyAllows(c);
      case 'auditEvent':
        return this.auditEvent(c);
      case 'objectEncrypted':
        return this.objectEncrypted(c);
      case 'decision':
        return decision(this, c);
      case 'principalExists':
        return principalExists(this, c);
      case 'principalAbsent':
        return principalAbsent(this, c);
      case 'grantExists':
        return grantExists(this, c);
      case 'grantAbsent':
        return grantAbsent(this, c);
      case 'trailExported':
        return this.trailExported(c);
      case 'bucketAbsent': {
        const pattern = this.ref(c.bucket);
        if (pattern === undefined) return fail([unbound(c.bucket)]);
        const left = (await this.world.buckets()).filter((b) => globMatch(pattern, b));
        return left.length ? fail(left.map((b) => `bucket ${b} still exists`)) : pass();
      }
    }
  }

  private async keyExists(c: Extract<Check, { kind: 'keyExists' }>): Promise<Outcome> {
    const wanted = describeKey(c);
    // Keys made since the lab started: a successful CreateKey after its start in the trail.
    const createdIds = new Set(
      (await this.events())
        .filter((e) => e.eventName === 'CreateKey' && e.errorCode === undefined)
        .flatMap((e) => e.keyIds),
    );
    const made = (await this.keys()).filter((k) => createdIds.has(k.keyId));
    const named = made.filter((k) => !c.alias || k.aliases.some((a) => globMatch(c.alias!, a)));
    const differences = (k: LabKey) => {
      const d: string[] = [];
      if (c.keySpec && k.keySpec !== c.keySpec) d.push(`key spec ${k.keySpec}`);
      if (c.keyUsage && k.keyUsage !== c.keyUsage) d.push(`usage ${k.keyUsage}`);
      if (c.state && k.state !== c.state) d.push(`state ${k.state}`);
      if (c.description !== undefined && k.description !== c.description) d.push(`description "${k.description}"`);
      for (const [t, v] of Object.entries(c.tags ?? {}))
        if (k.tags[t] !== v) d.push(k.tags[t] === undefined ? `no tag ${t}` : `tag ${t}=${k.tags[t]}`);
      return d;
    };
    // The newest matching key, as the sheet's last create-key is the one it goes on with.
    const found = named.filter((k) => differences(k).length === 0).sort((a, b) => b.createdAt - a.createdAt)[0];
    if (found) {
      const alias = c.alias ? found.aliases.find((a) => globMatch(c.alias!, a)) : found.aliases[0];
      const b: Binding = { type: 'key', id: found.keyId, arn: found.arn, ...(alias ? { alias } : {}) };
      return pass(c.bind ? { [c.bind]: b } : {}, keyRelated(found));
    }
    const near = named[0];
    const related: Outcome['related'] = {
      keyIds: new Set(named.map((k) => k.keyId)),
      eventNames: new Set(['CreateKey', 'CreateAlias']),
    };
    if (near) return fail([`${wanted}: key ${near.keyId} has ${differences(near).join(', ')}`], related);
    if (c.alias && made.length)
      return fail(
        [`${wanted}: ${made.length} key(s) were created since the lab started, but none has such an alias`],
        related,
      );
    return fail([`${wanted}: no key was created since the lab started`], related);
  }

  private async keyPolicyAllows(c: Extract<Check, { kind: 'keyPolicyAllows' }>): Promise<Outcome> {
    const key = await this.key(c.key);
    if (!key) return fail([this.ref(c.key) === undefined ? unbound(c.key) : `no key ${c.key} exists`]);
    const related = keyRelated(key, 'PutKeyPolicy');
    const who = await this.principal(c.principal);
    const want = new Set(c.actions.map(kmsAction));
    const asked = c.exactly ? new Set([...this.world.keyActions(), ...want]) : want;
    const allowed = new Set<string>();
    let sidSeen = c.sid === undefined;
    for (const action of asked) {
      let s: LabSimulation;
      try {
        s = await this.world.simulate(who, action, key.keyId, c.encryptionContext);
      } catch (e) {
        // The principal is gone (NoSuchEntityException): nothing lets it do anything.
        return fail([`${who} cannot be simulated: ${(e as Error).message}`], related);
      }
      const ok =
        c.sid === undefined
          ? s.allowed
          : s.keyPolicy.some((st) => st.sid === c.sid && st.applies && st.effect === 'Allow') &&
            !s.keyPolicy.some((st) => st.applies && st.effect === 'Deny');
      if (c.sid !== undefined && s.keyPolicy.some((st) => st.sid === c.sid)) sidSeen = true;
      if (ok) allowed.add(action);
    }
    const withEc = c.encryptionContext ? ` with encryption context ${pairs(c.encryptionContext)}` : '';
    const by = c.sid ? `statement "${c.sid}" of key ${key.keyId}'s policy` : `key ${key.keyId}`;
    if (!sidSeen) return fail([`the policy of key ${key.keyId} has no statement with Sid "${c.sid}"`], related);
    const missing = [...want].filter((a) => !allowed.has(a));
    const extra = c.exactly ? [...allowed].filter((a) => !want.has(a)).sort() : [];
    const out: string[] = [];
    if (missing.length) out.push(`${by} does not let ${who} ${missing.join(', ')}${withEc}`);
    if (extra.length)
      out.push(`${by} also lets ${who} ${extra.join(', ')}${withEc} (only ${[...want].join(', ')} expected)`);
    return out.length ? fail(out, related) : pass({}, related);
  }

  /** Whether an audit record matches (only records since the lab started are ever looked at). */
  async matches(e: LabEvent, m: AuditMatch): Promise<boolean> {
    if (e.eventName !== m.eventName) return false;
    if (m.errorCode !== undefined && e.errorCode !== m.errorCode) return false;
    if (m.succeeded === true && e.errorCode !== undefined) return false;
    if (m.succeeded === false && e.errorCode === undefined) return false;
    if (m.key !== undefined) {
      const k = await this.key(m.key);
      const id = k?.keyId ?? this.ref(m.key);
      if (id === undefined || !e.keyIds.includes(id)) return false;
    }
    if (m.principal !== undefined && !globMatch(await this.principal(m.principal), e.principalArn)) return false;
    for (const [n, v] of Object.entries(m.encryptionContext ?? {})) if (e.encryptionContext?.[n] !== v) return false;
    if (m.userAgent !== undefined && !globMatch(m.userAgent, e.userAgent)) return false;
    return true;
  }

  private async auditEvent(c: Extract<Check, { kind: 'auditEvent' }>): Promise<Outcome> {
    const events = await this.events();
    const refs = [c.key, c.after?.key].filter((x): x is string => x !== undefined);
    for (const r of refs) if (this.ref(r) === undefined) return fail([unbound(r)]);
    const key = c.key ? await this.key(c.key) : undefined;
    const related: Outcome['related'] = {
      keyIds: new Set(key ? [key.keyId] : []),
      eventNames: new Set([c.eventName, ...(c.after ? [c.after.eventName] : [])]),
    };
    let from = -1;
    if (c.after) {
      for (const e of events)
        if (await this.matches(e, c.after)) {
          from = e.seq;
          break;
        }
      if (from < 0) return fail([`${describeEvent(c.after, this)}: none since the lab started`], related);
    }
    for (const e of events) if (e.seq > from && (await this.matches(e, c))) return pass({}, related);
    const after = c.after ? ` after ${describeEvent(c.after, this)}` : '';
    return fail([`${describeEvent(c, this)}${after}: none since the lab started`], related);
  }

  private async trailExported(c: Extract<Check, { kind: 'trailExported' }>): Promise<Outcome> {
    const through = await this.world.exportedThrough();
    const related: Outcome['related'] = { keyIds: new Set(), eventNames: new Set() };
    let seq = this.progress.startSeq + 1;
    if (c.after) {
      if (c.after.key !== undefined && this.ref(c.after.key) === undefined) return fail([unbound(c.after.key)]);
      let found: LabEvent | undefined;
      for (const e of await this.events())
        if (await this.matches(e, c.after)) {
          found = e;
          break;
        }
      if (!found) return fail([`${describeEvent(c.after, this)}: none since the lab started`], related);
      seq = found.seq;
    }
    if (through >= seq) return pass({}, related);
    const what = c.after ? describeEvent(c.after, this) : "the lab's calls";
    return fail(
      [
        through === 0
          ? `the trail has never been exported whole (Event history → Export, CloudTrail files, no filter)`
          : `the last whole export of the trail ends at record ${through}, before ${what} (record ${seq}): export it again`,
      ],
      related,
    );
  }

  private async objectEncrypted(c: Extract<Check, { kind: 'objectEncrypted' }>): Promise<Outcome> {
    const pattern = this.ref(c.bucket);
    if (pattern === undefined) return fail([unbound(c.bucket)]);
    const key = c.kmsKey ? await this.key(c.kmsKey) : undefined;
    if (c.kmsKey && !key)
      return fail([this.ref(c.kmsKey) === undefined ? unbound(c.kmsKey) : `no key ${c.kmsKey} exists`]);
    const related = keyRelated(key, 'GenerateDataKey');
    const buckets = (await this.world.buckets()).filter((b) => globMatch(pattern, b));
    if (!buckets.length) return fail([`no bucket named ${pattern} exists`], related);
    const seen: string[] = [];
    for (const b of buckets) {
      const o = await this.world.object(b, c.object);
      if (!o) continue;
      if (o.sse !== 'aws:kms') seen.push(`${b}/${c.object} is encrypted with SSE-S3 (AES256), not SSE-KMS`);
      else if (key && o.kmsKeyArn !== key.arn)
        seen.push(`${b}/${c.object} is SSE-KMS under ${o.kmsKeyArn}, not key ${key.keyId}`);
      else return pass(c.bind ? { [c.bind]: { type: 'bucket', id: b } } : {}, related);
    }
    return fail(seen.length ? seen : [`no object ${c.object} in bucket ${buckets.join(', ')}`], related);
  }
}
