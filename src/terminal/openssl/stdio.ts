// What every openssl subcommand does with files: read -in or standard input, write -out or standard
// output, and say what failed in OpenSSL 3's words (apps/lib/apps.c bio_open_default), plus the
// BIO_f_base64 text form (64-column lines, or one line with -A) that enc, base64 and rand write.

import { TerminalFileError, type CommandIo } from '../io';
import { toBase64 } from '../../format/bytes';

/** The bytes of `path`, or of standard input when `path` is undefined; undefined (after OpenSSL's
 * message on stderr) when the file cannot be read. */
export async function readInput(io: CommandIo, path: string | undefined): Promise<Uint8Array | undefined> {
  if (path === undefined || path === '-') return io.stdin;
  try {
    return await io.readFile(path);
  } catch (e) {
    if (!(e instanceof TerminalFileError)) throw e;
    io.stderr(`Can't open "${path}" for reading, No such file or directory\n`);
    return undefined;
  }
}

/** Writes to `path`, or to standard output; false (after OpenSSL's message) when the file cannot be written. */
export async function writeOutput(
  io: CommandIo,
  path: string | undefined,
  data: Uint8Array | string,
  /** pkey opens its output as a private file (bio_open_owner), whose message names the command. */
  prog?: string,
): Promise<boolean> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  if (path === undefined || path === '-') {
    if (bytes.length) io.stdout(bytes);
    return true;
  }
  try {
    await io.writeFile(path, bytes);
    return true;
  } catch (e) {
    if (!(e instanceof TerminalFileError)) throw e;
    io.stderr(`${prog ? `${prog}: ` : ''}Can't open "${path}" for writing, No such file or directory\n`);
    return false;
  }
}

/** BIO_f_base64 output: lines of 64 characters each ending in a newline, or one line without any (-A). */
export function base64Text(b: Uint8Array, oneLine: boolean): string {
  if (b.length === 0) return '';
  const s = toBase64(b);
  return oneLine ? s : s.replace(/.{1,64}/g, '$&\n');
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const WS = /[ \t\r]/g;

/** Complete groups of four, up to and including a group with '=' padding; undefined on a foreign character. */
function decodeGroups(chars: string, keepPartial: boolean): Uint8Array | undefined {
  const out: number[] = [];
  const v = (c: string) => B64.indexOf(c);
  for (let i = 0; i < chars.length; i += 4) {
    const g = chars.slice(i, i + 4);
    if (!/^[A-Za-z0-9+/]*=*$/.test(g)) return undefined;
    if (g.length < 4) return keepPartial ? Uint8Array.from(out) : undefined;
    const [a, b, c, d] = [...g].map(v) as [number, number, number, number];
    if (a < 0 || b < 0) return undefined;
    out.push(((a << 2) | (b >> 4)) & 255);
    if (c >= 0) out.push(((b << 4) | (c >> 2)) & 255);
    if (c >= 0 && d >= 0) out.push(((c << 6) | d) & 255);
    if (d < 0) return i + 4 === chars.length ? Uint8Array.from(out) : undefined;
  }
  return Uint8Array.from(out);
}

/**
 * BIO_f_base64 input as OpenSSL 3.0 reads it (checked against it in the tests). With -A the input
 * is one line: a foreign character or an inner line break yields nothing, a trailing partial group
 * is dropped. Otherwise only newline-terminated lines count, leading junk lines are skipped, decoding
 * stops after the line with '=' padding, and any error (bad character, partial group) yields nothing.
 */
export function base64Decode(text: Uint8Array, oneLine: boolean): Uint8Array {
  const s = new TextDecoder('latin1').decode(text);
  if (oneLine) return decodeGroups(s.replace(/\r?\n$/, ''), true) ?? new Uint8Array(0);
  const lines = s
    .split('\n')
    .slice(0, -1)
    .map((l) => l.replace(WS, ''));
  const isB64 = (l: string) => /^[A-Za-z0-9+/]+=*$/.test(l);
  let start = 0;
  while (start < lines.length && !isB64(lines[start]!)) start++;
  // Observed in 3.0: once a junk line was skipped, an empty line ends the input.
  if (lines.slice(0, start).some((l) => l !== '') && lines[start - 1] === '') return new Uint8Array(0);
  let body = '';
  for (const l of lines.slice(start)) {
    body += l;
    if (l.includes('=')) break;
  }
  return decodeGroups(body, false) ?? new Uint8Array(0);
}
