// One file job: input stream → ESDK encrypt or decrypt stream → output sink, with progress,
// cancel, and no partial output left behind on failure. Platform-neutral (Node tests drive it).
import { createDecryptStream, createEncryptStream, type MessageHeader } from '../format';
import { keyArnOf, type Keyring } from '../format/keyring';
import { PUBLIC_KEY_CONTEXT_KEY } from '../format/signature';
import { suiteHex } from '../format/suites';
import type { FrameCipher } from '../format/frame-cipher';
import type { FileProgress, HeaderSummary } from './api/files-types';
import { writeBlob, yieldToEventLoop, YIELD_EVERY } from './blob-source';
import { frameAlignedReads } from './frame-reads';

/** Where output bytes go. `writable` is aborted by the pipe on failure; `finish` runs after success. */
export interface Sink<R> {
  writable: WritableStream<Uint8Array>;
  finish(): Promise<R>;
}

export function summarize(h: MessageHeader): HeaderSummary {
  const { [PUBLIC_KEY_CONTEXT_KEY]: _pub, ...ctx } = h.encryptionContext;
  return {
    formatVersion: h.version,
    suiteId: suiteHex(h.suite.id),
    suiteName: h.suite.name,
    signed: h.suite.signature !== null,
    keyCommitment: h.suite.commitment,
    frameLength: h.frameLength,
    encryptionContext: { ...ctx },
    keys: h.encryptedDataKeys.map((k) => {
      const arn = keyArnOf(k);
      return arn ? { providerId: k.providerId, keyArn: arn } : { providerId: k.providerId };
    }),
  };
}

export interface JobRun<R> {
  result: R;
  header: HeaderSummary;
  bytesIn: number;
  bytesOut: number;
}

/** Bytes queued between stages, so reading, WebCrypto (off-thread) and writing overlap. */
const AHEAD = { highWaterMark: 8 << 20, size: (c: Uint8Array) => c.byteLength };

/** Counts bytes as they pass; `side` says which queue holds the read-ahead. The input side yields
 * a macrotask every YIELD_EVERY bytes so the GC keeps up (blob-source.ts says why). */
function counter(onBytes: (n: number) => void, side: 'readable' | 'writable') {
  let since = 0;
  return new TransformStream<Uint8Array, Uint8Array>(
    {
      async transform(chunk, c) {
        onBytes(chunk.length);
        c.enqueue(chunk);
        if (side === 'readable' && (since += chunk.length) >= YIELD_EVERY) {
          since = 0;
          await yieldToEventLoop();
        }
      },
    },
    side === 'writable' ? AHEAD : undefined,
    side === 'readable' ? AHEAD : undefined,
  );
}

interface Common<R> {
  /** A Blob is read with BYOB into a few reused buffers (blob-source.ts); a stream is piped. */
  input: ReadableStream<Uint8Array> | Blob;
  sink: Sink<R>;
  signal?: AbortSignal;
  onProgress?: (p: FileProgress) => void;
  progressEveryMs?: number;
}

async function run<R>(
  o: Common<R>,
  transform: TransformStream<Uint8Array, Uint8Array>,
  header: () => HeaderSummary | undefined,
  reads: { first?: number; unit?: number } = {},
): Promise<JobRun<R>> {
  const p: FileProgress = { bytesIn: 0, bytesOut: 0 };
  let last = 0;
  const every = o.progressEveryMs ?? 100;
  const tick = () => {
    const now = Date.now();
    if (o.onProgress && now - last >= every) {
      last = now;
      o.onProgress({ ...p });
    }
  };
  const signal = o.signal ? { signal: o.signal } : {};
  const onIn = (n: number) => ((p.bytesIn += n), tick());
  const out = transform.readable
    .pipeThrough(counter((n) => ((p.bytesOut += n), tick()), 'writable'))
    .pipeTo(o.sink.writable, signal);
  const into =
    o.input instanceof Blob
      ? writeBlob(o.input, transform.writable, { onBytes: onIn, ...reads, ...signal })
      : o.input.pipeThrough(counter(onIn, 'readable')).pipeTo(transform.writable, signal);
  // Either side's failure errors the transform and so the other side; the output's reason is the
  // one to report (it is the abort reason when cancelled), as when this was one pipe.
  const [i, w] = await Promise.allSettled([into, out]);
  if (w.status === 'rejected') throw w.reason;
  if (i.status === 'rejected') throw i.reason;
  const result = await o.sink.finish();
  o.onProgress?.({ ...p });
  return { result, header: header()!, bytesIn: p.bytesIn, bytesOut: p.bytesOut };
}

export async function encryptJob<R>(
  o: Common<R> & {
    keyring: Keyring;
    suiteId?: 0x0478 | 0x0578;
    frameLength?: number;
    encryptionContext?: Record<string, string>;
    cipher?: FrameCipher;
  },
): Promise<JobRun<R>> {
  let session;
  try {
    session = await createEncryptStream({
      keyring: o.keyring,
      ...(o.suiteId ? { suiteId: o.suiteId } : {}),
      ...(o.frameLength ? { frameLength: o.frameLength } : {}),
      ...(o.encryptionContext ? { encryptionContext: o.encryptionContext } : {}),
      ...(o.cipher ? { cipher: o.cipher } : {}),
      // A File's chunks that end on a frame are then sealed without a copy (its size is known up front).
      ...(o.input instanceof Blob ? { plaintextLength: o.input.size } : {}),
    });
  } catch (e) {
    await o.sink.writable.abort(e).catch(() => undefined);
    if (!(o.input instanceof Blob)) await o.input.cancel().catch(() => undefined);
    throw e;
  }
  const h = summarize(session.header);
  return run(o, session.stream, () => h);
}

export async function decryptJob<R>(
  o: Common<R> & {
    keyring: Keyring;
    allowLegacy?: boolean;
    maxEncryptedDataKeys?: number;
    onHeader?: (h: HeaderSummary) => void;
    cipher?: FrameCipher;
  },
): Promise<JobRun<R>> {
  let h: HeaderSummary | undefined;
  const stream = createDecryptStream({
    keyring: o.keyring,
    allowNonCommitting: o.allowLegacy ?? false,
    ...(o.maxEncryptedDataKeys !== undefined ? { maxEncryptedDataKeys: o.maxEncryptedDataKeys } : {}),
    ...(o.cipher ? { cipher: o.cipher } : {}),
    onHeader: (header) => {
      h = summarize(header);
      o.onHeader?.(h);
    },
  });
  // A stored message is read frame-aligned: each frame is then a view of one read (frame-reads.ts).
  const reads = o.input instanceof Blob ? await frameAlignedReads(o.input) : undefined;
  return run(o, stream, () => h, reads);
}
