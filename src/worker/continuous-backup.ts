// Continuous backup (issue 11): the encrypted backup of the whole keystore (docs/FORMAT.md "Backup
// files"), rewritten to a folder the person picked once after every change that creates or destroys
// material. Debounced, one write at a time, and atomic (a new file, then a replace): the folder holds
// the previous complete backup until the next one is complete.

/** How long after the last change the backup is written: a burst of changes makes one write. */
export const DEBOUNCE_MS = 2_000;

export interface BackupFolderInfo {
  /** The folder's name (browsers give no path), when a folder is chosen. */
  folderName?: string;
  /** The folder itself, so the page can ask for permission (requestPermission needs a user gesture). */
  handle?: FileSystemDirectoryHandle;
  /** When the last backup was written to the folder (epoch ms). */
  lastBackupAt?: number;
  /** Why the last attempt wrote nothing, in words; cleared by the next backup written. */
  lastError?: string;
  /** Whether this site may write to the folder; 'prompt' can only be resolved by the page. */
  permission?: 'granted' | 'prompt' | 'denied';
}

/** What of a FileSystemFileHandle this uses. `move()` is Chromium's (OPFS and local folders). */
export interface BackupFileHandle {
  createWritable(): Promise<{ write(data: Blob): Promise<void>; close(): Promise<void>; abort(): Promise<void> }>;
  move?(newName: string): Promise<void>;
}

/** What of a FileSystemDirectoryHandle this uses. */
export interface BackupFolderHandle {
  readonly name: string;
  getFileHandle(name: string, options?: { create?: boolean }): Promise<BackupFileHandle>;
  removeEntry(name: string): Promise<void>;
  queryPermission?(descriptor: { mode: 'readwrite' }): Promise<PermissionState>;
}

/** What is kept between sessions (in the settings database, src/store/settings.ts). */
export interface StoredBackupFolder {
  handle: BackupFolderHandle;
  lastBackupAt?: number;
  lastError?: string;
}

export interface FolderBackupDeps {
  /** The encrypted backup and the keystore's region. Throws as Kms custody backup does (locked, no secret). */
  backup(): Promise<{ data: Blob; region: string }>;
  /** Where the folder and the last outcome are kept. */
  folder: { get(): Promise<StoredBackupFolder | undefined>; put(v: StoredBackupFolder | undefined): Promise<void> };
  now(): number;
  debounceMs?: number;
}

/** The one rolling file of a region's continuous backup. */
export function continuousBackupName(region: string): string {
  return `pocket-kms-${region}.pkmsbackup`;
}

/**
 * Writes `data` as `name` in `folder` so that `name` is never a partial file: first `<name>.partial`,
 * then a replace — `move()` where offered, else `name` written directly (createWritable writes to a
 * swap file that replaces the file only on close) and the partial removed.
 */
export async function writeAtomically(folder: BackupFolderHandle, name: string, data: Blob): Promise<void> {
  const partialName = `${name}.partial`;
  const removePartial = () => folder.removeEntry(partialName).catch(() => undefined);
  const partial = await folder.getFileHandle(partialName, { create: true });
  await writeWhole(partial, data).catch(async (e: unknown) => {
    await removePartial();
    throw e;
  });
  if (partial.move) {
    try {
      await partial.move(name);
      return;
    } catch {
      // A browser whose move() will not replace an existing file: the fallback below.
    }
  }
  try {
    await writeWhole(await folder.getFileHandle(name, { create: true }), data);
  } finally {
    await removePartial();
  }
}

async function writeWhole(file: BackupFileHandle, data: Blob): Promise<void> {
  const w = await file.createWritable();
  try {
    await w.write(data);
    await w.close();
  } catch (e) {
    await w.abort().catch(() => undefined);
    throw e;
  }
}

const words = (e: unknown) => (e instanceof Error && e.message ? e.message : String(e));

/** The continuous backup of one worker's keystore. Failures never reach the call that caused them. */
export class FolderBackup {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  /** Bumped when the folder changes: an attempt that began before records nothing. */
  #generation = 0;

  constructor(private readonly deps: FolderBackupDeps) {}

  /** Material was created or destroyed: back up once no change has come for a while. */
  changed(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.run();
    }, this.deps.debounceMs ?? DEBOUNCE_MS);
  }

  /** After an unlock: try again if the last attempt failed (e.g. the keystore had locked). */
  retryIfFailed(): void {
    void this.deps.folder.get().then(
      (f) => f?.lastError !== undefined && this.changed(),
      () => undefined,
    );
  }

  /** Chooses the folder (null: stop) and, for a folder, writes the first backup at once. */
  async setFolder(handle: BackupFolderHandle | null): Promise<BackupFolderInfo> {
    this.#generation++;
    if (!handle) clearTimeout(this.#timer);
    await this.deps.folder.put(handle ? { handle } : undefined);
    if (handle) await this.run();
    return this.info();
  }

  async info(): Promise<BackupFolderInfo> {
    const f = await this.deps.folder.get();
    if (!f) return {};
    const permission = await f.handle.queryPermission?.({ mode: 'readwrite' }).catch(() => undefined);
    return {
      folderName: f.handle.name,
      handle: f.handle as unknown as FileSystemDirectoryHandle,
      ...(f.lastBackupAt !== undefined ? { lastBackupAt: f.lastBackupAt } : {}),
      ...(f.lastError !== undefined ? { lastError: f.lastError } : {}),
      ...(permission ? { permission } : {}),
    };
  }

  /** Writes a backup now; while one is being written, once more after it. At most one runs. */
  run(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.#once().catch(() => undefined);
      } while (this.#again);
    })().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #once(): Promise<void> {
    const generation = this.#generation;
    const f = await this.deps.folder.get();
    if (!f) return;
    let outcome: Omit<StoredBackupFolder, 'handle'>;
    try {
      const permission = (await f.handle.queryPermission?.({ mode: 'readwrite' })) ?? 'granted';
      if (permission !== 'granted')
        throw new Error(
          `This site may not write to the folder "${f.handle.name}" yet: choose "Allow writing the backup folder" in Settings.`,
        );
      const { data, region } = await this.deps.backup();
      await writeAtomically(f.handle, continuousBackupName(region), data);
      outcome = { lastBackupAt: this.deps.now() };
    } catch (e) {
      outcome = { ...(f.lastBackupAt !== undefined ? { lastBackupAt: f.lastBackupAt } : {}), lastError: words(e) };
    }
    if (generation === this.#generation) await this.deps.folder.put({ handle: f.handle, ...outcome });
  }
}
