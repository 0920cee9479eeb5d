// The streamed-download sink of file jobs (ADR 0008): output goes to the service worker as a
// transferred ReadableStream, which it serves to the browser's download manager.
import type { Sink } from './files-job';

/** What a failed download stream becomes: the browser's download was cancelled or failed. */
function downloadStopped(): Error {
  return Object.assign(new Error('The download was cancelled or failed in the browser, so the job stopped.'), {
    name: 'DownloadError',
  });
}

/**
 * Streams to a download the service worker serves. On the first write (or on close, for an empty
 * result) the readable end goes over `port` to the service worker, which tells the page to start
 * the download: a job that fails before producing output starts no download at all. Aborting, or
 * `signal` (the job's cancel), errors the stream at once — even while a write waits for a download
 * that is paused or refused — and the browser marks the download failed rather than complete.
 */
export function downloadSink(port: MessagePort, signal?: AbortSignal): Sink<undefined> {
  let out: WritableStreamDefaultWriter<Uint8Array> | undefined;
  let ctrl: TransformStreamDefaultController<Uint8Array> | undefined;
  // Errors both ends now: a writer's abort() would wait behind a write the reader never takes.
  const stop = (why: unknown) => ctrl?.error(why instanceof Error ? why.name : 'failed');
  signal?.addEventListener('abort', () => stop(signal.reason), { once: true });
  const open = () => {
    if (!out) {
      // A few MiB may wait in flight to the service worker, so writing here and saving there overlap.
      const ts = new TransformStream<Uint8Array, Uint8Array>(
        { start: (c) => void (ctrl = c) },
        { highWaterMark: 4 << 20, size: (c) => c.byteLength },
      );
      port.postMessage({ readable: ts.readable }, [ts.readable as unknown as Transferable]);
      out = ts.writable.getWriter();
    }
    return out;
  };
  return {
    writable: new WritableStream<Uint8Array>({
      async write(chunk) {
        const w = open();
        await w.ready.catch(() => Promise.reject(signal?.reason ?? downloadStopped()));
        // Not awaited: the promise settles only when the service worker has taken the chunk; a
        // failure shows in `ready` at the next write or in `close`.
        w.write(chunk).catch(() => undefined);
      },
      async close() {
        await open()
          .close()
          .catch(() => Promise.reject(signal?.reason ?? downloadStopped()));
      },
      async abort(reason) {
        if (out) stop(reason);
        else port.close();
      },
    }),
    finish: async () => undefined,
  };
}
