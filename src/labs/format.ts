// The lab file format (docs/LABS.md): a lab is an id, a title, a summary and steps, each with an
// explanation (Markdown), commands or a console action, the expected outcome, a check (checks.ts) and
// hints; the last step is the cleanup. Every error names the path of the bad field. (parse.ts reads the
// YAML or JSON text; this file has no parser, so the worker, which only validates, bundles none.)
import {
  AUDIT_MATCH_FIELDS,
  CHECK_FIELDS,
  CHECK_KINDS,
  KEY_STATES,
  type Check,
  type CheckKind,
  type FieldSpec,
} from './checks';

export interface LabStep {
  title: string;
  /** Markdown (docs/LABS.md "Markdown": a small safe subset). */
  explanation: string;
  /** Shell blocks to run in the terminal, in order, each copyable as it stands. */
  commands?: string[];
  /** What to do in the console instead of (or beside) commands (Markdown). */
  console?: string;
  expected: string;
  check: Check;
  hints?: string[];
  /** The last step, which undoes what the lab made; it is checked like any other. */
  cleanup?: boolean;
}

export interface Lab {
  id: string;
  title: string;
  summary: string;
  steps: LabStep[];
  /** Demo keys (ADR 0018) the lab starts with: published, insecure material, so outputs match the sheet. */
  demoKeys?: LabDemoKey[];
}

/** A demo key a lab asks for: its name (all its material and its key ID derive from it), spec, usage, alias. */
export interface LabDemoKey {
  name: string;
  keySpec?: string;
  keyUsage?: string;
  alias?: string;
  description?: string;
}

export interface LabFormatProblem {
  /** `steps[3].check.kind` */
  path: string;
  message: string;
}

/** A lab file that is not a lab: every problem found, each naming the path of its field. */
export class LabFormatError extends Error {
  override readonly name = 'LabFormatError';
  constructor(readonly problems: LabFormatProblem[]) {
    super(problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('\n'));
  }
}

const LAB_FIELDS = ['id', 'title', 'summary', 'steps', 'demoKeys'];
const DEMO_KEY_FIELDS = ['name', 'keySpec', 'keyUsage', 'alias', 'description'];
const STEP_FIELDS = ['title', 'explanation', 'commands', 'console', 'expected', 'check', 'hints', 'cleanup'];
const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const BINDING = /^[A-Za-z][A-Za-z0-9]*$/;
const REF = /^\$([A-Za-z][A-Za-z0-9]*)(?:\.(arn|alias|id))?$/;

/** Checks that `data` is a lab and returns it typed.
 * @throws LabFormatError naming each bad field's path */
export function validateLab(data: unknown): Lab {
  const problems: LabFormatProblem[] = [];
  const bad = (path: string, message: string) => void problems.push({ path, message });
  if (!isObject(data))
    throw new LabFormatError([{ path: '', message: `expected a lab (an object), got ${kindOf(data)}` }]);
  unknownFields(data, LAB_FIELDS, '', bad);
  if (typeof data.id !== 'string' || !ID.test(data.id))
    bad('id', `expected lowercase letters, digits and "-" (at most 64), got ${show(data.id)}`);
  text(data, 'title', '', bad, true);
  text(data, 'summary', '', bad, true);
  const bound = new Set<string>();
  if (!Array.isArray(data.steps) || data.steps.length === 0)
    bad('steps', `expected a list of steps, got ${show(data.steps)}`);
  else
    data.steps.forEach((s: unknown, i: number) => {
      const at = `steps[${i}]`;
      if (!isObject(s)) return bad(at, `expected a step (an object), got ${kindOf(s)}`);
      unknownFields(s, STEP_FIELDS, at, bad);
      text(s, 'title', at, bad, true);
      text(s, 'explanation', at, bad, true);
      text(s, 'expected', at, bad, true);
      text(s, 'console', at, bad, false);
      strings(s, 'commands', at, bad);
      strings(s, 'hints', at, bad);
      if (s.commands === undefined && s.console === undefined)
        bad(at, 'a step needs commands to run or a console action to take');
      if (s.cleanup !== undefined && typeof s.cleanup !== 'boolean')
        bad(`${at}.cleanup`, `expected true or false, got ${show(s.cleanup)}`);
      const last = i === data.steps.length - 1;
      if (s.cleanup === true && !last) bad(`${at}.cleanup`, 'only the last step is the cleanup');
      if (last && s.cleanup !== true) bad(at, 'the last step must be the cleanup (cleanup: true), and is checked too');
      if (s.check === undefined) bad(`${at}.check`, 'every step needs a check');
      else checkAt(s.check, `${at}.check`, bad, bound);
    });
  if (data.demoKeys !== undefined) demoKeysAt(data.demoKeys, bad);
  if (problems.length) throw new LabFormatError(problems);
  return data as unknown as Lab;
}

type Bad = (path: string, message: string) => void;

/** `demoKeys`: names as src/kms/demo/derive.ts DEMO_NAME; the core checks spec and usage when it makes them. */
function demoKeysAt(list: unknown, bad: Bad): void {
  if (!Array.isArray(list)) return bad('demoKeys', `expected a list of demo keys, got ${show(list)}`);
  list.forEach((k: unknown, i) => {
    const at = `demoKeys[${i}]`;
    if (!isObject(k)) return bad(at, `expected a demo key (an object), got ${kindOf(k)}`);
    unknownFields(k, DEMO_KEY_FIELDS, at, bad);
    if (typeof k.name !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(k.name))
      bad(`${at}.name`, `expected lowercase letters, digits and "-" (at most 63), got ${show(k.name)}`);
    for (const f of ['keySpec', 'keyUsage', 'description'])
      if (k[f] !== undefined && typeof k[f] !== 'string') bad(`${at}.${f}`, `expected text, got ${show(k[f])}`);
    if (k.alias !== undefined && (typeof k.alias !== 'string' || !k.alias.startsWith('alias/')))
      bad(`${at}.alias`, `expected an alias name starting with "alias/", got ${show(k.alias)}`);
  });
}

function checkAt(c: unknown, at: string, bad: Bad, bound: Set<string>): void {
  if (!isObject(c)) return bad(at, `expected a check (an object with "kind"), got ${kindOf(c)}`);
  if (typeof c.kind !== 'string')
    return bad(`${at}.kind`, `expected one of ${CHECK_KINDS.join(', ')}, got ${show(c.kind)}`);
  if (!(CHECK_KINDS as string[]).includes(c.kind))
    return bad(`${at}.kind`, `unknown check ${JSON.stringify(c.kind)}${suggest(c.kind, CHECK_KINDS)}`);
  const fields = CHECK_FIELDS[c.kind as CheckKind];
  fieldsAt(c, fields, at, bad, bound, ['kind']);
  if (c.kind === 'auditEvent' && c.errorCode !== undefined && c.succeeded === true)
    bad(`${at}.succeeded`, 'a call with an errorCode did not succeed');
}

function fieldsAt(
  c: Record<string, unknown>,
  fields: Record<string, FieldSpec>,
  at: string,
  bad: Bad,
  bound: Set<string>,
  extra: string[] = [],
): void {
  unknownFields(c, [...extra, ...Object.keys(fields)], at, bad);
  const binds: string[] = [];
  for (const [name, spec] of Object.entries(fields)) {
    const v = c[name];
    const path = `${at}.${name}`;
    if (v === undefined) {
      if (spec.required) bad(path, `required by ${String(c.kind ?? 'this check')}`);
      continue;
    }
    switch (spec.type) {
      case 'string':
        if (typeof v !== 'string' || !v) bad(path, `expected a non-empty string, got ${show(v)}`);
        else if (spec.ref) refAt(v, path, bad, bound);
        break;
      case 'strings':
        if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'string' || !x))
          bad(path, `expected a list of non-empty strings, got ${show(v)}`);
        break;
      case 'boolean':
        if (typeof v !== 'boolean') bad(path, `expected true or false, got ${show(v)}`);
        break;
      case 'count':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
          bad(path, `expected a positive integer, got ${show(v)}`);
        break;
      case 'pairs':
        if (!isObject(v) || Object.values(v).some((x) => typeof x !== 'string'))
          bad(path, `expected names to string values, got ${show(v)}`);
        break;
      case 'keyState':
        if (!(KEY_STATES as unknown[]).includes(v))
          bad(
            path,
            `expected one of ${KEY_STATES.join(', ')}, got ${show(v)}${typeof v === 'string' ? suggest(v, KEY_STATES) : ''}`,
          );
        break;
      case 'binding':
        if (typeof v !== 'string' || !BINDING.test(v))
          bad(path, `expected a name of letters and digits, got ${show(v)}`);
        else binds.push(v);
        break;
      case 'check':
        checkAt(v, path, bad, bound);
        break;
      case 'checks':
        if (!Array.isArray(v) || v.length === 0) bad(path, `expected a list of checks, got ${show(v)}`);
        else v.forEach((x, i) => checkAt(x, `${path}[${i}]`, bad, bound));
        break;
      case 'audit':
        if (!isObject(v)) bad(path, `expected an event to match (an object with eventName), got ${kindOf(v)}`);
        else fieldsAt(v, AUDIT_MATCH_FIELDS, path, bad, bound);
        break;
    }
  }
  // A name is usable from the check after the one that binds it (and in every later step).
  for (const b of binds) bound.add(b);
}

function refAt(v: string, path: string, bad: Bad, bound: Set<string>): void {
  if (!v.startsWith('$')) return;
  const m = REF.exec(v);
  if (!m) return bad(path, `expected $name, $name.arn, $name.alias or $name.id, got ${JSON.stringify(v)}`);
  if (!bound.has(m[1]!))
    bad(
      path,
      `${JSON.stringify(v)} is not bound by an earlier check (bind: ${m[1]})${suggest(m[1]!, [...bound], '$')}`,
    );
}

function unknownFields(o: Record<string, unknown>, known: string[], at: string, bad: Bad): void {
  for (const k of Object.keys(o))
    if (!known.includes(k)) bad(at ? `${at}.${k}` : k, `unknown field${suggest(k, known)}`);
}

function text(o: Record<string, unknown>, k: string, at: string, bad: Bad, required: boolean): void {
  const v = o[k];
  if (v === undefined && !required) return;
  if (typeof v !== 'string' || !v.trim()) bad(at ? `${at}.${k}` : k, `expected non-empty text, got ${show(v)}`);
}

function strings(o: Record<string, unknown>, k: string, at: string, bad: Bad): void {
  const v = o[k];
  if (v === undefined) return;
  if (!Array.isArray(v) || v.length === 0) return bad(`${at}.${k}`, `expected a list of text, got ${show(v)}`);
  v.forEach((x, i) => {
    if (typeof x !== 'string' || !x.trim()) bad(`${at}.${k}[${i}]`, `expected non-empty text, got ${show(x)}`);
  });
}

/** `; did you mean "keyExists"?` when a known name is a couple of edits away. */
function suggest(got: string, known: readonly string[], prefix = ''): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(got.toLowerCase(), k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(got.length / 3))
    ? `; did you mean "${prefix}${best}"?`
    : '';
}

/** Levenshtein distance (small strings only: names of fields and checks). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return kindOf(v);
}
