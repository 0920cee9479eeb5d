// AWS CLI v2 shorthand syntax (`TagKey=Project,TagValue=kms-lab`, `Purpose=Lab,App=kms-demo`, `a=[x,y]`,
// `b={c=d}`): a port of awscli/shorthand.py (ShorthandParser, BackCompatVisitor) with its error messages.
import { structure, type ServiceModel, type Shape } from './model';

export type Parsed = string | Parsed[] | { [k: string]: Parsed };

export class ShorthandParseError extends Error {
  override name = 'ShorthandParseError';
}

function errorLocation(value: string, index: number): string {
  let consumed = value;
  let remaining = '';
  let spaces = index;
  const before = value.slice(0, index);
  if (before.includes('\n')) spaces = index - before.lastIndexOf('\n') - 1;
  const after = value.slice(index);
  if (after.includes('\n')) {
    const next = index + after.indexOf('\n');
    consumed = value.slice(0, next);
    remaining = value.slice(next);
  }
  return `${consumed}\n${' '.repeat(spaces)}^${remaining}`;
}

function syntaxError(value: string, expected: string, actual: string, index: number): ShorthandParseError {
  return new ShorthandParseError(
    `Expected: '${expected}', received: '${actual}' for input:\n${errorLocation(value, index)}`,
  );
}

const START_WORD = '!#-&(-+\\--<>-Z\\\\-z\\u007c-\\uffff';
const FIRST_FOLLOW = '\\s!#-&(-+\\--\\\\^-|~-\\uffff';
const SECOND_FOLLOW = '\\s!#-&(-+\\--<>-\\uffff';
const word = (follow: string) => new RegExp(`^(?:(\\\\,)|[${START_WORD}])(?:(\\\\,)|[${follow}])*`, 'u');
const FIRST_VALUE = word(FIRST_FOLLOW);
const SECOND_VALUE = word(SECOND_FOLLOW);
const SINGLE_QUOTED = /^'(?:\\\\|\\'|[^'])*'/u;
const DOUBLE_QUOTED = /^"(?:\\\\|\\"|[^"])*"/u;
const KEY_CHARS = /[A-Za-z0-9\-_.#/:]/;
const WHITESPACE = ' \t\n\r\x0b\x0c';
const EOF = Symbol('EOF');
const rstrip = (s: string) => s.replace(/[\s]+$/u, '');

/** Parses one shorthand value into nested objects, lists and strings (scalars are typed afterwards). */
export class ShorthandParser {
  private input = '';
  private i = 0;

  parse(value: string): { [k: string]: Parsed } {
    this.input = value;
    this.i = 0;
    const params: { [k: string]: Parsed } = {};
    const [key, val] = this.keyval();
    params[key] = val;
    let last = this.i;
    while (this.i < this.input.length) {
      this.expect(',', true);
      const [k, v] = this.keyval();
      if (k in params)
        throw new ShorthandParseError(
          `Second instance of key "${k}" encountered for input:\n${errorLocation(this.input, last + 1)}\n` +
            'This is often because there is a preceding "," instead of a space.',
        );
      params[k] = v;
      last = this.i;
    }
    return params;
  }

  private keyval(): [string, Parsed] {
    const key = this.key();
    this.expect('=', true);
    return [key, this.values()];
  }

  private key(): string {
    const start = this.i;
    while (!this.atEof() && KEY_CHARS.test(this.input[this.i]!)) this.i++;
    return this.input.slice(start, this.i);
  }

  private values(): Parsed {
    if (this.atEof()) return '';
    if (this.current() === '[') return this.explicitList();
    if (this.current() === '{') return this.hashLiteral();
    return this.csvValue();
  }

  private csvValue(): Parsed {
    const first = this.firstValue();
    this.consumeWhitespace();
    if (this.atEof() || this.input[this.i] !== ',') return first;
    this.expect(',', true);
    const list: Parsed[] = [first];
    for (;;) {
      try {
        const current = this.secondValue();
        this.consumeWhitespace();
        if (this.atEof()) {
          list.push(current);
          break;
        }
        this.expect(',', true);
        list.push(current);
      } catch (e) {
        if (!(e instanceof ShorthandParseError) || this.atEof()) throw e;
        this.backtrackTo(',');
        break;
      }
    }
    return list.length === 1 ? first : list;
  }

  private value(): string {
    const m = FIRST_VALUE.exec(this.input.slice(this.i));
    if (!m) return '';
    this.i += m[0].length;
    return rstrip(m[0].replaceAll('\\,', ','));
  }

  private explicitList(): Parsed[] {
    this.expect('[', true);
    const values: Parsed[] = [];
    while (this.current() !== ']') {
      values.push(this.explicitValues());
      this.consumeWhitespace();
      if (this.current() !== ']') {
        this.expect(',');
        this.consumeWhitespace();
      }
    }
    this.expect(']');
    return values;
  }

  private explicitValues(): Parsed {
    if (this.current() === '[') return this.explicitList();
    if (this.current() === '{') return this.hashLiteral();
    return this.firstValue();
  }

  private hashLiteral(): { [k: string]: Parsed } {
    this.expect('{', true);
    const out: { [k: string]: Parsed } = {};
    while (this.current() !== '}') {
      const key = this.key();
      this.expect('=', true);
      const v = this.explicitValues();
      this.consumeWhitespace();
      if (this.current() !== '}') {
        this.expect(',');
        this.consumeWhitespace();
      }
      out[key] = v;
    }
    this.expect('}');
    return out;
  }

  private firstValue(): string {
    if (this.current() === "'") return this.quoted(SINGLE_QUOTED, "'", 'singled quoted');
    if (this.current() === '"') return this.quoted(DOUBLE_QUOTED, '"', 'double quoted');
    return this.value();
  }

  private quoted(re: RegExp, ch: string, name: string): string {
    const v = this.mustConsume(re, name).slice(1, -1);
    return v.replaceAll(`\\${ch}`, ch).replaceAll('\\\\', '\\');
  }

  private secondValue(): string {
    if (this.current() === "'") return this.quoted(SINGLE_QUOTED, "'", 'singled quoted');
    if (this.current() === '"') return this.quoted(DOUBLE_QUOTED, '"', 'double quoted');
    return rstrip(this.mustConsume(SECOND_VALUE, 'second').replaceAll('\\,', ','));
  }

  private expect(ch: string, whitespace = false): void {
    if (whitespace) this.consumeWhitespace();
    if (this.i >= this.input.length) throw syntaxError(this.input, ch, 'EOF', this.i);
    const actual = this.input[this.i]!;
    if (actual !== ch) throw syntaxError(this.input, ch, actual, this.i);
    this.i++;
    if (whitespace) this.consumeWhitespace();
  }

  private mustConsume(re: RegExp, name: string): string {
    const m = re.exec(this.input.slice(this.i));
    if (!m) throw syntaxError(this.input, `<${name}>`, '<none>', this.i);
    this.i += m[0].length;
    return m[0];
  }

  private current(): string | typeof EOF {
    return this.i < this.input.length ? this.input[this.i]! : EOF;
  }

  private atEof(): boolean {
    return this.i >= this.input.length;
  }

  private backtrackTo(ch: string): void {
    while (this.i >= 0 && this.input[this.i] !== ch) this.i--;
  }

  private consumeWhitespace(): void {
    for (let c = this.current(); c !== EOF && WHITESPACE.includes(c); c = this.current()) this.i++;
  }
}

/** BackCompatVisitor: a lone value where the model wants a list becomes a one-item list; integers, longs
 * and booleans named in the model are converted from their text (other text is left as is). */
export function backCompat(model: ServiceModel, value: unknown, shape: Shape): unknown {
  const visit = (v: unknown, s: Shape): unknown => {
    if (v === undefined) return v;
    switch (s.t) {
      case 'structure': {
        if (!isDict(v)) return v;
        const st = structure(model, s.ref);
        for (const [name, ms] of Object.entries(st.members)) {
          if (ms.t === 'document' && v[name] !== undefined)
            throw new ShorthandParseError(
              `Shorthand syntax does not support document types. Use JSON input for top-level argument to specify nested parameter: ${name}`,
            );
          if (name in v) v[name] = visit(v[name], ms);
        }
        return v;
      }
      case 'list':
        if (!Array.isArray(v)) return v === null ? v : [v];
        return v.map((x) => visit(x, s.m));
      case 'map':
        if (!isDict(v)) return v;
        for (const k of Object.keys(v)) v[k] = visit(v[k], s.v);
        return v;
      case 'integer':
      case 'long':
        return typeof v === 'string' ? pyInt(v) : v;
      case 'boolean':
        if (typeof v === 'string' && v.toLowerCase() === 'true') return true;
        if (typeof v === 'string' && v.toLowerCase() === 'false') return false;
        return v;
      default:
        return v;
    }
  };
  return visit(value, shape);
}

export const isDict = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

/** Python's int(text): the CLI's message when the text is not an integer. */
export class PythonValueError extends Error {
  override name = 'ValueError';
}

export function pyInt(text: string): number {
  const t = text.trim().replaceAll('_', '');
  if (!/^[+-]?\d+$/.test(t)) throw new PythonValueError(`invalid literal for int() with base 10: ${pyRepr(text)}`);
  return Number(t);
}

/** Python's repr of a value as the CLI's messages show it (str, int, bool, list, dict, bytes). */
export function pyRepr(v: unknown): string {
  if (typeof v === 'string') {
    const q = v.includes("'") && !v.includes('"') ? '"' : "'";
    const body = v.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('\r', '\\r').replaceAll('\t', '\\t');
    return q + (q === "'" ? body.replaceAll("'", "\\'") : body) + q;
  }
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'number') return String(v);
  if (v instanceof Uint8Array) return `b'${[...v].map((b) => String.fromCharCode(b)).join('')}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (isDict(v))
    return `{${Object.entries(v)
      .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
      .join(', ')}}`;
  return String(v);
}

/** Python's type() of a parsed value, as `<class 'list'>`. */
export function pyType(v: unknown): string {
  const n =
    typeof v === 'string'
      ? 'str'
      : typeof v === 'boolean'
        ? 'bool'
        : typeof v === 'number'
          ? Number.isInteger(v)
            ? 'int'
            : 'float'
          : Array.isArray(v)
            ? 'list'
            : v instanceof Uint8Array
              ? 'bytes'
              : v === null
                ? 'NoneType'
                : 'dict';
  return `<class '${n}'>`;
}
