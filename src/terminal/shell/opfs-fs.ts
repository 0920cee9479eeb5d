// The terminal's scratch folder: just-bash's filesystem interface (IFileSystem) over a folder of the
// origin private file system (File System Standard, WHATWG), one folder per keystore, so files written
// by a lab sheet survive a reload. Appends, copies and `file()` reads stream through disk-backed File
// and FileSystemWritableFileStream objects; only readFile*/writeFile hold a whole file, as the interface asks.

import type { CpOptions, FileContent, FsStat, IFileSystem, MkdirOptions, RmOptions } from 'just-bash/browser';
import { latin1OfBytes } from './adapter';
import { decodeAs, encodeAs, type Encoding } from './opfs-encoding';

type Dir = FileSystemDirectoryHandle;
type Handle = FileSystemFileHandle | FileSystemDirectoryHandle;
/** Async iteration of a folder (in every browser with OPFS; TS keeps it in the DOM.AsyncIterable lib). */
type Listing = { entries(): AsyncIterable<[string, Handle]> };

/** Errors in the shape the library's commands read (`ENOENT: …, open '/x'`), so `cat` says what bash says. */
const fail = (code: string, what: string, op: string, path: string) => new Error(`${code}: ${what}, ${op} '${path}'`);
const enoent = (op: string, path: string) => fail('ENOENT', 'no such file or directory', op, path);

function segments(path: string): string[] {
  const out: string[] = [];
  for (const s of path.split('/')) {
    if (!s || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  return out;
}

const isDomError = (e: unknown, name: string) => (e as DOMException)?.name === name;

export class OpfsFs implements IFileSystem {
  /** Modes set by chmod: OPFS keeps no permissions, so they last as long as the page. */
  readonly #modes = new Map<string, number>();

  constructor(readonly root: Dir) {}

  async #dir(parts: readonly string[], op: string, path: string, create = false): Promise<Dir> {
    let d = this.root;
    for (const p of parts) {
      try {
        d = await d.getDirectoryHandle(p, { create });
      } catch (e) {
        if (isDomError(e, 'TypeMismatchError')) throw fail('ENOTDIR', 'not a directory', op, path);
        throw enoent(op, path);
      }
    }
    return d;
  }

  async #handle(path: string, op: string): Promise<Handle> {
    const parts = segments(path);
    if (!parts.length) return this.root;
    const parent = await this.#dir(parts.slice(0, -1), op, path);
    const name = parts.at(-1)!;
    try {
      return await parent.getFileHandle(name);
    } catch (e) {
      if (!isDomError(e, 'TypeMismatchError')) throw enoent(op, path);
      return parent.getDirectoryHandle(name);
    }
  }

  async #file(path: string, op: string): Promise<FileSystemFileHandle> {
    const h = await this.#handle(path, op);
    if (h.kind !== 'file') throw fail('EISDIR', 'illegal operation on a directory', op, path);
    return h;
  }

  /** The parent folder (which must exist, as for open(2)) and the entry's name. */
  async #parent(path: string, op: string): Promise<{ parent: Dir; name: string }> {
    const parts = segments(path);
    if (!parts.length) throw fail('EISDIR', 'illegal operation on a directory', op, path);
    return { parent: await this.#dir(parts.slice(0, -1), op, path), name: parts.at(-1)! };
  }

  /** The file as a disk-backed File: `.stream()` reads it without holding it in memory. */
  async file(path: string): Promise<File> {
    return (await this.#file(path, 'open')).getFile();
  }

  /** A writable stream that replaces `path` when closed (the interface's writeFile holds the whole file). */
  async writable(path: string, append = false): Promise<FileSystemWritableFileStream> {
    const { parent, name } = await this.#parent(path, 'open');
    const h = await this.#createFile(parent, name, path);
    const w = await h.createWritable({ keepExistingData: append });
    if (append) await w.seek((await h.getFile()).size);
    return w;
  }

  async #createFile(parent: Dir, name: string, path: string): Promise<FileSystemFileHandle> {
    try {
      return await parent.getFileHandle(name, { create: true });
    } catch (e) {
      if (isDomError(e, 'TypeMismatchError')) throw fail('EISDIR', 'illegal operation on a directory', 'open', path);
      throw e;
    }
  }

  async readFile(path: string, options?: { encoding?: Encoding | null } | Encoding): Promise<string> {
    const enc = typeof options === 'string' ? options : (options?.encoding ?? 'utf8');
    return decodeAs(await this.readFileBuffer(path), enc);
  }

  async readFileBytes(path: string) {
    return latin1OfBytes(await this.readFileBuffer(path)) as never;
  }

  async readFileBuffer(path: string): Promise<Uint8Array> {
    return new Uint8Array(await (await this.file(path)).arrayBuffer());
  }

  async writeFile(path: string, content: FileContent, options?: { encoding?: Encoding } | Encoding): Promise<void> {
    const w = await this.writable(path);
    await w.write(
      encodeAs(content, typeof options === 'string' ? options : options?.encoding) as Uint8Array<ArrayBuffer>,
    );
    await w.close();
  }

  async appendFile(path: string, content: FileContent, options?: { encoding?: Encoding } | Encoding): Promise<void> {
    const w = await this.writable(path, true);
    await w.write(
      encodeAs(content, typeof options === 'string' ? options : options?.encoding) as Uint8Array<ArrayBuffer>,
    );
    await w.close();
  }

  async exists(path: string): Promise<boolean> {
    return this.#handle(path, 'access').then(
      () => true,
      () => false,
    );
  }

  async stat(path: string): Promise<FsStat> {
    const h = await this.#handle(path, 'stat');
    const norm = `/${segments(path).join('/')}`;
    if (h.kind === 'directory')
      return {
        isFile: false,
        isDirectory: true,
        isSymbolicLink: false,
        mode: this.#modes.get(norm) ?? 0o755,
        size: 0,
        mtime: new Date(),
      };
    const f = await h.getFile();
    return {
      isFile: true,
      isDirectory: false,
      isSymbolicLink: false,
      mode: this.#modes.get(norm) ?? 0o644,
      size: f.size,
      mtime: new Date(f.lastModified),
    };
  }

  lstat(path: string): Promise<FsStat> {
    return this.stat(path); // OPFS has no links
  }

  async mkdir(path: string, options?: MkdirOptions): Promise<void> {
    const parts = segments(path);
    if (options?.recursive) {
      await this.#dir(parts, 'mkdir', path, true);
      return;
    }
    if (await this.exists(path)) throw fail('EEXIST', 'file already exists', 'mkdir', path);
    const { parent, name } = await this.#parent(path, 'mkdir');
    await parent.getDirectoryHandle(name, { create: true });
  }

  async createExclusive(path: string, options: { mode: number; directory?: boolean }): Promise<void> {
    if (await this.exists(path)) throw fail('EEXIST', 'file already exists', 'open', path);
    const { parent, name } = await this.#parent(path, 'open');
    if (options.directory) await parent.getDirectoryHandle(name, { create: true });
    else await parent.getFileHandle(name, { create: true });
    this.#modes.set(`/${segments(path).join('/')}`, options.mode);
  }

  async readdir(path: string): Promise<string[]> {
    return (await this.readdirWithFileTypes(path)).map((e) => e.name);
  }

  async readdirWithFileTypes(path: string) {
    const h = await this.#handle(path, 'scandir');
    if (h.kind !== 'directory') throw fail('ENOTDIR', 'not a directory', 'scandir', path);
    const out: { name: string; isFile: boolean; isDirectory: boolean; isSymbolicLink: boolean }[] = [];
    for await (const [name, e] of (h as unknown as Listing).entries())
      out.push({ name, isFile: e.kind === 'file', isDirectory: e.kind === 'directory', isSymbolicLink: false });
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async rm(path: string, options?: RmOptions): Promise<void> {
    let h: Handle;
    try {
      h = await this.#handle(path, 'rm');
    } catch (e) {
      if (options?.force) return;
      throw e;
    }
    if (h.kind === 'directory' && !options?.recursive) {
      for await (const _ of (h as unknown as Listing).entries())
        throw fail('ENOTEMPTY', 'directory not empty', 'rm', path);
    }
    const { parent, name } = await this.#parent(path, 'rm');
    await parent.removeEntry(name, { recursive: Boolean(options?.recursive) });
  }

  async cp(src: string, dest: string, options?: CpOptions): Promise<void> {
    const h = await this.#handle(src, 'cp');
    if (h.kind === 'directory') {
      if (!options?.recursive) throw fail('EISDIR', 'is a directory', 'cp', src);
      await this.mkdir(dest, { recursive: true });
      for (const name of await this.readdir(src)) await this.cp(`${src}/${name}`, `${dest}/${name}`, options);
      return;
    }
    const w = await this.writable(dest);
    await (await h.getFile()).stream().pipeTo(w); // streamed: a large file is never whole in memory
  }

  async mv(src: string, dest: string): Promise<void> {
    if (segments(src).join('/') === segments(dest).join('/')) return;
    const h = await this.#handle(src, 'mv');
    const { parent, name } = await this.#parent(dest, 'mv');
    const move = (h as { move?: (dir: Dir, name: string) => Promise<void> }).move;
    if (h.kind === 'file' && move) {
      await this.rm(dest, { force: true });
      await move.call(h, parent, name);
      return;
    }
    await this.cp(src, dest, { recursive: true });
    await this.rm(src, { recursive: true });
  }

  resolvePath(base: string, path: string): string {
    return `/${segments(path.startsWith('/') ? path : `${base}/${path}`).join('/')}`;
  }

  /** Only `ls` with a quoted glob asks for this; listing the whole folder synchronously is impossible. */
  getAllPaths(): string[] {
    return [];
  }

  async chmod(path: string, mode: number): Promise<void> {
    await this.#handle(path, 'chmod');
    this.#modes.set(`/${segments(path).join('/')}`, mode);
  }

  async symlink(_target: string, linkPath: string): Promise<void> {
    throw fail('EPERM', 'operation not permitted', 'symlink', linkPath);
  }

  async link(_existing: string, newPath: string): Promise<void> {
    throw fail('EPERM', 'operation not permitted', 'link', newPath);
  }

  async readlink(path: string): Promise<string> {
    await this.#handle(path, 'readlink');
    throw fail('EINVAL', 'invalid argument', 'readlink', path);
  }

  async realpath(path: string): Promise<string> {
    await this.#handle(path, 'realpath');
    return `/${segments(path).join('/')}`;
  }

  /** OPFS sets a file's time itself on write; `touch` of an existing file leaves it as it is. */
  async utimes(path: string): Promise<void> {
    await this.#handle(path, 'utimes');
  }
}

/** The folder `name` (e.g. `terminal/<keystore>`, created when missing) of this origin's private file system. */
export async function openScratchFolder(name: string): Promise<OpfsFs> {
  let d = await navigator.storage.getDirectory();
  for (const part of segments(name)) d = await d.getDirectoryHandle(part, { create: true });
  return new OpfsFs(d);
}
