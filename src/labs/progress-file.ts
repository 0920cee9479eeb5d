// An attendee's progress in a lab as a file for the facilitator (docs/LABS.md "Progress files"): the lab's id,
// title and digest (which version of the lab), each step done or not with the time, and what a step's check
// still misses — nothing secret (no bindings, no hints, no commands' output). Read back with every problem at
// once, each naming its field; the facilitator's table puts several attendees' files side by side.
import type { LabEvaluation } from './engine';
import type { Lab } from './format';

export const PROGRESS_FORMAT = 'pocket-kms-lab-progress';
export const PROGRESS_VERSION = 1;
const MAX_FILE = 1024 * 1024;

export interface ProgressStep {
  title: string;
  done: boolean;
  /** ISO 8601, when the step's check first passed. */
  doneAt?: string;
  /** For a step not done: what its check misses, one fact a line. */
  missing?: string[];
}

export interface ProgressFile {
  format: typeof PROGRESS_FORMAT;
  version: typeof PROGRESS_VERSION;
  lab: {
    id: string;
    title: string;
    /** SHA-256 (hex) of the lab as JSON: two files of the same digest followed the same version of the lab. */
    digest: string;
  };
  /** A name the attendee typed, or absent. */
  attendee?: string;
  startedAt: string;
  exportedAt: string;
  complete: boolean;
  steps: ProgressStep[];
}

export interface ProgressFileProblem {
  path: string;
  message: string;
}

/** A text that is not a progress file this version reads: every problem, each naming its field. */
export class ProgressFileError extends Error {
  override readonly name = 'ProgressFileError';
  constructor(readonly problems: ProgressFileProblem[]) {
    super(problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('\n'));
  }
}

/** SHA-256 (hex) of the lab's JSON. */
export async function labDigest(lab: Lab): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(lab)));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The progress file of `evaluation` (of `lab`), exported at `now`. */
export async function makeProgressFile(
  lab: Lab,
  evaluation: LabEvaluation,
  now: number,
  attendee?: string,
): Promise<ProgressFile> {
  const name = attendee?.trim();
  return {
    format: PROGRESS_FORMAT,
    version: PROGRESS_VERSION,
    lab: { id: lab.id, title: lab.title, digest: await labDigest(lab) },
    ...(name ? { attendee: name.slice(0, 100) } : {}),
    startedAt: new Date(evaluation.progress.startedAt).toISOString(),
    exportedAt: new Date(now).toISOString(),
    complete: evaluation.complete,
    steps: lab.steps.map((s, i) => {
      const r = evaluation.steps[i];
      if (r?.done) return { title: s.title, done: true, doneAt: new Date(r.doneAt!).toISOString() };
      return { title: s.title, done: false, missing: r?.missing ?? [] };
    }),
  };
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const isIso = (v: unknown) => typeof v === 'string' && ISO.test(v) && !Number.isNaN(Date.parse(v));
const FIELDS = ['format', 'version', 'lab', 'attendee', 'startedAt', 'exportedAt', 'complete', 'steps'];
const STEP_FIELDS = ['title', 'done', 'doneAt', 'missing'];

/** Reads a progress file (JSON).
 * @throws ProgressFileError naming each bad field */
export function parseProgressFile(text: string): ProgressFile {
  if (text.length > MAX_FILE) throw new ProgressFileError([{ path: '', message: 'a progress file is at most 1 MiB' }]);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ProgressFileError([{ path: '', message: `not JSON: ${(e as Error).message}` }]);
  }
  return validateProgressFile(data);
}

/** Checks that `data` is a progress file of this version and returns it typed.
 * @throws ProgressFileError naming each bad field */
export function validateProgressFile(data: unknown): ProgressFile {
  const problems: ProgressFileProblem[] = [];
  const bad = (path: string, message: string) => void problems.push({ path, message });
  const f = data as Record<string, unknown> | null;
  if (typeof f !== 'object' || f === null || Array.isArray(f) || f.format !== PROGRESS_FORMAT)
    throw new ProgressFileError([
      { path: 'format', message: `expected "${PROGRESS_FORMAT}": not a lab progress file` },
    ]);
  if (typeof f.version !== 'number' || !Number.isInteger(f.version) || f.version < 1)
    bad('version', `expected ${PROGRESS_VERSION}, got ${JSON.stringify(f.version)}`);
  else if (f.version > PROGRESS_VERSION)
    throw new ProgressFileError([
      {
        path: 'version',
        message: `version ${f.version} was written by a newer Pocket KMS; this one reads version ${PROGRESS_VERSION}`,
      },
    ]);
  for (const k of Object.keys(f)) if (!FIELDS.includes(k)) bad(k, 'unknown field');
  const lab = f.lab as Record<string, unknown> | undefined;
  if (typeof lab !== 'object' || lab === null) bad('lab', 'expected { id, title, digest }');
  else {
    if (typeof lab.id !== 'string' || !/^[a-z0-9][a-z0-9-]{0,63}$/.test(lab.id))
      bad('lab.id', `expected a lab id, got ${JSON.stringify(lab.id)}`);
    if (typeof lab.title !== 'string' || !lab.title) bad('lab.title', 'expected a title');
    if (typeof lab.digest !== 'string' || !/^[0-9a-f]{64}$/.test(lab.digest))
      bad('lab.digest', 'expected 64 hexadecimal digits (SHA-256)');
  }
  if (f.attendee !== undefined && (typeof f.attendee !== 'string' || f.attendee.length > 100))
    bad('attendee', 'expected a name of at most 100 characters');
  for (const k of ['startedAt', 'exportedAt'])
    if (!isIso(f[k])) bad(k, `expected an ISO 8601 UTC time, got ${JSON.stringify(f[k])}`);
  if (typeof f.complete !== 'boolean') bad('complete', 'expected true or false');
  if (!Array.isArray(f.steps) || f.steps.length === 0) bad('steps', 'expected a list of steps');
  else {
    f.steps.forEach((s: unknown, i: number) => {
      const p = `steps[${i}]`;
      const st = s as Record<string, unknown> | null;
      if (typeof st !== 'object' || st === null) return bad(p, 'expected { title, done }');
      for (const k of Object.keys(st)) if (!STEP_FIELDS.includes(k)) bad(`${p}.${k}`, 'unknown field');
      if (typeof st.title !== 'string' || !st.title) bad(`${p}.title`, 'expected a title');
      if (typeof st.done !== 'boolean') bad(`${p}.done`, 'expected true or false');
      if (st.done === true && !isIso(st.doneAt))
        bad(`${p}.doneAt`, 'a done step needs the ISO 8601 UTC time it was done');
      if (st.done === false && st.doneAt !== undefined) bad(`${p}.doneAt`, 'a step not done has no time');
      if (st.missing !== undefined && (!Array.isArray(st.missing) || st.missing.some((m) => typeof m !== 'string')))
        bad(`${p}.missing`, 'expected a list of texts');
    });
    if (typeof f.complete === 'boolean' && problems.length === 0) {
      const all = (f.steps as ProgressStep[]).every((s) => s.done);
      if (f.complete !== all) bad('complete', `says ${f.complete}, but ${all ? 'every' : 'not every'} step is done`);
    }
  }
  if (problems.length) throw new ProgressFileError(problems);
  return f as unknown as ProgressFile;
}

/** One lab's attendees side by side: the facilitator's table. */
export interface ProgressTable {
  labId: string;
  title: string;
  steps: string[];
  rows: {
    attendee: string;
    exportedAt: string;
    done: number;
    complete: boolean;
    /** Another version of the lab than the table's first file (its digest differs). */
    otherVersion: boolean;
    cells: ProgressStep[];
  }[];
}

/** Groups files by lab (in the order first seen); a later file of the same attendee and lab replaces an
 * earlier one when it was exported later. Attendees without a name are "Attendee <n>". */
export function progressTables(files: ProgressFile[]): ProgressTable[] {
  const tables = new Map<string, ProgressTable & { digest: string }>();
  let unnamed = 0;
  for (const f of files) {
    let t = tables.get(f.lab.id);
    if (!t) {
      t = { labId: f.lab.id, title: f.lab.title, steps: f.steps.map((s) => s.title), rows: [], digest: f.lab.digest };
      tables.set(f.lab.id, t);
    }
    const attendee = f.attendee ?? `Attendee ${++unnamed}`;
    const row = {
      attendee,
      exportedAt: f.exportedAt,
      done: f.steps.filter((s) => s.done).length,
      complete: f.complete,
      otherVersion: f.lab.digest !== t.digest,
      cells: f.steps,
    };
    const at = t.rows.findIndex((r) => r.attendee === attendee);
    if (at === -1) t.rows.push(row);
    else if (t.rows[at]!.exportedAt < f.exportedAt) t.rows[at] = row;
  }
  return [...tables.values()].map(({ digest: _digest, ...t }) => t);
}
