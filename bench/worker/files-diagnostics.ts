// Diagnostics for `npm run bench`: the message pipeline alone, in memory, the way the official
// @aws-crypto/client-browser is measured (it cannot stream from or to disk), so the two compare
// like for like beside the disk-bound job figures.
import type { Caller } from '../../src/kms/ids';
import type { Kms } from '../../src/kms/kms';
import { coreKeyring } from '../../src/worker/files-keyring';
import { decryptJob, encryptJob, type Sink } from '../../src/worker/files-job';

const CHUNK = 1 << 20;

function memoryInput(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(c) {
      if (i < chunks.length) c.enqueue(chunks[i++]!);
      else c.close();
    },
  });
}

function memorySink(keep: boolean): Sink<Uint8Array[]> & { bytes: () => number } {
  const out: Uint8Array[] = [];
  let bytes = 0;
  return {
    writable: new WritableStream({
      write(chunk) {
        bytes += chunk.length;
        if (keep) out.push(chunk);
      },
    }),
    finish: async () => out,
    bytes: () => bytes,
  };
}

/** Milliseconds to encrypt `bytes` random bytes held in memory with `keyArn` (the output kept in
 * memory), then to decrypt that message (the output discarded). */
export async function pipelineRate(
  kms: Kms,
  caller: Caller,
  keyArn: string,
  bytes: number,
  frameLength: number,
): Promise<{ encryptMs: number; decryptMs: number }> {
  if (!Number.isSafeInteger(bytes) || bytes < 1 || bytes > 256 << 20)
    throw new RangeError(`"bytes" expected 1..256 MiB, got ${bytes}`);
  const chunks: Uint8Array[] = [];
  for (let o = 0; o < bytes; o += CHUNK) {
    const c = new Uint8Array(Math.min(CHUNK, bytes - o));
    for (let j = 0; j < c.length; j += 65536) crypto.getRandomValues(c.subarray(j, Math.min(c.length, j + 65536)));
    chunks.push(c);
  }
  const keyring = () => coreKeyring(kms, caller, { keyIds: [keyArn] });
  const encSink = memorySink(true);
  let t = performance.now();
  const enc = await encryptJob({ input: memoryInput(chunks), sink: encSink, keyring: keyring(), frameLength });
  const encryptMs = performance.now() - t;
  const decSink = memorySink(false);
  t = performance.now();
  await decryptJob({ input: memoryInput(enc.result), sink: decSink, keyring: keyring() });
  const decryptMs = performance.now() - t;
  if (decSink.bytes() !== bytes) throw new Error(`decrypted ${decSink.bytes()} bytes, expected ${bytes}`);
  return { encryptMs, decryptMs };
}
