// Streamed downloads, both ends in Node: the worker's download sink hands its stream over a
// MessagePort only once the job produces output, the service worker serves it once, under a random
// URL, as an attachment, and tells the page whether the browser read it all; a failed or cancelled
// job errors the download instead of completing it, even while the download is stalled.
import { describe, expect, it } from 'vitest';
import {
  contentDisposition,
  DOWNLOAD_PATH,
  downloadResponse,
  onDownloadMessage,
  type DownloadEvent,
} from '../../../src/sw/downloads';
import { downloadSink } from '../../../src/worker/download-sink';

let n = 0;
const newId = () => `job-test-${Date.now().toString(36)}-${n++}`;
const enc = (s: string) => new TextEncoder().encode(s);

/** A page (the message source) and the channel between the worker and the service worker. */
function open(id = newId(), name = 'report.pdf') {
  const { port1, port2 } = new MessageChannel();
  const events: DownloadEvent[] = [];
  const page = { postMessage: (m: unknown) => void events.push(m as DownloadEvent) };
  expect(onDownloadMessage({ type: 'DOWNLOAD_OPEN', id, name }, [port1], page)).toBe(true);
  const of = (type: DownloadEvent['type']) => events.filter((e) => e.type === type);
  const url = () => new URL(`http://app.test${(of('DOWNLOAD_READY')[0] as { url: string }).url}`);
  return { id, worker: port2, events, of, url };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

describe('streamed downloads', () => {
  it('streams a job output once, under a random URL, as an attachment, after the first write; DONE once read', async () => {
    const d = open();
    const w = downloadSink(d.worker).writable.getWriter();
    await new Promise((r) => setTimeout(r, 20));
    expect(d.events).toEqual([]); // nothing produced yet: no download is started
    const write = w.write(enc('hello, '));
    await until(() => d.of('DOWNLOAD_READY').length === 1);
    expect(d.url().pathname).toMatch(new RegExp(`^${DOWNLOAD_PATH}[0-9a-f-]{36}$`));
    // The job ID alone does not reach the stream.
    expect(downloadResponse(new URL(`http://app.test${DOWNLOAD_PATH}${d.id}`)).status).toBe(404);
    const res = downloadResponse(d.url());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`,
    );
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = res.text();
    await write;
    await w.write(enc('world'));
    expect(d.of('DOWNLOAD_DONE')).toEqual([]);
    await w.close();
    expect(await body).toBe('hello, world');
    await until(() => d.of('DOWNLOAD_DONE').length === 1);
    expect(downloadResponse(d.url()).status).toBe(404); // served once only
  });

  it('a failed job errors the download body and the page hears FAILED', async () => {
    const d = open();
    const w = downloadSink(d.worker).writable.getWriter();
    void w.write(new Uint8Array(1000));
    await until(() => d.of('DOWNLOAD_READY').length === 1);
    const body = downloadResponse(d.url()).arrayBuffer();
    await w.abort(Object.assign(new Error('Frame 3 does not authenticate'), { name: 'AuthenticationError' }));
    await expect(body).rejects.toBeDefined();
    await until(() => d.of('DOWNLOAD_FAILED').length === 1);
    expect(d.of('DOWNLOAD_DONE')).toEqual([]);
  });

  it('cancelling a job stops it at once while its download is stalled (nobody reading)', async () => {
    const d = open();
    const ac = new AbortController();
    const w = downloadSink(d.worker, ac.signal).writable.getWriter();
    // A few MiB may wait in flight; then a write waits for a reader that never comes.
    let stalled: Promise<void> | undefined;
    for (let i = 0; i < 20 && !stalled; i++) {
      const p = w.write(new Uint8Array(1 << 20));
      const state = await Promise.race([
        p.then(
          () => 'written',
          () => 'rejected',
        ),
        new Promise((r) => setTimeout(() => r('stalled'), 50)),
      ]);
      if (state === 'stalled') stalled = p;
    }
    expect(stalled).toBeDefined();
    expect(d.of('DOWNLOAD_READY')).toHaveLength(1);
    ac.abort(new DOMException('Cancelled', 'AbortError'));
    const outcome = await Promise.race([
      stalled!.then(
        () => 'written',
        (e: Error) => e.name,
      ),
      new Promise((r) => setTimeout(() => r('still stalled'), 500)),
    ]);
    expect(outcome).toBe('AbortError');
    // And the service worker's copy of the stream errors, so the browser cannot complete it.
    await expect(downloadResponse(d.url()).arrayBuffer()).rejects.toBeDefined();
  });

  it('a download cancelled in the browser fails the job with DownloadError', async () => {
    const d = open();
    const w = downloadSink(d.worker).writable.getWriter();
    void w.write(new Uint8Array(10));
    await until(() => d.of('DOWNLOAD_READY').length === 1);
    await downloadResponse(d.url()).body!.cancel('the person cancelled it');
    await until(() => d.of('DOWNLOAD_FAILED').length === 1);
    let err: unknown;
    for (let i = 0; i < 50 && !err; i++) await w.write(new Uint8Array(1 << 20)).catch((e) => (err = e));
    expect((err as Error).name).toBe('DownloadError');
  });

  it('a job that fails before any output starts nothing', async () => {
    const d = open();
    await downloadSink(d.worker).writable.abort(new Error('AccessDenied'));
    await new Promise((r) => setTimeout(r, 20));
    expect(d.events).toEqual([]);
    onDownloadMessage({ type: 'DOWNLOAD_DROP', id: d.id }, [], null);
  });

  it('an empty result still becomes an (empty) download', async () => {
    const d = open(newId(), 'empty.txt');
    await downloadSink(d.worker).writable.close();
    await until(() => d.of('DOWNLOAD_READY').length === 1);
    expect(await downloadResponse(d.url()).text()).toBe('');
  });

  it('a download dropped before the page fetched it stops the job writing, even if its stream arrives late', async () => {
    for (const late of [false, true]) {
      const d = open();
      if (late) onDownloadMessage({ type: 'DOWNLOAD_DROP', id: d.id }, [], null);
      const w = downloadSink(d.worker).writable.getWriter();
      void w.write(new Uint8Array(10));
      if (!late) {
        await until(() => d.of('DOWNLOAD_READY').length === 1);
        onDownloadMessage({ type: 'DOWNLOAD_DROP', id: d.id }, [], null);
      }
      let err: unknown;
      for (let i = 0; i < 50 && !err; i++) await w.write(new Uint8Array(1 << 20)).catch((e) => (err = e));
      expect((err as Error).name).toBe('DownloadError');
    }
  });

  it('refuses a malformed or duplicate request with FAILED, and never serves it', async () => {
    expect(onDownloadMessage({ type: 'SOMETHING_ELSE' }, [], null)).toBe(false);
    const events: DownloadEvent[] = [];
    const page = { postMessage: (m: unknown) => void events.push(m as DownloadEvent) };
    for (const id of ['../etc', 'short']) {
      const { port1, port2 } = new MessageChannel();
      onDownloadMessage({ type: 'DOWNLOAD_OPEN', id, name: 'x' }, [port1], page);
      const r = new ReadableStream();
      port2.postMessage({ readable: r }, [r as unknown as Transferable]);
      port2.close();
    }
    const taken = open();
    onDownloadMessage({ type: 'DOWNLOAD_OPEN', id: taken.id, name: 'x' }, [new MessageChannel().port1], page);
    await new Promise((r) => setTimeout(r, 30));
    expect(events.map((e) => `${e.type} ${e.id}`)).toEqual([
      'DOWNLOAD_FAILED ../etc',
      'DOWNLOAD_FAILED short',
      `DOWNLOAD_FAILED ${taken.id}`,
    ]);
    onDownloadMessage({ type: 'DOWNLOAD_DROP', id: taken.id }, [], null);
  });

  it('names: folders flattened, quotes and non-ASCII safe in the fallback, exact in filename*', () => {
    expect(contentDisposition('project/docs/notes ü "draft".txt')).toBe(
      `attachment; filename="project_docs_notes _ _draft_.txt"; filename*=UTF-8''project_docs_notes%20%C3%BC%20%22draft%22.txt`,
    );
    expect(contentDisposition("it's (1).txt")).toBe(
      `attachment; filename="it's (1).txt"; filename*=UTF-8''it%27s%20%281%29.txt`,
    );
    // A lone surrogate (not valid UTF-16) does not throw.
    expect(contentDisposition('bad\uD800.txt')).toBe(
      `attachment; filename="bad_.txt"; filename*=UTF-8''bad%EF%BF%BD.txt`,
    );
  });
});
