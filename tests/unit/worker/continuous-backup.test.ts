// The continuous backup's debounce and atomic write (src/worker/continuous-backup.ts), against an
// in-memory folder that behaves as the File System Access API does: a writable commits on close().
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  continuousBackupName,
  DEBOUNCE_MS,
  FolderBackup,
  writeAtomically,
  type BackupFileHandle,
  type BackupFolderHandle,
  type StoredBackupFolder,
} from '../../../src/worker/continuous-backup';

const NAME = continuousBackupName('us-east-1');
const PARTIAL = `${NAME}.partial`;

interface FakeFolder extends BackupFolderHandle {
  files: Map<string, string>;
  /** Every committed write, by file name. */
  commits: string[];
  /** When set, write() waits for it (to look at the folder mid-write). */
  gate?: Promise<void>;
  failWrites: boolean;
  permission: PermissionState;
}

function fakeFolder(opts: { move?: boolean } = {}): FakeFolder {
  const folder: FakeFolder = {
    name: 'backups',
    files: new Map(),
    commits: [],
    failWrites: false,
    permission: 'granted',
    async getFileHandle(name, o) {
      if (!folder.files.has(name)) {
        if (!o?.create) throw new DOMException(`${name} not found`, 'NotFoundError');
        folder.files.set(name, '');
      }
      let current = name;
      const file: BackupFileHandle = {
        async createWritable() {
          let pending = '';
          return {
            async write(data: Blob) {
              await folder.gate;
              if (folder.failWrites) throw new DOMException('The disk is full.', 'QuotaExceededError');
              pending += await data.text();
            },
            async close() {
              folder.files.set(current, pending);
              folder.commits.push(current);
            },
            async abort() {},
          };
        },
      };
      if (opts.move !== false)
        file.move = async (newName: string) => {
          folder.files.set(newName, folder.files.get(current)!);
          folder.files.delete(current);
          current = newName;
        };
      return file;
    },
    async removeEntry(name) {
      if (!folder.files.delete(name)) throw new DOMException(`${name} not found`, 'NotFoundError');
    },
    async queryPermission() {
      return folder.permission;
    },
  };
  return folder;
}

function memorySetting() {
  let value: StoredBackupFolder | undefined;
  return {
    async get() {
      return value;
    },
    async put(v: StoredBackupFolder | undefined) {
      value = v;
    },
  };
}

/** Lets the promise chains started by a timer finish (only setTimeout is faked). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

function setUp(backup: () => Promise<string>) {
  let t = 1_000;
  const calls = { backups: 0 };
  const fb = new FolderBackup({
    async backup() {
      calls.backups++;
      return { data: new Blob([await backup()]), region: 'us-east-1' };
    },
    folder: memorySetting(),
    now: () => ++t,
  });
  return { fb, calls };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('continuous backup', () => {
  it('writes a first backup at once when a folder is chosen, as pocket-kms-<region>.pkmsbackup', async () => {
    const folder = fakeFolder();
    const { fb } = setUp(async () => 'PKMSBKUP v1');
    const info = await fb.setFolder(folder);
    expect(folder.files).toEqual(new Map([[NAME, 'PKMSBKUP v1']]));
    expect(info).toMatchObject({ folderName: 'backups', permission: 'granted', lastBackupAt: expect.any(Number) });
    expect(info.lastError).toBeUndefined();
  });

  it('makes one write for a burst of changes, DEBOUNCE_MS after the last one', async () => {
    const folder = fakeFolder();
    let n = 1;
    const { fb, calls } = setUp(async () => `v${n}`);
    await fb.setFolder(folder);
    folder.commits.length = 0;
    for (let i = 0; i < 5; i++) {
      n++;
      fb.changed();
      await vi.advanceTimersByTimeAsync(DEBOUNCE_MS / 2);
    }
    expect(calls.backups).toBe(1);
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    await settle();
    expect(calls.backups).toBe(2);
    expect(folder.commits).toEqual([PARTIAL]);
    expect(folder.files.get(NAME)).toBe('v6');
  });

  it('replaces the backup only after the partial file is written whole', async () => {
    const folder = fakeFolder();
    let v = 'v1';
    const { fb } = setUp(async () => v);
    await fb.setFolder(folder);
    v = 'v2';
    let release!: () => void;
    folder.gate = new Promise((r) => (release = r));
    const running = fb.run();
    await settle();
    // Mid-write: the previous backup is whole; the new one is only a partial file.
    expect(folder.files.get(NAME)).toBe('v1');
    expect(folder.files.has(PARTIAL)).toBe(true);
    release();
    await running;
    expect(folder.files).toEqual(new Map([[NAME, 'v2']]));
  });

  it('without move(), writes the final file after the partial succeeded, then removes the partial', async () => {
    const folder = fakeFolder({ move: false });
    const { fb } = setUp(async () => 'PKMSBKUP');
    await fb.setFolder(folder);
    expect(folder.commits).toEqual([PARTIAL, NAME]);
    expect(folder.files).toEqual(new Map([[NAME, 'PKMSBKUP']]));
  });

  it('a failing write leaves the previous backup intact and records lastError; the next write clears it', async () => {
    const folder = fakeFolder();
    let v = 'v1';
    const { fb } = setUp(async () => v);
    const first = await fb.setFolder(folder);
    v = 'v2';
    folder.failWrites = true;
    fb.changed();
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    await settle();
    expect(folder.files).toEqual(new Map([[NAME, 'v1']]));
    const failed = await fb.info();
    expect(failed.lastError).toBe('The disk is full.');
    expect(failed.lastBackupAt).toBe(first.lastBackupAt);

    folder.failWrites = false;
    await fb.run();
    const ok = await fb.info();
    expect(folder.files.get(NAME)).toBe('v2');
    expect(ok.lastError).toBeUndefined();
    expect(ok.lastBackupAt).toBeGreaterThan(first.lastBackupAt!);
  });

  it('a backup that cannot be made (a locked keystore) is kept as lastError, and changed() never throws', async () => {
    const folder = fakeFolder();
    const { fb } = setUp(async () => {
      throw new Error('The keystore is locked: unlock it in the Pocket KMS console to back it up.');
    });
    const info = await fb.setFolder(folder);
    expect(info.lastError).toMatch(/^The keystore is locked/);
    expect(() => fb.changed()).not.toThrow();
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    await settle();
    expect(folder.files.size).toBe(0);
  });

  it("writes nothing while permission is 'prompt', and says how to allow it", async () => {
    const folder = fakeFolder();
    folder.permission = 'prompt';
    const { fb, calls } = setUp(async () => 'v1');
    const info = await fb.setFolder(folder);
    expect(calls.backups).toBe(0);
    expect(folder.files.size).toBe(0);
    expect(info).toMatchObject({
      permission: 'prompt',
      lastError: expect.stringMatching(/Allow writing the backup folder/),
    });
  });

  it('runs at most one write at a time: a change during a write makes exactly one more after it', async () => {
    const folder = fakeFolder();
    let n = 0;
    let active = 0;
    let most = 0;
    const { fb, calls } = setUp(async () => {
      active++;
      most = Math.max(most, active);
      await new Promise((r) => setImmediate(r));
      active--;
      return `v${++n}`;
    });
    await fb.setFolder(folder);
    const a = fb.run();
    const b = fb.run();
    const c = fb.run();
    await Promise.all([a, b, c]);
    expect(most).toBe(1);
    expect(calls.backups).toBe(3);
    expect(folder.files.get(NAME)).toBe('v3');
  });

  it('stopping forgets the folder and cancels a pending backup', async () => {
    const folder = fakeFolder();
    const { fb, calls } = setUp(async () => 'v1');
    await fb.setFolder(folder);
    fb.changed();
    expect(await fb.setFolder(null)).toEqual({});
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    await settle();
    expect(calls.backups).toBe(1);
  });

  it('writeAtomically removes the partial file when the write fails', async () => {
    const folder = fakeFolder();
    folder.failWrites = true;
    await expect(writeAtomically(folder, NAME, new Blob(['x']))).rejects.toBeInstanceOf(DOMException);
    expect(folder.files.size).toBe(0);
  });
});
