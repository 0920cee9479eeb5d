// Alias names as people type them: "my-key" or "alias/my-key" both mean alias/my-key.
// The pattern and the reserved prefix are AWS's (CreateAlias AliasName).

export function normalizeAlias(input: string): string {
  const t = input.trim();
  return t.startsWith('alias/') ? t : `alias/${t}`;
}

/** What is wrong with an alias name, in plain words, or undefined when AWS would accept it. */
export function aliasProblem(name: string): string | undefined {
  if (name === 'alias/') return 'Enter an alias name.';
  if (name.length > 256) return 'The alias name is too long: at most 256 characters, including "alias/".';
  if (!/^[a-zA-Z0-9/_-]+$/.test(name)) return 'An alias name can contain only letters, digits, "/", "_" and "-".';
  if (name.startsWith('alias/aws/')) return 'Alias names starting with "alias/aws/" are reserved for AWS managed keys.';
  return undefined;
}
