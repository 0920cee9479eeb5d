// Reading a Query-protocol request's form (STS, IAM): members by name, with the validation messages AWS's
// Query services give for a missing, non-integer or non-boolean member.

import { ValidationException } from '../kms/errors';

export type Form = URLSearchParams;

export const str = (f: Form, name: string): string | undefined => f.get(name) ?? undefined;

const lower = (s: string) => s[0]!.toLowerCase() + s.slice(1);

export function required(f: Form, name: string): string {
  const v = f.get(name);
  if (v === null)
    throw new ValidationException(
      `1 validation error detected: Value null at '${lower(name)}' failed to satisfy constraint: Member must not be null`,
    );
  return v;
}

export function int(f: Form, name: string): number | undefined {
  const v = f.get(name);
  if (v === null) return undefined;
  if (!/^-?\d+$/.test(v)) throw new ValidationException(`${name} must be an integer; got '${v}'.`);
  return Number(v);
}

export function bool(f: Form, name: string): boolean | undefined {
  const v = f.get(name);
  if (v === null) return undefined;
  if (v !== 'true' && v !== 'false') throw new ValidationException(`${name} must be true or false; got '${v}'.`);
  return v === 'true';
}

/** A page of `items` under IAM's list member name, with IsTruncated and Marker. */
export const page = <T>(name: string, p: { items: T[]; IsTruncated: boolean; Marker?: string }) => ({
  [name]: p.items,
  IsTruncated: p.IsTruncated,
  ...(p.Marker !== undefined ? { Marker: p.Marker } : {}),
});

/** An action that answers no result element. */
export const none = async () => undefined;
