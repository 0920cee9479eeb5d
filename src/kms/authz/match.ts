// Wildcard matching as IAM does it: `*` any run of characters (also none), `?` one character.
// Actions match case-insensitively; resources and string conditions are case-sensitive; ARNs match
// component by component (IAM User Guide, "IAM JSON policy elements: Resource" and "ArnLike").

const cache = new Map<string, RegExp>();

function globRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const k = `${ignoreCase ? 'i' : 's'}:${pattern}`;
  let re = cache.get(k);
  if (!re) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[\\s\\S]*')
      .replace(/\?/g, '[\\s\\S]');
    re = new RegExp(`^${body}$`, ignoreCase ? 'i' : '');
    if (cache.size > 2000) cache.clear();
    cache.set(k, re);
  }
  return re;
}

export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?'))
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  return globRegExp(pattern, ignoreCase).test(value);
}

/** `kms:Encrypt` against `kms:*`, `kms:Gen*`, `*`: case-insensitive. */
export function actionMatch(pattern: string, action: string): boolean {
  return globMatch(pattern, action, true);
}

function arnParts(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/** ArnEquals / ArnLike: the six components each match (wildcards allowed in each). */
export function arnMatch(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const p = arnParts(pattern);
  const a = arnParts(arn);
  if (!p || !a) return false;
  return p.every((part, i) => globMatch(part, a[i]!));
}
