// Streamed downloads: a file job's output goes from the KMS worker straight to this service worker
// (a transferred ReadableStream over a MessagePort the page set up), which answers the page's
// navigation to DOWNLOAD_PATH + a random token with it as an attachment. Bytes are never collected in one place:
// the browser's download manager writes them to disk as they come. A job that fails errors the
// stream, and the browser marks the download failed instead of completing it.
// (No webworker lib reference here: tests import this module beside DOM code.)

export const DOWNLOAD_PATH = '/__pocket-kms/downloads/';

/** Messages from the page. */
export type DownloadMessage =
  | { type: 'DOWNLOAD_OPEN'; id: string; name: string }
  | { type: 'DOWNLOAD_DROP'; id: string }
  | { type: 'DOWNLOAD_KEEPALIVE' };

/** Messages to the page that opened a download (`id` is the one it chose). */
export type DownloadEvent =
  /** The job's output stream has arrived: navigate a hidden frame to `url` to start the download. */
  | { type: 'DOWNLOAD_READY'; id: string; url: string }
  /** The browser has read the whole output (the download manager has every byte). */
  | { type: 'DOWNLOAD_DONE'; id: string }
  /** The download will not complete: refused, cancelled in the browser, or the job's stream failed. */
  | { type: 'DOWNLOAD_FAILED'; id: string; reason: string };

type Source = { postMessage(message: unknown): void } | null;

const ID = /^[A-Za-z0-9-]{8,64}$/;
/** An opened download not fetched within this time is forgotten (the page went away). */
const UNUSED_MS = 5 * 60_000;

interface Entry {
  name: string;
  source: Source;
  /** Undefined once served: forgetting the entry must not cancel it. */
  readable?: ReadableStream<Uint8Array> | undefined;
  /** The URL's last segment: random, so no other page can guess it and take the stream. */
  token?: string;
  timer: ReturnType<typeof setTimeout>;
}

const entries = new Map<string, Entry>();
const byToken = new Map<string, string>();

function tell(source: Source, m: DownloadEvent): void {
  try {
    source?.postMessage(m);
  } catch {
    // The page has gone.
  }
}

function forget(id: string): void {
  const e = entries.get(id);
  if (!e) return;
  clearTimeout(e.timer);
  entries.delete(id);
  if (e.token) byToken.delete(e.token);
  // Nobody will read it: tell the worker (its writes fail, the job stops). The port stays open, so a
  // stream that is still on its way is cancelled when it arrives (a closed port would lose it, and
  // the worker would wait for a reader for ever).
  void e.readable?.cancel('The download was not started.').catch(() => undefined);
}

/** Handles a page message about downloads; returns false when the message is about something else. */
export function onDownloadMessage(data: unknown, ports: readonly MessagePort[], source: Source): boolean {
  const m = data as Partial<DownloadMessage> | null;
  if (m?.type === 'DOWNLOAD_KEEPALIVE') return true; // the message event itself keeps this worker alive
  if (m?.type === 'DOWNLOAD_DROP' && typeof m.id === 'string') {
    forget(m.id);
    return true;
  }
  if (m?.type !== 'DOWNLOAD_OPEN') return false;
  const { id, name } = m as { id: unknown; name: unknown };
  const port = ports[0];
  /* Precondition: a plain token ID not in use, a name, and the port the worker will send the stream over. */
  if (typeof id !== 'string' || !ID.test(id) || typeof name !== 'string' || !name || !port || entries.has(id)) {
    port?.close();
    if (typeof id === 'string')
      tell(source, { type: 'DOWNLOAD_FAILED', id, reason: 'The service worker refused to open this download.' });
    return true;
  }
  const entry: Entry = { name, source, timer: setTimeout(() => forget(id), UNUSED_MS) };
  entries.set(id, entry);
  port.onmessage = (e) => {
    const readable = (e.data as { readable?: unknown } | null)?.readable;
    port.close();
    if (!(readable instanceof ReadableStream)) return;
    // Arrived after the page dropped the download: nobody will read it, so stop the worker.
    if (entries.get(id) !== entry) return void readable.cancel('The download was dropped.').catch(() => undefined);
    entry.readable = readable as ReadableStream<Uint8Array>;
    entry.token = crypto.randomUUID();
    byToken.set(entry.token, id);
    tell(source, { type: 'DOWNLOAD_READY', id, url: DOWNLOAD_PATH + entry.token });
  };
  return true;
}

/** `attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / RFC 8187). */
export function contentDisposition(name: string): string {
  const base = name.split('/').filter(Boolean).join('_') || 'download';
  const ascii = base.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  // A lone surrogate would make encodeURIComponent throw: replace it first.
  const exact = encodeURIComponent(base.replace(/[\uD800-\uDFFF]/gu, '\uFFFD')).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`;
}

/** Passes the job's stream to the browser one chunk per read, and tells the page whether the
 * browser read all of it (DONE) or the download stopped (FAILED). */
function watched(id: string, source: Source, input: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = input.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(c) {
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await reader.read();
        } catch (e) {
          tell(source, { type: 'DOWNLOAD_FAILED', id, reason: 'The file job failed, so its download was stopped.' });
          throw e;
        }
        if (r.done) {
          c.close();
          tell(source, { type: 'DOWNLOAD_DONE', id });
        } else c.enqueue(r.value);
      },
      async cancel(reason) {
        tell(source, { type: 'DOWNLOAD_FAILED', id, reason: 'The download was cancelled or failed in the browser.' });
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** The response to GET DOWNLOAD_PATH + token: the job's output as an attachment, once. */
export function downloadResponse(url: URL): Response {
  const id = byToken.get(url.pathname.slice(DOWNLOAD_PATH.length));
  const e = id === undefined ? undefined : entries.get(id);
  if (id === undefined || !e?.readable)
    return new Response('This download is no longer available. Run the file job again.', {
      status: 404,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    });
  const headers = {
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': contentDisposition(e.name),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  };
  const body = watched(id, e.source, e.readable);
  e.readable = undefined; // served: forgetting the entry must not cancel it
  forget(id);
  return new Response(body, { headers });
}
