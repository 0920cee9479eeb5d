// One lab in progress on the page: its evaluation (from the worker's check engine), re-run whenever the
// audit trail grows (polled: terminal and SDK calls reach the core through the service worker, so the page
// sees them only in the trail) and every few seconds (S3 bucket changes are not audited), and the output of
// the commands the page ran for a step.
import { kms } from '../kms-client.svelte';
import type { Lab, LabEvaluation, LabResetResult } from '../../worker/api';

const POLL_MS = 1000;
const REFRESH_MS = 5000;

export interface StepOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export class LabRun {
  evaluation = $state<LabEvaluation | undefined>(undefined);
  error = $state<unknown>(undefined);
  outputs = $state<Record<number, StepOutput>>({});
  running = $state<number | undefined>(undefined);
  /** The newest "step N done" sentence, for the page's live region. */
  announcement = $state('');
  #busy: Promise<void> | undefined;
  #lastEval = 0;

  constructor(readonly lab: Lab) {}

  /** Evaluates now and whenever the trail moves; returns the function that stops it. */
  watch(): () => void {
    void this.evaluate();
    const timer = setInterval(() => void this.#tick(), POLL_MS);
    return () => clearInterval(timer);
  }

  async #tick(): Promise<void> {
    if (document.hidden || this.#busy) return;
    try {
      const head = await kms.api.labAuditHead();
      if (head !== this.evaluation?.auditHead || Date.now() - this.#lastEval > REFRESH_MS) await this.evaluate();
    } catch (e) {
      this.error = e;
    }
  }

  evaluate(): Promise<void> {
    return (this.#busy ??= this.#evaluate().finally(() => (this.#busy = undefined)));
  }

  async #evaluate(): Promise<void> {
    try {
      const before = this.evaluation;
      // A plain copy: Comlink clones it (a $state proxy cannot be cloned).
      const next = await kms.api.labEvaluate($state.snapshot(this.lab) as Lab);
      this.#lastEval = Date.now();
      const newly = next.steps.flatMap((s, i) => (s.done && before && !before.steps[i]?.done ? [i] : []));
      if (newly.length)
        this.announcement = newly.map((i) => `Step ${i + 1} done: ${this.lab.steps[i]!.title}.`).join(' ');
      // The first evaluation of a lab with demoKeys made them (ADR 0018): the banner and key lists read again.
      if (!before && this.lab.demoKeys?.length) kms.revision++;
      this.evaluation = next;
      this.error = undefined;
    } catch (e) {
      this.error = e;
    }
  }

  /** Runs a step's command blocks in the page's terminal session, in order, stopping at a failure. */
  async run(step: number): Promise<void> {
    const blocks = this.lab.steps[step]?.commands ?? [];
    this.running = step;
    const out: StepOutput = { stdout: '', stderr: '', exitCode: 0 };
    try {
      for (const b of blocks) {
        const r = await kms.shell(b);
        out.stdout += r.stdout;
        out.stderr += r.stderr;
        out.exitCode = r.exitCode;
        this.outputs = { ...this.outputs, [step]: { ...out } };
        if (r.exitCode !== 0) break;
      }
    } catch (e) {
      this.error = e;
    } finally {
      this.running = undefined;
    }
    await this.evaluate();
  }

  async reset(): Promise<LabResetResult | undefined> {
    // An evaluation in flight finishes first (the worker also runs one operation per lab at a time).
    await this.#busy;
    try {
      const r = await kms.api.labReset(this.lab.id);
      this.outputs = {};
      this.evaluation = undefined;
      kms.revision++;
      await this.evaluate();
      return r;
    } catch (e) {
      this.error = e;
      return undefined;
    }
  }
}
