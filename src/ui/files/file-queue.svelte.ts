// The Files page's queue: one job at a time through the worker, with progress, cancel, the header
// of encrypted files shown before they decrypt, and outputs kept on disk until saved.
import * as Comlink from 'comlink';
import type { FileJobResult, FileProgress, HeaderSummary } from '../../worker/api/files-types';
import { kms } from '../kms-client.svelte';
import { appUpdate } from '../update.svelte';
import { openStreamedDownload, type DownloadOutcome, type StreamedDownload } from './streamed-download';

export type JobKind = 'encrypt' | 'decrypt';
export type JobStatus = 'queued' | 'running' | 'verifying' | 'done' | 'failed' | 'cancelled';

export interface EncryptSettings {
  keyIds: string[];
  context: Record<string, string>;
  signed: boolean;
  frameLength: number;
  suffix: string;
}

export interface DecryptSettings {
  allowLegacy: boolean;
  maxKeys: number;
  suffix: string;
}

export class FileJob {
  status = $state<JobStatus>('queued');
  bytesIn = $state(0);
  header = $state<HeaderSummary | undefined>(undefined);
  error = $state<unknown>(undefined);
  result = $state<FileJobResult | undefined>(undefined);
  url = $state<string | undefined>(undefined);
  /** With streamed downloads: how the browser's download ended (undefined for other outputs). */
  download = $state<DownloadOutcome | undefined>(undefined);
  startedAt = 0;
  now = $state(0);

  constructor(
    readonly id: string,
    readonly input: File,
    /** Path shown in the queue (keeps a dropped folder's structure). */
    readonly path: string,
    readonly kind: JobKind,
    readonly outName: string,
    readonly encrypt?: EncryptSettings,
    readonly decrypt?: DecryptSettings,
  ) {}

  get size() {
    return this.input.size;
  }
  get percent() {
    return this.size ? Math.min(100, (this.bytesIn / this.size) * 100) : this.status === 'done' ? 100 : 0;
  }
  /** MB/s (10^6 bytes per second). */
  get rate() {
    const s = (this.now - this.startedAt) / 1000;
    return s > 0 ? this.bytesIn / 1e6 / s : 0;
  }
  /** Seconds left at the current rate, or undefined. */
  get secondsLeft() {
    const r = this.rate;
    return r > 0 ? (this.size - this.bytesIn) / 1e6 / r : undefined;
  }
}

/** How an output name is made: `.encrypted` added, or removed on decrypt. */
export function outputName(name: string, kind: JobKind, suffix: string): string {
  if (kind === 'encrypt') return name + suffix;
  if (suffix && name.endsWith(suffix) && name.length > suffix.length) return name.slice(0, -suffix.length);
  return `${name}.decrypted`;
}

function downloadError(outcome: 'failed' | 'not-started'): Error {
  const message =
    outcome === 'failed'
      ? 'The download was cancelled or failed in the browser.'
      : 'No download was started: the service worker did not take the file. Add the file again.';
  return Object.assign(new Error(message), { name: 'DownloadError' });
}

export class FileQueue {
  jobs = $state<FileJob[]>([]);
  /** Folder chosen with showDirectoryPicker: outputs are written there directly. */
  folder = $state<FileSystemDirectoryHandle | undefined>(undefined);
  /** Without a folder: stream each result to the browser's downloads as it is produced (through
   * the service worker), instead of keeping it in this browser's storage until "Save". */
  streamDownloads = $state(false);
  private running = false;
  private n = 0;

  add(
    input: File,
    path: string,
    kind: JobKind,
    settings: { encrypt?: EncryptSettings; decrypt?: DecryptSettings },
  ): FileJob {
    const suffix = (kind === 'encrypt' ? settings.encrypt?.suffix : settings.decrypt?.suffix) ?? '.encrypted';
    const id = `job-${Date.now().toString(36)}-${(this.n++).toString(36)}`;
    const job = new FileJob(id, input, path, kind, outputName(path, kind, suffix), settings.encrypt, settings.decrypt);
    this.jobs = [...this.jobs, job];
    void this.pump();
    return job;
  }

  async cancel(job: FileJob) {
    if (job.status === 'queued') {
      job.error = { name: 'AbortError', message: 'Cancelled before it started.' };
      job.status = 'cancelled';
    } else await kms.api.cancelFile(job.id);
  }

  async remove(job: FileJob) {
    if (job.status === 'running' || job.status === 'verifying') await this.cancel(job);
    if (job.url) URL.revokeObjectURL(job.url);
    await kms.api.releaseFile(job.id);
    this.jobs = this.jobs.filter((j) => j !== job);
  }

  private async handleFor(job: FileJob): Promise<FileSystemFileHandle | undefined> {
    if (!this.folder) return undefined;
    // Keep the dropped folder's structure under the chosen folder.
    const parts = job.outName.split('/').filter(Boolean);
    let dir = this.folder;
    for (const p of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(p, { create: true });
    return dir.getFileHandle(parts.at(-1)!, { create: true });
  }

  private async pump() {
    if (this.running) return;
    this.running = true;
    // An app update must not reload the page under a running file job.
    const release = appUpdate.hold('the file jobs in the queue');
    try {
      for (let job = this.next(); job; job = this.next()) await this.run(job);
    } finally {
      release();
      this.running = false;
    }
  }

  private next() {
    return this.jobs.find((j) => j.status === 'queued');
  }

  private async run(job: FileJob) {
    job.status = 'running';
    job.startedAt = job.now = performance.now();
    const onProgress = Comlink.proxy((p: FileProgress) => {
      job.bytesIn = p.bytesIn;
      job.now = performance.now();
      if (job.kind === 'decrypt' && job.header?.signed && p.bytesIn === job.size) job.status = 'verifying';
    });
    const onHeader = Comlink.proxy((h: HeaderSummary) => void (job.header = h));
    let download: StreamedDownload | undefined;
    try {
      const handle = await this.handleFor(job);
      if (!handle && this.streamDownloads)
        download = openStreamedDownload(job.outName, (reason) => void kms.api.cancelFile(job.id, reason));
      const output = handle ? { handle } : download ? { download: download.port } : {};
      // The download port moves to the worker; everything else in the options is copied.
      const send = <T extends object>(opts: T) => (download ? Comlink.transfer(opts, [download.port]) : opts);
      const r =
        job.kind === 'encrypt'
          ? await kms.api.encryptFile(
              job.id,
              job.input,
              send({
                keyIds: job.encrypt!.keyIds,
                encryptionContext: job.encrypt!.context,
                suiteId: job.encrypt!.signed ? (0x0578 as const) : (0x0478 as const),
                frameLength: job.encrypt!.frameLength,
                output,
              }),
              onProgress,
            )
          : await kms.api.decryptFile(
              job.id,
              job.input,
              send({ allowLegacy: job.decrypt!.allowLegacy, maxEncryptedDataKeys: job.decrypt!.maxKeys, output }),
              onProgress,
              onHeader,
            );
      job.download = await download?.close(true);
      if (job.download === 'failed' || job.download === 'not-started') throw downloadError(job.download);
      job.result = r;
      job.header = r.header;
      job.bytesIn = r.bytesIn;
      job.now = performance.now();
      if (r.file) job.url = URL.createObjectURL(r.file);
      job.status = 'done';
    } catch (e) {
      job.download ??= await download?.close(false);
      job.error = e;
      job.status = (e as { name?: string })?.name === 'AbortError' ? 'cancelled' : 'failed';
    }
  }
}
