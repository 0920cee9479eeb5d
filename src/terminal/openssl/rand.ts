// `openssl rand [-hex|-base64] [-out file] num` (OpenSSL 3 apps/rand.c): num random bytes from
// crypto.getRandomValues, raw, as lower-case hex with a newline, or as 64-column base64.

import type { CommandIo } from '../io';
import { toHex } from '../../format/bytes';
import { parseArgs, parseCInt, type CommandSpec } from './args';
import { base64Text, writeOutput } from './stdio';

export const RAND_SPEC: CommandSpec = {
  prog: 'rand',
  usage: '[options] num',
  sections: [
    { title: 'General options', opts: { help: { type: '-', help: 'Display this summary' } } },
    {
      title: 'Output options',
      opts: {
        out: { type: '>', help: 'Output file' },
        base64: { type: '-', help: 'Base64 encode output' },
        hex: { type: '-', help: 'Hex encode output' },
      },
    },
  ],
  params: [['num', 'Number of bytes to generate']],
};

/** getRandomValues gives at most 65536 bytes a call. */
function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += 65536) crypto.getRandomValues(out.subarray(at, Math.min(n, at + 65536)));
  return out;
}

/** Above this, the page would have to hold the whole output at once; OpenSSL streams it. */
const MAX_BYTES = 64 * 1024 * 1024;

export async function rand(argv: readonly string[], io: CommandIo): Promise<number> {
  const a = parseArgs(RAND_SPEC, argv, io);
  if (a === 'help') return 0;
  if (!a) return 1;
  const usage = () => (io.stderr('rand: Use -help for summary.\n'), 1);
  // rand.c: no operand writes nothing (it exists for -writerand); a count must be positive.
  if (a.rest.length === 0) return 0;
  if (a.rest.length !== 1) return usage();
  const n = parseCInt(a.rest[0]!);
  if (n === 'nan') return (io.stderr(`rand: Can't parse "${a.rest[0]}" as a number\n`), usage());
  if (n === 'range') return (io.stderr(`rand: Value "${a.rest[0]}" outside integer range\n`), usage());
  if (n <= 0) return usage();
  if (n > MAX_BYTES) {
    io.stderr(`rand: ${n} bytes is more than this terminal generates at once (at most ${MAX_BYTES})\n`);
    return 1;
  }
  // -hex and -base64 set one format: the last given wins, as in rand.c.
  const format = a.lastOf('hex', 'base64');
  const bytes = randomBytes(n);
  const out = format === 'hex' ? toHex(bytes) + '\n' : format === 'base64' ? base64Text(bytes, false) : bytes;
  return (await writeOutput(io, a.get('out'), out)) ? 0 : 1;
}
