// The page's part of a streamed download: it introduces the KMS worker to the service worker (a
// MessageChannel, one end each), waits until the service worker holds the job's output stream,
// then navigates a hidden frame there, so the browser saves the bytes as they are produced.
import type { DownloadMessage, DownloadReady } from '../../sw/downloads';

const KEEPALIVE_MS = 10_000;
/** How long the hidden frame stays after the job (the download manager has the response by then). */
const FRAME_LINGER_MS = 60_000;

/** A service worker controls the page and the browser can transfer streams between workers. */
export function canStreamDownloads(): boolean {
  if (typeof navigator === 'undefined' || !navigator.serviceWorker?.controller) return false;
  try {
    const { port1, port2 } = new MessageChannel();
    const r = new ReadableStream();
    port1.postMessage(r, [r as unknown as Transferable]);
    port1.close();
    port2.close();
    return true;
  } catch {
    return false;
  }
}

export interface StreamedDownload {
  /** Give this to the worker (with Comlink.transfer) as the job's `output.download`. */
  port: MessagePort;
  /** True once the browser was asked to download (the job produced output). */
  readonly started: boolean;
  /** Call when the job has ended. After a success it waits (up to 30 s) until the browser was asked
   * to download, since a short job can finish before the service worker says it holds the stream;
   * after a failure it tells the service worker to forget a download that never started. */
  close(succeeded: boolean): Promise<void>;
}

const READY_WAIT_MS = 30_000;

export function openStreamedDownload(id: string, name: string): StreamedDownload {
  const sw = navigator.serviceWorker.controller;
  if (!sw) throw new Error('No service worker controls this page, so downloads cannot be streamed.');
  const post = (m: DownloadMessage, transfer: Transferable[] = []) => sw.postMessage(m, transfer);
  const { port1, port2 } = new MessageChannel();
  let frame: HTMLIFrameElement | undefined;
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const onReady = (e: MessageEvent) => {
    const m = e.data as Partial<DownloadReady> | null;
    if (m?.type !== 'DOWNLOAD_READY' || m.id !== id || typeof m.url !== 'string' || frame) return;
    frame = document.createElement('iframe');
    frame.hidden = true;
    frame.title = `Download of ${name}`;
    frame.src = m.url;
    document.body.append(frame);
    ready();
  };
  navigator.serviceWorker.addEventListener('message', onReady);
  post({ type: 'DOWNLOAD_OPEN', id, name }, [port1]);
  // An idle service worker may be stopped after about 30 s; a long download keeps it awake.
  const keepalive = setInterval(() => post({ type: 'DOWNLOAD_KEEPALIVE' }), KEEPALIVE_MS);
  return {
    port: port2,
    get started() {
      return frame !== undefined;
    },
    async close(succeeded) {
      if (succeeded) await Promise.race([isReady, new Promise((r) => setTimeout(r, READY_WAIT_MS))]);
      clearInterval(keepalive);
      navigator.serviceWorker.removeEventListener('message', onReady);
      if (!frame) post({ type: 'DOWNLOAD_DROP', id });
      const f = frame;
      if (f) setTimeout(() => f.remove(), FRAME_LINGER_MS);
    },
  };
}
