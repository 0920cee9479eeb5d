// Output sinks for file jobs in the worker. Large output never becomes one in-memory Blob
// (Chromium cannot read back Blobs over ~510 MiB): it goes to a file the person chose (File
// System Access) or to the origin private file system through a sync access handle.
import type { Sink } from './files-job';

const DIR = 'pocket-kms-output';
const STALE_MS = 24 * 3600_000;

async function outputDir(): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(DIR, { create: true });
}

/** Writes to OPFS; `finish` returns the disk-backed File. Aborting deletes it. */
export async function opfsSink(name: string): Promise<Sink<File>> {
  const dir = await outputDir();
  const fh = await dir.getFileHandle(name, { create: true });
  const h = await fh.createSyncAccessHandle();
  h.truncate(0);
  let at = 0;
  let open = true;
  const close = () => {
    if (open) h.close();
    open = false;
  };
  return {
    writable: new WritableStream<Uint8Array>({
      write(chunk) {
        at += h.write(chunk as Uint8Array<ArrayBuffer>, { at });
      },
      close() {
        h.flush();
        close();
      },
      async abort() {
        close();
        await dir.removeEntry(name).catch(() => undefined);
      },
    }),
    finish: () => fh.getFile(),
  };
}

/** Writes to a file the person picked. Chromium writes a swap file and replaces the target only on close. */
export async function handleSink(handle: FileSystemFileHandle): Promise<Sink<undefined>> {
  const w = (await handle.createWritable()).getWriter();
  return {
    writable: new WritableStream<Uint8Array>({
      write: (chunk) => w.write(chunk as Uint8Array<ArrayBuffer>),
      close: () => w.close(),
      async abort(reason) {
        await w.abort(reason).catch(() => undefined);
        // The picker created the (empty) file: a failed job leaves nothing that looks like output.
        await (handle as FileSystemFileHandle & { remove?: () => Promise<void> }).remove?.().catch(() => undefined);
      },
    }),
    finish: async () => undefined,
  };
}

export async function releaseOutput(name: string): Promise<void> {
  await (await outputDir()).removeEntry(name).catch(() => undefined);
}

/** Removes outputs older than a day (a tab closed before its files were released). */
export async function removeStaleOutputs(): Promise<void> {
  const dir = await outputDir();
  for await (const [name, h] of (
    dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }
  ).entries()) {
    if (h.kind !== 'file') continue;
    const f = await (h as FileSystemFileHandle).getFile().catch(() => undefined);
    if (f && Date.now() - f.lastModified > STALE_MS) await dir.removeEntry(name).catch(() => undefined);
  }
}
