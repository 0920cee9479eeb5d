// Parses and validates a policy document (IAM User Guide, "IAM JSON policy element reference")
// into a normalised form. Every problem is a MalformedPolicyDocumentException that says where.

import { MalformedPolicyDocumentException } from '../errors';
import { operatorOf } from './operators';

export const MAX_POLICY_CHARS = 32768;

/** A key policy, an identity policy, or a role's trust policy (a resource policy of the role: Principal,
 * no Resource). */
export type PolicyKind = 'key' | 'identity' | 'trust';

export interface Principals {
  any: boolean;
  aws: string[];
  service: string[];
}

export interface ConditionClause {
  /** As written, e.g. `ForAnyValue:StringLikeIfExists`. */
  operator: string;
  base: string;
  ifExists: boolean;
  set?: 'ForAnyValue' | 'ForAllValues';
  key: string;
  values: string[];
}

export interface Statement {
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  principal?: Principals;
  notPrincipal?: Principals;
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  conditions: ConditionClause[];
}

export interface Policy {
  version?: string;
  statements: Statement[];
  /** Policy variables are substituted only under version 2012-10-17. */
  variables: boolean;
}

const STATEMENT_FIELDS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const ACTION = /^(\*|[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+)$/;

function fail(where: string, what: string): never {
  throw new MalformedPolicyDocumentException(`${where}: ${what}`);
}

function stringList(v: unknown, where: string, field: string): string[] {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0 || list.some((x) => typeof x !== 'string' || x.length === 0)) {
    fail(where, `${field} must be a non-empty string or a non-empty list of strings.`);
  }
  return list as string[];
}

function principals(v: unknown, where: string, field: string): Principals {
  if (v === '*') return { any: true, aws: [], service: [] };
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    fail(where, `${field} must be "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"}.`);
  const out: Principals = { any: false, aws: [], service: [] };
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    const list = stringList(val, where, `${field}.${k}`);
    if (k === 'AWS') {
      for (const p of list) {
        if (p !== '*' && !/^\d{12}$/.test(p) && !/^arn:aws:(iam|sts)::\d{12}:\S+$/.test(p)) {
          fail(where, `${field}.AWS value "${p}" is not "*", an account ID or an IAM ARN.`);
        }
      }
      out.aws.push(...list);
      if (list.includes('*')) out.any = true;
    } else if (k === 'Service') out.service.push(...list);
    else if (k !== 'Federated' && k !== 'CanonicalUser') fail(where, `${field} has an unknown principal type "${k}".`);
  }
  return out;
}

function condition(v: unknown, where: string): ConditionClause[] {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(where, 'Condition must be an object of operators.');
  const out: ConditionClause[] = [];
  for (const [operator, block] of Object.entries(v as Record<string, unknown>)) {
    const m = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/.exec(operator);
    // Own properties only: a name such as "toString" or "__proto__" is not an operator.
    if (!m || (!operatorOf(m[2]!) && m[2] !== 'Null'))
      fail(where, `Condition operator "${operator}" is not an IAM condition operator.`);
    const base = m[2]!;
    if (base === 'Null' && (m[3] || m[1]))
      fail(where, `Condition operator "${operator}": Null takes no qualifier or IfExists.`);
    if (typeof block !== 'object' || block === null || Array.isArray(block))
      fail(where, `Condition operator "${operator}" must map condition keys to values.`);
    for (const [key, raw] of Object.entries(block as Record<string, unknown>)) {
      if (key.length === 0) fail(where, `Condition operator "${operator}" has an empty condition key.`);
      const list = Array.isArray(raw) ? raw : [raw];
      if (list.length === 0 || list.some((x) => !['string', 'number', 'boolean'].includes(typeof x))) {
        fail(
          where,
          `Condition "${operator}" key "${key}" must have a string, number or boolean value, or a list of them.`,
        );
      }
      const clause: ConditionClause = { operator, base, ifExists: Boolean(m[3]), key, values: list.map(String) };
      if (m[1]) clause.set = m[1] as 'ForAnyValue' | 'ForAllValues';
      out.push(clause);
    }
  }
  return out;
}

function statement(s: unknown, index: number, kind: PolicyKind): Statement {
  const where = `Statement ${index + 1}`;
  if (typeof s !== 'object' || s === null || Array.isArray(s)) fail(where, 'a statement must be an object.');
  const r = s as Record<string, unknown>;
  const has = (f: string) => Object.hasOwn(r, f);
  const sid = r.Sid;
  const label = typeof sid === 'string' && sid ? `Statement ${index + 1} ("${sid}")` : where;
  for (const k of Object.keys(r)) if (!STATEMENT_FIELDS.has(k)) fail(label, `unknown field "${k}".`);
  if (sid !== undefined && typeof sid !== 'string') fail(label, 'Sid must be a string.');
  if (r.Effect !== 'Allow' && r.Effect !== 'Deny')
    fail(label, `Effect is ${JSON.stringify(r.Effect)}; use "Allow" or "Deny".`);
  const out: Statement = { index, effect: r.Effect, conditions: [] };
  if (typeof sid === 'string') out.sid = sid;
  if (has('Principal') && has('NotPrincipal')) fail(label, 'use Principal or NotPrincipal, not both.');
  if (kind !== 'identity' && !has('Principal') && !has('NotPrincipal'))
    fail(label, `a ${kind === 'trust' ? 'trust' : 'key'} policy statement must have a Principal.`);
  if (kind === 'identity' && (has('Principal') || has('NotPrincipal')))
    fail(label, 'an identity policy must not have a Principal.');
  if (has('Principal')) out.principal = principals(r.Principal, label, 'Principal');
  if (has('NotPrincipal')) out.notPrincipal = principals(r.NotPrincipal, label, 'NotPrincipal');
  if (has('Action') === has('NotAction')) fail(label, 'needs exactly one of Action or NotAction.');
  for (const f of ['Action', 'NotAction'] as const) {
    if (!has(f)) continue;
    const list = stringList(r[f], label, f);
    for (const a of list) if (!ACTION.test(a)) fail(label, `${f} "${a}" is not of the form "service:Action".`);
    if (f === 'Action') out.action = list;
    else out.notAction = list;
  }
  if (kind === 'trust' && (has('Resource') || has('NotResource')))
    fail(label, 'a trust policy must not have a Resource (the role is the resource).');
  if (has('Resource') && has('NotResource')) fail(label, 'use Resource or NotResource, not both.');
  if (kind !== 'trust' && !has('Resource') && !has('NotResource'))
    fail(
      label,
      kind === 'key'
        ? 'needs a Resource (in a key policy, "*" means this key).'
        : 'needs a Resource, e.g. "*" or a key ARN such as arn:aws:kms:<region>:<account>:key/*.',
    );
  if (has('Resource')) out.resource = stringList(r.Resource, label, 'Resource');
  if (has('NotResource')) out.notResource = stringList(r.NotResource, label, 'NotResource');
  if (has('Condition')) out.conditions = condition(r.Condition, label);
  return out;
}

/**
 * Parses a policy document.
 * @throws MalformedPolicyDocumentException naming the statement and the problem.
 */
export function parsePolicy(text: string, kind: PolicyKind): Policy {
  if (text.length > MAX_POLICY_CHARS)
    fail('Policy', `it has ${text.length} characters; the limit is ${MAX_POLICY_CHARS}.`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    fail('Policy', `not valid JSON (${(e as Error).message}).`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    fail('Policy', 'must be a JSON object with a Statement list.');
  const d = doc as Record<string, unknown>;
  for (const k of Object.keys(d))
    if (!['Version', 'Id', 'Statement'].includes(k)) fail('Policy', `unknown top-level field "${k}".`);
  if (d.Version !== undefined && d.Version !== '2012-10-17' && d.Version !== '2008-10-17')
    fail('Policy', `Version must be "2012-10-17" or "2008-10-17", not ${JSON.stringify(d.Version)}.`);
  const st = d.Statement;
  const list = Array.isArray(st) ? st : st && typeof st === 'object' ? [st] : undefined;
  if (!list || list.length === 0) fail('Policy', 'has no Statement.');
  const out: Policy = { statements: list.map((s, i) => statement(s, i, kind)), variables: d.Version === '2012-10-17' };
  if (typeof d.Version === 'string') out.version = d.Version;
  return out;
}
