// IAM condition operators (IAM User Guide, "IAM JSON policy elements: Condition operators"). Each
// entry is the positive comparison; negated operators use it and invert, per value set, in
// conditions.ts. `…IfExists` and the ForAnyValue: / ForAllValues: qualifiers are parsed there too.

import { arnMatch, globMatch } from './match';

type Compare = (actual: string, policy: string) => boolean;

interface OperatorDef {
  compare: Compare;
  negated: boolean;
}

function toNumber(s: string): number | undefined {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s.trim())) return undefined;
  return Number(s);
}

/** ISO 8601 dates and times, or epoch seconds. */
export function toTime(s: string): number | undefined {
  const t = s.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}/.test(t)) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

function numeric(test: (a: number, b: number) => boolean): Compare {
  return (actual, policy) => {
    const a = toNumber(actual);
    const b = toNumber(policy);
    return a !== undefined && b !== undefined && test(a, b);
  };
}

function date(test: (a: number, b: number) => boolean): Compare {
  return (actual, policy) => {
    const a = toTime(actual);
    const b = toTime(policy);
    return a !== undefined && b !== undefined && test(a, b);
  };
}

function ipToBigInt(ip: string): { v: bigint; bits: number } | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) {
    const parts = ip.split('.').map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { v: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n), bits: 32 };
  }
  if (!ip.includes(':')) return undefined;
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = ip.includes('::') ? 8 - h.length - t.length : 0;
  const groups = [...h, ...Array(Math.max(0, fill)).fill('0'), ...t];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return { v: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n), bits: 128 };
}

function ipInCidr(actual: string, cidr: string): boolean {
  const [net, len] = cidr.split('/');
  const a = ipToBigInt(actual.trim());
  const n = ipToBigInt((net ?? '').trim());
  if (!a || !n || a.bits !== n.bits) return false;
  const prefix = len === undefined ? n.bits : Number(len);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > n.bits) return false;
  const shift = BigInt(n.bits - prefix);
  return a.v >> shift === n.v >> shift;
}

const stringEquals: Compare = (a, p) => a === p;
const ignoreCase: Compare = (a, p) => a.toLowerCase() === p.toLowerCase();
const like: Compare = (a, p) => globMatch(p, a);
const arn: Compare = (a, p) => arnMatch(p, a);

/** Null prototype, frozen: a policy's operator name (JSON, any string) must never find
 * `toString`, `constructor` or `__proto__` here. Look names up with `operatorOf`. */
export const OPERATORS: Readonly<Record<string, OperatorDef>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, OperatorDef>, {
    StringEquals: { compare: stringEquals, negated: false },
    StringNotEquals: { compare: stringEquals, negated: true },
    StringEqualsIgnoreCase: { compare: ignoreCase, negated: false },
    StringNotEqualsIgnoreCase: { compare: ignoreCase, negated: true },
    StringLike: { compare: like, negated: false },
    StringNotLike: { compare: like, negated: true },
    NumericEquals: { compare: numeric((a, b) => a === b), negated: false },
    NumericNotEquals: { compare: numeric((a, b) => a === b), negated: true },
    NumericLessThan: { compare: numeric((a, b) => a < b), negated: false },
    NumericLessThanEquals: { compare: numeric((a, b) => a <= b), negated: false },
    NumericGreaterThan: { compare: numeric((a, b) => a > b), negated: false },
    NumericGreaterThanEquals: { compare: numeric((a, b) => a >= b), negated: false },
    DateEquals: { compare: date((a, b) => a === b), negated: false },
    DateNotEquals: { compare: date((a, b) => a === b), negated: true },
    DateLessThan: { compare: date((a, b) => a < b), negated: false },
    DateLessThanEquals: { compare: date((a, b) => a <= b), negated: false },
    DateGreaterThan: { compare: date((a, b) => a > b), negated: false },
    DateGreaterThanEquals: { compare: date((a, b) => a >= b), negated: false },
    Bool: { compare: ignoreCase, negated: false },
    BinaryEquals: { compare: stringEquals, negated: false },
    IpAddress: { compare: ipInCidr, negated: false },
    NotIpAddress: { compare: ipInCidr, negated: true },
    ArnEquals: { compare: arn, negated: false },
    ArnLike: { compare: arn, negated: false },
    ArnNotEquals: { compare: arn, negated: true },
    ArnNotLike: { compare: arn, negated: true },
  }),
);

/** The operator a policy names (without qualifier or IfExists), by own property only. */
export function operatorOf(name: string): OperatorDef | undefined {
  return Object.hasOwn(OPERATORS, name) ? OPERATORS[name] : undefined;
}

/** Operators whose policy values may hold policy variables. */
export const VARIABLE_OPERATORS = /^(String|Arn)/;
