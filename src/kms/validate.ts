// Request validation with AWS's ValidationException wording ("1 validation error detected: Value
// at 'keyId' failed to satisfy constraint: …"). Each reader names the parameter it checks.

import { ValidationException } from './errors';

export type Req = Record<string, unknown>;

const lc = (field: string) => field[0]!.toLowerCase() + field.slice(1);

function fail(field: string, constraint: string): never {
  throw new ValidationException(
    `1 validation error detected: Value at '${lc(field)}' failed to satisfy constraint: ${constraint}`,
  );
}

export function asRequest(req: unknown): Req {
  if (req === undefined || req === null) return {};
  // Only plain objects (what JSON and structured clone give): a typed array, Map or Date would read
  // as an empty request, and CreateKey would then succeed on garbage.
  const proto = typeof req === 'object' ? Object.getPrototypeOf(req) : undefined;
  if (typeof req !== 'object' || (proto !== Object.prototype && proto !== null))
    throw new ValidationException('The request must be a JSON object.');
  return req as Req;
}

export function optString(req: Req, field: string, min = 1, max = 2048): string | undefined {
  const v = req[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail(field, 'Member must be a string');
  if (v.length < min || v.length > max) fail(field, `Member must have length between ${min} and ${max}`);
  return v;
}

export function reqString(req: Req, field: string, min = 1, max = 2048): string {
  const v = optString(req, field, min, max);
  if (v === undefined) fail(field, 'Member must not be null');
  return v;
}

export function optInt(req: Req, field: string, min: number, max: number): number | undefined {
  const v = req[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(field, 'Member must be an integer');
  if (v < min) fail(field, `Member must have value greater than or equal to ${min}`);
  if (v > max) fail(field, `Member must have value less than or equal to ${max}`);
  return v;
}

export function optBool(req: Req, field: string): boolean | undefined {
  const v = req[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') fail(field, 'Member must be a boolean');
  return v;
}

export function optEnum<T extends string>(req: Req, field: string, values: readonly T[]): T | undefined {
  const v = req[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !values.includes(v as T))
    fail(field, `Member must satisfy enum value set: [${values.join(', ')}]`);
  return v as T;
}

export function optBlob(req: Req, field: string, min: number, max: number): Uint8Array | undefined {
  const v = req[field];
  if (v === undefined || v === null) return undefined;
  if (!(v instanceof Uint8Array)) fail(field, 'Member must be a binary blob');
  if (v.length < min || v.length > max) fail(field, `Member must have length between ${min} and ${max}`);
  return v;
}

export function reqBlob(req: Req, field: string, min: number, max: number): Uint8Array {
  const v = optBlob(req, field, min, max);
  if (v === undefined) fail(field, 'Member must not be null');
  return v;
}

export function optStringList(req: Req, field: string, maxItems: number, maxLen = 8192): string[] | undefined {
  const v = req[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) fail(field, 'Member must be a list');
  if (v.length > maxItems) fail(field, `Member must have length less than or equal to ${maxItems}`);
  for (const s of v)
    if (typeof s !== 'string' || s.length < 1 || s.length > maxLen)
      fail(field, `Member must contain strings of length between 1 and ${maxLen}`);
  return v as string[];
}

/** A list of enum values, each one of `values`, at most `maxItems` of them. */
export function optEnumList<T extends string>(req: Req, field: string, values: readonly T[], maxItems: number) {
  const v = optStringList(req, field, maxItems);
  for (const s of v ?? [])
    if (!values.includes(s as T))
      fail(field, `Member must satisfy constraint: [Member must satisfy enum value set: [${values.join(', ')}]]`);
  return v as T[] | undefined;
}

const LONE_SURROGATE = /\p{Surrogate}/u;
const utf8 = new TextEncoder();

/** An encryption context: a map of non-empty strings to strings. */
export function optContext(req: Req, field: string): Record<string, string> {
  const v = req[field];
  if (v === undefined || v === null) return {};
  // Only plain objects: a Map, typed array or Date would read as an empty or numeric context.
  const proto = typeof v === 'object' ? Object.getPrototypeOf(v) : undefined;
  if (typeof v !== 'object' || (proto !== Object.prototype && proto !== null))
    fail(field, 'Member must be a map of strings to strings');
  // Null prototype: a "__proto__" pair is data and must stay bound to the ciphertext, not vanish.
  const out: Record<string, string> = Object.create(null);
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (k.length === 0) fail(field, 'Map keys must have length greater than or equal to 1');
    if (typeof val !== 'string') fail(field, `Map value for a key must be a string`);
    // Lone surrogates all encode to U+FFFD in UTF-8, so distinct contexts would bind the same bytes.
    if (LONE_SURROGATE.test(k) || LONE_SURROGATE.test(val))
      fail(field, 'Map keys and values must be well-formed Unicode');
    // The canonical encoding (format/encryption-context.ts) stores each length in 16 bits.
    if (utf8.encode(k).length > 0xffff || utf8.encode(val).length > 0xffff)
      fail(field, 'Map keys and values must be at most 65535 UTF-8 bytes');
    out[k] = val;
  }
  return out;
}

/** Paging: Limit and Marker with AWS's bounds. */
export function paging(req: Req, maxLimit: number, defaultLimit: number): { limit: number; marker?: string } {
  const limit = optInt(req, 'Limit', 1, maxLimit) ?? defaultLimit;
  const marker = optString(req, 'Marker', 1, 1024);
  return marker === undefined ? { limit } : { limit, marker };
}
