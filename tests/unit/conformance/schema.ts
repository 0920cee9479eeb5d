// The KMS service model as @aws-sdk/client-kms carries it at runtime (its smithy schemas, e.g.
// `CreateKey$`), decoded into plain shapes; plus a conformance checker and a sample generator.
// The runtime schemas type enum members as plain strings, so enum value sets come from the SDK's
// model declarations (dist-types/models/models_0.d.ts) and its exported enum objects.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as sdk from '@aws-sdk/client-kms';

export type Shape =
  | { kind: 'string'; enum?: readonly string[] }
  | { kind: 'number' | 'boolean' | 'blob' | 'timestamp' | 'document' | 'unit' }
  | { kind: 'list'; member: Shape }
  | { kind: 'map'; value: Shape }
  | { kind: 'structure'; name: string; members: Record<string, Shape>; required: readonly string[] };
export type Structure = Extract<Shape, { kind: 'structure' }>;

const SDK = sdk as unknown as Record<string, unknown>;

/** structure name → member → enum name, from the SDK's model declarations. */
function enumMembers(): Map<string, Map<string, string>> {
  const entry = createRequire(import.meta.url).resolve('@aws-sdk/client-kms');
  const text = readFileSync(new URL('../dist-types/models/models_0.d.ts', `file://${entry}`), 'utf8');
  const out = new Map<string, Map<string, string>>();
  for (const block of text.matchAll(/^export interface (\w+) \{\n([\s\S]*?)^\}/gm)) {
    const members = new Map<string, string>();
    for (const m of block[2]!.matchAll(/^ {4}(\w+)\??: (\w+)(?:\[\])? \| undefined;$/gm)) {
      const e = SDK[m[2]!];
      if (e && typeof e === 'object' && Object.values(e).every((v) => typeof v === 'string')) members.set(m[1]!, m[2]!);
    }
    out.set(block[1]!, members);
  }
  return out;
}
const ENUMS = enumMembers();

const simple = (code: number): Shape => {
  if (code === 0) return { kind: 'string' };
  if (code === 1) return { kind: 'number' };
  if (code === 2) return { kind: 'boolean' };
  if (code >= 4 && code <= 7) return { kind: 'timestamp' };
  if (code === 15) return { kind: 'document' };
  if (code === 21 || code === 42) return { kind: 'blob' };
  if (code & 64) return { kind: 'list', member: simple(code & 63) };
  if (code & 128) return { kind: 'map', value: simple(code & 127) };
  throw new Error(`unknown schema code ${code}`);
};

/** Decodes one smithy runtime schema (number, thunk, [kind, namespace, name, traits, …], or a
 * member's [schema, traits]). `enumName` applies to a string or a list of strings. */
function decode(s: unknown, enumName?: string): Shape {
  const withEnum = (shape: Shape): Shape => {
    if (!enumName) return shape;
    const values = Object.values(SDK[enumName] as Record<string, string>);
    if (shape.kind === 'string') return { kind: 'string', enum: values };
    if (shape.kind === 'list' && shape.member.kind === 'string')
      return { kind: 'list', member: { kind: 'string', enum: values } };
    return shape;
  };
  if (s === 'unit') return { kind: 'unit' };
  if (typeof s === 'function') return decode(s(), enumName);
  if (typeof s === 'number') return withEnum(simple(s));
  const a = s as unknown[];
  if (a.length === 2) return decode(a[0], enumName); // a member with traits
  switch (a[0]) {
    case 0:
      return decode(a[4], enumName);
    case 1:
      return withEnum({ kind: 'list', member: decode(a[4]) });
    case 2:
      return { kind: 'map', value: decode(a[5]) };
    case 3: {
      const name = a[2] as string;
      const names = a[4] as string[];
      const types = a[5] as unknown[];
      const members: Record<string, Shape> = {};
      names.forEach((m, i) => (members[m] = decode(types[i], ENUMS.get(name)?.get(m))));
      // Smithy orders required members first and records how many there are.
      return { kind: 'structure', name, members, required: names.slice(0, (a[6] as number | undefined) ?? 0) };
    }
  }
  throw new Error(`unknown schema ${JSON.stringify(a.slice(0, 3))}`);
}

/** An operation's input and output shapes (output `unit` when it answers nothing). */
export function operationShapes(op: string): { input: Structure; output: Structure | { kind: 'unit' } } {
  const s = SDK[`${op}$`] as [number, string, string, number, unknown, unknown] | undefined;
  if (!s) throw new Error(`the SDK has no operation ${op}`);
  return { input: decode(s[4]) as Structure, output: decode(s[5]) as Structure | { kind: 'unit' } };
}

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && [Object.prototype, null].includes(Object.getPrototypeOf(v));

/** Where `v` departs from `shape`: one line per member path. Undefined members count as absent. */
export function nonConforming(v: unknown, shape: Shape, path: string): string[] {
  const bad = (what: string) => [`${path}: ${what}`];
  switch (shape.kind) {
    case 'unit':
      return isPlain(v) && Object.values(v).every((x) => x === undefined) ? [] : bad('expected no members');
    case 'string':
      if (typeof v !== 'string') return bad(`expected a string, got ${typeof v}`);
      return shape.enum && !shape.enum.includes(v) ? bad(`'${v}' is not one of [${shape.enum.join(', ')}]`) : [];
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? [] : bad(`expected a number, got ${typeof v}`);
    case 'boolean':
      return typeof v === 'boolean' ? [] : bad(`expected a boolean, got ${typeof v}`);
    case 'blob':
      return v instanceof Uint8Array ? [] : bad('expected a Uint8Array');
    case 'timestamp':
      return v instanceof Date && !Number.isNaN(v.getTime()) ? [] : bad('expected a Date');
    case 'document':
      return [];
    case 'list':
      if (!Array.isArray(v)) return bad('expected a list');
      return v.flatMap((x, i) => nonConforming(x, shape.member, `${path}[${i}]`));
    case 'map':
      if (!isPlain(v)) return bad('expected a map');
      return Object.entries(v).flatMap(([k, x]) => nonConforming(x, shape.value, `${path}.${k}`));
    case 'structure': {
      if (!isPlain(v)) return bad(`expected a ${shape.name} structure`);
      const out: string[] = [];
      for (const [k, x] of Object.entries(v)) {
        if (x === undefined) continue;
        const m = shape.members[k];
        out.push(...(m ? nonConforming(x, m, `${path}.${k}`) : [`${path}.${k}: not a member of ${shape.name}`]));
      }
      for (const r of shape.required)
        if (v[r] === undefined) out.push(`${path}.${r}: required by ${shape.name}, missing`);
      return out;
    }
  }
}

/** A value of `shape` with every member set: enums take their first value. */
export function sample(shape: Shape): unknown {
  switch (shape.kind) {
    case 'string':
      return shape.enum?.[0] ?? 'conformance';
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'blob':
      return new Uint8Array([1, 2, 3, 4]);
    case 'timestamp':
      return new Date(Date.UTC(2030, 0, 1));
    case 'list':
      return [sample(shape.member)];
    case 'map':
      return { conformance: sample(shape.value) };
    case 'structure':
      return Object.fromEntries(Object.entries(shape.members).map(([k, m]) => [k, sample(m)]));
    default:
      return undefined;
  }
}

/** A compact, stable description of a shape, for the drift snapshot. */
export function describeShape(shape: Shape): unknown {
  switch (shape.kind) {
    case 'string':
      return shape.enum ? `enum(${shape.enum.join('|')})` : 'string';
    case 'list':
      return [describeShape(shape.member)];
    case 'map':
      return { '*': describeShape(shape.value) };
    case 'structure':
      return Object.fromEntries(
        Object.entries(shape.members)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, m]) => [shape.required.includes(k) ? `${k}!` : k, describeShape(m)]),
      );
    default:
      return shape.kind;
  }
}
