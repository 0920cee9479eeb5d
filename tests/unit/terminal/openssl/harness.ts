// Runs one openssl command line twice — through the real /usr/bin/openssl in a temporary folder, and
// through the terminal's `openssl` over an in-memory CommandIo holding the same files — and returns
// both results (stdout, stderr, exit status, the files afterwards) for the tables to compare.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { streamsOverBytes, TerminalFileError, type CommandIo } from '../../../../src/terminal/io';
import { openssl } from '../../../../src/terminal/openssl';

export const REAL_OPENSSL = '/usr/bin/openssl';
export const HAVE_OPENSSL = existsSync(REAL_OPENSSL);

export type Files = Map<string, Uint8Array>;

export interface Run {
  stdout: Uint8Array;
  stderr: string;
  status: number;
  files: Files;
}

/** A CommandIo over a Map of files named relative to /home/user. */
export function memoryIo(files: Files, stdin: Uint8Array = new Uint8Array(0), signal = new AbortController().signal) {
  const out: Uint8Array[] = [];
  const err: string[] = [];
  const name = (p: string) => p.replace(/^\/home\/user\//, '').replace(/^\.\//, '');
  const io: CommandIo = {
    env: { HOME: '/home/user', USER: 'user', SECRET_PASS: 'from-env' },
    cwd: '/home/user',
    stdin,
    signal,
    async mkdir(p) {
      throw new TerminalFileError(`${p}: the test folder has no directories`);
    },
    async readFile(p) {
      const f = files.get(name(p));
      if (!f) throw new TerminalFileError(`${p}: No such file or directory`);
      return f.slice();
    },
    async writeFile(p, data) {
      if (name(p).includes('/')) throw new TerminalFileError(`${p}: No such file or directory`);
      files.set(name(p), data.slice());
    },
    async stat(p) {
      const f = files.get(name(p));
      return f ? { isDirectory: false, size: f.length, mtime: new Date(0) } : undefined;
    },
    async readdir() {
      return [...files.keys()];
    },
    async rm(p) {
      files.delete(name(p));
    },
    openFile: (p: string) => streamsOverBytes(io).openFile(p),
    writeStream: (p: string, st: ReadableStream<Uint8Array>) => streamsOverBytes(io).writeStream(p, st),
    stdout: (d) => out.push(typeof d === 'string' ? new TextEncoder().encode(d) : d.slice()),
    stderr: (d) => err.push(typeof d === 'string' ? d : new TextDecoder().decode(d)),
  };
  return {
    io,
    stdout: () => Buffer.concat(out),
    stderr: () => err.join(''),
  };
}

export async function runOurs(
  args: readonly string[],
  files: Files,
  stdin?: Uint8Array,
  signal?: AbortSignal,
): Promise<Run> {
  const copy = new Map([...files].map(([k, v]) => [k, v.slice()]));
  const m = memoryIo(copy, stdin, signal);
  const status = await openssl(args, m.io);
  return { stdout: m.stdout(), stderr: m.stderr(), status, files: copy };
}

export function runReal(args: readonly string[], files: Files, stdin?: Uint8Array): Run {
  const dir = mkdtempSync(join(tmpdir(), 'openssl-real-'));
  try {
    for (const [k, v] of files) writeFileSync(join(dir, k), v);
    const r = spawnSync(REAL_OPENSSL, args, {
      cwd: dir,
      input: stdin ?? new Uint8Array(0),
      env: { PATH: '/usr/bin:/bin', HOME: dir, SECRET_PASS: 'from-env' },
    });
    const after: Files = new Map();
    for (const n of readdirSync(dir)) after.set(n, new Uint8Array(readFileSync(join(dir, n))));
    return {
      stdout: new Uint8Array(r.stdout),
      stderr: r.stderr.toString('utf8'),
      status: r.status ?? -1,
      files: after,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Stderr without OpenSSL's error-stack lines ("40D7…0000:error:0308010C:…:file.c:386:…"): they carry a
 * thread id and source lines; the terminal prints the human lines only. */
export const humanLines = (s: string) =>
  s
    .split('\n')
    .filter((l) => !/^[0-9A-F]+:error:[0-9A-F]+:/.test(l))
    .join('\n');

/** Files a run created or changed, by name → hex. */
export function written(before: Files, after: Files): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of after) {
    const b = before.get(k);
    if (!b || Buffer.compare(Buffer.from(b), Buffer.from(v)) !== 0) out[k] = Buffer.from(v).toString('hex');
  }
  return out;
}

/** Runs the real openssl for test fixtures (keys); throws when it fails. */
export function realOk(args: string[], dir: string, stdin?: Uint8Array): Buffer {
  const r = spawnSync(REAL_OPENSSL, args, { cwd: dir, input: stdin });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
