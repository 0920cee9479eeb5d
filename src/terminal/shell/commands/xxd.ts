// xxd as vim's xxd(1) prints it: the default dump (`-c`, `-g`, `-l`, `-s`, `-u`), the plain dump `-p`,
// and `-r` / `-r -p` back to bytes (lab sheets turn hex keys into files with `xxd -r -p`).

import type { CommandIo } from '../../io';
import { readInput, usage } from './input';

const hex2 = (b: number, upper: boolean) => {
  const h = b.toString(16).padStart(2, '0');
  return upper ? h.toUpperCase() : h;
};

function dump(data: Uint8Array, cols: number, group: number, upper: boolean, offset: number): string {
  let out = '';
  const hexWidth = cols * 2 + (group > 0 ? Math.ceil(cols / group) - 1 : 0);
  for (let at = 0; at < data.length; at += cols) {
    const row = data.subarray(at, at + cols);
    let hex = '';
    for (let j = 0; j < row.length; j++) {
      hex += hex2(row[j]!, upper);
      if (group > 0 && (j + 1) % group === 0 && j < cols - 1) hex += ' ';
    }
    const text = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    out += `${(at + offset).toString(16).padStart(8, '0')}: ${hex.padEnd(hexWidth)}  ${text}\n`;
  }
  return out;
}

function plain(data: Uint8Array, cols: number, upper: boolean): string {
  let out = '';
  for (let at = 0; at < data.length; at += cols)
    out += `${Array.from(data.subarray(at, at + cols), (b) => hex2(b, upper)).join('')}\n`;
  return out;
}

/** `-r -p`: every pair of hex digits, whitespace ignored; `-r`: the hex columns of a default dump. */
function reverse(text: string, isPlain: boolean): Uint8Array {
  const digits = isPlain
    ? text.replace(/[^0-9a-fA-F]/g, '')
    : text
        .split('\n')
        .map((line) => (line.split(/:\s/, 2)[1] ?? '').split(/ {2}/)[0]!.replace(/[^0-9a-fA-F]/g, ''))
        .join('');
  const out = new Uint8Array(digits.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export async function xxd(argv: readonly string[], io: CommandIo): Promise<number> {
  let isPlain = false;
  let rev = false;
  let upper = false;
  let cols: number | undefined;
  let group: number | undefined;
  let length = Infinity;
  let seek = 0;
  const files: string[] = [];
  const num = (v: string | undefined) => (v === undefined ? NaN : Number(v));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => (a.length > 2 && /^-[cgls]/.test(a) ? a.slice(2) : argv[++i]);
    if (a === '-p' || a === '-ps' || a === '-plain' || a === '-postscript') isPlain = true;
    else if (a === '-r' || a === '-revert') rev = true;
    else if (a === '-rp' || a === '-pr') rev = isPlain = true;
    else if (a === '-u') upper = true;
    else if (a.startsWith('-c')) cols = num(value());
    else if (a.startsWith('-g')) group = num(value());
    else if (a.startsWith('-l')) length = num(value());
    else if (a.startsWith('-s')) seek = num(value());
    else if (a.startsWith('-') && a !== '-') return usage(io, 'xxd', `invalid option -- '${a}'`);
    else files.push(a);
  }
  if ([cols ?? 1, group ?? 0, length, seek].some((n) => Number.isNaN(n) || n < 0))
    return usage(io, 'xxd', 'invalid number');
  const input = await readInput(io, 'xxd', files.slice(0, 1));
  if (input === undefined) return 2;
  let result: Uint8Array | string;
  if (rev) result = reverse(new TextDecoder().decode(input), isPlain);
  else {
    const data = input.subarray(seek, Number.isFinite(length) ? seek + length : undefined);
    result = isPlain ? plain(data, cols || 30, upper) : dump(data, cols || 16, group ?? 2, upper, seek);
  }
  const outFile = files[1];
  if (outFile !== undefined)
    await io.writeFile(outFile, typeof result === 'string' ? new TextEncoder().encode(result) : result);
  else io.stdout(result);
  return 0;
}
