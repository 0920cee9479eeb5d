// Tab completion as readline offers it in bash: the first word completes to command names, later words
// to file names of the scratch folder (also after `file://`, `fileb://` and `--x=`), and a command may
// register its own completer (the page registers `aws` service/operation/option names).

import type { IFileSystem } from 'just-bash/browser';

export interface Completion {
  /** Offset in the line where the completed word starts; candidates replace line[from, cursor). */
  from: number;
  /** Full replacements for that word, sorted; one candidate means a unique completion. */
  candidates: string[];
}

/** `words` are the words before the cursor's word (words[0] is the command); `current` is that word up to
 * the cursor. Returns full candidates for `current`, or undefined to fall back to file names. */
export type CommandCompleter = (
  words: readonly string[],
  current: string,
) => readonly string[] | undefined | Promise<readonly string[] | undefined>;

/** Words of `line` before `cursor`, split on unquoted blanks (quotes kept out of the words). */
function wordsBefore(line: string): { words: string[]; current: string; currentStart: number } {
  const words: string[] = [];
  let current = '';
  let currentStart = 0;
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = '';
      else current += c;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === ' ' || c === '\t') {
      if (current || line[i - 1] === '"' || line[i - 1] === "'") words.push(current);
      current = '';
      currentStart = i + 1;
    } else if (c === ';' || c === '|' || c === '&' || c === '(') {
      words.length = 0; // a new command starts
      current = '';
      currentStart = i + 1;
    } else current += c;
  }
  return { words, current, currentStart };
}

export class Completer {
  readonly #commands = new Map<string, CommandCompleter>();

  constructor(
    private readonly fs: IFileSystem,
    private readonly cwd: () => string,
    private readonly names: () => readonly string[],
  ) {}

  /** Completes the arguments of `command` (replaces an earlier registration). */
  register(command: string, completer: CommandCompleter): void {
    this.#commands.set(command, completer);
  }

  async complete(line: string, cursor: number): Promise<Completion> {
    const { words, current, currentStart } = wordsBefore(line.slice(0, cursor));
    if (words.length === 0) {
      return {
        from: currentStart,
        candidates: this.names().filter((n) => n.startsWith(current) && !n.startsWith('__')),
      };
    }
    const own = await this.#commands.get(words[0]!)?.(words, current);
    if (own) return { from: currentStart, candidates: [...own].filter((c) => c.startsWith(current)).sort() };
    // File names, after a scheme (file://, fileb://) or an `--option=` prefix when there is one.
    const prefix = /^(?:fileb?:\/\/|--[\w-]+=)/.exec(current)?.[0] ?? '';
    const partial = current.slice(prefix.length);
    const slash = partial.lastIndexOf('/');
    const dirPart = slash >= 0 ? partial.slice(0, slash + 1) : '';
    const dir = this.fs.resolvePath(this.cwd(), dirPart || '.');
    const base = partial.slice(dirPart.length);
    let names: string[] = [];
    try {
      names = (await this.fs.readdir(dir)).filter(
        (n) => n.startsWith(base) && (base.startsWith('.') || !n.startsWith('.')),
      );
    } catch {
      names = [];
    }
    const candidates: string[] = [];
    for (const name of names.sort()) {
      const isDirectory = await this.fs.stat(`${dir}/${name}`).then(
        (st) => st.isDirectory,
        () => false,
      );
      candidates.push(`${prefix}${dirPart}${name}${isDirectory ? '/' : ''}`);
    }
    return { from: currentStart, candidates };
  }
}
