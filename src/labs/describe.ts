// What a failing check says it waits for, in words (docs/LABS.md "Checks"): a key, an audit record, a
// name an earlier step has not bound yet.
import type { AuditMatch, Check } from './checks';

/** Resolves a `$name` reference to what it names, if bound. */
export interface Refs {
  ref(v: string): string | undefined;
}

export const unbound = (ref: string) => `${ref.split('.')[0]} is not known yet: an earlier step finds it`;

export function describeKey(c: Extract<Check, { kind: 'keyExists' }>): string {
  const parts = [
    c.alias && `alias ${c.alias}`,
    c.keySpec && `key spec ${c.keySpec}`,
    c.keyUsage && `usage ${c.keyUsage}`,
    c.state && `state ${c.state}`,
    c.description !== undefined && `description "${c.description}"`,
    ...Object.entries(c.tags ?? {}).map(([k, v]) => `tag ${k}=${v}`),
  ].filter(Boolean);
  return `a key made in this lab${parts.length ? ` with ${parts.join(', ')}` : ''}`;
}

export function describeEvent(m: AuditMatch, env: Refs): string {
  const outcome =
    m.errorCode !== undefined
      ? ` that failed with ${m.errorCode}`
      : m.succeeded === true
        ? ' that succeeded'
        : m.succeeded === false
          ? ' that failed'
          : '';
  // A reference is shown with what it names: "key 1234abcd-… ($labKey)".
  const named = m.key !== undefined && m.key.startsWith('$') ? env.ref(m.key) : undefined;
  const on = m.key ? ` on key ${named ? `${named} (${m.key})` : m.key}` : '';
  const by = m.principal ? ` by ${m.principal}` : '';
  const via = m.userAgent ? ` from ${m.userAgent.replace(/\*$/, '').replace(/[/ ]$/, '') || m.userAgent}` : '';
  const ec = m.encryptionContext
    ? ` with encryption context ${Object.entries(m.encryptionContext)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')}`
    : '';
  return `${/^[AEIOU]/.test(m.eventName) ? 'an' : 'a'} ${m.eventName} call${on}${by}${via}${ec}${outcome}`;
}

/** `tenant=blue,app=x` */
export const pairs = (ec: Record<string, string>) =>
  Object.entries(ec)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
