// The page's part of a streamed download: it introduces the KMS worker to the service worker (a
// MessageChannel, one end each), waits until the service worker holds the job's output stream,
// then navigates a hidden frame there, so the browser saves the bytes as they are produced. The
// service worker says when the browser has read every byte, or that the download stopped.
import type { DownloadEvent, DownloadMessage } from '../../sw/downloads';

const KEEPALIVE_MS = 10_000;
/** How long the hidden frame stays after the job (the download manager has the response by then). */
const FRAME_LINGER_MS = 60_000;
/** After the job, how long to wait for the service worker to say the browser read everything. */
const SETTLE_WAIT_MS = 60_000;

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

/** How a streamed download ended, as far as the page can know. */
export type DownloadOutcome =
  /** The browser read every byte. */
  | 'done'
  /** The download stopped (refused, cancelled in the browser, or the job failed). */
  | 'failed'
  /** The browser was asked to download, but did not confirm within a minute. */
  | 'unconfirmed'
  /** No download was started (the job produced nothing, or the service worker never took it). */
  | 'not-started';

export interface StreamedDownload {
  /** Give this to the worker (with Comlink.transfer) as the job's `output.download`. */
  port: MessagePort;
  /** Call when the job has ended. After a success it waits (up to a minute) for the service worker
   * to say the browser read every byte; after a failure it forgets a download that never started. */
  close(succeeded: boolean): Promise<DownloadOutcome>;
}

/**
 * Opens a download named `name`. `onStopped` is called (once) if the download cannot go on while
 * the job still runs — refused, cancelled in the browser, or the service worker controlling the
 * page changed — so the caller can stop the job instead of leaving it waiting for a reader.
 */
export function openStreamedDownload(name: string, onStopped: (reason: string) => void): StreamedDownload {
  const sw = navigator.serviceWorker.controller;
  if (!sw) throw new Error('No service worker controls this page, so downloads cannot be streamed.');
  const id = crypto.randomUUID();
  const post = (m: DownloadMessage, transfer: Transferable[] = []) => {
    try {
      sw.postMessage(m, transfer);
    } catch {
      // That service worker is gone (replaced by an update): controllerchange stops the job.
    }
  };
  const { port1, port2 } = new MessageChannel();
  let frame: HTMLIFrameElement | undefined;
  let outcome: DownloadOutcome | undefined;
  let settled!: () => void;
  const settledP = new Promise<void>((r) => (settled = r));
  let stopped = false;
  const stop = (reason: string) => {
    if (!stopped) ((stopped = true), onStopped(reason));
  };
  const onMessage = (e: MessageEvent) => {
    const m = e.data as Partial<DownloadEvent> | null;
    if (m?.id !== id) return;
    if (m.type === 'DOWNLOAD_READY' && typeof m.url === 'string' && !frame) {
      frame = document.createElement('iframe');
      frame.hidden = true;
      frame.title = `Download of ${name}`;
      frame.src = m.url;
      document.body.append(frame);
    } else if (m.type === 'DOWNLOAD_DONE') {
      outcome = 'done';
      settled();
    } else if (m.type === 'DOWNLOAD_FAILED') {
      outcome = 'failed';
      settled();
      stop(typeof m.reason === 'string' ? m.reason : 'The download stopped.');
    }
  };
  // Another service worker took over (an update): the one holding this download may be gone.
  const onControllerChange = () =>
    stop('The app was updated during the download, so it was stopped. Add the file again.');
  navigator.serviceWorker.addEventListener('message', onMessage);
  navigator.serviceWorker.addEventListener('controllerchange', onControllerChange);
  post({ type: 'DOWNLOAD_OPEN', id, name }, [port1]);
  // An idle service worker may be stopped after about 30 s; a long job keeps it awake.
  const keepalive = setInterval(() => post({ type: 'DOWNLOAD_KEEPALIVE' }), KEEPALIVE_MS);
  return {
    port: port2,
    async close(succeeded) {
      stopped = true;
      if (succeeded && !outcome) await Promise.race([settledP, new Promise((r) => setTimeout(r, SETTLE_WAIT_MS))]);
      clearInterval(keepalive);
      navigator.serviceWorker.removeEventListener('message', onMessage);
      navigator.serviceWorker.removeEventListener('controllerchange', onControllerChange);
      if (!frame) post({ type: 'DOWNLOAD_DROP', id });
      const f = frame;
      if (f) setTimeout(() => f.remove(), FRAME_LINGER_MS);
      return outcome ?? (frame ? 'unconfirmed' : 'not-started');
    },
  };
}
