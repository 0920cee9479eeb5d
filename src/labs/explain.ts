// The policy simulator's verdict in words (docs/LABS.md "Hints"): which statement decided — an explicit
// deny in the key policy or an identity policy, a key policy that leaves it to IAM while no identity policy
// allows it, a grant, or no statement at all — and, for a denial, the statements whose condition failed
// (e.g. `kms:EncryptionContext:tenant` was green, the statement wants blue).
import type { LabSimulation, LabStatement } from './world';

const name = (s: { sid?: string; index: number }) => (s.sid ? `"${s.sid}"` : `#${s.index + 1}`);

function delegating(statements: LabStatement[]): string {
  const s = statements.find((x) => x.applies && x.effect === 'Allow');
  return s ? `statement ${name(s)}` : 'the account';
}

function shown(v: string | string[] | undefined): string {
  if (v === undefined) return 'nothing';
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Why `who` may or may not do `action`, naming the statement that decided. */
export function explainSimulation(s: LabSimulation, who: string, action: string): string {
  if (s.allowed) {
    switch (s.reason) {
      case 'AllowedByGrant':
        return `grant ${s.grantId ?? ''} allows it`.replace('  ', ' ');
      case 'AllowedByKeyPolicyAndIdentityPolicy': {
        const id = s.identity.find((st) => st.effect === 'Allow');
        return `the key policy leaves it to IAM (${delegating(s.keyPolicy)}) and ${id ? `statement ${name(id)} of identity policy "${id.policy}"` : 'an identity policy'} allows it`;
      }
      default: {
        const st = s.keyPolicy.find((x) => x.applies && x.effect === 'Allow' && x.principalMatch !== 'account');
        return st ? `the key policy's statement ${name(st)} allows it` : `allowed (${s.reason})`;
      }
    }
  }
  const deny = s.keyPolicy.find((st) => st.applies && st.effect === 'Deny');
  const idDeny = s.identity.find((st) => st.effect === 'Deny');
  const decided =
    s.reason === 'ExplicitDenyInKeyPolicy' && deny
      ? `the key policy's statement ${name(deny)} denies it`
      : s.reason === 'ExplicitDenyInIdentityPolicy' && idDeny
        ? `statement ${name(idDeny)} of identity policy "${idDeny.policy}" denies it`
        : s.reason === 'NoIdentityPolicyAllow'
          ? `the key policy leaves it to IAM (${delegating(s.keyPolicy)}), and no identity policy of ${who} allows ${action}`
          : `no statement of the key policy allows ${who} ${action}`;
  // An Allow that would have applied but for its condition is what a person usually got wrong.
  const near = s.keyPolicy
    .filter((st) => st.effect === 'Allow' && st.mismatch === 'condition' && st.failedCondition)
    .map(
      (st) =>
        `statement ${name(st)} would allow it, but its condition ${st.failedCondition!.operator} ${st.failedCondition!.key} ` +
        `${st.failedCondition!.values.join(', ')} does not hold (the request had ${shown(st.failedCondition!.actual)})`,
    );
  return [decided, ...near].join('; ');
}
