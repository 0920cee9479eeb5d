// The terminal page's state: a transcript of commands and their output, the line being typed (one
// command, possibly over several lines), history (↑/↓, kept in ~/.bash_history), Ctrl-C, and pasted
// blocks run command by command as an interactive bash runs them (src/terminal/shell/split.ts).
import { needsMoreInput, splitCommands } from '../../terminal/shell/split';

/** What the page needs of a shell session (src/ui/terminal/session.ts builds the real one). */
export interface TerminalSession {
  run(
    script: string,
    o: { signal: AbortSignal; onStdout: (text: string) => void; onStderr: (text: string) => void },
  ): Promise<{ exitCode: number; exited?: boolean }>;
  /** Completions of the word that starts at `from` and ends at `cursor` in `line`. */
  complete(line: string, cursor: number): Promise<{ from: number; candidates: string[] }>;
  loadHistory(): Promise<string[]>;
  saveHistory(lines: string[]): Promise<void>;
}

export interface Output {
  stream: 'out' | 'err';
  text: string;
}

export interface Entry {
  id: number;
  command: string;
  output: Output[];
  exitCode?: number;
}

const HISTORY_MAX = 1000;
/** Lines that carry a secret stay out of the history file, as they should stay out of any file. */
const SECRET = /aws_secret_access_key|secret[-_]access[-_]key|--password|-pass(in)?\s/i;

export class TerminalState {
  entries = $state<Entry[]>([]);
  input = $state('');
  running = $state(false);
  /** Commands from a paste, waiting for the one before them. */
  queued = $state<string[]>([]);
  #history: string[] = [];
  #cursor = 0;
  #draft = '';
  #abort: AbortController | undefined;
  #nextId = 1;
  readonly #session: TerminalSession;

  constructor(session: TerminalSession) {
    this.#session = session;
    void session.loadHistory().then((h) => {
      this.#history = h.slice(-HISTORY_MAX);
      this.#cursor = this.#history.length;
    });
  }

  /** Whether the typed text is a whole command (Enter runs it) or needs more lines (Enter adds one). */
  get complete(): boolean {
    return !needsMoreInput(this.input);
  }

  /** Runs the typed command (or queues it behind a running one). */
  submit(): void {
    const text = this.input;
    this.input = '';
    this.#enqueue([text]);
  }

  /** A paste: several lines run command by command; what is left open stays in the line. */
  paste(text: string, caret: { start: number; end: number }): void {
    const merged = this.input.slice(0, caret.start) + text + this.input.slice(caret.end);
    const { commands, rest } = splitCommands(merged);
    this.input = rest;
    this.#enqueue(commands.map((c) => c.replace(/\n$/, '')).filter((c) => c.trim()));
  }

  /** Ctrl-C: stops the running command and drops queued ones; else abandons the typed line. */
  interrupt(): void {
    if (this.running) {
      this.queued = [];
      this.#abort?.abort();
      return;
    }
    this.entries.push({ id: this.#nextId++, command: `${this.input}^C`, output: [] });
    this.input = '';
  }

  /** Ctrl-L / `clear`. */
  clear(): void {
    this.entries = [];
  }

  historyUp(): void {
    if (this.#cursor === 0) return;
    if (this.#cursor === this.#history.length) this.#draft = this.input;
    this.input = this.#history[--this.#cursor]!;
  }

  historyDown(): void {
    if (this.#cursor >= this.#history.length) return;
    this.#cursor++;
    this.input = this.#cursor === this.#history.length ? this.#draft : this.#history[this.#cursor]!;
  }

  /** Tab: completes the word before `cursor`; several candidates are listed in the transcript. */
  async completeAt(cursor: number): Promise<number> {
    const line = this.input;
    const { from: start, candidates: found } = await this.#session.complete(line, cursor);
    const word = line.slice(start, cursor);
    if (found.length === 0) return cursor;
    const common = found.reduce((a, b) => {
      let i = 0;
      while (i < a.length && a[i] === b[i]) i++;
      return a.slice(0, i);
    });
    const insert = found.length === 1 ? `${found[0]} ` : common;
    if (insert.length > word.length) {
      this.input = line.slice(0, start) + insert + line.slice(cursor);
      return start + insert.length;
    }
    if (found.length > 1)
      this.entries.push({ id: this.#nextId++, command: line, output: [{ stream: 'out', text: found.join('  ') }] });
    return cursor;
  }

  #enqueue(commands: string[]): void {
    this.queued.push(...commands);
    if (!this.running) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.running = true;
    try {
      for (let command = this.queued.shift(); command !== undefined; command = this.queued.shift()) {
        await this.#run(command);
      }
    } finally {
      this.running = false;
    }
  }

  async #run(command: string): Promise<void> {
    const entry: Entry = { id: this.#nextId++, command, output: [] };
    this.entries.push(entry);
    const e = this.entries[this.entries.length - 1]!;
    if (!command.trim()) return;
    this.#remember(command);
    if (/^\s*clear\s*$/.test(command)) {
      this.clear();
      return;
    }
    const append = (stream: Output['stream']) => (text: string) => {
      const last = e.output[e.output.length - 1];
      if (last?.stream === stream) last.text += text;
      else e.output.push({ stream, text });
    };
    this.#abort = new AbortController();
    try {
      const r = await this.#session.run(command, {
        signal: this.#abort.signal,
        onStdout: append('out'),
        onStderr: append('err'),
      });
      e.exitCode = r.exitCode;
      // `exit`, or `set -e` and a failure: an interactive bash would end here, so the rest of a paste stops.
      if (r.exited) this.queued = [];
    } catch (err) {
      append('err')(`pocket-kms: ${(err as Error).message}\n`);
      e.exitCode = 1;
    } finally {
      this.#abort = undefined;
    }
  }

  #remember(command: string): void {
    if (SECRET.test(command) || /^\s/.test(command)) return; // bash's ignorespace: a leading space hides a line
    if (this.#history[this.#history.length - 1] !== command) this.#history.push(command);
    this.#history = this.#history.slice(-HISTORY_MAX);
    this.#cursor = this.#history.length;
    this.#draft = '';
    void this.#session.saveHistory(this.#history).catch(() => undefined);
  }
}
