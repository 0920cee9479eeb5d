// Streamed downloads, both ends in Node: the worker's download sink hands its stream over a
// MessagePort only once the job produces output, the service worker serves it once as an
// attachment, and a failed job errors the download instead of completing it.
import { describe, expect, it } from 'vitest';
import { contentDisposition, DOWNLOAD_PATH, downloadResponse, onDownloadMessage, type DownloadReady } from '../../../src/sw/downloads';
import { downloadSink } from '../../../src/worker/download-sink';

let n = 0;
const newId = () => `job-test-${Date.now().toString(36)}-${n++}`;

/** A page (the message source) and the channel between the worker and the service worker. */
function open(id = newId(), name = 'report.pdf') {
  const { port1, port2 } = new MessageChannel();
  const ready: DownloadReady[] = [];
  const page = { postMessage: (m: unknown) => void ready.push(m as DownloadReady) };
  expect(onDownloadMessage({ type: 'DOWNLOAD_OPEN', id, name }, [port1], page)).toBe(true);
  return { id, worker: port2, ready, url: new URL(`http://app.test${DOWNLOAD_PATH}${id}`) };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

describe('streamed downloads', () => {
  it('streams a job output once, as an attachment, after the first write', async () => {
    const d = open();
    const sink = downloadSink(d.worker);
    const w = sink.writable.getWriter();
    await new Promise((r) => setTimeout(r, 20));
    expect(d.ready).toEqual([]); // nothing produced yet: no download is started
    expect(downloadResponse(d.url).status).toBe(404);
    const write = w.write(new TextEncoder().encode('hello, '));
    await until(() => d.ready.length === 1);
    expect(d.ready[0]).toEqual({ type: 'DOWNLOAD_READY', id: d.id, url: DOWNLOAD_PATH + d.id });
    const res = downloadResponse(d.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = res.text();
    await write;
    await w.write(new TextEncoder().encode('world'));
    await w.close();
    expect(await body).toBe('hello, world');
    // Served once only.
    expect(downloadResponse(d.url).status).toBe(404);
  });

  it('a failed job errors the download body, so the browser cannot call it complete', async () => {
    const d = open();
    const w = downloadSink(d.worker).writable.getWriter();
    void w.write(new Uint8Array(1000));
    await until(() => d.ready.length === 1);
    const body = downloadResponse(d.url).arrayBuffer();
    await w.abort(Object.assign(new Error('Frame 3 does not authenticate'), { name: 'AuthenticationError' }));
    await expect(body).rejects.toBeDefined();
  });

  it('a job that fails before any output starts nothing', async () => {
    const d = open();
    await downloadSink(d.worker).writable.abort(new Error('AccessDenied'));
    await new Promise((r) => setTimeout(r, 20));
    expect(d.ready).toEqual([]);
    onDownloadMessage({ type: 'DOWNLOAD_DROP', id: d.id }, [], null);
    expect(downloadResponse(d.url).status).toBe(404);
  });

  it('an empty result still becomes a (empty) download', async () => {
    const d = open(newId(), 'empty.txt');
    await downloadSink(d.worker).writable.close();
    await until(() => d.ready.length === 1);
    expect(await downloadResponse(d.url).text()).toBe('');
  });

  it('a download dropped before the page fetched it stops the job writing', async () => {
    const d = open();
    const w = downloadSink(d.worker).writable.getWriter();
    void w.write(new Uint8Array(10));
    await until(() => d.ready.length === 1);
    onDownloadMessage({ type: 'DOWNLOAD_DROP', id: d.id }, [], null);
    // The service worker cancelled the stream: the worker's next writes fail with a named error.
    let err: unknown;
    for (let i = 0; i < 50 && !err; i++) await w.write(new Uint8Array(1 << 20)).catch((e) => (err = e));
    expect((err as Error).name).toBe('DownloadError');
  });

  it('ignores malformed requests and IDs it did not open', () => {
    const { port1 } = new MessageChannel();
    expect(onDownloadMessage({ type: 'SOMETHING_ELSE' }, [], null)).toBe(false);
    expect(onDownloadMessage({ type: 'DOWNLOAD_OPEN', id: '../etc', name: 'x' }, [port1], null)).toBe(true);
    expect(downloadResponse(new URL(`http://app.test${DOWNLOAD_PATH}../etc`)).status).toBe(404);
    expect(onDownloadMessage({ type: 'DOWNLOAD_OPEN', id: newId(), name: 'x' }, [], null)).toBe(true); // no port: ignored
    port1.close();
  });

  it('names: folders flattened, quotes and non-ASCII safe in the fallback, exact in filename*', () => {
    expect(contentDisposition('project/docs/notes ü "draft".txt')).toBe(
      `attachment; filename="project_docs_notes _ _draft_.txt"; filename*=UTF-8''project_docs_notes%20%C3%BC%20%22draft%22.txt`,
    );
    expect(contentDisposition("it's (1).txt")).toBe(`attachment; filename="it's (1).txt"; filename*=UTF-8''it%27s%20%281%29.txt`);
  });
});
