// The labs part of the worker API (#/labs, docs/LABS.md): evaluates a lab's checks against this keystore
// (src/labs/engine.ts over src/worker/lab-world.ts), keeps each lab's progress per keystore in the settings
// database, and resets a lab: what it made is undone as the account root (audited like any call).
// Not the labs' index: the worker validates labs the console parsed, and bundles no YAML parser.
import { evaluateLab, startLab, type LabEvaluation, type LabProgress } from '../../labs/engine';
import { validateLab, type Lab } from '../../labs/format';
import type { Kms } from '../../kms/kms';
import { setting } from '../../store/settings';
import type { WorkerContext } from '../context';
import { exportKit, loadKit, type Kit, type KitLoadResult } from '../kit';
import { labWorld } from '../lab-world';
import { ensureDemoKeys } from '../demo-keys';
import { s3Of } from './s3-endpoint';

export type { Lab, LabEvaluation, LabProgress, Kit, KitLoadResult };
export type { LabStep, StepResult, Check, Binding } from '../../labs';

export interface LabResetResult {
  /** Keys the lab made, now pending deletion (7 days; cancel-key-deletion still saves one). */
  scheduled: string[];
  /** Their aliases, deleted. */
  aliases: string[];
  /** Buckets the lab found (its checks bound), emptied and deleted. */
  buckets: string[];
  /** IAM users and roles made since the lab started, deleted with their policies and access keys. */
  principals: string[];
}

export interface LabsWorkerApi {
  /** Evaluates every step of `lab` not yet done and saves the progress; the first call starts the lab.
   * @throws LabFormatError when `lab` is not a valid lab */
  labEvaluate(lab: Lab): Promise<LabEvaluation>;
  /** The audit trail's newest sequence number: the console evaluates again when it moves. */
  labAuditHead(): Promise<number>;
  /** The saved progress of a lab in this keystore, if it was started. */
  labProgress(labId: string): Promise<LabProgress | undefined>;
  /** "Reset this lab": schedules deletion of the keys made since it started (and deletes their aliases),
   * empties and deletes the buckets its checks found, and forgets its progress. Scratch files stay. */
  labReset(labId: string): Promise<LabResetResult>;
  /** A facilitator kit of this keystore's setup (src/worker/kit.ts), with a lab file's text if given. */
  kitExport(lab?: string): Promise<Kit>;
  /** Recreates a kit's setup in this keystore as its root.
   * @throws KitFormatError, or the error of the call that failed */
  kitLoad(kit: unknown): Promise<KitLoadResult>;
}

const PENDING_WINDOW_DAYS = 7;

export function labsApi(ctx: WorkerContext): LabsWorkerApi {
  const open = async () => {
    const kms = await ctx.ready;
    const world = labWorld({
      kms,
      store: ctx.storeOf(kms),
      s3: () => s3Of(kms),
      caller: () => ctx.acting.current(kms),
    });
    return { kms, world };
  };
  const saved = (kms: Kms, labId: string) => {
    if (typeof labId !== 'string' || !/^[a-z0-9][a-z0-9-]{0,63}$/.test(labId))
      throw new TypeError(`"labId" expected a lab id, got ${String(labId)}`);
    return setting<LabProgress>(`lab-progress:${kms.keystore.region}:${kms.keystore.accountId}:${labId}`);
  };
  // One operation per lab at a time in this worker: an evaluation that saved after a reset would bring
  // the forgotten progress back. (Two tabs run two workers; the later save wins, and a step whose check
  // still passes turns done again at the next evaluation.)
  const tails = new Map<string, Promise<unknown>>();
  const serial = <T>(labId: string, fn: () => Promise<T>): Promise<T> => {
    const run = (tails.get(labId) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => undefined);
    tails.set(labId, tail);
    void tail.then(() => tails.get(labId) === tail && tails.delete(labId));
    return run;
  };
  return {
    async labEvaluate(lab) {
      const checked = validateLab(lab);
      return serial(checked.id, () => evaluate(checked));
    },
    async labAuditHead() {
      return (await open()).world.auditHead();
    },
    async labProgress(labId) {
      return saved(await ctx.ready, labId).get();
    },
    async labReset(labId) {
      return serial(String(labId), () => reset(labId));
    },
    async kitExport(lab) {
      if (lab !== undefined && typeof lab !== 'string') throw new TypeError('"lab" expected a lab file\'s text');
      const kms = await ctx.ready;
      return exportKit({ kms, s3: () => s3Of(kms) }, lab);
    },
    async kitLoad(kit) {
      const kms = await ctx.ready;
      const r = await loadKit({ kms, s3: () => s3Of(kms) }, kit);
      ctx.folderBackup.changed();
      return r;
    },
  };

  async function evaluate(checked: Lab): Promise<LabEvaluation> {
    const { kms, world } = await open();
    const store = saved(kms, checked.id);
    const kept = await store.get();
    // The lab's demo keys are its starting state: made before it starts, so a reset leaves them.
    if (!kept && checked.demoKeys?.length) await ensureDemoKeys(kms, checked.demoKeys);
    const progress = kept ?? (await startLab(checked.id, world, Date.now()));
    const r = await evaluateLab(checked, progress, world, Date.now());
    // A lab starts once (its first evaluation is kept); later ones are written only when they changed
    // something, as the page re-evaluates every few seconds.
    if (!kept || JSON.stringify(r.progress) !== JSON.stringify(kept)) await store.put(r.progress);
    return r;
  }

  async function reset(labId: string): Promise<LabResetResult> {
    const { kms, world } = await open();
    const store = saved(kms, labId);
    const progress = await store.get();
    const out: LabResetResult = { scheduled: [], aliases: [], buckets: [], principals: [] };
    if (!progress) return out;
    const owner = ctx.acting.owner(kms);
    const made = new Set(
      (await world.eventsAfter(progress.startSeq))
        .filter((e) => e.eventName === 'CreateKey' && e.errorCode === undefined)
        .flatMap((e) => e.keyIds),
    );
    const s3 = await s3Of(kms);
    for (const b of Object.values(progress.bindings).filter((x) => x.type === 'bucket')) {
      const page = await s3.listObjects(owner, b.id, { prefix: '', maxKeys: 1000 }).catch(() => undefined);
      if (!page) continue;
      for (const o of page.objects) await s3.deleteObject(owner, b.id, o.key);
      await s3.deleteBucket(owner, b.id);
      out.buckets.push(b.id);
    }
    for (const k of await world.keys()) {
      if (!made.has(k.keyId)) continue;
      for (const a of k.aliases) {
        await kms.call('DeleteAlias', { AliasName: a }, owner);
        out.aliases.push(a);
      }
      if (k.state === 'PendingDeletion') continue;
      await kms.call('ScheduleKeyDeletion', { KeyId: k.keyId, PendingWindowInDays: PENDING_WINDOW_DAYS }, owner);
      out.scheduled.push(k.keyId);
    }
    // Users and roles the lab made (a second run's create-user would fail on them), policies and keys too.
    for (const p of await world.principals()) {
      if (p.createdAt < progress.startedAt) continue;
      await kms.iam.deletePrincipal(owner, p.arn);
      out.principals.push(p.arn);
    }
    await store.put(undefined);
    if (out.scheduled.length) ctx.folderBackup.changed();
    return out;
  }
}
