// botocore's client-side parameter validation (botocore/validate.py): required members, unknown members
// and types, reported together as "Parameter validation failed:" (exit 252). The SDK's runtime schemas
// carry no length or range limits, so the service checks those, as it does for any client.
import { structure, type ServiceModel, type Shape } from './model';
import { isDict, pyRepr, pyType } from './shorthand';

export class ParamValidationError extends Error {
  override name = 'ParamValidationError';
  constructor(report: string) {
    super(`Parameter validation failed:\n${report}`);
  }
}

const TYPES: Record<string, string> = {
  structure: "<class 'dict'>",
  map: "<class 'dict'>",
  list: "<class 'list'>, <class 'tuple'>",
  string: "<class 'str'>",
  integer: "<class 'int'>",
  long: "<class 'int'>",
  boolean: "<class 'bool'>",
};

export function validateParams(model: ServiceModel, params: Record<string, unknown>, inputRef: string): void {
  const errors: string[] = [];
  const label = (name: string) => (!name ? 'input' : name.startsWith('.') ? name.slice(1) : name);
  // botocore formats the value with str() (a string bare, `value: yesterday`), which is repr() for the rest.
  const invalid = (name: string, v: unknown, valid: string): void =>
    void errors.push(
      `Invalid type for parameter ${label(name)}, value: ${typeof v === 'string' ? v : pyRepr(v)}, type: ${pyType(v)}, valid types: ${valid}`,
    );
  const visit = (v: unknown, s: Shape, name: string): void => {
    switch (s.t) {
      case 'structure': {
        if (!isDict(v)) return invalid(name, v, TYPES.structure!);
        const st = structure(model, s.ref);
        for (const r of st.required ?? [])
          if (!(r in v)) void errors.push(`Missing required parameter in ${label(name)}: "${r}"`);
        const known = Object.keys(v).filter((k) => {
          if (k in st.members) return true;
          void errors.push(
            `Unknown parameter in ${label(name)}: "${k}", must be one of: ${Object.keys(st.members).join(', ')}`,
          );
          return false;
        });
        for (const k of known) visit(v[k], st.members[k]!, `${name}.${k}`);
        return;
      }
      case 'list':
        if (!Array.isArray(v)) return invalid(name, v, TYPES.list!);
        v.forEach((x, i) => visit(x, s.m, `${name}[${i}]`));
        return;
      case 'map':
        if (!isDict(v)) return invalid(name, v, TYPES.map!);
        for (const [k, x] of Object.entries(v)) visit(x, s.v, `${name}.${k}`);
        return;
      case 'string':
        if (typeof v !== 'string') invalid(name, v, TYPES.string!);
        return;
      case 'integer':
      case 'long':
        if (typeof v !== 'number' || !Number.isInteger(v)) invalid(name, v, TYPES.integer!);
        return;
      case 'boolean':
        if (typeof v !== 'boolean') invalid(name, v, TYPES.boolean!);
        return;
      case 'blob':
        // A Blob is the file-like object: a streaming member (--body) opened from the scratch folder.
        if (!(typeof v === 'string' || v instanceof Uint8Array || v instanceof Blob))
          invalid(name, v, "<class 'bytes'>, <class 'bytearray'>, file-like object");
        return;
      case 'timestamp':
        if (!(typeof v === 'string' || typeof v === 'number') || parseTimestamp(v) === undefined)
          invalid(name, v, "<class 'datetime.datetime'>, timestamp-string");
        return;
      case 'document':
        return;
    }
  };
  visit(params, { t: 'structure', ref: inputRef }, '');
  if (errors.length) throw new ParamValidationError(errors.join('\n'));
}

/** A timestamp as the CLI accepts it: epoch seconds, ISO 8601, or a date `Date.parse` reads. */
export function parseTimestamp(v: string | number): Date | undefined {
  if (typeof v === 'number' || /^\d+(\.\d+)?$/.test(v)) return new Date(Number(v) * 1000);
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) || !/T|\d:\d/.test(v) ? v : `${v}Z`);
  return Number.isNaN(t) ? undefined : new Date(t);
}
