// The terminal's scratch folder as the page lists it: the files of the shell's home directory, kept
// in the origin private file system (per keystore), so they survive a reload. Uploads stream to disk
// and downloads are disk-backed Files: no file is read whole into memory.

export interface ScratchEntry {
  name: string;
  kind: 'file' | 'directory';
  /** Bytes (files only). */
  size: number;
  lastModified: number;
}

export class ScratchFolder {
  constructor(private readonly dir: () => Promise<FileSystemDirectoryHandle>) {}

  /** The folder's entries, directories first, then by name. */
  async list(): Promise<ScratchEntry[]> {
    const out: ScratchEntry[] = [];
    // `entries()` is not yet in TypeScript's DOM types for directory handles.
    const d = (await this.dir()) as FileSystemDirectoryHandle & {
      values(): AsyncIterable<FileSystemFileHandle | FileSystemDirectoryHandle>;
    };
    for await (const h of d.values()) {
      if (h.kind === 'file') {
        const f = await (h as FileSystemFileHandle).getFile();
        out.push({ name: h.name, kind: 'file', size: f.size, lastModified: f.lastModified });
      } else out.push({ name: h.name, kind: 'directory', size: 0, lastModified: 0 });
    }
    return out.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'directory' ? -1 : 1));
  }

  /** A disk-backed File of `name`. */
  async file(name: string): Promise<File> {
    return (await (await this.dir()).getFileHandle(name)).getFile();
  }

  /** Writes `data` as `name` (replacing it), streamed to disk. */
  async put(name: string, data: Blob): Promise<void> {
    if (!name || name.includes('/') || name === '.' || name === '..')
      throw new TypeError(`"${name}" is not a file name for the scratch folder.`);
    const handle = await (await this.dir()).getFileHandle(name, { create: true });
    const w = await handle.createWritable();
    await data.stream().pipeTo(w);
  }

  async remove(name: string): Promise<void> {
    await (await this.dir()).removeEntry(name, { recursive: true });
  }
}
