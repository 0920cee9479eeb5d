// Which commands the terminal offers: just-bash's own where they behave as coreutils/bash do for lab
// sheets, ours where the library lacks one (xxd) or gets it wrong (od -t x1), and a `help` that
// speaks of this terminal. The library's gzip family needs node:zlib and html-to-markdown a DOM
// writer the CSP's Trusted Types forbid, so neither is offered.

import type { CommandName } from 'just-bash/browser';
import type { TerminalCommand } from '../../io';
import { od } from './od';
import { xxd } from './xxd';

export const BUILTIN_COMMANDS: readonly CommandName[] = [
  ...(['echo', 'cat', 'printf', 'ls', 'mkdir', 'mktemp', 'rmdir', 'touch', 'rm', 'cp', 'mv', 'ln', 'chmod'] as const),
  ...(['pwd', 'readlink', 'head', 'tail', 'wc', 'stat', 'grep', 'fgrep', 'egrep', 'sed', 'awk', 'sort'] as const),
  ...(['uniq', 'comm', 'cut', 'paste', 'tr', 'rev', 'nl', 'fold', 'tee', 'find', 'basename', 'dirname'] as const),
  ...(['tree', 'du', 'env', 'printenv', 'xargs', 'true', 'false', 'yes', 'clear', 'bash', 'sh', 'jq'] as const),
  ...(['base64', 'diff', 'date', 'sleep', 'timeout', 'time', 'seq', 'expr', 'md5sum', 'sha1sum'] as const),
  ...(['sha256sum', 'file', 'which', 'tac', 'hostname', 'strings', 'column', 'split'] as const),
];

/** whoami(1) names the session's user ($USER); just-bash's always says "user". */
const whoami: TerminalCommand = async (_argv, io) => (io.stdout(`${io.env.USER ?? 'user'}\n`), 0);

export const EXTRA_COMMANDS: Readonly<Record<string, TerminalCommand>> = { xxd, od, whoami };

/** `help`: what this terminal is and which commands it has (bash's help lists bash builtins). */
export function helpCommand(names: () => readonly string[]): TerminalCommand {
  return async (_argv, io) => {
    const list = names().filter((n) => !n.startsWith('__'));
    const rows: string[] = [];
    for (let i = 0; i < list.length; i += 8) rows.push(`  ${list.slice(i, i + 8).join(' ')}`);
    io.stdout(
      [
        'A bash-like shell that runs in this browser. Paste lab sheets as they are: variables, quotes,',
        '$(…), pipes, redirections, here-documents, <(…), if/then/fi, && and ||, set -e.',
        `Files live in ${io.env.HOME ?? 'your home folder'} (this keystore's scratch folder) and survive a reload.`,
        'Commands:',
        ...rows,
        '',
      ].join('\n'),
    );
    return 0;
  };
}
