// Reads of a stored message aligned to its frames (src/worker/frame-reads.ts): the header alone first, then
// reads of whole frames, so no frame spans two reads; the job decrypts such a Blob byte for byte, plain and
// signed, and a damaged or truncated one fails as before; what cannot be aligned is read as it comes.
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  createEncryptStream,
  NotAnEsdkMessageError,
  TruncatedMessageError,
  UnsupportedFormatError,
} from '../../../src/format';
import { writeBlob } from '../../../src/worker/blob-source';
import { decryptJob, type Sink } from '../../../src/worker/files-job';
import { frameAlignedReads } from '../../../src/worker/frame-reads';
import { ARN, join, memoryKeyring, pipe, random, split } from '../format/helpers';

async function message(pt: Uint8Array, frameLength: number, suiteId: 0x0478 | 0x0578 = 0x0478, context = {}, keys = 1) {
  const keyring = memoryKeyring(Array.from({ length: keys }, (_, i) => ARN(i + 1)));
  const { stream } = await createEncryptStream({ keyring, frameLength, suiteId, encryptionContext: context });
  const r = await pipe(stream, [pt]);
  return { msg: r.out, keyring };
}

/** A Blob of the bytes (the helpers' arrays are typed over any buffer). */
const blob = (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]);

function memorySink() {
  const parts: Uint8Array[] = [];
  const state = { aborted: false };
  const sink: Sink<Uint8Array> = {
    writable: new WritableStream({
      write: (c) => void parts.push(c.slice()),
      abort: () => void (state.aborted = true),
    }),
    finish: async () => new Uint8Array(Buffer.concat(parts)),
  };
  return { sink, state, out: () => new Uint8Array(Buffer.concat(parts)) };
}

describe('frame-aligned reads', () => {
  for (const suiteId of [0x0478, 0x0578] as const)
    it(`suite 0x0${suiteId.toString(16)}: the header is read alone, then only whole frames, and the job decrypts it byte for byte`, async () => {
      const pt = random(4096 * 300 + 77);
      const { msg, keyring } = await message(pt, 4096, suiteId);
      const parts = split(msg);
      const reads = await frameAlignedReads(blob(msg));
      expect(reads?.first).toBe(parts.headerBytes.length);
      expect(reads!.unit % (4096 + 32)).toBe(0);
      expect(reads!.unit).toBeGreaterThan(4096 + 32);
      // Every read starts where a frame starts: the header's end, then frame boundaries.
      const starts = new Set<number>();
      for (let o = parts.headerBytes.length, i = 0; i < parts.frames.length; o += parts.frames[i++]!.length)
        starts.add(o);
      const chunks: number[] = [];
      let at = 0;
      await writeBlob(blob(msg), new WritableStream({ write: (c) => void chunks.push((at += c.length)) }), reads);
      expect(chunks[0]).toBe(parts.headerBytes.length);
      for (const end of chunks.slice(0, -1)) expect(starts.has(end)).toBe(true);
      expect(at).toBe(msg.length);

      const dec = memorySink();
      const r = await decryptJob({ input: blob(msg), sink: dec.sink, keyring });
      expect(Buffer.compare(r.result, pt)).toBe(0);
      expect(r.bytesIn).toBe(msg.length);
    });

  it('a header longer than the first probe (a 65 KB encryption context, 9 data keys) is found all the same', async () => {
    const { msg, keyring } = await message(random(50_000), 4096, 0x0478, { big: 'x'.repeat(65_000) }, 9);
    const reads = await frameAlignedReads(blob(msg));
    expect(reads?.first).toBe(split(msg).headerBytes.length);
    expect(reads!.first).toBeGreaterThan(64 << 10);
    const dec = memorySink();
    await decryptJob({ input: blob(msg), sink: dec.sink, keyring });
    expect(dec.out().length).toBe(50_000);
  });

  it('is not attempted where it cannot be known: not a message, a header cut short, frames over 4 MiB', async () => {
    expect(await frameAlignedReads(blob(random(1000)))).toBeUndefined();
    const { msg } = await message(random(100), 4096);
    expect(await frameAlignedReads(blob(msg.subarray(0, 60)))).toBeUndefined();
    const { msg: huge } = await message(random(100), 8 << 20);
    expect(await frameAlignedReads(blob(huge))).toBeUndefined();
  });

  it('a damaged or truncated Blob fails as a streamed one does, releasing only authenticated frames', async () => {
    const pt = random(4096 * 40);
    const { msg, keyring } = await message(pt, 4096);
    const parts = split(msg);
    const bad = join(
      parts.headerBytes,
      ...parts.frames.map((f, i) => (i === 25 ? Uint8Array.from(f, (b, j) => (j === 100 ? b ^ 1 : b)) : f)),
    );
    const d1 = memorySink();
    await expect(decryptJob({ input: blob(bad), sink: d1.sink, keyring })).rejects.toBeInstanceOf(AuthenticationError);
    expect(d1.state.aborted).toBe(true);
    // Nothing from the bad frame on reached the sink.
    expect(d1.out().length).toBeLessThanOrEqual(25 * 4096);
    expect(Buffer.compare(d1.out(), pt.subarray(0, d1.out().length))).toBe(0);

    const d2 = memorySink();
    await expect(
      decryptJob({ input: blob(msg.subarray(0, msg.length - 5000)), sink: d2.sink, keyring }),
    ).rejects.toBeInstanceOf(TruncatedMessageError);
    expect(d2.state.aborted).toBe(true);

    const d3 = memorySink();
    await expect(decryptJob({ input: blob(random(5000)), sink: d3.sink, keyring })).rejects.toBeInstanceOf(
      NotAnEsdkMessageError,
    );
    // A frame length over the reader's limit is still refused by the stream, by name.
    const { msg: huge, keyring: k2 } = await message(random(10), 128 << 20);
    await expect(decryptJob({ input: blob(huge), sink: memorySink().sink, keyring: k2 })).rejects.toBeInstanceOf(
      UnsupportedFormatError,
    );
  });
});
