// Policy variables (IAM User Guide, "IAM policy elements: Variables and tags"): `${aws:username}`,
// `${aws:PrincipalTag/team}`, a default `${aws:username, 'nobody'}`, and the escapes `${*}`,
// `${?}`, `${$}`. Only policies with Version 2012-10-17 substitute them.

export type ContextLookup = (key: string) => string | string[] | undefined;

/** Returns the value with variables replaced, or undefined when a variable has no value and no
 * default: such a value matches nothing, as in IAM. */
export function substitute(value: string, lookup: ContextLookup): string | undefined {
  let missing = false;
  const out = value.replace(/\$\{([^}]*)\}/g, (_, inner: string) => {
    const body = inner.trim();
    if (body === '*' || body === '?' || body === '$') return body;
    const m = /^([^,]+?)\s*(?:,\s*'([^']*)')?$/.exec(body);
    if (!m) {
      missing = true;
      return '';
    }
    const v = lookup(m[1]!.trim());
    if (typeof v === 'string') return v;
    if (m[2] !== undefined) return m[2];
    missing = true;
    return '';
  });
  return missing ? undefined : out;
}
