// Reads a Blob into a writable (a job's encrypt or decrypt stream) with BYOB reads into a few
// reused buffers, so reading a gigabyte makes no garbage; falls back to default reads where the
// Blob's stream is not a byte stream. Yields to the event loop as it goes so the GC keeps up.

/** Bytes per read: Chromium's Blob reads run at 1.1–2 GB/s in 512 KiB BYOB units. */
export const READ_UNIT = 512 * 1024;
/** Buffers in the pool: 8 MiB of reads may run ahead of the consumer, as a stream input queues
 * (AHEAD in files-job.ts). 4 buffers measured the same peak memory and about the same speed. */
export const READ_BUFFERS = 16;
/** A macrotask yield after this many bytes (see yieldToEventLoop). */
export const YIELD_EVERY = 8 << 20;

/**
 * Chromium bug: a Blob's byte stream (and its reader) with only a pending BYOB read holding it is
 * garbage-collected mid-read, and that read never settles (the 2nd–5th 1 GiB read hung). Each read
 * keeps its stream and reader here until it ends.
 */
const live = new Set<unknown>();

/**
 * One macrotask turn (a MessageChannel round trip: setTimeout(0) is clamped and cost ~25% of the
 * throughput). A pipeline that runs on promise reactions alone never leaves the microtask queue,
 * and V8 then collects the ~1 GB/s of WebCrypto output late: with a yield every few MiB the
 * encrypt peak fell from ~300 to ~170 MiB in Chromium, at no cost in speed.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const c = new MessageChannel();
    c.port1.onmessage = () => {
      c.port1.close();
      resolve();
    };
    c.port2.postMessage(0);
  });
}

export interface BlobSourceOptions {
  /** Called with each chunk's length as it is handed to the writable. */
  onBytes?: (n: number) => void;
  /** Stops reading (the writable is aborted by whoever owns the signal). */
  signal?: AbortSignal;
  /** Default READ_UNIT. */
  unit?: number;
  /** Default READ_BUFFERS. */
  buffers?: number;
  /** Bytes of a shorter first read (1..unit), so that every read after it starts on a record boundary (a
   * message's header, then whole frames: the decrypt stream then takes frames as views of the chunks). */
  first?: number;
}

/**
 * Writes the bytes of `blob` into `writable` in order, then closes it. Each chunk is a view of a
 * pooled buffer that is refilled only after the writable's write() for it resolved: for a
 * TransformStream that is when its transform() returned, so the transform must keep no view of a
 * chunk after that (the ESDK encrypt and decrypt streams keep none). On a read error the writable is
 * aborted; when the writable errors, reading stops.
 * @throws what the read or the writable failed with
 */
export async function writeBlob(
  blob: Blob,
  writable: WritableStream<Uint8Array>,
  o: BlobSourceOptions = {},
): Promise<void> {
  const unit = o.unit ?? READ_UNIT;
  const count = o.buffers ?? READ_BUFFERS;
  /* Precondition: a read unit and pool size that make progress. */
  if (!Number.isInteger(unit) || unit < 1) throw new RangeError(`"unit" expected a positive integer, got ${unit}`);
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`"buffers" expected a positive integer, got ${count}`);
  let first = o.first;
  if (first !== undefined && !(Number.isInteger(first) && first >= 1 && first <= unit))
    throw new RangeError(`"first" expected 1..${unit}, got ${first}`);
  const stream = blob.stream() as ReadableStream<Uint8Array>;
  let byob: ReadableStreamBYOBReader | undefined;
  try {
    byob = stream.getReader({ mode: 'byob' });
  } catch {
    // Not a byte stream (older engines): default reads, each chunk a fresh buffer.
  }
  const reader = byob ?? stream.getReader();
  const refs = [stream, reader];
  live.add(refs);
  const writer = writable.getWriter();
  // Writes not yet done, oldest first; each frees its buffer (if pooled) when it resolves.
  const inFlight: Promise<ArrayBuffer | undefined>[] = [];
  const pool: ArrayBuffer[] = [];
  let sinceYield = 0;
  let failed = false;
  const put = (chunk: Uint8Array, pooled: boolean) => {
    o.onBytes?.(chunk.length);
    // Every write is awaited in turn below; this handler only keeps an early rejection from counting as unhandled.
    // A consumer that transferred the buffer (none does) leaves it detached, its length 0: not reused.
    const w = writer
      .write(chunk)
      .then(() => (pooled && chunk.buffer.byteLength ? (chunk.buffer as ArrayBuffer) : undefined));
    w.catch(() => (failed = true));
    inFlight.push(w);
  };
  try {
    for (;;) {
      if (failed) await Promise.all(inFlight); // rethrows the writable's error
      o.signal?.throwIfAborted();
      if (inFlight.length >= count) {
        const free = await inFlight.shift()!;
        if (free) pool.push(free);
      }
      if (byob) {
        // Fewer than `count` writes are in flight, so this allocates at most `count` buffers in all.
        const size = first ?? unit;
        const { chunk, done } = await fill(byob, pool.pop() ?? new ArrayBuffer(unit), size);
        first = undefined;
        if (chunk.length) put(chunk, true);
        else pool.push(chunk.buffer as ArrayBuffer);
        sinceYield += chunk.length;
        if (done) break;
      } else {
        await writer.ready;
        const r = await (reader as ReadableStreamDefaultReader<Uint8Array>).read();
        if (r.done) break;
        put(r.value, false);
        sinceYield += r.value.length;
      }
      if (sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
    }
    await Promise.all(inFlight);
    await writer.close();
  } catch (e) {
    await reader.cancel(e).catch(() => undefined);
    await writer.abort(e).catch(() => undefined);
    throw e;
  } finally {
    writer.releaseLock();
    live.delete(refs);
  }
}

/** TypeScript's DOM types do not have read()'s `min` option yet (Streams spec, 2023). */
type ReadWithMin = (view: Uint8Array, options: { min: number }) => Promise<ReadableStreamReadResult<Uint8Array>>;

/** Fills the first `unit` bytes of `buf` from the reader, or up to the end of the stream. BYOB reads
 * transfer the buffer, so the result is a view of the same memory under a new ArrayBuffer. */
async function fill(
  reader: ReadableStreamBYOBReader,
  buf: ArrayBuffer,
  unit: number,
): Promise<{ chunk: Uint8Array; done: boolean }> {
  const size = buf.byteLength;
  let got = 0;
  for (;;) {
    // `min` asks for the whole unit in one read where supported; elsewhere this loop gathers it.
    const r = await (reader as unknown as { read: ReadWithMin }).read(new Uint8Array(buf, got, unit - got), {
      min: unit - got,
    });
    if (r.value) buf = r.value.buffer as ArrayBuffer;
    else buf = new ArrayBuffer(size); // cancelled: the buffer is gone
    got += r.value?.byteLength ?? 0;
    if (r.done) return { chunk: new Uint8Array(buf, 0, got), done: true };
    if (got === unit) return { chunk: new Uint8Array(buf, 0, got), done: false };
  }
}
