// Checks about who may do what (docs/LABS.md "Checks"): the policy simulator's decision and the statement
// that made it, IAM users and roles made in the lab (and gone at cleanup), and grants on a key. Each reads
// the keystore through the LabWorld, never what was typed.
import { globMatch, kmsAction, type Check } from './checks';
import { pairs, unbound } from './describe';
import type { Env } from './engine';
import { explainSimulation } from './explain';
import { fail, keyRelated, pass, type Outcome } from './outcome';
import type { LabGrant, LabPrincipal, LabSimulation } from './world';

type Of<K extends Check['kind']> = Extract<Check, { kind: K }>;

/** The Sid (or `#n`) of the statement that decided, or the grant that allowed. */
export function decidingStatement(s: LabSimulation): string | undefined {
  const label = (st: { sid?: string; index: number } | undefined) => st && (st.sid ?? `#${st.index + 1}`);
  switch (s.reason) {
    case 'ExplicitDenyInKeyPolicy':
      return label(s.keyPolicy.find((st) => st.applies && st.effect === 'Deny'));
    case 'ExplicitDenyInIdentityPolicy':
      return label(s.identity.find((st) => st.effect === 'Deny'));
    case 'AllowedByKeyPolicy':
      return label(s.keyPolicy.find((st) => st.applies && st.effect === 'Allow' && st.principalMatch !== 'account'));
    // The key policy only left it to IAM: the identity policy's statement let it through.
    case 'AllowedByKeyPolicyAndIdentityPolicy':
    case 'AllowedByIdentityPolicy':
      return label(s.identity.find((st) => st.effect === 'Allow'));
    case 'AllowedByGrant':
      return s.grantId;
    default:
      return undefined;
  }
}

export async function decision(env: Env, c: Of<'decision'>): Promise<Outcome> {
  let keyId: string | undefined;
  let related = keyRelated(undefined, 'PutKeyPolicy', 'PutUserPolicy', 'CreateGrant', 'RevokeGrant');
  if (c.key !== undefined) {
    const key = await env.key(c.key);
    if (!key) return fail([env.ref(c.key) === undefined ? unbound(c.key) : `no key ${c.key} exists`]);
    keyId = key.keyId;
    related = keyRelated(key, ...related.eventNames);
  }
  const who = await env.principal(c.principal);
  const withEc = c.encryptionContext ? ` with encryption context ${pairs(c.encryptionContext)}` : '';
  const on = keyId ? ` on key ${keyId}` : '';
  const out: string[] = [];
  for (const a of c.actions) {
    const action = kmsAction(a);
    let s: LabSimulation;
    try {
      s = await env.world.simulate(who, action, keyId, c.encryptionContext);
    } catch (e) {
      // The principal is gone (NoSuchEntityException) or the key cannot be used for the action.
      out.push(`${who} cannot be simulated calling ${action}${on}: ${(e as Error).message}`);
      continue;
    }
    const verdict = `the policy simulator ${s.allowed ? 'allows' : 'denies'} ${who} ${action}${on}${withEc}`;
    if (s.allowed !== c.allowed) {
      out.push(`${verdict} (${c.allowed ? 'allowed' : 'denied'} expected): ${explainSimulation(s, who, action)}`);
      continue;
    }
    const by = decidingStatement(s);
    if (c.reason !== undefined && s.reason !== c.reason)
      out.push(`${verdict} for ${s.reason}, not ${c.reason}: ${explainSimulation(s, who, action)}`);
    else if (c.statement !== undefined && by !== c.statement)
      out.push(
        `${verdict}, but ${by ? `statement "${by}"` : 'no one statement'} decided, not "${c.statement}": ${explainSimulation(s, who, action)}`,
      );
  }
  return out.length ? fail(out, related) : pass({}, related);
}

const kindOf = (arn: string) => (/:role\//.test(arn) ? 'role' : 'user');

async function principalsLike(env: Env, principal: string): Promise<{ arn: string; found: LabPrincipal[] }> {
  const arn = await env.principal(principal);
  return { arn, found: (await env.world.principals()).filter((p) => globMatch(arn, p.arn)) };
}

export async function principalExists(env: Env, c: Of<'principalExists'>): Promise<Outcome> {
  const { arn, found } = await principalsLike(env, c.principal);
  const related = keyRelated(
    undefined,
    'CreateUser',
    'CreateRole',
    'PutUserPolicy',
    'PutRolePolicy',
    'CreateAccessKey',
  );
  // Made since the lab started: one left from an earlier run does not count.
  const made = found.filter((p) => p.createdAt >= env.progress.startedAt);
  if (!made.length)
    return fail(
      [
        found.length
          ? `${kindOf(arn)} ${found[0]!.name} was made before the lab started (delete it, or reset the lab)`
          : `no ${kindOf(arn)} ${arn} was created since the lab started`,
      ],
      related,
    );
  const differences = (p: LabPrincipal) => {
    const d: string[] = [];
    const lacking = (c.policies ?? []).filter((n) => !p.policies.includes(n));
    if (lacking.length)
      d.push(
        `${p.kind} ${p.name} has no inline policy ${lacking.map((n) => `"${n}"`).join(', ')}` +
          (p.policies.length ? ` (it has ${p.policies.map((n) => `"${n}"`).join(', ')})` : ''),
      );
    if (c.accessKeys !== undefined && p.accessKeys < c.accessKeys)
      d.push(`${p.kind} ${p.name} has ${p.accessKeys} access key(s), not yet ${c.accessKeys}`);
    return d;
  };
  if (made.some((p) => differences(p).length === 0)) return pass({}, related);
  return fail(differences(made[0]!), related);
}

export async function principalAbsent(env: Env, c: Of<'principalAbsent'>): Promise<Outcome> {
  const { found } = await principalsLike(env, c.principal);
  const related = keyRelated(undefined, 'DeleteUser', 'DeleteRole', 'DeleteUserPolicy', 'DeleteAccessKey');
  if (!found.length) return pass({}, related);
  return fail(
    found.map(
      (p) =>
        `${p.kind} ${p.name} still exists` +
        (p.policies.length || p.accessKeys
          ? ` (delete its ${p.policies.length} inline policy(ies) and ${p.accessKeys} access key(s) first)`
          : ''),
    ),
    related,
  );
}

const samePairs = (a: Record<string, string> | undefined, b: Record<string, string> | undefined) =>
  JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b ?? {}).sort());

function grantWords(g: LabGrant): string {
  const c = g.encryptionContextEquals
    ? `, context equals ${pairs(g.encryptionContextEquals)}`
    : g.encryptionContextSubset
      ? `, context includes ${pairs(g.encryptionContextSubset)}`
      : '';
  return `grant ${g.grantId}${g.name ? ` ("${g.name}")` : ''} for ${g.granteePrincipal}: ${g.operations.join(', ')}${c}`;
}

export async function grantExists(env: Env, c: Of<'grantExists'>): Promise<Outcome> {
  const key = await env.key(c.key);
  if (!key) return fail([env.ref(c.key) === undefined ? unbound(c.key) : `no key ${c.key} exists`]);
  const related = keyRelated(key, 'CreateGrant');
  const grantee = await env.principal(c.grantee);
  const onKey = (await env.world.grants()).filter((g) => g.keyId === key.keyId);
  const theirs = onKey.filter((g) => globMatch(grantee, g.granteePrincipal) && (!c.name || g.name === c.name));
  const differences = (g: LabGrant) => {
    const d: string[] = [];
    const ops = (c.operations ?? []).filter((o) => !g.operations.includes(o.replace(/^kms:/, '')));
    if (ops.length) d.push(`it does not allow ${ops.join(', ')}`);
    if (c.encryptionContextEquals && !samePairs(c.encryptionContextEquals, g.encryptionContextEquals))
      d.push(`its context constraint is not EncryptionContextEquals ${pairs(c.encryptionContextEquals)}`);
    if (c.encryptionContextSubset && !samePairs(c.encryptionContextSubset, g.encryptionContextSubset))
      d.push(`its context constraint is not EncryptionContextSubset ${pairs(c.encryptionContextSubset)}`);
    return d;
  };
  if (theirs.some((g) => differences(g).length === 0)) return pass({}, related);
  const named = c.name ? ` named "${c.name}"` : '';
  if (!theirs.length)
    return fail(
      [
        `key ${key.keyId} has no grant${named} for ${grantee}` +
          (onKey.length ? ` (it has ${onKey.map(grantWords).join('; ')})` : ''),
      ],
      related,
    );
  return fail(
    theirs.map((g) => `${grantWords(g)}: ${differences(g).join(', ')}`),
    related,
  );
}

export async function grantAbsent(env: Env, c: Of<'grantAbsent'>): Promise<Outcome> {
  const key = await env.key(c.key);
  // A key already deleted has no grants left.
  if (!key) return env.ref(c.key) === undefined ? fail([unbound(c.key)]) : pass();
  const related = keyRelated(key, 'RevokeGrant', 'RetireGrant');
  const grantee = c.grantee ? await env.principal(c.grantee) : '*';
  const left = (await env.world.grants()).filter(
    (g) => g.keyId === key.keyId && globMatch(grantee, g.granteePrincipal) && (!c.name || g.name === c.name),
  );
  return left.length
    ? fail(
        left.map((g) => `${grantWords(g)} is still in effect on key ${key.keyId}`),
        related,
      )
    : pass({}, related);
}
