// The part of Python's argparse (3.11) the AWS CLI v2 relies on, with its quirks: options anywhere,
// unique-prefix abbreviations, `--x=value`, nargs '*' lists, `?` positionals, parse_known_args extras,
// and the CLI's messages ("argument --x: expected one argument", "the following arguments are required").

/** A usage error (the CLI exits 252 and prints its usage text above the message). */
export class ArgParseError extends Error {
  override name = 'ArgParseException';
}

export interface Action {
  /** '--key-id', or a positional's name ('command', 'outfile'). */
  name: string;
  dest: string;
  positional?: boolean;
  /** one value (default), '*' many, '?' at most one, 0 none (store_true/store_false/version). */
  nargs?: '*' | '?' | 0;
  /** What a flag without value stores. */
  constValue?: unknown;
  /** The value when the option is absent (argparse's default; undefined is Python's None). */
  default?: unknown;
  required?: boolean;
  choices?: readonly string[];
  /** Python's int(): argparse's "invalid int value" on failure. */
  int?: boolean;
  version?: boolean;
}

export type Namespace = Record<string, unknown>;

const NEGATIVE_NUMBER = /^-\d+$|^-\d*\.\d+$/;

function pad40(s: string): string {
  return s.length >= 40 ? s : s + ' '.repeat(40 - s.length);
}

/** The CLI's replacement of argparse's invalid-choice message (awscli/argparser.py _check_value). */
export function invalidChoice(value: string, choices: readonly string[]): string {
  const lines = ['Invalid choice, valid choices are:\n'];
  for (let i = 0; i < choices.length; i += 2)
    lines.push(
      choices
        .slice(i, i + 2)
        .map(pad40)
        .join(' | '),
    );
  const close = closeMatches(value, choices);
  if (close.length) {
    lines.push(`\n\nInvalid choice: ${pyStr(value)}, maybe you meant:\n`);
    for (const w of close) lines.push(`  * ${w}`);
  }
  return lines.join('\n');
}

const pyStr = (s: string) => (s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replaceAll("'", "\\'")}'`);

/** difflib.get_close_matches(word, possibilities, n=3, cutoff=0.8) by SequenceMatcher.ratio(). */
function closeMatches(word: string, choices: readonly string[]): string[] {
  const scored = choices
    .map((c) => [ratio(word, c), c] as const)
    .filter(([r]) => r >= 0.8)
    .sort((a, b) => b[0] - a[0] || (b[1] < a[1] ? -1 : 1));
  return scored.slice(0, 3).map(([, c]) => c);
}

function ratio(a: string, b: string): number {
  // SequenceMatcher: matching blocks found recursively by longest common substring.
  const match = (alo: number, ahi: number, blo: number, bhi: number): number => {
    let best = 0;
    let bi = alo;
    let bj = blo;
    for (let i = alo; i < ahi; i++)
      for (let j = blo; j < bhi; j++) {
        let k = 0;
        while (i + k < ahi && j + k < bhi && a[i + k] === b[j + k]) k++;
        if (k > best) [best, bi, bj] = [k, i, j];
      }
    if (!best) return 0;
    return best + match(alo, bi, blo, bj) + match(bi + best, ahi, bj + best, bhi);
  };
  return (2 * match(0, a.length, 0, b.length)) / (a.length + b.length || 1);
}

export class ArgParser {
  private readonly options = new Map<string, Action>();
  private readonly positionals: Action[] = [];

  constructor(
    private readonly actions: readonly Action[],
    private readonly prog = 'aws',
  ) {
    for (const a of actions) (a.positional ? this.positionals.push(a) : this.options.set(a.name, a), undefined);
  }

  /** Which option a token names: exact, `--x=v`, or a unique prefix; undefined for a positional token. */
  private parseOptional(arg: string): { action?: Action; explicit?: string; option: string } | undefined {
    if (!arg.startsWith('-') || arg === '-') return undefined;
    if (this.options.has(arg)) return { action: this.options.get(arg)!, option: arg };
    let head = arg;
    let explicit: string | undefined;
    const eq = arg.indexOf('=');
    if (eq >= 0) {
      head = arg.slice(0, eq);
      explicit = arg.slice(eq + 1);
      if (this.options.has(head)) return { action: this.options.get(head)!, option: head, explicit };
    }
    if (arg.startsWith('--')) {
      const found = [...this.options.keys()].filter((o) => o.startsWith(head));
      if (found.length > 1) throw this.error(`ambiguous option: ${head} could match ${found.join(', ')}`);
      if (found.length === 1) {
        const a = this.options.get(found[0]!)!;
        return explicit === undefined ? { action: a, option: found[0]! } : { action: a, option: found[0]!, explicit };
      }
    }
    if (NEGATIVE_NUMBER.test(arg)) return undefined;
    if (arg.includes(' ')) return undefined;
    return { option: arg };
  }

  error(message: string): ArgParseError {
    return new ArgParseError(`${this.prog}: error: ${message}`);
  }

  parseKnownArgs(args: readonly string[]): { ns: Namespace; extras: string[] } {
    const ns: Namespace = {};
    for (const a of this.actions) if (!(a.dest in ns) || a.default !== undefined) ns[a.dest] = a.default;
    const extras: string[] = [];
    const seen = new Set<Action>();
    const optionAt = new Map<number, { action?: Action; explicit?: string; option: string }>();
    let pattern = '';
    let dashdash = false;
    args.forEach((arg, i) => {
      if (dashdash) return void (pattern += 'A');
      if (arg === '--') {
        dashdash = true;
        return void (pattern += '-');
      }
      const o = this.parseOptional(arg);
      if (o) {
        optionAt.set(i, o);
        pattern += 'O';
      } else pattern += 'A';
    });
    const positionals = [...this.positionals];

    const take = (action: Action, values: string[], option?: string) => {
      seen.add(action);
      const name = option ?? action.name;
      const convert = (v: string): unknown => {
        if (action.int) {
          const t = v.trim().replaceAll('_', '');
          if (!/^[+-]?\d+$/.test(t)) throw this.error(`argument ${name}: invalid int value: ${pyStr(v)}`);
          return Number(t);
        }
        if (action.choices && !action.choices.includes(v))
          throw this.error(`argument ${name}: ${invalidChoice(v, action.choices)}`);
        return v;
      };
      if (action.version) throw new VersionExit();
      if (action.nargs === 0) ns[action.dest] = action.constValue ?? true;
      else if (action.nargs === '*') ns[action.dest] = values.map(convert);
      else if (action.nargs === '?') ns[action.dest] = values.length ? convert(values[0]!) : undefined;
      else ns[action.dest] = convert(values[0]!);
    };

    const nargsPattern = (a: Action, optional: boolean): string => {
      const p = a.nargs === 0 ? '()' : a.nargs === '*' ? '(-*[A-]*)' : a.nargs === '?' ? '(-*A?-*)' : '(-*A-*)';
      return optional ? p.replaceAll('-*', '').replaceAll('-', '') : p;
    };

    const consumePositionals = (start: number): number => {
      const rest = pattern.slice(start);
      for (let n = positionals.length; n > 0; n--) {
        const re = new RegExp(
          '^' +
            positionals
              .slice(0, n)
              .map((a) => nargsPattern(a, false))
              .join(''),
        );
        const m = re.exec(rest);
        if (!m) continue;
        let at = start;
        for (let k = 0; k < n; k++) {
          const len = m[k + 1]!.length;
          const action = positionals[k]!;
          const values = args.slice(at, at + len).filter((_, j) => pattern[at + j] !== '-');
          at += len;
          if (action.nargs === '?' && !values.length) {
            ns[action.dest] = ns[action.dest] ?? undefined;
            seen.add(action);
          } else take(action, values);
        }
        positionals.splice(0, n);
        return at;
      }
      return start;
    };

    const consumeOptional = (start: number): number => {
      const o = optionAt.get(start)!;
      if (!o.action) {
        extras.push(args[start]!);
        return start + 1;
      }
      const a = o.action;
      if (o.explicit !== undefined) {
        if (a.nargs === 0) throw this.error(`argument ${a.name}: ignored explicit argument ${pyStr(o.explicit)}`);
        take(a, [o.explicit], o.option);
        return start + 1;
      }
      const m = new RegExp('^' + nargsPattern(a, true)).exec(pattern.slice(start + 1));
      if (!m) {
        const msg = a.nargs === '?' ? 'expected at most one argument' : 'expected one argument';
        throw this.error(`argument ${a.name}: ${msg}`);
      }
      const n = m[1]!.length;
      take(a, args.slice(start + 1, start + 1 + n), a.name);
      return start + 1 + n;
    };

    const optionIndices = [...optionAt.keys()];
    const maxOption = optionIndices.length ? Math.max(...optionIndices) : -1;
    let start = 0;
    while (start <= maxOption) {
      const next = Math.min(...optionIndices.filter((i) => i >= start));
      if (start !== next) {
        const end = consumePositionals(start);
        if (end > start) {
          start = end;
          continue;
        }
        start = end;
      }
      if (!optionAt.has(start)) {
        extras.push(...args.slice(start, next));
        start = next;
      }
      start = consumeOptional(start);
    }
    const stop = consumePositionals(start);
    extras.push(...args.slice(stop));

    const missing = this.actions.filter((a) => a.required && !seen.has(a)).map((a) => a.name);
    if (missing.length) throw this.error(`the following arguments are required: ${missing.join(', ')}`);
    return { ns, extras };
  }
}

/** `--version`: print the version and exit 0. */
export class VersionExit extends Error {
  override name = 'VersionExit';
}
