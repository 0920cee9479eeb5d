// Runs the same script in /bin/bash (with a fake `aws` on PATH) and in the terminal's shell (with the
// same fake as a TerminalCommand), so tests compare what a person would see: stdout, the exit status
// and the files left in the home folder, byte for byte.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryFs } from 'just-bash/browser';
import type { CommandIo, TerminalCommand } from '../../../../src/terminal/io';
import { createShell } from '../../../../src/terminal/shell/shell';

export const HOME = '/home/alice';
/** 2023-11-14T22:13:20Z, a clock both shells share. */
export const FIXED_EPOCH = 1_700_000_000;

/** The fake AWS CLI: each argument as JSON on its own line, the bytes of a file:// or fileb:// argument as
 * hex; except `--query CiphertextBlob` / `--query Plaintext`, which answer as a toy KMS would (base64 of
 * "CT:" + the plaintext file, and back), so the lab's encrypt → base64 --decode → decrypt chain runs. */
const FAKE_AWS_PY = `#!/usr/bin/env python3
import base64, json, sys
args = sys.argv[1:]
def value(name):
    return args[args.index(name) + 1] if name in args else None
def blob(a):
    return open(a[len("fileb://"):], "rb").read()
q = value("--query")
if q == "CiphertextBlob":
    print(base64.b64encode(b"CT:" + blob(value("--plaintext"))).decode()); sys.exit(0)
if q == "Plaintext":
    print(base64.b64encode(blob(value("--ciphertext-blob"))[3:]).decode()); sys.exit(0)
for a in args:
    print(json.dumps(a, ensure_ascii=False))
    for p in ("fileb://", "file://"):
        if a.startswith(p):
            try:
                print("content:" + open(a[len(p):], "rb").read().hex())
            except OSError:
                print("content:missing")
`;

export const fakeAws: TerminalCommand = async (argv: readonly string[], io: CommandIo) => {
  const value = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1]! : '');
  const blob = (a: string) => io.readFile(a.slice('fileb://'.length));
  const query = value('--query');
  if (query === 'CiphertextBlob') {
    const pt = await blob(value('--plaintext'));
    io.stdout(`${Buffer.concat([Buffer.from('CT:'), pt]).toString('base64')}\n`);
    return 0;
  }
  if (query === 'Plaintext') {
    io.stdout(`${Buffer.from((await blob(value('--ciphertext-blob'))).subarray(3)).toString('base64')}\n`);
    return 0;
  }
  for (const a of argv) {
    io.stdout(`${JSON.stringify(a)}\n`);
    const p = ['fileb://', 'file://'].find((s) => a.startsWith(s));
    if (p) {
      try {
        const b = await io.readFile(a.slice(p.length));
        io.stdout(`content:${Buffer.from(b).toString('hex')}\n`);
      } catch {
        io.stdout('content:missing\n');
      }
    }
  }
  return 0;
};

export interface Outcome {
  stdout: string;
  exitCode: number;
  /** Files under HOME, path → hex of their bytes. */
  files: Record<string, string>;
}

function walkDisk(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) Object.assign(out, walkDisk(p, `${prefix}${n}/`));
    else out[`${prefix}${n}`] = readFileSync(p).toString('hex');
  }
  return out;
}

/** `script` as a bash script file, run by /bin/bash in a fresh home folder with the fixed clock for `date`. */
export function runBash(script: string): Outcome {
  const root = mkdtempSync(join(tmpdir(), 'pk-shell-'));
  const home = join(root, 'home');
  const bin = join(root, 'bin');
  mkdirSync(home);
  mkdirSync(bin);
  writeFileSync(join(bin, 'aws'), FAKE_AWS_PY);
  // `date` without -d/-r reads the shared fixed clock, so TS="$(date +%Y…)" agrees in both shells.
  writeFileSync(join(bin, 'date'), `#!/bin/bash\nexec /usr/bin/date -d @${FIXED_EPOCH} "$@"\n`);
  chmodSync(join(bin, 'aws'), 0o755);
  chmodSync(join(bin, 'date'), 0o755);
  writeFileSync(join(root, 'script.sh'), script);
  try {
    const r = spawnSync('/bin/bash', [join(root, 'script.sh')], {
      cwd: home,
      env: { PATH: `${bin}:/usr/bin:/bin`, HOME: home, USER: 'alice', LOGNAME: 'alice', TZ: 'UTC', LC_ALL: 'C.UTF-8' },
      input: '',
      encoding: 'buffer',
      timeout: 20_000,
    });
    return {
      stdout: r.stdout.toString('utf8').replaceAll(home, HOME),
      exitCode: r.status ?? -1,
      files: walkDisk(home),
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function walkMemory(fs: InMemoryFs, dir = '/', prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await fs.readdirWithFileTypes(dir)) {
    const p = `${dir === '/' ? '' : dir}/${e.name}`;
    if (e.isDirectory) Object.assign(out, await walkMemory(fs, p, `${prefix}${e.name}/`));
    else out[`${prefix}${e.name}`] = Buffer.from(await fs.readFileBuffer(p)).toString('hex');
  }
  return out;
}

/** `script` pasted into a fresh session of the terminal's shell, home folder in memory. */
export async function runOurs(script: string): Promise<Outcome & { stderr: string }> {
  const fs = new InMemoryFs();
  const shell = await createShell({ fs, commands: { aws: fakeAws }, env: { USER: 'alice', TZ: 'UTC' } });
  const r = await shell.run(script);
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, files: await walkMemory(fs) };
}
