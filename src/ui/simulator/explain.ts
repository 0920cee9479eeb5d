// Puts a simulation (src/kms/authz/simulate.ts) into words: the verdict with its reason, why each policy
// statement applies or not, and why each grant allows the request or not. Pure, no DOM.
import type { SimulationResult } from '../../worker/api';
import { constraintText, pairs, shortPrincipal } from '../keys/grant-operations';

export type StatementResult = SimulationResult['keyPolicy'][number];
export type GrantResult = SimulationResult['grants'][number];

/** `statement 'DenyOthers'`, or `statement 2` when it has no Sid. */
export function statementName(s: StatementResult): string {
  return s.sid ? `statement '${s.sid}'` : `statement ${s.index + 1}`;
}

function grantName(g: GrantResult['grant']): string {
  return g.name ? `grant '${g.name}'` : `grant ${g.grantId.slice(0, 12)}…`;
}

/** The request's side of a condition: one value, several, or none. */
function actualText(actual: string | string[] | undefined): string {
  if (actual === undefined || (Array.isArray(actual) && actual.length === 0)) return 'request has no value for it';
  return `request has ${Array.isArray(actual) ? actual.join(', ') : actual}`;
}

/** Why one statement applies to the request or not, for a person learning policies. */
export function statementWhy(
  s: StatementResult,
  kind: 'key' | 'identity',
  who: string,
  r: Pick<SimulationResult, 'action' | 'resource'>,
): string {
  if (s.applies) {
    if (s.effect === 'Deny') return 'Applies: an explicit deny, which wins over every allow.';
    if (kind === 'identity') return `Applies: allows ${r.action}.`;
    return s.principalMatch === 'account'
      ? `Applies: names the account, so it delegates to IAM: ${who} also needs an identity policy (or a grant) that allows ${r.action}.`
      : `Applies: names ${who} directly.`;
  }
  switch (s.mismatch) {
    case 'principal':
      return `Does not apply: Principal names neither ${who} nor its account.`;
    case 'action':
      return `Does not apply: Action does not include ${r.action}.`;
    case 'resource':
      return `Does not apply: Resource does not match ${r.resource}.`;
    case 'condition': {
      const c = s.failedCondition;
      return c
        ? `Does not apply: condition ${c.operator} ${c.key}: policy wants ${c.values.join(' or ')}, ${actualText(c.actual)}.`
        : 'Does not apply: a condition does not hold.';
    }
    default:
      return 'Does not apply.';
  }
}

/** Why a grant allows the request or not (mirrors grantAllows in src/kms/authz/grants.ts). */
export function grantWhy(
  g: GrantResult,
  principalArn: string,
  action: string,
  context: Record<string, string>,
): string {
  const op = action.replace(/^kms:/, '');
  const grant = g.grant;
  if (g.allows)
    return `Allows: it gives ${shortPrincipal(grant.granteePrincipal)} ${op}${grant.constraints ? ' and the encryption context meets its constraint' : ''}.`;
  if (grant.granteePrincipal !== principalArn)
    return `Does not allow: its grantee is ${shortPrincipal(grant.granteePrincipal)}, not ${shortPrincipal(principalArn)}.`;
  if (!grant.operations.includes(op)) return `Does not allow: ${op} is not among its operations.`;
  const c = constraintText(grant.constraints);
  if (c) {
    const has = pairs(context);
    return `Does not allow: its constraint (${c}) is not met; the request's context is ${has ? has : 'empty'}.`;
  }
  return 'Does not allow this request.';
}

const capital = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);

function firstApplying(
  list: StatementResult[],
  effect: 'Allow' | 'Deny',
  match?: 'direct' | 'account',
): StatementResult | undefined {
  return list.find((s) => s.applies && s.effect === effect && (match === undefined || s.principalMatch === match));
}

function identityHit(r: SimulationResult, effect: 'Allow' | 'Deny'): string {
  for (const p of r.identityPolicies) {
    const s = firstApplying(p.statements, effect);
    if (s) return `${statementName(s)} of identity policy '${p.name}'`;
  }
  return 'an identity policy';
}

/** The verdict in one sentence: what decided it, naming the statement, policy or grant. */
export function verdictText(r: SimulationResult, principalArn: string): string {
  const who = shortPrincipal(principalArn);
  const onKey = r.resource !== '*';
  const grantsNote =
    r.grants.length === 0
      ? 'and the key has no grants'
      : r.grants.length === 1
        ? "and the key's one grant does not allow it"
        : `and none of the key's ${r.grants.length} grants allows it`;
  // A statement that named the caller and the action but whose condition failed is the usual near miss.
  const near = [...r.keyPolicy, ...r.identityPolicies.flatMap((p) => p.statements)].find(
    (s) => s.effect === 'Allow' && s.mismatch === 'condition',
  );
  const nearNote = near?.failedCondition
    ? ` ${capital(statementName(near))} would allow it, but its condition ${near.failedCondition.operator} ${near.failedCondition.key} does not hold.`
    : '';
  switch (r.reason) {
    case 'AllowedByKeyPolicy': {
      const s = firstApplying(r.keyPolicy, 'Allow', 'direct');
      return `Allowed: the key policy allows ${who} directly${s ? ` (${statementName(s)})` : ''}.`;
    }
    case 'AllowedByKeyPolicyAndIdentityPolicy': {
      const s = firstApplying(r.keyPolicy, 'Allow', 'account');
      return `Allowed: the key policy delegates to IAM${s ? ` (${statementName(s)})` : ''} and ${identityHit(r, 'Allow')} of ${who} allows ${r.action}.`;
    }
    case 'AllowedByGrant': {
      const g = r.grants.find((x) => x.grant.grantId === r.grantId)?.grant;
      return `Allowed by ${g ? grantName(g) : 'a grant'}: it gives ${who} ${r.action.replace(/^kms:/, '')} on this key (no policy statement allows it on its own).`;
    }
    case 'AllowedByIdentityPolicy':
      return `Allowed: ${identityHit(r, 'Allow')} of ${who} allows ${r.action}, an account-level action that no key policy governs.`;
    case 'AllowedAsAccountRoot':
      return `Allowed: the account root may perform account-level actions such as ${r.action}.`;
    case 'ExplicitDenyInKeyPolicy': {
      const s = firstApplying(r.keyPolicy, 'Deny');
      return `Denied by ${s ? statementName(s) : 'a statement'} of the key policy (explicit deny): a deny wins over every allow and grant.`;
    }
    case 'ExplicitDenyInIdentityPolicy':
      return `Denied by ${identityHit(r, 'Deny')} of ${who} (explicit deny): a deny wins over every allow and grant.`;
    case 'NoKeyPolicyAllow':
      return `Denied: no statement of the key policy allows ${who}, directly or through its account, ${grantsNote}.${nearNote}`;
    case 'NoIdentityPolicyAllow':
      return onKey
        ? `Denied: no statement allows it; the key policy delegates to IAM but no identity policy of ${who} allows ${r.action}, ${grantsNote}.${nearNote}`
        : `Denied: no identity policy of ${who} allows ${r.action}.${nearNote}`;
    default:
      return r.allowed ? 'Allowed.' : 'Denied.';
  }
}

/** The statements of a policy document (one object or a list), as JSON text by index; [] when unreadable. */
export function statementTexts(doc: string | undefined): string[] {
  if (!doc) return [];
  try {
    const parsed = JSON.parse(doc) as { Statement?: unknown };
    const list = Array.isArray(parsed.Statement)
      ? parsed.Statement
      : parsed.Statement === undefined
        ? []
        : [parsed.Statement];
    return list.map((s) => JSON.stringify(s, null, 2));
  } catch {
    return [];
  }
}
