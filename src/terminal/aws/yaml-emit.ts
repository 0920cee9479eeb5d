// `--output yaml` byte for byte as AWS CLI v2 writes it: ruamel.yaml's safe dumper in block style, which
// runs libyaml's emitter (ruamel.yaml.clib) with YAML 1.2 implicit resolvers. This is that emitter's scalar
// analysis, style choice, folding at 80 columns ("one word late": a space breaks only once the column has
// passed the width) and quoting, over the JSON-shaped values a response has. The `yaml` package folds
// before the width and quotes otherwise, so its output differs on long, multi-line and non-ASCII strings.
import type { Json } from './output';

const BEST_WIDTH = 80;
const BEST_INDENT = 2;
/** libyaml writes a key longer than this as a complex key (`? key`). */
const MAX_SIMPLE_KEY = 128;

/** ruamel.yaml's VersionedResolver for YAML 1.2: a plain string matching one of these is not a string. */
const IMPLICIT: RegExp[] = [
  /^(?:true|True|TRUE|false|False|FALSE)$/,
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  /^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$/,
  /^(?:<<)$/,
  /^(?:~|null|Null|NULL|)$/,
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  /^(?:=)$/,
  /^(?:!|&|\*)$/,
];

const isBreak = (c: string | undefined) => c === '\n' || c === '\r' || c === '\x85' || c === '\u2028' || c === '\u2029';
const isBlankZ = (c: string | undefined) => c === undefined || c === ' ' || c === '\t' || c === '\0' || isBreak(c);

/** libyaml's IS_PRINTABLE: supplementary-plane characters (emoji) are not, nor NEL, nor the BOM. */
function isPrintable(c: string): boolean {
  const v = c.codePointAt(0)!;
  return (
    v === 0x0a || (v >= 0x20 && v <= 0x7e) || (v >= 0xa0 && v <= 0xd7ff) || (v >= 0xe000 && v <= 0xfffd && v !== 0xfeff)
  );
}

interface Analysis {
  multiline: boolean;
  blockPlain: boolean;
  singleQuoted: boolean;
}

/** yaml_emitter_analyze_scalar, for block context (flow styles are never chosen for strings here). */
function analyze(chars: readonly string[]): Analysis {
  if (!chars.length) return { multiline: false, blockPlain: true, singleQuoted: true };
  const text = chars.join('');
  let blockIndicators = text.startsWith('---') || text.startsWith('...');
  let special = false;
  let lineBreaks = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const followedByWhitespace = isBlankZ(chars[i + 1]);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockIndicators = true;
      if ((c === '?' || c === ':') && followedByWhitespace) blockIndicators = true;
      if (c === '-' && followedByWhitespace) blockIndicators = true;
    } else {
      if (c === ':' && followedByWhitespace) blockIndicators = true;
      if (c === '#' && precededByWhitespace) blockIndicators = true;
    }
    if (!isPrintable(c)) special = true;
    if (isBreak(c)) lineBreaks = true;
    if (c === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankZ(c);
  }
  let blockPlain = true;
  let singleQuoted = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlain = false;
  if (breakSpace) blockPlain = singleQuoted = false;
  if (spaceBreak || special) blockPlain = singleQuoted = false;
  if (lineBreaks) blockPlain = false;
  if (blockIndicators) blockPlain = false;
  return { multiline: lineBreaks, blockPlain, singleQuoted };
}

const ESCAPES: Record<number, string> = {
  0x00: '0',
  0x07: 'a',
  0x08: 'b',
  0x09: 't',
  0x0a: 'n',
  0x0b: 'v',
  0x0c: 'f',
  0x0d: 'r',
  0x1b: 'e',
  0x22: '"',
  0x5c: '\\',
  0x85: 'N',
  0xa0: '_',
  0x2028: 'L',
  0x2029: 'P',
};

/** The emitter's output and its position, as libyaml tracks them (column in characters). */
class Writer {
  out = '';
  column = 0;
  /** The last thing written was whitespace (or nothing): an indicator needs no space before it. */
  whitespace = true;
  /** Only indentation has been written on this line so far. */
  indention = true;
  indent = -1;

  put(s: string): void {
    this.out += s;
    this.column += [...s].length;
  }
  newline(): void {
    this.out += '\n';
    this.column = 0;
  }
  /** yaml_emitter_write_indent. */
  writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.newline();
    while (this.column < indent) this.put(' ');
    this.whitespace = true;
    this.indention = true;
  }
  /** yaml_emitter_write_indicator. */
  indicator(s: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    this.put(s);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }
}

/** One string scalar: style chosen as yaml_emitter_select_scalar_style does, then written. */
function writeString(w: Writer, text: string, simpleKey: boolean): void {
  const chars = [...text];
  const a = analyze(chars);
  const plainImplicit = !IMPLICIT.some((r) => r.test(text));
  let style: 'plain' | 'single' | 'double' = 'plain';
  if (simpleKey && a.multiline) style = 'double';
  else {
    if (!a.blockPlain || (!chars.length && simpleKey) || !plainImplicit) style = 'single';
    if (style === 'single' && !a.singleQuoted) style = 'double';
  }
  const split = !simpleKey;
  if (style === 'plain') writePlain(w, chars, split);
  else if (style === 'single') writeSingle(w, chars, split);
  else writeDouble(w, chars, split);
}

function writePlain(w: Writer, chars: readonly string[], split: boolean): void {
  if (!w.whitespace && chars.length) w.put(' ');
  let spaces = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === ' ') {
      if (split && !spaces && w.column > BEST_WIDTH && chars[i + 1] !== ' ') w.writeIndent();
      else w.put(c);
      spaces = true;
    } else {
      w.put(c);
      w.indention = false;
      spaces = false;
    }
  }
  w.whitespace = false;
  w.indention = false;
}

function writeSingle(w: Writer, chars: readonly string[], split: boolean): void {
  w.indicator("'", true, false, false);
  let spaces = false;
  let breaks = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === ' ') {
      if (split && !spaces && w.column > BEST_WIDTH && i !== 0 && i !== chars.length - 1 && chars[i + 1] !== ' ')
        w.writeIndent();
      else w.put(c);
      spaces = true;
    } else if (isBreak(c)) {
      if (!breaks && c === '\n') w.newline();
      if (c === '\n') w.newline();
      else {
        w.out += c;
        w.column = 0;
      }
      w.indention = true;
      breaks = true;
    } else {
      if (breaks) w.writeIndent();
      w.put(c === "'" ? "''" : c);
      w.indention = false;
      spaces = false;
      breaks = false;
    }
  }
  if (breaks) w.writeIndent();
  w.indicator("'", false, false, false);
}

function writeDouble(w: Writer, chars: readonly string[], split: boolean): void {
  w.indicator('"', true, false, false);
  let spaces = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const v = c.codePointAt(0)!;
    if (!isPrintable(c) || isBreak(c) || c === '"' || c === '\\') {
      const hex = (n: number) => v.toString(16).toUpperCase().padStart(n, '0');
      w.put(`\\${ESCAPES[v] ?? (v <= 0xff ? `x${hex(2)}` : v <= 0xffff ? `u${hex(4)}` : `U${hex(8)}`)}`);
      spaces = false;
    } else if (c === ' ') {
      if (split && !spaces && w.column > BEST_WIDTH && i !== 0 && i !== chars.length - 1) {
        w.writeIndent();
        if (chars[i + 1] === ' ') w.put('\\');
      } else w.put(c);
      spaces = true;
    } else {
      w.put(c);
      spaces = false;
    }
  }
  w.indicator('"', false, false, false);
}

/** A number as Python prints what json.loads made of it: integers (what JSON writes without a point or
 * exponent) as they are, other values as repr(float) (shortest digits; exponent below 1e-4 or from 1e16,
 * at least two exponent digits). */
function number(n: number): string {
  if (Number.isNaN(n)) return '.nan';
  if (!Number.isFinite(n)) return n > 0 ? '.inf' : '-.inf';
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const [m, e] = n.toExponential().split('e') as [string, string];
  const exp = Number(e);
  const digits = m.replace('-', '').replace('.', '');
  const sign = n < 0 ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  return `${sign}${digits.slice(0, exp + 1).padEnd(exp + 1, '0')}.${digits.slice(exp + 1) || '0'}`;
}

function writeScalar(w: Writer, v: null | boolean | number | string, simpleKey: boolean): void {
  if (typeof v === 'string') return writeString(w, v, simpleKey);
  writePlain(w, [...(v === null ? 'null' : typeof v === 'number' ? number(v) : String(v))], !simpleKey);
}

const isCollection = (v: Json): v is Json[] | { [k: string]: Json } => v !== null && typeof v === 'object';
const isEmpty = (v: Json[] | { [k: string]: Json }) => (Array.isArray(v) ? !v.length : !Object.keys(v).length);

/** A node in block context (yaml_emitter_emit_node for our values). */
function writeNode(w: Writer, v: Json, ctx: { mapping: boolean }, sortKeys: (keys: string[]) => string[]): void {
  const saved = w.indent;
  if (!isCollection(v)) {
    w.indent = w.indent < 0 ? BEST_INDENT : w.indent + BEST_INDENT;
    writeScalar(w, v, false);
  } else if (isEmpty(v)) {
    w.indicator(Array.isArray(v) ? '[' : '{', true, true, false);
    w.indicator(Array.isArray(v) ? ']' : '}', false, false, false);
  } else if (Array.isArray(v)) {
    // A sequence directly under a mapping key is "indentless": its dashes line up with the key.
    const indentless = ctx.mapping && !w.indention;
    if (w.indent < 0) w.indent = 0;
    else if (!indentless) w.indent += BEST_INDENT;
    for (const item of v) {
      w.writeIndent();
      w.indicator('-', true, false, true);
      writeNode(w, item, { mapping: false }, sortKeys);
    }
  } else {
    w.indent = w.indent < 0 ? 0 : w.indent + BEST_INDENT;
    for (const key of sortKeys(Object.keys(v))) {
      w.writeIndent();
      if (new TextEncoder().encode(key).length <= MAX_SIMPLE_KEY && !analyze([...key]).multiline) {
        writeScalar(w, key, true);
        w.indicator(':', false, false, false);
      } else {
        w.indicator('?', true, false, true);
        writeNode(w, key, { mapping: false }, sortKeys);
        w.writeIndent();
        w.indicator(':', true, false, true);
      }
      writeNode(w, v[key]!, { mapping: true }, sortKeys);
    }
  }
  w.indent = saved;
}

/** A document holding `data` (a mapping or a sequence), ending in a newline as ruamel's dump does. */
export function emitYaml(data: Json[] | { [k: string]: Json }, sortKeys: (keys: string[]) => string[]): string {
  const w = new Writer();
  writeNode(w, data, { mapping: false }, sortKeys);
  return `${w.out}\n`;
}
