// `printf '\377'` writes the byte 0xFF, as bash's printf does; just-bash 3.6 writes the character U+00FF
// as UTF-8 (two bytes). The library's printf does the formatting; when no argument holds a non-ASCII
// character, every char from U+0080 to U+00FF in its output came from an escape and is a byte.

import type { Command, ExecResult } from 'just-bash/browser';

export const printfCommand: Command = {
  name: 'printf',
  trusted: true,
  async execute(args, ctx): Promise<ExecResult> {
    const r = await ctx.origCommand!(args);
    const asciiArgs = args.every((a) => !/[^\x00-\x7f]/.test(a));
    if (asciiArgs && r.stdoutKind !== 'bytes' && /[\x80-\xff]/.test(r.stdout) && !/[^\x00-\xff]/.test(r.stdout))
      return { ...r, stdoutKind: 'bytes' };
    return r;
  },
};
