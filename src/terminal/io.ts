// What a terminal command (aws, openssl, …) gets from the shell that runs it: arguments, environment,
// files of the scratch folder and its standard streams. Commands are plain async functions over this
// interface, so they run alike under the page's shell and in Node unit tests.

/** A file the command asked for does not exist (or is a directory); the message names the path. */
export class TerminalFileError extends Error {
  override name = 'TerminalFileError';
}

/** The world of one running command. Paths are relative to `cwd` unless absolute. */
export interface CommandIo {
  /** Environment variables as the shell exported them (AWS_REGION, AWS_PROFILE, HOME, USER, …). */
  readonly env: Readonly<Record<string, string>>;
  /** The working directory, absolute (e.g. /home/user). */
  readonly cwd: string;
  /** Everything on standard input (empty when nothing was piped or redirected in). */
  readonly stdin: Uint8Array;
  /** Aborted when the person presses Ctrl-C; a long command stops and returns 130. */
  readonly signal: AbortSignal;
  /** @throws TerminalFileError when `path` is not a readable file. */
  readFile(path: string): Promise<Uint8Array>;
  /** The file as a Blob whose bytes are read as they are consumed (a disk-backed File in the page's
   * scratch folder), so an upload streams instead of holding the file. @throws TerminalFileError */
  openFile(path: string): Promise<Blob>;
  /** Creates or replaces `path` (its directory must exist). */
  writeFile(path: string, data: Uint8Array): Promise<void>;
  /** Creates or replaces `path` with `stream` as it arrives (a download is never whole in memory in the
   * page); resolves to the number of bytes written. */
  writeStream(path: string, stream: ReadableStream<Uint8Array>): Promise<number>;
  /** What is at `path`, or undefined when nothing is. */
  stat(path: string): Promise<{ isDirectory: boolean; size: number; mtime: Date } | undefined>;
  /** The names in folder `path`. @throws TerminalFileError */
  readdir(path: string): Promise<string[]>;
  /** Removes file `path`. @throws TerminalFileError */
  rm(path: string): Promise<void>;
  /** Creates directory `path` and any missing parents (`mkdir -p`); nothing if it exists. */
  mkdir(path: string): Promise<void>;
  /** Writes to standard output; strings are UTF-8. */
  stdout(data: Uint8Array | string): void;
  /** Writes to standard error; strings are UTF-8. */
  stderr(data: Uint8Array | string): void;
}

/** A command: `argv` without the command's own name; resolves to the exit status (0 = success). */
export type TerminalCommand = (argv: readonly string[], io: CommandIo) => Promise<number>;

/** openFile and writeStream over readFile and writeFile, for file systems held in memory anyway (tests,
 * the in-memory fallback): the bytes are whole there already, so nothing is lost by holding them. */
export function streamsOverBytes(io: Pick<CommandIo, 'readFile' | 'writeFile'>) {
  return {
    openFile: async (path: string): Promise<Blob> => new Blob([(await io.readFile(path)) as Uint8Array<ArrayBuffer>]),
    writeStream: async (path: string, stream: ReadableStream<Uint8Array>): Promise<number> => {
      const data = new Uint8Array(await new Response(stream).arrayBuffer());
      await io.writeFile(path, data);
      return data.length;
    },
  };
}
