// Shared by the hex-dump commands: their input is the named file, or standard input when no file
// (or `-`) is named, as coreutils reads it; a missing file is reported as coreutils words it.

import { concat } from '../../../format/bytes';
import { TerminalFileError, type CommandIo } from '../../io';

export async function readInput(
  io: CommandIo,
  name: string,
  files: readonly string[],
): Promise<Uint8Array | undefined> {
  const parts: Uint8Array[] = [];
  for (const f of files.length ? files : ['-']) {
    if (f === '-') parts.push(io.stdin);
    else
      try {
        parts.push(await io.readFile(f));
      } catch (e) {
        if (!(e instanceof TerminalFileError)) throw e;
        io.stderr(`${name}: ${e.message}\n`);
        return undefined;
      }
  }
  return concat(parts);
}

export function usage(io: CommandIo, name: string, message: string): number {
  io.stderr(`${name}: ${message}\n`);
  return 1;
}
