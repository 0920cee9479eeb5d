// Reading a Blob into a writable with BYOB into reused buffers: bytes in order, a buffer never
// refilled while the consumer holds it, the fallback to default reads, errors both ways, and the
// ESDK streams fed from reused buffers.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { writeBlob, yieldToEventLoop } from '../../../src/worker/blob-source';
import { createDecryptStream, createEncryptStream } from '../../../src/format';
import { memoryKeyring, random } from '../format/helpers';

/** A stand-in Blob whose stream hands out the bytes in the given piece sizes: a byte stream
 * (BYOB reads, short ones included) or, with `bytes: false`, a default stream. */
function standIn(data: Uint8Array, pieces: number[], bytes = true): Blob {
  return {
    stream() {
      let o = 0;
      let i = 0;
      const next = () => Math.max(1, pieces.length ? pieces[i++ % pieces.length]! : data.length);
      if (!bytes)
        return new ReadableStream<Uint8Array>({
          pull(c) {
            if (o >= data.length) return c.close();
            const n = Math.min(next(), data.length - o);
            c.enqueue(data.slice(o, (o += n)));
          },
        });
      return new ReadableStream({
        type: 'bytes',
        pull(c) {
          if (o >= data.length) {
            c.close();
            c.byobRequest?.respond(0);
            return;
          }
          const req = c.byobRequest!;
          const view = req.view as Uint8Array;
          const n = Math.min(next(), data.length - o, view.byteLength);
          view.set(data.subarray(o, o + n));
          o += n;
          req.respond(n);
        },
      });
    },
  } as unknown as Blob;
}

/** A consumer that takes its time over each chunk and checks, on arrival and again when done with
 * it, that the chunk still holds the bytes at its offset: a refilled or detached buffer fails. */
function checkingSink(data: Uint8Array, delays: number[] = [0]) {
  let at = 0;
  let i = 0;
  const seen = { chunks: 0, bad: 0 };
  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      const from = at;
      at += chunk.length;
      const same = () => chunk.length > 0 && Buffer.compare(chunk, data.subarray(from, from + chunk.length)) === 0;
      if (!same()) seen.bad++;
      const d = delays[i++ % delays.length]!;
      for (let k = 0; k < d; k++) await yieldToEventLoop();
      if (!same()) seen.bad++;
      seen.chunks++;
      // Scribbled once the write is done: the source must not rely on what it handed out.
      chunk.fill(0xee);
    },
  });
  return { writable, seen, at: () => at };
}

describe('writeBlob', () => {
  it('delivers a real Blob in order, byte for byte', async () => {
    const data = random(300_000);
    const s = checkingSink(data, [0, 2, 1]);
    await writeBlob(new Blob([data]), s.writable, { unit: 4096, buffers: 3 });
    expect(s.at()).toBe(data.length);
    expect(s.seen.bad).toBe(0);
  });

  it('never refills a buffer the consumer still holds (any piece sizes, units, pool sizes, delays)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 5000 }),
        fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 1200 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.nat(3), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        async (size, pieces, unit, buffers, delays, bytes) => {
          const data = random(size);
          const s = checkingSink(data, delays);
          let counted = 0;
          await writeBlob(standIn(data, pieces, bytes), s.writable, { unit, buffers, onBytes: (n) => (counted += n) });
          expect(s.at()).toBe(size);
          expect(counted).toBe(size);
          expect(s.seen.bad).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('falls back to default reads when the stream is not a byte stream', async () => {
    const data = random(50_000);
    const blob = standIn(data, [777], false);
    expect(() => blob.stream().getReader({ mode: 'byob' })).toThrow(TypeError);
    const s = checkingSink(data);
    await writeBlob(blob, s.writable, { unit: 4096 });
    expect(s.at()).toBe(data.length);
    expect(s.seen.bad).toBe(0);
  });

  it('aborts the writable with a read error, and stops reading when the writable fails', async () => {
    const failing = {
      stream: () => new ReadableStream({ type: 'bytes', pull: (c) => c.error(new TypeError('read failed')) }),
    } as unknown as Blob;
    let aborted: unknown;
    await expect(writeBlob(failing, new WritableStream({ abort: (r) => void (aborted = r) }))).rejects.toThrow(
      'read failed',
    );
    expect(aborted).toBeInstanceOf(TypeError);

    let pulls = 0;
    let cancelled = false;
    const endless = {
      stream: () =>
        new ReadableStream({
          type: 'bytes',
          pull(c) {
            pulls++;
            c.byobRequest!.respond(Math.min(10, c.byobRequest!.view!.byteLength));
          },
          cancel: () => void (cancelled = true),
        }),
    } as unknown as Blob;
    const boom = new RangeError('disk full');
    await expect(
      writeBlob(endless, new WritableStream({ write: () => Promise.reject(boom) }), { unit: 100 }),
    ).rejects.toBe(boom);
    expect(cancelled).toBe(true);
    expect(pulls).toBeLessThan(100);
  });

  it('stops when the signal aborts', async () => {
    const ac = new AbortController();
    ac.abort(new DOMException('Cancelled', 'AbortError'));
    await expect(writeBlob(new Blob([random(10)]), new WritableStream(), { signal: ac.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('rejects a unit or pool size that makes no progress, and a first read outside 1..unit', async () => {
    await expect(writeBlob(new Blob([]), new WritableStream(), { unit: 0 })).rejects.toBeInstanceOf(RangeError);
    await expect(writeBlob(new Blob([]), new WritableStream(), { buffers: 0.5 })).rejects.toBeInstanceOf(RangeError);
    await expect(writeBlob(new Blob([]), new WritableStream(), { unit: 10, first: 0 })).rejects.toBeInstanceOf(
      RangeError,
    );
    await expect(writeBlob(new Blob([]), new WritableStream(), { unit: 10, first: 11 })).rejects.toBeInstanceOf(
      RangeError,
    );
  });

  it('reads `first` bytes first, then whole units, from any piece sizes, without refilling a held buffer', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 5000 }),
        fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 1200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.nat(3), { minLength: 1, maxLength: 5 }),
        async (size, pieces, unit, at, delays) => {
          const first = Math.max(1, Math.ceil(at * unit));
          const data = random(size);
          const s = checkingSink(data, delays);
          const lengths: number[] = [];
          const inner = s.writable.getWriter();
          const spy = new WritableStream<Uint8Array>({
            write: (c) => (lengths.push(c.length), inner.write(c)),
            close: () => inner.close(),
          });
          await writeBlob(standIn(data, pieces), spy, { unit, first, buffers: 2 });
          expect(s.at()).toBe(size);
          expect(s.seen.bad).toBe(0);
          // Short reads are gathered: only the last read may be shorter than asked.
          const want = [first, ...Array.from({ length: lengths.length }, () => unit)];
          lengths.slice(0, -1).forEach((n, i) => expect(n).toBe(want[i]));
          if (lengths.length) expect(lengths.at(-1)).toBeLessThanOrEqual(want[lengths.length - 1]!);
        },
      ),
      { numRuns: 120 },
    );
  });

  it.each([
    ['units smaller than a frame', 1000, 4096],
    ['units of about a frame', 4096, 4096],
    ['units of several frames', 20_000, 4096],
  ])('feeds the encrypt and decrypt streams from reused buffers: %s', async (_name, unit, frameLength) => {
    const keyring = memoryKeyring();
    const pt = random(100_000);
    const collect = async (r: ReadableStream<Uint8Array>) => {
      const parts: Uint8Array[] = [];
      for await (const c of r as unknown as AsyncIterable<Uint8Array>) parts.push(c.slice());
      return new Uint8Array(Buffer.concat(parts));
    };
    for (const suiteId of [0x0478, 0x0578] as const) {
      const { stream: enc } = await createEncryptStream({ keyring, frameLength, suiteId });
      const [ct] = await Promise.all([
        collect(enc.readable),
        writeBlob(new Blob([pt]), enc.writable, { unit, buffers: 2 }),
      ]);
      const dec = createDecryptStream({ keyring });
      const [out] = await Promise.all([
        collect(dec.readable),
        writeBlob(new Blob([ct]), dec.writable, { unit, buffers: 2 }),
      ]);
      expect(Buffer.compare(out, pt)).toBe(0);
    }
  });
});
