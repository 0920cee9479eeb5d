// The object bytes of the S3 core (src/s3/ports.ts ObjectBytes) in the origin private file system, one
// folder per keystore (region and account). Writable file streams work in the service worker and in
// dedicated workers alike (checked in Chromium 156); writes stream, so memory does not grow with the object.
import type { ObjectBytes } from '../s3';

export async function opfsObjectBytes(region: string, accountId: string): Promise<ObjectBytes> {
  const root = await navigator.storage.getDirectory();
  const dir = await (
    await root.getDirectoryHandle('pocket-kms-s3', { create: true })
  ).getDirectoryHandle(`${region}-${accountId}`, { create: true });
  return {
    async create(file) {
      const w = await (await dir.getFileHandle(file, { create: true })).createWritable();
      return new WritableStream<Uint8Array>({
        write: (chunk) => w.write(chunk as Uint8Array<ArrayBuffer>),
        close: () => w.close(),
        async abort(reason) {
          await w.abort(reason).catch(() => undefined);
          await dir.removeEntry(file).catch(() => undefined);
        },
      });
    },
    async read(file, start, end) {
      // A disk-backed File: slicing reads only the range asked for.
      return (await (await dir.getFileHandle(file)).getFile()).slice(start, end).stream();
    },
    async delete(file) {
      await dir.removeEntry(file);
    },
  };
}
