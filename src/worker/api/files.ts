// The file-encryption methods of the worker API: jobs keyed by an ID the UI chooses, streamed
// from a File (or a transferred ReadableStream) to a chosen file or the origin private file system.
import * as Comlink from 'comlink';
import { KmsError } from '../../kms/errors';
import { decodeHeader, FormatError, NotAnEsdkMessageError, TruncatedMessageError } from '../../format';
import type { FrameCipher } from '../../format/frame-cipher';
import type { WorkerContext } from '../context';
import { downloadSink } from '../download-sink';
import { coreKeyring } from '../files-keyring';
import { decryptJob, encryptJob, summarize, type JobRun, type Sink } from '../files-job';
import { handleSink, opfsSink, releaseOutput } from '../files-sinks';
import { CalibratingCipher, defaultPoolSize, MIN_CORES } from '../frame-calibration';
import { framePool, PER_WORKER } from '../frame-pool';
import type { FileJobResult, FileOutput, FilesWorkerApi } from './files-types';

/**
 * Who seals or opens a job's frames: `workers` 0 the KMS worker itself, 1–16 a pool of that many frame workers,
 * closed when the job ends; by default a pool only where it measures faster (frame-calibration.ts).
 */
async function withCipher<T>(workers: number | undefined, fn: (cipher?: FrameCipher) => Promise<T>): Promise<T> {
  if (workers === 0) return fn();
  if (workers === undefined) {
    const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
    if (cores < MIN_CORES) return fn();
    const size = defaultPoolSize(cores);
    const c = new CalibratingCipher(() => framePool(size), size * PER_WORKER);
    try {
      return await fn(c);
    } finally {
      c.close();
    }
  }
  const pool = framePool(workers);
  try {
    return await fn(pool);
  } finally {
    pool.close();
  }
}

const JOB_ID = /^[A-Za-z0-9-]{1,64}$/;
const INSPECT_LIMIT = 4 << 20;

/** Errors that may cross to the UI as they are; anything else becomes a plain, data-free sentence. */
function publicError(e: unknown): Error {
  if (e instanceof FormatError || e instanceof KmsError || e instanceof RangeError) return e;
  const name = (e as { name?: string })?.name;
  if (name === 'DownloadError') return e as Error;
  if (name === 'AbortError')
    return Object.assign(new Error('The job was cancelled; its partial output was deleted.'), { name: 'AbortError' });
  if (name === 'QuotaExceededError')
    return Object.assign(new Error('There is not enough storage space for the output file.'), {
      name: 'QuotaExceededError',
    });
  if (name === 'NotAllowedError')
    return Object.assign(new Error('The browser did not allow writing the output file.'), { name: 'NotAllowedError' });
  return Object.assign(new Error('The file could not be processed because of an internal error.'), {
    name: 'FileJobError',
  });
}

export function filesApi(ctx: WorkerContext): FilesWorkerApi {
  // ctx.ready is read at each call: a restore can open the keystore again.
  const { acting } = ctx;
  const callerOf = acting.current.bind(acting);
  const jobs = new Map<string, AbortController>();

  async function sinkFor(
    jobId: string,
    output: FileOutput | undefined,
    signal: AbortSignal,
  ): Promise<Sink<File | undefined>> {
    if (output?.download) return downloadSink(output.download, signal);
    return output?.handle ? handleSink(output.handle) : opfsSink(jobId);
  }

  /** Frees the message ports of Comlink-proxied callbacks once a job is over. */
  const release = (...cbs: unknown[]) => {
    for (const cb of cbs) (cb as { [Comlink.releaseProxy]?: () => void } | undefined)?.[Comlink.releaseProxy]?.();
  };

  async function job(
    jobId: string,
    body: (signal: AbortSignal, sink: Sink<File | undefined>) => Promise<JobRun<File | undefined>>,
    output: FileOutput | undefined,
    callbacks: unknown[],
  ): Promise<FileJobResult> {
    /* Precondition: the job ID names an OPFS entry, so it is a plain token. */
    if (!JOB_ID.test(jobId))
      throw new RangeError(`"jobId" expected 1-64 letters, digits or hyphens, got '${jobId.slice(0, 80)}'`);
    if (jobs.has(jobId)) throw new RangeError(`"jobId" '${jobId}' is already running`);
    const ac = new AbortController();
    jobs.set(jobId, ac);
    const t0 = performance.now();
    let sink: Sink<File | undefined> | undefined;
    try {
      sink = await sinkFor(jobId, output, ac.signal);
      const r = await body(ac.signal, sink);
      return {
        ...(r.result ? { file: r.result } : {}),
        bytesIn: r.bytesIn,
        bytesOut: r.bytesOut,
        ms: performance.now() - t0,
        header: r.header,
      };
    } catch (e) {
      // The pipe aborts the sink when it fails; a job that failed before piping must delete its output too.
      await sink?.writable.abort(e).catch(() => undefined);
      throw publicError(ac.signal.aborted ? ac.signal.reason : e);
    } finally {
      jobs.delete(jobId);
      release(...callbacks);
    }
  }

  // A Blob goes to the job as it is: the job reads it with BYOB into reused buffers (blob-source.ts).
  const streamOf = (input: Blob | ReadableStream<Uint8Array>) => input;

  return {
    async encryptFile(jobId, input, opts, onProgress) {
      const kms = await ctx.ready;
      return job(
        jobId,
        (signal, sink) =>
          withCipher(opts.workers, (cipher) =>
            encryptJob({
              ...(cipher ? { cipher } : {}),
              input: streamOf(input),
              sink,
              signal,
              ...(onProgress ? { onProgress: (p) => void onProgress(p) } : {}),
              keyring: coreKeyring(kms, callerOf(kms), { keyIds: opts.keyIds }),
              ...(opts.suiteId ? { suiteId: opts.suiteId } : {}),
              ...(opts.frameLength ? { frameLength: opts.frameLength } : {}),
              ...(opts.encryptionContext ? { encryptionContext: opts.encryptionContext } : {}),
            }),
          ),
        opts.output,
        [onProgress],
      );
    },
    async decryptFile(jobId, input, opts, onProgress, onHeader) {
      const kms = await ctx.ready;
      return job(
        jobId,
        (signal, sink) =>
          withCipher(opts.workers, (cipher) =>
            decryptJob({
              ...(cipher ? { cipher } : {}),
              input: streamOf(input),
              sink,
              signal,
              ...(onProgress ? { onProgress: (p) => void onProgress(p) } : {}),
              ...(onHeader ? { onHeader: (h) => void onHeader(h) } : {}),
              keyring: coreKeyring(kms, callerOf(kms)),
              allowLegacy: opts.allowLegacy ?? false,
              ...(opts.maxEncryptedDataKeys !== undefined ? { maxEncryptedDataKeys: opts.maxEncryptedDataKeys } : {}),
            }),
          ),
        opts.output,
        [onProgress, onHeader],
      );
    },
    async inspectFile(input) {
      for (let n = 64 << 10; ; n *= 4) {
        const bytes = new Uint8Array(await input.slice(0, Math.min(n, INSPECT_LIMIT)).arrayBuffer());
        try {
          const d = decodeHeader(bytes, { maxEncryptedDataKeys: 0xffff });
          if (d) return summarize(d.header);
        } catch (e) {
          throw publicError(e);
        }
        if (bytes.length === 0)
          throw new NotAnEsdkMessageError('The file is empty: it is not an AWS Encryption SDK message.');
        if (bytes.length < n || n >= INSPECT_LIMIT)
          throw new TruncatedMessageError('The message ends inside its header: the file is truncated.');
      }
    },
    async cancelFile(jobId, downloadStopped) {
      const reason =
        typeof downloadStopped === 'string'
          ? Object.assign(new Error(downloadStopped.slice(0, 200)), { name: 'DownloadError' })
          : new DOMException('Cancelled', 'AbortError');
      jobs.get(jobId)?.abort(reason);
    },
    async releaseFile(jobId) {
      if (JOB_ID.test(jobId)) await releaseOutput(jobId);
    },
  };
}
