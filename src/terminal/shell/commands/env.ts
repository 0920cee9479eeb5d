// `env` without a command prints the exported environment, as env(1) does; just-bash 3.6 prints every
// shell variable, so `B=1; env` would show B. With a command, the library's env runs it.

import type { Command, ExecResult } from 'just-bash/browser';

export const envCommand: Command = {
  name: 'env',
  trusted: true,
  async execute(args, ctx): Promise<ExecResult> {
    const vars = new Map(Object.entries(ctx.exportedEnv ?? {}));
    let ignore = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-i' || a === '--ignore-environment' || a === '-') ignore = true;
      else if ((a === '-u' || a === '--unset') && i + 1 < args.length) vars.delete(args[++i]!);
      else if (a.startsWith('--unset=')) vars.delete(a.slice(8));
      else if (/^[^=-][^=]*=/.test(a)) continue;
      else if (ctx.origCommand) return ctx.origCommand(args); // a command to run
    }
    if (ignore) vars.clear();
    for (const a of args) {
      const eq = a.indexOf('=');
      if (eq > 0 && !a.startsWith('-')) vars.set(a.slice(0, eq), a.slice(eq + 1));
    }
    return { stdout: [...vars].map(([k, v]) => `${k}=${v}\n`).join(''), stderr: '', exitCode: 0 };
  },
};
