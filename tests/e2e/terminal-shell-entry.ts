// Bundled for terminal-shell.test.ts: the terminal's shell as the page will run it (just-bash loaded on
// demand, the scratch folder in the origin private file system), driven from page.evaluate.
import type { CommandIo } from '../../src/terminal/io';
import { createShell, openScratchFolder, type Shell } from '../../src/terminal/shell';

const sessions = new Map<string, Shell>();

/** Echoes the bytes of each fileb:// argument as hex, as the real aws reads them. */
async function fakeAws(argv: readonly string[], io: CommandIo): Promise<number> {
  for (const a of argv)
    if (a.startsWith('fileb://'))
      io.stdout(`${Array.from(await io.readFile(a.slice(8)), (b) => b.toString(16).padStart(2, '0')).join('')}\n`);
  return 0;
}

(globalThis as Record<string, unknown>).terminalShell = {
  /** Runs `script` in the session of `folder` (a new session over the same folder when `fresh`). */
  async run(folder: string, script: string, fresh = false) {
    let shell = sessions.get(folder);
    if (!shell || fresh) {
      shell = await createShell({
        fs: await openScratchFolder(folder),
        commands: { aws: fakeAws },
        env: { USER: 'ada' },
      });
      sessions.set(folder, shell);
    }
    return shell.run(script);
  },
  globals: () => ({ setTimeout: globalThis.setTimeout === originalSetTimeout, eval: globalThis.eval === originalEval }),
};
const originalSetTimeout = globalThis.setTimeout;
const originalEval = globalThis.eval;
