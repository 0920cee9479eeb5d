// OpenSSL 3's command-line option reader (apps/lib/opts.c, opt_next): `-name value`, `-name=value`,
// `--name`, `--` ends options, the first word without a dash starts the operands. Values are checked
// as opts.c checks them and errors are worded as it words them ("rand: Option -out needs a value").

import type { CommandIo } from '../io';

/** The kinds of value opts.c checks: '-' none, 's' string, '<' / '>' file, 'p' positive int,
 * 'n' int, 'N' non-negative int, 'F' PEM or DER, 'f' any format. */
export type OptType = '-' | 's' | '<' | '>' | 'p' | 'n' | 'N' | 'F' | 'f';

export interface OptSpec {
  type: OptType;
  help: string;
  /** The value's name in -help (opts.c: "val", "infile", "outfile", "+int", "PEM|DER", …). */
  arg?: string;
}

/** One command's options, in -help order; sections as opts.c prints them. */
export interface CommandSpec {
  prog: string;
  usage: string;
  sections: readonly { title: string; opts: Readonly<Record<string, OptSpec>> }[];
  /** Operand lines for -help ("Parameters:"). */
  params?: readonly [string, string][];
}

export interface Parsed {
  /** Every option in the order given: name (as the spec spells it) and value ('' for flags). */
  list: { name: string; value: string }[];
  /** Operands after the options. */
  rest: string[];
  /** Options the spec does not know (enc and dgst read them as cipher or digest names). */
  unknown: string[];
  /** The value of the last occurrence of `name`, or undefined. */
  get(name: string): string | undefined;
  has(name: string): boolean;
  /** Which of `names` was given last (OpenSSL's flags that overwrite one setting: -e/-d, -hex/-base64). */
  lastOf(...names: string[]): string | undefined;
  /** The integer of a numeric option (already checked). */
  int(name: string): number | undefined;
}

/** opts.c's opt_long: strtol with base 0 (0x hex, leading-0 octal, sign), then the int range. */
export function parseCInt(s: string): number | 'nan' | 'range' {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return 'nan';
  const body = m[2]!;
  const mag = /^0[xX]/.test(body)
    ? BigInt(body)
    : body.length > 1 && body[0] === '0'
      ? BigInt('0o' + body.slice(1))
      : BigInt(body);
  const v = m[1] === '-' ? -mag : mag;
  if (v > 2147483647n || v < -2147483648n) return 'range';
  return Number(v);
}

function allOpts(spec: CommandSpec): Record<string, OptSpec> {
  return Object.assign({}, ...spec.sections.map((s) => s.opts)) as Record<string, OptSpec>;
}

const FORMATS_PEMDER = /^(PEM|pem|P|p|DER|der|D|d)$/;

/** Formats as opts.c's opt_format reads them (first letter, case-blind) → 'PEM' | 'DER'. */
export function formatOf(v: string): 'PEM' | 'DER' | undefined {
  if (/^[pP]/.test(v)) return 'PEM';
  if (/^[dD]/.test(v)) return 'DER';
  return undefined;
}

/**
 * Reads `argv` against `spec`. Prints opts.c's message and "<prog>: Use -help for summary." and
 * returns undefined on an error; prints the summary and returns 'help' for -help.
 * @param acceptUnknown options not in the spec are collected (enc: cipher names) instead of refused
 */
export function parseArgs(
  spec: CommandSpec,
  argv: readonly string[],
  io: CommandIo,
  acceptUnknown = false,
): Parsed | 'help' | undefined {
  const prog = spec.prog;
  const opts = allOpts(spec);
  const list: { name: string; value: string }[] = [];
  const unknown: string[] = [];
  const ints = new Map<string, number>();
  let i = 0;
  const fail = (msg: string) => {
    io.stderr(`${prog}: ${msg}\n${prog}: Use -help for summary.\n`);
    return undefined;
  };
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (a[0] !== '-' || a === '-') break;
    let name = a.slice(a[1] === '-' ? 2 : 1);
    let inline: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      inline = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    if (name === 'help') {
      printHelp(spec, io);
      return 'help';
    }
    const o = opts[name];
    if (!o) {
      if (acceptUnknown) {
        unknown.push(name);
        continue;
      }
      return fail(`Unknown option: -${name}`);
    }
    if (o.type === '-') {
      if (inline !== undefined) return fail(`Option -${name} does not take a value`);
      list.push({ name, value: '' });
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length) return fail(`Option -${name} needs a value`);
      value = argv[++i]!;
    }
    if (o.type === 'p' || o.type === 'n' || o.type === 'N') {
      const n = parseCInt(value);
      if (n === 'nan') return fail(`Can't parse "${value}" as a number`);
      if (n === 'range') return fail(`Value "${value}" outside integer range`);
      if (o.type === 'p' && n <= 0) return fail(`Non-positive number "${value}" for option -${name}`);
      if (o.type === 'N' && n < 0) return fail(`Negative number "${value}" for option -${name}`);
      ints.set(name, n);
    }
    if ((o.type === 'F' && !FORMATS_PEMDER.test(value)) || (o.type === 'f' && !formatOf(value))) {
      io.stderr(`${prog}: Bad format "${value}"\n`);
      return fail(`Invalid format "${value}" for option -${name}`);
    }
    list.push({ name, value });
  }
  const lastOf = (...names: string[]) => {
    for (let i = list.length - 1; i >= 0; i--) if (names.includes(list[i]!.name)) return list[i]!.name;
    return undefined;
  };
  const last = (n: string) => (lastOf(n) === undefined ? undefined : list.filter((x) => x.name === n).at(-1));
  return {
    list,
    rest: argv.slice(i),
    unknown,
    lastOf,
    get: (n) => last(n)?.value,
    has: (n) => last(n) !== undefined,
    int: (n) => (last(n) ? ints.get(n) : undefined),
  };
}

/** opts.c's opt_help: "Usage: …", sections, one option a line with its value name, to stderr. */
export function printHelp(spec: CommandSpec, io: CommandIo): void {
  const lines = [`Usage: ${spec.prog} ${spec.usage}`];
  const label = (name: string, o: OptSpec) => {
    const val =
      o.arg ??
      { '-': '', s: 'val', '<': 'infile', '>': 'outfile', p: '+int', n: 'int', N: 'nonneg', F: 'PEM|DER', f: 'format' }[
        o.type
      ];
    return ` -${name}${val ? ' ' + val : ''}`;
  };
  for (const s of spec.sections) {
    lines.push('', `${s.title}:`);
    for (const [name, o] of Object.entries(s.opts)) {
      const l = label(name, o);
      lines.push(l.length < 20 ? l.padEnd(20) + ' ' + o.help : `${l}\n${''.padEnd(21)}${o.help}`);
    }
  }
  if (spec.params?.length) {
    lines.push('', 'Parameters:');
    for (const [p, h] of spec.params) lines.push(` ${p}`.padEnd(20) + ' ' + h);
  }
  io.stderr(lines.join('\n') + '\n');
}
