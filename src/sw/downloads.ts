// Streamed downloads: a file job's output goes from the KMS worker straight to this service worker
// (a transferred ReadableStream over a MessagePort the page set up), which answers the page's
// navigation to DOWNLOAD_PATH + id with it as an attachment. Bytes are never collected in one place:
// the browser's download manager writes them to disk as they come. A job that fails errors the
// stream, and the browser marks the download failed instead of completing it.
// (No webworker lib reference here: tests import this module beside DOM code.)

export const DOWNLOAD_PATH = '/__pocket-kms/downloads/';

/** Messages from the page. */
export type DownloadMessage =
  | { type: 'DOWNLOAD_OPEN'; id: string; name: string }
  | { type: 'DOWNLOAD_DROP'; id: string }
  | { type: 'DOWNLOAD_KEEPALIVE' };

/** Posted to the page when the job's output stream has arrived: the page may navigate to it. */
export interface DownloadReady {
  type: 'DOWNLOAD_READY';
  id: string;
  /** Where to navigate (a hidden frame) to start the download. */
  url: string;
}

const ID = /^[A-Za-z0-9-]{8,64}$/;
/** An opened download not fetched within this time is forgotten (the page went away). */
const UNUSED_MS = 5 * 60_000;

interface Entry {
  name: string;
  readable?: ReadableStream<Uint8Array>;
  timer: ReturnType<typeof setTimeout>;
}

const entries = new Map<string, Entry>();

function forget(id: string): void {
  const e = entries.get(id);
  if (!e) return;
  clearTimeout(e.timer);
  entries.delete(id);
  // Nobody will read it: tell the worker (its writes fail, the job stops).
  void e.readable?.cancel('The download was not started.').catch(() => undefined);
}

/** Handles a page message about downloads; returns false when the message is about something else. */
export function onDownloadMessage(data: unknown, ports: readonly MessagePort[], source: { postMessage(message: unknown): void } | null): boolean {
  const m = data as Partial<DownloadMessage> | null;
  if (m?.type === 'DOWNLOAD_KEEPALIVE') return true; // the message event itself keeps this worker alive
  if (m?.type === 'DOWNLOAD_DROP' && typeof m.id === 'string') {
    forget(m.id);
    return true;
  }
  if (m?.type !== 'DOWNLOAD_OPEN') return false;
  const { id, name } = m as { id: unknown; name: unknown };
  const port = ports[0];
  /* Precondition: a plain token ID, a name, and the port the worker will send the stream over. */
  if (typeof id !== 'string' || !ID.test(id) || typeof name !== 'string' || !name || !port || entries.has(id)) return true;
  const entry: Entry = { name, timer: setTimeout(() => forget(id), UNUSED_MS) };
  entries.set(id, entry);
  port.onmessage = (e) => {
    const readable = (e.data as { readable?: unknown } | null)?.readable;
    port.close();
    if (!(readable instanceof ReadableStream) || entries.get(id) !== entry) return;
    entry.readable = readable as ReadableStream<Uint8Array>;
    source?.postMessage({ type: 'DOWNLOAD_READY', id, url: DOWNLOAD_PATH + id } satisfies DownloadReady);
  };
  return true;
}

/** `attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / RFC 8187). */
export function contentDisposition(name: string): string {
  const base = name.split('/').filter(Boolean).join('_') || 'download';
  const ascii = base.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const exact = encodeURIComponent(base).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`;
}

/** The response to GET DOWNLOAD_PATH + id: the job's output as an attachment, once. */
export function downloadResponse(url: URL): Response {
  const id = url.pathname.slice(DOWNLOAD_PATH.length);
  const e = entries.get(id);
  if (!e?.readable) return new Response('This download is no longer available. Run the file job again.', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  clearTimeout(e.timer);
  entries.delete(id);
  return new Response(e.readable, {
    headers: {
      'Content-Type': 'application/octet-stream',
      'Content-Disposition': contentDisposition(e.name),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}
