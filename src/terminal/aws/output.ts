// How AWS CLI v2 prints a response (awscli/formatter.py, text.py): the SDK's output object becomes the
// dict botocore would have parsed (model member order, ISO-8601 timestamps, base64 blobs), then --query
// (JMESPath) and one of json (4-space), text (tab-separated), table (table.ts) or yaml.
import jmespath from 'jmespath';
import { structure, type ServiceModel, type Shape } from './model';
import { isDict } from './shorthand';
import { renderTable } from './table';
import { emitYaml } from './yaml-emit';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Python's datetime.isoformat() for an instant at `offsetMinutes` east of UTC. */
export function isoformat(d: Date, offsetMinutes: number): string {
  const t = new Date(d.getTime() + offsetMinutes * 60_000);
  const ms = t.getUTCMilliseconds();
  const frac = ms ? `.${pad(ms, 3)}000` : '';
  const sign = offsetMinutes < 0 ? '-' : '+';
  const off = Math.abs(offsetMinutes);
  return (
    `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}` +
    `T${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}${frac}${sign}${pad(Math.floor(off / 60))}:${pad(off % 60)}`
  );
}

const base64 = (b: Uint8Array) => btoa(Array.from(b, (c) => String.fromCharCode(c)).join(''));

/** The response as botocore parses it: JSON-protocol services (KMS) send epoch seconds, shown in local
 * time as Python's fromtimestamp(tzlocal()) does; XML services (S3, STS) send ISO dates, shown in UTC. */
export function toCliShape(
  model: ServiceModel,
  value: unknown,
  outputRef: string | undefined,
  localTime: boolean,
): Json {
  if (!outputRef || !isDict(value)) return {};
  const visit = (v: unknown, s: Shape): Json | undefined => {
    if (v === undefined) return undefined;
    if (v === null) return null;
    switch (s.t) {
      case 'structure': {
        if (!isDict(v)) return v as Json;
        const out: Record<string, Json> = {};
        for (const [m, ms] of Object.entries(structure(model, s.ref).members)) {
          const x = visit(v[m], ms);
          if (x !== undefined) out[m] = x;
        }
        return out;
      }
      case 'list':
        return Array.isArray(v) ? v.map((x) => visit(x, s.m) ?? null) : (v as Json);
      case 'map': {
        if (!isDict(v)) return v as Json;
        const out: Record<string, Json> = {};
        for (const [k, x] of Object.entries(v)) out[k] = visit(x, s.v) ?? null;
        return out;
      }
      case 'timestamp': {
        const d = v instanceof Date ? v : new Date(v as string);
        return isoformat(d, localTime ? -d.getTimezoneOffset() : 0);
      }
      case 'blob':
        return v instanceof Uint8Array ? base64(v) : (v as Json);
      default:
        return v as Json;
    }
  };
  return visit(value, { t: 'structure', ref: outputRef }) ?? {};
}

/** --query: JMESPath over the printed shape. */
export function applyQuery(data: Json, query: string | undefined): Json {
  return query === undefined ? data : (jmespath.search(data, query) as Json);
}

/** Python's str() of a scalar, as text and table output print it. */
export function pyStr(v: Json): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  return String(v);
}

const isScalar = (v: Json) => v === null || typeof v !== 'object';

/** awscli/text.py format_text. */
export function formatText(data: Json): string {
  let out = '';
  const write = (s: string) => (out += s);
  const text = (item: Json, identifier?: string, scalarKeys?: string[]) => {
    if (Array.isArray(item)) list(item, identifier);
    else if (item !== null && typeof item === 'object') dict(item, identifier, scalarKeys);
    else write(pyStr(item) + '\n');
  };
  const list = (item: Json[], identifier?: string) => {
    if (!item.length) return;
    if (item.some((el) => el !== null && typeof el === 'object' && !Array.isArray(el))) {
      const keys = allScalarKeys(item);
      for (const el of item) text(el, identifier, keys);
    } else if (item.some(Array.isArray)) {
      const scalars = item.filter(isScalar);
      if (scalars.length) scalarList(scalars, identifier);
      for (const el of item.filter((x) => !isScalar(x))) text(el, identifier);
    } else scalarList(item, identifier);
  };
  const scalarList = (els: Json[], identifier?: string) => {
    if (identifier !== undefined) for (const el of els) write(`${identifier.toUpperCase()}\t${pyStr(el)}\n`);
    else write(els.map(pyStr).join('\t') + '\n');
  };
  const dict = (item: { [k: string]: Json }, identifier?: string, scalarKeys?: string[]) => {
    const scalars: string[] = [];
    const nonScalars: [string, Json][] = [];
    if (scalarKeys === undefined) {
      for (const k of Object.keys(item).sort(pyCompare)) {
        const v = item[k]!;
        if (isScalar(v)) scalars.push(pyStr(v));
        else nonScalars.push([k, v]);
      }
    } else {
      for (const k of scalarKeys) scalars.push(k in item ? pyStr(item[k]!) : '');
      for (const k of Object.keys(item)
        .filter((k) => !scalarKeys.includes(k))
        .sort(pyCompare))
        nonScalars.push([k, item[k]!]);
    }
    if (scalars.length) {
      if (identifier !== undefined) scalars.unshift(identifier.toUpperCase());
      write(scalars.join('\t') + '\n');
    }
    for (const [k, v] of nonScalars) text(v, k);
  };
  text(data);
  return out;
}

function allScalarKeys(items: Json[]): string[] {
  const seen = new Set<string>();
  for (const it of items)
    if (it !== null && typeof it === 'object' && !Array.isArray(it))
      for (const [k, v] of Object.entries(it)) if (isScalar(v)) seen.add(k);
  return [...seen].sort(pyCompare);
}

/** Python sorts strings by code point. */
export const pyCompare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** json.dump(indent=4, ensure_ascii=False) and a newline; nothing for an empty response. */
export function formatJson(data: Json): string {
  if (isDict(data) && Object.keys(data).length === 0) return '';
  return JSON.stringify(data, null, 4) + '\n';
}

/** ruamel.yaml's safe dumper as the CLI configures it (block style, keys sorted; scalars alone as JSON):
 * yaml-emit.ts. */
export function formatYaml(data: Json): string {
  if (isDict(data) && Object.keys(data).length === 0) return '';
  if (isScalar(data)) return JSON.stringify(data) + '\n';
  return emitYaml(data as Json[] | { [k: string]: Json }, (keys) => [...keys].sort(pyCompare));
}

export function formatOutput(kind: string, data: Json, title: string, width: number): string {
  switch (kind) {
    case 'text':
      return formatText(data);
    case 'table':
      return renderTable(title, data, width);
    case 'yaml':
      return formatYaml(data);
    case 'yaml-stream':
      return isDict(data) && Object.keys(data).length === 0 ? '' : formatYaml([data]);
    default:
      return formatJson(data);
  }
}
