// Serialization of a backup's values: a strict subset of CBOR (RFC 8949) with RFC 8746's
// typed-array tags, documented in docs/FORMAT.md "Backup files", "Serialization". Pure bytes.
// Why CBOR and not tagged JSON: bytes stay bytes (no base64, no "$b64" escaping rule), numbers keep
// every bit (-0, NaN), and any CBOR tool can read a decrypted payload. Why not a library: this
// subset is ~200 lines, and the decoder must refuse far more than a general CBOR library does.
import { utf8Encode } from '../../format/bytes';
import { BackupFormatException, BackupValueException } from '../errors';

/** Deeper nesting is refused: it bounds the decoder's recursion and catches cycles in the encoder. */
export const MAX_DEPTH = 64;

// CBOR initial bytes and tags this subset uses (RFC 8949 §3, RFC 8746 §2.1).
const UINT = 0,
  NEGINT = 1,
  BYTES = 2,
  TEXT = 3,
  ARRAY = 4,
  MAP = 5,
  TAG = 6;
const FALSE = 0xf4,
  TRUE = 0xf5,
  NULL = 0xf6,
  UNDEFINED = 0xf7,
  FLOAT64 = 0xfb;
/** RFC 8746 "uint8 Typed Array": a Uint8Array, where a bare byte string is an ArrayBuffer. */
const TAG_UINT8 = 64;
/** RFC 8746 "uint16 big endian Typed Array": here, only the UTF-16 code units of a string that is not well-formed (lone surrogates), which UTF-8 cannot carry. */
const TAG_UINT16BE = 65;

// ignoreBOM: a string that starts with U+FEFF must keep it (the default decoder strips it).
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// With the u flag, a surrogate range matches only lone surrogates (a pair is one code point).
// (String.prototype.isWellFormed is ES2024; the core's lib is ES2022.)
const wellFormed = (s: string) => !/[\uD800-\uDFFF]/u.test(s);
export const tagOf = (v: object) => Object.prototype.toString.call(v).slice(8, -1);

/** Thrown inside the walk; the path is filled in on the way out, so the happy path builds no strings. */
class At {
  readonly path: (string | number)[] = [];
  constructor(
    readonly what: 'value' | 'format',
    readonly detail: string,
  ) {}
}
const describePath = (root: string, path: (string | number)[]) =>
  path.reduce<string>(
    (s, p) =>
      typeof p === 'number' ? `${s}[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `${s}.${p}` : `${s}[${JSON.stringify(p)}]`,
    root,
  );

class Writer {
  buf = new Uint8Array(1 << 16);
  n = 0;
  room(k: number) {
    if (this.n + k <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.n + k) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.n));
    this.buf = b;
  }
  byte(b: number) {
    this.room(1);
    this.buf[this.n++] = b;
  }
  bytes(b: Uint8Array) {
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }
  /** The shortest head for the argument (RFC 8949 §4.2.1, preferred serialization). */
  head(major: number, arg: number) {
    const m = major << 5;
    if (arg < 24) return this.byte(m | arg);
    const [ai, len] = arg < 0x100 ? [24, 1] : arg < 0x10000 ? [25, 2] : arg < 0x100000000 ? [26, 4] : [27, 8];
    this.room(1 + len);
    this.buf[this.n++] = m | ai;
    for (let i = len - 1; i >= 0; i--) this.buf[this.n++] = Math.floor(arg / 2 ** (8 * i)) % 256;
  }
  float64(x: number) {
    this.room(9);
    this.buf[this.n] = FLOAT64;
    new DataView(this.buf.buffer).setFloat64(this.n + 1, x);
    this.n += 9;
  }
  string(s: string) {
    if (wellFormed(s)) {
      const b = utf8Encode(s);
      this.head(TEXT, b.length);
      return this.bytes(b);
    }
    this.head(TAG, TAG_UINT16BE);
    this.head(BYTES, s.length * 2);
    this.room(s.length * 2);
    for (let i = 0; i < s.length; i++) {
      this.buf[this.n++] = s.charCodeAt(i) >> 8;
      this.buf[this.n++] = s.charCodeAt(i) & 0xff;
    }
  }
  value(v: unknown, depth: number): void {
    if (v === null) return this.byte(NULL);
    if (v === undefined) return this.byte(UNDEFINED);
    if (v === false || v === true) return this.byte(v ? TRUE : FALSE);
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v) || Object.is(v, -0)) return this.float64(v);
      return v >= 0 ? this.head(UINT, v) : this.head(NEGINT, -1 - v);
    }
    if (typeof v === 'string') return this.string(v);
    if (typeof v !== 'object') throw new At('value', `is a ${typeof v}, which a backup cannot hold`);
    /* Precondition: nesting stays within MAX_DEPTH (a deeper or self-referring value is refused). */
    if (depth >= MAX_DEPTH) throw new At('value', `is nested more than ${MAX_DEPTH} levels deep or refers to itself`);
    const tag = tagOf(v);
    if (tag === 'CryptoKey')
      throw new At(
        'value',
        'is a CryptoKey; a backup holds key material only in wrapped form, so snapshot the wrapped bytes and leave the CryptoKey out',
      );
    if (tag === 'Uint8Array') {
      this.head(TAG, TAG_UINT8);
      this.head(BYTES, (v as Uint8Array).length);
      return this.bytes(v as Uint8Array);
    }
    if (tag === 'ArrayBuffer') {
      this.head(BYTES, (v as ArrayBuffer).byteLength);
      return this.bytes(new Uint8Array(v as ArrayBuffer));
    }
    if (Array.isArray(v)) {
      this.head(ARRAY, v.length);
      for (let i = 0; i < v.length; i++) {
        try {
          this.value(v[i], depth + 1);
        } catch (e) {
          if (e instanceof At) e.path.unshift(i);
          throw e;
        }
      }
      return;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null)
      throw new At('value', `is a ${tag}, which a backup cannot hold (only JSON values, Uint8Array and ArrayBuffer)`);
    // An undefined member is absent, as in JSON: it must come back absent, not as `undefined`.
    const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined);
    this.head(MAP, keys.length);
    for (const k of keys) {
      this.string(k);
      try {
        this.value((v as Record<string, unknown>)[k], depth + 1);
      } catch (e) {
        if (e instanceof At) e.path.unshift(k);
        throw e;
      }
    }
  }
}

class Reader {
  pos = 0;
  private readonly dv: DataView;
  constructor(private readonly b: Uint8Array) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  fail(detail: string): never {
    throw new At('format', `${detail} at byte ${this.pos}`);
  }
  need(k: number) {
    if (k > this.b.length - this.pos) this.fail('ends early');
  }
  /** Reads a head; refuses indefinite lengths, non-shortest forms and arguments past 2^53-1. */
  head(): [major: number, arg: number, initial: number] {
    this.need(1);
    const ib = this.b[this.pos]!;
    const major = ib >> 5,
      ai = ib & 31;
    if (major === 7) return [7, ai, ib];
    if (ai < 24) return (this.pos++, [major, ai, ib]);
    if (ai > 27) this.fail('holds an indefinite length or a reserved value');
    const len = 1 << (ai - 24);
    this.need(1 + len);
    let arg = 0;
    for (let i = 1; i <= len; i++) arg = arg * 256 + this.b[this.pos + i]!;
    if (arg > Number.MAX_SAFE_INTEGER) this.fail('holds an integer past 2^53-1');
    if (arg < (len === 1 ? 24 : 2 ** (4 * len))) this.fail('holds an integer not in its shortest form');
    this.pos += 1 + len;
    return [major, arg, ib];
  }
  take(n: number): Uint8Array {
    this.need(n);
    return this.b.subarray(this.pos, (this.pos += n));
  }
  byteString(): Uint8Array {
    const [major, n] = this.head();
    if (major !== BYTES) this.fail('holds a tag over something other than bytes');
    return this.take(n);
  }
  string(major: number, arg: number): string {
    if (major === TEXT) {
      try {
        return utf8.decode(this.take(arg));
      } catch {
        this.pos -= arg;
        return this.fail('holds text that is not UTF-8');
      }
    }
    if (major === TAG && arg === TAG_UINT16BE) {
      const b = this.byteString();
      if (b.length % 2) this.fail('holds UTF-16 of odd length');
      let s = '';
      for (let i = 0; i < b.length; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!);
      // Well-formed strings are always UTF-8 text: one value, one encoding.
      if (wellFormed(s)) this.fail('holds a well-formed string as UTF-16');
      return s;
    }
    return this.fail('holds a map key that is not a string');
  }
  value(depth: number): unknown {
    const start = this.pos;
    const [major, arg, ib] = this.head();
    switch (major) {
      case UINT:
        return arg;
      case NEGINT:
        if (arg > Number.MAX_SAFE_INTEGER - 1) this.fail('holds an integer past -(2^53-1)');
        return -1 - arg;
      case BYTES:
        return this.take(arg).slice().buffer;
      case TEXT:
        return this.string(major, arg);
      case TAG:
        if (arg === TAG_UINT8) return this.byteString().slice();
        if (arg === TAG_UINT16BE) return this.string(major, arg);
        return this.fail(`holds CBOR tag ${arg}, which a backup does not use`);
      case 7: {
        this.pos++;
        if (ib === NULL) return null;
        if (ib === UNDEFINED) return undefined;
        if (ib === FALSE || ib === TRUE) return ib === TRUE;
        if (ib !== FLOAT64)
          return ((this.pos = start), this.fail('holds a simple value or float size a backup does not use'));
        this.need(8);
        const x = this.dv.getFloat64(this.pos);
        if (Number.isSafeInteger(x) && !Object.is(x, -0))
          return ((this.pos = start), this.fail('holds an integer written as a float'));
        this.pos += 8;
        return x;
      }
    }
    /* Precondition: nesting stays within MAX_DEPTH (a deeper or self-referring value is refused). */
    if (depth >= MAX_DEPTH) this.fail(`is nested more than ${MAX_DEPTH} levels deep`);
    // Each element takes at least one byte: a count past the bytes left cannot be honest.
    if (arg > this.b.length - this.pos) this.fail('holds a count past the end');
    if (major === ARRAY) {
      const out: unknown[] = [];
      for (let i = 0; i < arg; i++) out.push(this.value(depth + 1));
      return out;
    }
    const out: Record<string, unknown> = {};
    for (let i = 0; i < arg; i++) {
      const [km, ka] = this.head();
      const k = this.string(km, ka);
      if (Object.prototype.hasOwnProperty.call(out, k)) this.fail('holds a repeated map key');
      const v = this.value(depth + 1);
      if (v === undefined) this.fail('holds a map member whose value is undefined');
      // "__proto__" is an own member like any other, never the object's prototype.
      if (k === '__proto__')
        Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      else out[k] = v;
    }
    return out;
  }
}

/** Serializes a JSON-with-bytes value (`root` names it in errors).
 * @throws BackupValueException for a CryptoKey, a type outside JSON-with-bytes, or nesting past MAX_DEPTH. */
export function encodeValue(v: unknown, root = 'value'): Uint8Array {
  const w = new Writer();
  try {
    w.value(v, 0);
  } catch (e) {
    if (e instanceof At) throw new BackupValueException(`"${describePath(root, e.path)}" ${e.detail}.`);
    throw e;
  }
  return w.buf.slice(0, w.n);
}

/** Parses exactly one value filling all of `bytes`.
 * @throws BackupFormatException for anything encodeValue would not have written. */
export function decodeValue(bytes: Uint8Array): unknown {
  const r = new Reader(bytes);
  try {
    const v = r.value(0);
    if (r.pos !== bytes.length) r.fail('has bytes after its end');
    return v;
  } catch (e) {
    if (e instanceof At)
      throw new BackupFormatException(
        `The backup's contents are malformed (the serialized snapshot ${e.detail}); it was not written by a compatible Pocket KMS.`,
      );
    throw e;
  }
}
