// The terminal's shell session over just-bash (ADR 0010): one Bash interpreter whose exec() runs one
// complete command of the input at a time (split.ts), as bash reads a paste line by line, with the
// session's variables, exports, working directory, shell options and `$?` carried from one to the next.
// Output is handed over after each command; `set -e` stops the rest of a paste at the first failure.

import type { Bash, ExecResult, IFileSystem, InMemoryFs } from 'just-bash/browser';
import type { TerminalCommand } from '../io';
import { adaptCommand, isStreamingFs } from './adapter';
import { BUILTIN_COMMANDS, EXTRA_COMMANDS, helpCommand } from './commands';
import { envCommand } from './commands/env';
import { printfCommand } from './commands/printf';
import { Completer, type Completion } from './complete';
import { normalisePaste } from './paste';
import { needsMoreInput, quoteAssignmentLikeTargets, rewriteInputSubstitutions, splitCommands } from './split';

export interface ShellOptions {
  /** The scratch folder, mounted at HOME (an OPFS folder in the page); in memory when absent. */
  fs?: IFileSystem;
  /** Commands beyond the built-in ones (aws, openssl, …), by name. */
  commands?: Readonly<Record<string, TerminalCommand>>;
  /** Initial environment, exported; USER defaults to "user", HOME to /home/$USER, TZ to the runtime's zone. */
  env?: Readonly<Record<string, string>>;
  /** Replaces real waiting in `sleep` (tests). */
  sleep?: (ms: number) => Promise<void>;
}

export interface RunOptions {
  /** Standard input of the first command of the script. */
  stdin?: string;
  /** Ctrl-C: stops at the next command boundary; a running command sees it and the run returns 130. */
  signal?: AbortSignal;
  /** Called after each complete command with what it wrote (text; "\n" line ends, as bash writes them). */
  onStdout?: (text: string) => void;
  onStderr?: (text: string) => void;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  /** The status of the last command run (bash's `$?`); 130 after Ctrl-C. */
  exitCode: number;
  /** `exit` ran: an interactive bash would close; the page may start a new session. */
  exited: boolean;
}

export interface Shell {
  /** Runs a typed line or a paste. @throws nothing: every failure is a status and standard error. */
  run(script: string, options?: RunOptions): Promise<RunResult>;
  /** Completion candidates for `line` at `cursor`; see Completer.register for command-specific ones. */
  complete(line: string, cursor: number): Promise<Completion>;
  /** The completion registry (the page registers `aws` completions here). */
  readonly completer: Completer;
  /** True when bash would show its continuation prompt instead of running `text`. */
  needsMoreInput(text: string): boolean;
  /** The working directory now (absolute). */
  readonly cwd: string;
  /** Every shell variable now, exported or not. */
  readonly variables: Readonly<Record<string, string>>;
}

/** The parts of just-bash's private interpreter state a session carries between exec() calls; the
 * public API carries variables and the working directory, not `set` options nor `$?` (pinned version,
 * covered by tests: `set -e` on one line and `echo $?` on the next). */
interface CarriedState {
  state: { options: Record<string, boolean>; lastExitCode: number };
}

/** A custom command appended after each complete command: it runs only if the command neither
 * called `exit` nor tripped `set -e`, and passes `$?` through as its own status. */
const SENTINEL = '__pocket_kms_done';

/** `help` is a bash builtin listing bash's builtins; alone on its line it means "what can I do here". */
const HELP = '__pocket_kms_help';

/** Renames every bare `help` command of a parsed script to ours (a transform over the library's AST). */
function renameHelp(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  const n = node as { type?: string; name?: { parts?: { type: string; value?: string }[] }; args?: unknown[] };
  const part = n.name?.parts?.length === 1 ? n.name.parts[0] : undefined;
  if (n.type === 'SimpleCommand' && part?.type === 'Literal' && part.value === 'help' && !n.args?.length)
    part.value = HELP;
  for (const v of Object.values(node)) renameHelp(v);
}

/** Stores its standard input for a rewritten `<(…)` (split.ts, rewriteInputSubstitutions). */
const CAPTURE = '__pocket_kms_capture';

const FS_ERRORS: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EEXIST: 'File exists',
  ENOTEMPTY: 'Directory not empty',
};

/** `ENOENT: no such file or directory, open '/nodir/f'` as bash words it: `nodir/f: No such file or directory`. */
function describeFsError(e: unknown): string {
  const message = String((e as Error)?.message ?? e);
  const m = /^(E[A-Z]+): [^,]*, \w+ '\/?(.*)'$/.exec(message);
  return m && FS_ERRORS[m[1]!] ? `${m[2]}: ${FS_ERRORS[m[1]!]}` : message;
}

const COMMENT_OR_BLANK = /^(?:[ \t]*(?:#[^\n]*)?\n?)*$/;

/** Starts a session; loads just-bash on first use (it is ~350 KB gzipped, only the terminal needs it). */
export async function createShell(options: ShellOptions = {}): Promise<Shell> {
  const lib = await import('just-bash/browser');
  const user = options.env?.USER ?? 'user';
  const home = options.env?.HOME ?? `/home/${user}`;
  const base: InMemoryFs = new lib.InMemoryFs();
  for (const dir of ['/bin', '/usr/bin', '/tmp', '/dev/fd', '/home']) base.mkdirSync(dir, { recursive: true });
  for (const dev of ['/dev/null', '/dev/stdin', '/dev/stdout', '/dev/stderr']) base.writeFileSync(dev, '');
  base.mkdirSync(home, { recursive: true });
  const fs = new lib.MountableFs({
    base,
    mounts: [{ mountPoint: home, filesystem: options.fs ?? new lib.InMemoryFs() }],
  });

  /** Backing files of this command's `<(…)`, numbered down from 63 as bash numbers them. */
  let captured: string[] = [];
  const capture = lib.defineCommand(CAPTURE, async (_args, ctx) => {
    const path = `/dev/fd/${63 - captured.length}`;
    captured.push(path);
    await ctx.fs.writeFile(path, ctx.stdin as unknown as string, 'binary');
    return { stdout: path, stderr: '', exitCode: 0 };
  });
  let reached: number | undefined;
  const sentinel = lib.defineCommand(SENTINEL, async (args) => {
    reached = Number(args[0] ?? 0);
    return { stdout: '', stderr: '', exitCode: reached };
  });
  const all: Record<string, TerminalCommand> = { ...EXTRA_COMMANDS, ...options.commands };
  const names = () => [...new Set([...BUILTIN_COMMANDS, ...Object.keys(all), 'help'])].filter((n) => n !== HELP).sort();
  all[HELP] = helpCommand(names);
  const mount = isStreamingFs(options.fs) ? { mountPoint: home, fs: options.fs } : undefined;
  const custom = Object.entries(all).map(([name, run]) => adaptCommand(name, run, mount));
  const env: Record<string, string> = {
    USER: user,
    LOGNAME: user,
    HOME: home,
    SHELL: '/bin/bash',
    TZ: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
    ...options.env,
  };
  const bash: Bash = new lib.Bash({
    fs,
    cwd: home,
    env,
    commands: [...BUILTIN_COMMANDS],
    customCommands: [...custom, envCommand, printfCommand, capture, sentinel],
    // The layer that patches globals (eval, timers, Proxy, …) during exec() is Node-only and inert in
    // browsers; off everywhere so unit tests run what the page runs and the page's globals stay whole.
    defenseInDepth: false,
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
  bash.registerTransformPlugin({ name: 'pocket-kms-help', transform: ({ ast }) => (renameHelp(ast), { ast }) });
  const carried = bash as unknown as CarriedState;
  let variables: Record<string, string> = { ...env };
  let cwd = home;
  const completer = new Completer(fs, () => cwd, names);

  async function runOne(text: string, complete: boolean, opts: RunOptions, stdin: string | undefined) {
    reached = undefined;
    captured = [];
    const body = rewriteInputSubstitutions(quoteAssignmentLikeTargets(text), CAPTURE);
    const script = complete ? `${body.endsWith('\n') ? body : `${body}\n`}${SENTINEL} "$?"\n` : body;
    let r: ExecResult & { env: Record<string, string> };
    try {
      r = await bash.exec(script, {
        env: variables,
        replaceEnv: true,
        cwd,
        rawScript: true,
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(stdin !== undefined ? { stdin } : {}),
      });
    } catch (e) {
      // just-bash lets some filesystem errors of redirections escape exec() (`echo x > nodir/f` on a
      // filesystem that, like bash, does not create folders); they fail the command as bash would.
      r = { stdout: '', stderr: `bash: ${describeFsError(e)}\n`, exitCode: 1, env: { ...variables } };
      reached = carried.state.options.errexit ? undefined : 1;
    } finally {
      for (const p of captured) await fs.rm(p, { force: true });
    }
    const { '?': _status, ...rest } = r.env;
    variables = rest;
    cwd = rest.PWD ?? cwd;
    const set = new Set((rest.SHELLOPTS ?? '').split(':'));
    for (const k of Object.keys(carried.state.options)) carried.state.options[k] = set.has(k);
    carried.state.lastExitCode = r.exitCode;
    // `set -x` traces the sentinel too; it is ours, not the person's.
    const stderr = r.stderr.replace(new RegExp(`^\\++ ${SENTINEL} \\d+\\n`, 'm'), '');
    return { ...r, stderr, finished: !complete || reached !== undefined };
  }

  return {
    completer,
    needsMoreInput,
    get cwd() {
      return cwd;
    },
    get variables() {
      return variables;
    },
    complete: (line, cursor) => completer.complete(line, cursor),
    async run(input, opts = {}) {
      let stdout = '';
      let stderr = '';
      const out = (s: string) => {
        if (!s) return;
        stdout += s;
        opts.onStdout?.(s);
      };
      const err = (s: string) => {
        if (!s) return;
        stderr += s;
        opts.onStderr?.(s);
      };
      const { text, notices } = normalisePaste(input);
      for (const n of notices) err(`${n}\n`);
      const { commands, rest } = splitCommands(text);
      const pieces = [...commands.map((c) => ({ c, complete: true })), ...(rest ? [{ c: rest, complete: false }] : [])];
      let exitCode = carried.state.lastExitCode;
      let stdin = opts.stdin;
      for (const { c, complete } of pieces) {
        if (opts.signal?.aborted) return { stdout, stderr, exitCode: 130, exited: false };
        if (COMMENT_OR_BLANK.test(c)) continue;
        const r = await runOne(c, complete, opts, stdin);
        stdin = undefined;
        if (opts.signal?.aborted) {
          out(r.stdout);
          err(r.stderr.replace(/bash: execution aborted\n?$/, ''));
          carried.state.lastExitCode = 130;
          return { stdout, stderr, exitCode: 130, exited: false };
        }
        out(r.stdout);
        err(r.stderr);
        exitCode = r.exitCode;
        if (!r.finished) {
          // `set -e` tripped: the rest of the paste does not run, and the session keeps `set -e`
          // (an interactive bash would close). Otherwise it was `exit`.
          return { stdout, stderr, exitCode, exited: !carried.state.options.errexit };
        }
      }
      return { stdout, stderr, exitCode, exited: false };
    },
  };
}
