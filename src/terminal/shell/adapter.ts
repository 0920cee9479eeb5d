// A TerminalCommand (src/terminal/io.ts) as a just-bash custom command. Bytes stay bytes both ways:
// the library hands standard input as a latin1-shaped string (one char per byte) and takes standard
// output in that shape when it is marked `stdoutKind: 'bytes'`, so pipes, redirections and `<( )` of
// binary data (base64 --decode of a ciphertext) reach the command and leave it unchanged.

import type { Command, ExecResult, ResolvedCommandContext } from 'just-bash/browser';
import { concat } from '../../format/bytes';
import { TerminalFileError, type CommandIo, type TerminalCommand } from '../io';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Bytes of a latin1-shaped string (each char code is one byte). */
export function bytesOfLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** A latin1-shaped string of bytes, built in slices so large outputs do not overflow the call stack. */
export function latin1OfBytes(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return s;
}

const NEVER = new AbortController().signal;

/** The io a command gets inside one invocation; paths resolve against the shell's working directory. */
function commandIo(ctx: ResolvedCommandContext, out: Uint8Array[], err: Uint8Array[]): CommandIo {
  const resolve = (path: string) => ctx.fs.resolvePath(ctx.cwd, path);
  return {
    env: { ...(ctx.exportedEnv ?? Object.fromEntries(ctx.env)) },
    cwd: ctx.cwd,
    stdin: bytesOfLatin1(ctx.stdin as unknown as string),
    signal: ctx.signal ?? NEVER,
    async readFile(path) {
      const abs = resolve(path);
      let isDirectory = false;
      try {
        isDirectory = (await ctx.fs.stat(abs)).isDirectory;
      } catch {
        throw new TerminalFileError(`${path}: No such file or directory`);
      }
      if (isDirectory) throw new TerminalFileError(`${path}: Is a directory`);
      return ctx.fs.readFileBuffer(abs);
    },
    async mkdir(path) {
      try {
        await ctx.fs.mkdir(resolve(path), { recursive: true });
      } catch (e) {
        throw new TerminalFileError(`${path}: ${fsReason(e)}`);
      }
    },
    async writeFile(path, data) {
      try {
        await ctx.fs.writeFile(resolve(path), data);
      } catch (e) {
        throw new TerminalFileError(`${path}: ${fsReason(e)}`);
      }
    },
    stdout: (d) => void out.push(typeof d === 'string' ? encoder.encode(d) : d.slice()),
    stderr: (d) => void err.push(typeof d === 'string' ? encoder.encode(d) : d.slice()),
  };
}

/** The part of a filesystem error a person can act on (the library's errors read `ENOENT: …, open '/x'`). */
function fsReason(e: unknown): string {
  const m = String((e as Error)?.message ?? e);
  if (m.startsWith('ENOENT')) return 'No such file or directory';
  if (m.startsWith('EISDIR')) return 'Is a directory';
  if (m.startsWith('ENOTDIR')) return 'Not a directory';
  return m;
}

/** `name` runs `run`; an exception becomes `name: message` on standard error and status 1 (255 is
 * what the AWS CLI uses for its own failures, so commands that want it return it themselves). */
export function adaptCommand(name: string, run: TerminalCommand): Command {
  return {
    name,
    trusted: true,
    async execute(args: string[], ctx: ResolvedCommandContext): Promise<ExecResult> {
      const out: Uint8Array[] = [];
      const err: Uint8Array[] = [];
      let exitCode: number;
      try {
        exitCode = await run(args, commandIo(ctx, out, err));
      } catch (e) {
        if (ctx.signal?.aborted) exitCode = 130;
        else {
          err.push(encoder.encode(`${name}: ${(e as Error)?.message ?? String(e)}\n`));
          exitCode = 1;
        }
      }
      return {
        stdout: latin1OfBytes(concat(out)),
        stdoutKind: 'bytes',
        stderr: decoder.decode(concat(err)),
        exitCode,
      };
    },
  };
}
