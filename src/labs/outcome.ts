// What one check's evaluation yields (engine.ts): passed or not, what is missing, the names it binds, and
// the keys and events it is about (so hints look at the right failed calls).
import type { LabKey } from './world';

export interface Binding {
  /** What was found: a key (id = key ID) or an S3 bucket (id = its name). */
  type: 'key' | 'bucket';
  id: string;
  arn?: string;
  alias?: string;
}

export interface Outcome {
  ok: boolean;
  missing: string[];
  binds: Record<string, Binding>;
  /** Keys and event names the check is about, so hints look at the right failures. */
  related: { keyIds: Set<string>; eventNames: Set<string> };
}

export function noRelated(): Outcome['related'] {
  return { keyIds: new Set(), eventNames: new Set() };
}

export const pass = (binds: Record<string, Binding> = {}, related = noRelated()): Outcome => ({
  ok: true,
  missing: [],
  binds,
  related,
});

export const fail = (missing: string[], related = noRelated()): Outcome => ({
  ok: false,
  missing,
  binds: {},
  related,
});

export function merge(rs: Outcome[]): Outcome['related'] {
  const out = noRelated();
  for (const r of rs) {
    r.related.keyIds.forEach((k) => out.keyIds.add(k));
    r.related.eventNames.forEach((n) => out.eventNames.add(n));
  }
  return out;
}

export function keyRelated(key: LabKey | undefined, ...eventNames: string[]): Outcome['related'] {
  return { keyIds: new Set(key ? [key.keyId] : []), eventNames: new Set(eventNames) };
}
