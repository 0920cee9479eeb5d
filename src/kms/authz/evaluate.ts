// Evaluates the statements of one policy against a request, with an explanation per statement
// (which element did not match, and for a condition the key, operator and values), so the policy
// simulator can say why. Condition semantics: IAM User Guide, "Condition operators" and
// "Single-valued vs. multivalued context keys".

import { actionMatch, globMatch } from './match';
import { operatorOf, VARIABLE_OPERATORS } from './operators';
import type { ConditionClause, Policy, Principals, Statement } from './policy-document';
import { substitute } from './variables';

export interface RequestPrincipal {
  /** The caller's ARN: `arn:aws:iam::<acct>:root`, `…:user/<name>`, `arn:aws:sts::<acct>:assumed-role/<role>/<session>`. */
  arn: string;
  accountId: string;
  /** For a role session, the role's ARN (`arn:aws:iam::<acct>:role/<name>`), which Principal elements name. */
  roleArn?: string;
  /** An AWS service principal (`arn` is its name): only `"Service"` Principal entries and `"*"` name it. */
  service?: true;
}

export interface AuthzRequest {
  principal: RequestPrincipal;
  action: string;
  resource: string;
  /** Condition keys (any case) to a value or a set of values; absent keys are simply missing. */
  context: Record<string, string | string[] | undefined>;
}

export type PrincipalMatch = 'direct' | 'account' | false;

export interface StatementResult {
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  applies: boolean;
  principalMatch?: PrincipalMatch;
  /** Why it does not apply. */
  mismatch?: 'principal' | 'action' | 'resource' | 'condition';
  failedCondition?: { operator: string; key: string; values: string[]; actual: string | string[] | undefined };
}

type ContextValue = string | string[] | undefined;

/** A request's condition keys by name, without regard to case. `lookup(key)` is the key's value;
 * when several names collide (an encryption context may hold both "tenant" and "Tenant") it is
 * every value as a list, for display only, and policy variables see no value. `variants(key)` is
 * what conditions evaluate: one value per colliding name (docs/AUTHORIZATION.md). */
export type KeyLookup = ((key: string) => ContextValue) & { variants?: (key: string) => ContextValue[] };

export function lookupIn(context: AuthzRequest['context']): KeyLookup {
  const lower = new Map<string, (string | string[])[]>();
  for (const [k, v] of Object.entries(context)) {
    if (v === undefined) continue;
    const l = k.toLowerCase();
    const list = lower.get(l);
    if (list) list.push(v);
    else lower.set(l, [v]);
  }
  const lookup = (key: string): ContextValue => {
    const list = lower.get(key.toLowerCase());
    return list === undefined ? undefined : list.length === 1 ? list[0] : list.flat();
  };
  return Object.assign(lookup, {
    variants: (key: string): ContextValue[] => lower.get(key.toLowerCase()) ?? [undefined],
  });
}

function accountOf(p: string): string | undefined {
  if (/^\d{12}$/.test(p)) return p;
  return /^arn:aws:iam::(\d{12}):root$/.exec(p)?.[1];
}

/** How a Principal element covers the caller: by name ('direct'), through its account ('account'), or not. */
export function matchPrincipals(block: Principals, p: RequestPrincipal): PrincipalMatch {
  if (block.any) return 'direct';
  if (p.service) return block.service.includes(p.arn) ? 'direct' : false;
  let result: PrincipalMatch = false;
  for (const entry of block.aws) {
    const acct = accountOf(entry);
    if (acct !== undefined) {
      // The root user is the account itself: an account principal names it directly.
      if (acct === p.accountId) result = p.arn === `arn:aws:iam::${acct}:root` ? 'direct' : result || 'account';
    } else if (entry === p.arn || (p.roleArn !== undefined && entry === p.roleArn)) return 'direct';
  }
  return result;
}

/** Policy values with variables substituted; undefined for a value whose variable has no value. */
function values(clause: ConditionClause, vars: boolean, lookup: KeyLookup): (string | undefined)[] {
  if (!vars || !VARIABLE_OPERATORS.test(clause.base)) return clause.values;
  return clause.values.map((v) => substitute(v, lookup));
}

/**
 * Whether a condition holds. When the key's name collides without regard to case, the condition
 * is evaluated once per colliding value: `every` (the default, for Allow statements) needs it to
 * hold for each, `some` (for Deny statements) for one; either way a request cannot pick, by the
 * order or the case of its names, the one value a policy sees.
 */
export function conditionHolds(
  clause: ConditionClause,
  vars: boolean,
  lookup: KeyLookup,
  combine: 'every' | 'some' = 'every',
): boolean {
  const variants = lookup.variants ? lookup.variants(clause.key) : [lookup(clause.key)];
  return variants[combine]((raw) => holdsFor(clause, vars, lookup, raw));
}

function holdsFor(clause: ConditionClause, vars: boolean, lookup: KeyLookup, raw: ContextValue): boolean {
  const actual = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const present = raw !== undefined && actual.length > 0;
  if (clause.base === 'Null') {
    // "true": the key is absent; "false": it is present. Several values are alternatives.
    return clause.values.some((v) =>
      v.toLowerCase() === 'true' ? !present : v.toLowerCase() === 'false' ? present : false,
    );
  }
  // parsePolicy admits only own operator names; an unknown one here is a bug, and failing the
  // condition is the safe reading only for an Allow, so it throws rather than guesses.
  const op = operatorOf(clause.base);
  if (!op) throw new Error(`Unknown condition operator ${clause.base}`);
  const resolved = values(clause, vars, lookup);
  const policyValues = resolved.filter((v): v is string => v !== undefined);
  const matchesAny = (a: string) => policyValues.some((p) => op.compare(a, p));
  if (!present) {
    // The set qualifier decides before IfExists: ForAnyValue over no values is false even with
    // IfExists (as AWS evaluates it), ForAllValues over no values is true.
    if (clause.set === 'ForAnyValue') return false;
    if (clause.set === 'ForAllValues' || clause.ifExists) return true;
    return op.negated;
  }
  // A value whose variable has no value matches nothing; a negated operator cannot then establish
  // "matches none of the values", so it does not hold (the conservative reading IAM tools share).
  if (op.negated && resolved.includes(undefined)) return false;
  if (clause.set === 'ForAllValues') return actual.every((a) => (op.negated ? !matchesAny(a) : matchesAny(a)));
  if (clause.set === 'ForAnyValue') return actual.some((a) => (op.negated ? !matchesAny(a) : matchesAny(a)));
  // A single-valued operator: the (first) value must match one policy value, or none when negated.
  const hit = actual.some(matchesAny);
  return op.negated ? !hit : hit;
}

export function evaluateStatement(
  s: Statement,
  policy: Policy,
  req: AuthzRequest,
  kind: 'key' | 'identity',
): StatementResult {
  const base: StatementResult = {
    index: s.index,
    effect: s.effect,
    applies: false,
    ...(s.sid !== undefined ? { sid: s.sid } : {}),
  };
  const lookup = lookupIn(req.context);
  if (kind === 'key') {
    const pm = s.principal
      ? matchPrincipals(s.principal, req.principal)
      : matchPrincipals(s.notPrincipal!, req.principal) === false
        ? 'direct'
        : false;
    if (!pm) return { ...base, mismatch: 'principal' };
    base.principalMatch = pm;
  }
  const actionHit = s.action
    ? s.action.some((a) => actionMatch(a, req.action))
    : !s.notAction!.some((a) => actionMatch(a, req.action));
  if (!actionHit) return { ...base, mismatch: 'action' };
  const resourceValue = (r: string) => (policy.variables ? substitute(r, lookup) : r);
  const resourceHit = (list: string[]) =>
    list.some((r) => {
      const pattern = resourceValue(r);
      return pattern !== undefined && globMatch(pattern, req.resource);
    });
  // A trust policy names no resource: the role it belongs to is the resource.
  const resourceMiss = s.resource ? !resourceHit(s.resource) : s.notResource ? resourceHit(s.notResource) : false;
  if (resourceMiss) return { ...base, mismatch: 'resource' };
  for (const c of s.conditions) {
    if (!conditionHolds(c, policy.variables, lookup, s.effect === 'Allow' ? 'every' : 'some')) {
      return {
        ...base,
        mismatch: 'condition',
        failedCondition: { operator: c.operator, key: c.key, values: c.values, actual: lookup(c.key) },
      };
    }
  }
  return { ...base, applies: true };
}

export function evaluatePolicy(policy: Policy, req: AuthzRequest, kind: 'key' | 'identity'): StatementResult[] {
  return policy.statements.map((s) => evaluateStatement(s, policy, req, kind));
}
