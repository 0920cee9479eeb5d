// A TerminalCommand (src/terminal/io.ts) as a just-bash custom command. Bytes stay bytes both ways:
// the library hands standard input as a latin1-shaped string (one char per byte) and takes standard
// output in that shape when it is marked `stdoutKind: 'bytes'`, so pipes, redirections and `<( )` of
// binary data (base64 --decode of a ciphertext) reach the command and leave it unchanged.

import type { Command, ExecResult, ResolvedCommandContext } from 'just-bash/browser';
import { concat } from '../../format/bytes';
import { streamsOverBytes, TerminalFileError, type CommandIo, type TerminalCommand } from '../io';

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

/** A file system that can hand out a file as a disk-backed Blob and write one as a stream (OpfsFs). */
export interface StreamingFs {
  file(path: string): Promise<Blob>;
  writable(path: string): Promise<WritableStream<Uint8Array>>;
}

/** The scratch folder as the shell mounts it, reached directly: what the library hands a command through
 * its context is wrapped in proxies that a Blob cannot pass through (fetch would send "[object Blob]"). */
export interface StreamingMount {
  mountPoint: string;
  fs: StreamingFs;
}

export const isStreamingFs = (fs: unknown): fs is StreamingFs =>
  typeof (fs as Partial<StreamingFs>)?.file === 'function' &&
  typeof (fs as Partial<StreamingFs>)?.writable === 'function';

/** The path inside `mount` of absolute `abs`, or undefined when `abs` is outside it (the in-memory base). */
function inside(mount: StreamingMount | undefined, abs: string): string | undefined {
  if (!mount) return undefined;
  const root = mount.mountPoint.replace(/\/$/, '');
  if (abs !== root && !abs.startsWith(`${root}/`)) return undefined;
  return abs.slice(root.length) || '/';
}

/** The io a command gets inside one invocation; paths resolve against the shell's working directory. */
function commandIo(
  ctx: ResolvedCommandContext,
  out: Uint8Array[],
  err: Uint8Array[],
  mount: StreamingMount | undefined,
): CommandIo {
  const resolve = (path: string) => ctx.fs.resolvePath(ctx.cwd, path);
  const io: CommandIo = {
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
    async openFile(path) {
      const inner = inside(mount, resolve(path));
      if (inner === undefined) return streamsOverBytes(io).openFile(path);
      try {
        return await mount!.fs.file(inner);
      } catch (e) {
        throw new TerminalFileError(`${path}: ${fsReason(e)}`);
      }
    },
    async stat(path) {
      try {
        const st = await ctx.fs.stat(resolve(path));
        return { isDirectory: st.isDirectory, size: st.size, mtime: new Date(st.mtime.getTime()) };
      } catch {
        return undefined;
      }
    },
    async readdir(path) {
      try {
        return [...(await ctx.fs.readdir(resolve(path)))];
      } catch (e) {
        throw new TerminalFileError(`${path}: ${fsReason(e)}`);
      }
    },
    async rm(path) {
      try {
        await ctx.fs.rm(resolve(path));
      } catch (e) {
        throw new TerminalFileError(`${path}: ${fsReason(e)}`);
      }
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
    async writeStream(path, stream) {
      const inner = inside(mount, resolve(path));
      if (inner === undefined) return streamsOverBytes(io).writeStream(path, stream);
      let sink: WritableStream<Uint8Array>;
      try {
        sink = await mount!.fs.writable(inner);
      } catch (e) {
        await stream.cancel().catch(() => {});
        throw new TerminalFileError(`${path}: ${fsReason(e)}`);
      }
      let written = 0;
      const count = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, c) {
          written += chunk.length;
          c.enqueue(chunk);
        },
      });
      await stream.pipeThrough(count).pipeTo(sink);
      return written;
    },
    stdout: (d) => void out.push(typeof d === 'string' ? encoder.encode(d) : d.slice()),
    stderr: (d) => void err.push(typeof d === 'string' ? encoder.encode(d) : d.slice()),
  };
  return io;
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
export function adaptCommand(name: string, run: TerminalCommand, mount?: StreamingMount): Command {
  return {
    name,
    trusted: true,
    async execute(args: string[], ctx: ResolvedCommandContext): Promise<ExecResult> {
      const out: Uint8Array[] = [];
      const err: Uint8Array[] = [];
      let exitCode: number;
      try {
        exitCode = await run(args, commandIo(ctx, out, err, mount));
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
