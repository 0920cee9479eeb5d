// od as GNU coreutils prints it (od(1)): -A {o,d,x,n}, -t {x,o,d,u}{1,2,4,8}[z] / c / a, their short
// forms -b -c -d -o -x, -j, -N, -w and -v; identical lines collapse into `*` unless -v. The library's
// own od ignores -t x1, which hex-dump instructions use most.

import type { CommandIo } from '../../io';
import { readInput, usage } from './input';

interface Format {
  kind: 'x' | 'o' | 'd' | 'u' | 'c' | 'a';
  size: number;
  z: boolean;
}

const WIDTH: Record<string, number[]> = {
  x: [0, 2, 4, 0, 8, 0, 0, 0, 16],
  o: [0, 3, 6, 0, 11, 0, 0, 0, 22],
  u: [0, 3, 5, 0, 10, 0, 0, 0, 20],
  d: [0, 4, 6, 0, 11, 0, 0, 0, 20],
};
const ESCAPES: Record<number, string> = {
  0: '\\0',
  7: '\\a',
  8: '\\b',
  9: '\\t',
  10: '\\n',
  11: '\\v',
  12: '\\f',
  13: '\\r',
};
const NAMES =
  'nul soh stx etx eot enq ack bel bs ht nl vt ff cr so si dle dc1 dc2 dc3 dc4 nak syn etb can em sub esc fs gs rs us sp'.split(
    ' ',
  );
const SIZES: Record<string, number> = { C: 1, S: 2, I: 4, L: 8 };

function parseType(spec: string): Format[] | undefined {
  const out: Format[] = [];
  let s = spec;
  while (s) {
    const m = /^([xoduca])([1248CSIL]?)(z?)/.exec(s);
    if (!m || m[0] === '') return undefined;
    const kind = m[1] as Format['kind'];
    const size = kind === 'c' || kind === 'a' ? 1 : (SIZES[m[2]!] ?? (m[2] ? Number(m[2]) : 4));
    out.push({ kind, size, z: m[3] === 'z' });
    s = s.slice(m[0].length);
  }
  return out;
}

function width(f: Format): number {
  return f.kind === 'c' || f.kind === 'a' ? 3 : WIDTH[f.kind]![f.size]!;
}

function field(f: Format, bytes: Uint8Array, at: number): string {
  if (f.kind === 'c') {
    const b = bytes[at]!;
    return ESCAPES[b] ?? (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : b.toString(8).padStart(3, '0'));
  }
  if (f.kind === 'a') {
    const b = bytes[at]! & 0x7f;
    return b === 0x7f ? 'del' : b <= 0x20 ? NAMES[b]! : String.fromCharCode(b);
  }
  let v = 0n;
  for (let k = f.size - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[at + k] ?? 0); // little-endian, as on x86
  if (f.kind === 'd' && v >= 1n << BigInt(f.size * 8 - 1)) v -= 1n << BigInt(f.size * 8);
  const text = f.kind === 'x' ? v.toString(16) : f.kind === 'o' ? v.toString(8) : v.toString(10);
  return f.kind === 'x' || f.kind === 'o' ? text.padStart(width(f), '0') : text;
}

export async function od(argv: readonly string[], io: CommandIo): Promise<number> {
  let radix = 'o';
  const formats: Format[] = [];
  let skip = 0;
  let count = Infinity;
  let lineWidth = 16;
  let verbose = false;
  const files: string[] = [];
  const short: Record<string, string> = { b: 'o1', c: 'c', d: 'u2', o: 'o2', x: 'x2', i: 'd4', l: 'd8' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (flag: string) => (a.length > flag.length ? a.slice(flag.length) : argv[++i]);
    let spec: string | undefined;
    if (a === '-v' || a === '--output-duplicates') verbose = true;
    else if (a.startsWith('-A')) radix = value('-A') ?? '';
    else if (a.startsWith('--address-radix=')) radix = a.slice(16);
    else if (a.startsWith('-t')) spec = value('-t');
    else if (a.startsWith('--format=')) spec = a.slice(9);
    else if (a.startsWith('-j')) skip = Number(value('-j'));
    else if (a.startsWith('-N')) count = Number(value('-N'));
    else if (a.startsWith('-w')) lineWidth = a.length > 2 ? Number(a.slice(2)) : 32;
    else if (/^-[bcdoxil]+$/.test(a)) for (const ch of a.slice(1)) formats.push(...parseType(short[ch]!)!);
    else if (a.startsWith('-') && a !== '-') return usage(io, 'od', `invalid option -- '${a.slice(1)}'`);
    else files.push(a);
    if (spec !== undefined) {
      const parsed = parseType(spec);
      if (!parsed) return usage(io, 'od', `invalid type string '${spec}'`);
      formats.push(...parsed);
    }
  }
  if (!'odxn'.includes(radix) || radix.length !== 1) return usage(io, 'od', `invalid output address radix '${radix}'`);
  if ([skip, count, lineWidth].some((n) => Number.isNaN(n) || n < 0)) return usage(io, 'od', 'invalid number');
  if (!formats.length) formats.push({ kind: 'o', size: 2, z: false });
  const input = await readInput(io, 'od', files);
  if (input === undefined) return 1;
  const data = input.subarray(skip, Number.isFinite(count) ? skip + count : undefined);
  // Columns line up across formats: each byte gets the widest format's share of a field.
  const perByte = Math.max(...formats.map((f) => (width(f) + 1) / f.size));
  const address = (n: number) =>
    radix === 'n'
      ? ''
      : radix === 'x'
        ? n.toString(16).padStart(6, '0')
        : n.toString(radix === 'd' ? 10 : 8).padStart(7, '0');
  let out = '';
  let previous: Uint8Array | undefined;
  let starred = false;
  for (let at = 0; at < data.length; at += lineWidth) {
    const row = data.subarray(at, at + lineWidth);
    if (!verbose && previous && row.length === lineWidth && row.every((b, k) => b === previous![k])) {
      if (!starred) out += '*\n';
      starred = true;
      continue;
    }
    starred = false;
    previous = row;
    formats.forEach((f, n) => {
      let line = n === 0 ? address(at + skip) : ' '.repeat(address(0).length);
      for (let k = 0; k < row.length; k += f.size) line += field(f, row, k).padStart(perByte * f.size);
      if (f.z) {
        const fields = Math.ceil(lineWidth / f.size) - Math.ceil(row.length / f.size);
        line += ' '.repeat(fields * perByte * f.size);
        line += `  >${Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('')}<`;
      }
      out += `${line}\n`;
    });
  }
  if (radix !== 'n') out += `${address(data.length + skip)}\n`;
  io.stdout(out);
  return 0;
}
