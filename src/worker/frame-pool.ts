// A pool of frame workers for file jobs: body frames are independent, so several can be sealed or
// opened at once on machines with more cores; the format streams keep them in order (FrameCipher).
// Each frame's bytes are copied once into a buffer of their own, which is transferred (cloning a
// view would copy its whole underlying buffer, a 1 MiB read chunk for a 512 KiB frame), so the
// streams may reuse theirs at once; results come back transferred too.
import type { FrameCipher } from '../format/frame-cipher';

export interface FrameRequest {
  id: number;
  op: 'seal' | 'open';
  key: CryptoKey;
  iv: Uint8Array<ArrayBuffer>;
  aad: Uint8Array<ArrayBuffer>;
  data: Uint8Array<ArrayBuffer>;
}

export type FrameResult = { id: number; ok: true; data: ArrayBuffer } | { id: number; ok: false };

/** The part of Worker the pool uses (tests pass in-process stand-ins). */
export interface FrameWorker {
  postMessage(message: FrameRequest, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent<FrameResult>) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
  terminate(): void;
}

/** Frames in flight per worker: one computing while the next waits in its queue. */
const PER_WORKER = 2;

export class FramePool implements FrameCipher {
  readonly inFlight: number;
  private readonly workers: FrameWorker[];
  private readonly waiting = new Map<number, { resolve: (r: FrameResult) => void; reject: (e: Error) => void }>();
  private next = 0;
  private turn = 0;
  private broken?: Error;

  constructor(size: number, spawn: () => FrameWorker) {
    if (!Number.isInteger(size) || size < 1 || size > 16) throw new RangeError(`"workers" expected 1..16, got ${size}`);
    this.inFlight = size * PER_WORKER;
    this.workers = Array.from({ length: size }, () => {
      const w = spawn();
      w.onmessage = (e) => {
        const p = this.waiting.get(e.data.id);
        this.waiting.delete(e.data.id);
        p?.resolve(e.data);
      };
      w.onerror = () => this.fail(new Error('A frame worker failed.'));
      return w;
    });
  }

  private fail(e: Error): void {
    this.broken = e;
    for (const p of this.waiting.values()) p.reject(e);
    this.waiting.clear();
  }

  private run(
    op: 'seal' | 'open',
    key: CryptoKey,
    iv: Uint8Array,
    aad: Uint8Array,
    data: Uint8Array,
  ): Promise<FrameResult> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.next++;
    const worker = this.workers[this.turn++ % this.workers.length]!;
    const result = new Promise<FrameResult>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    const own = {
      iv: iv.slice() as Uint8Array<ArrayBuffer>,
      aad: aad.slice() as Uint8Array<ArrayBuffer>,
      data: data.slice() as Uint8Array<ArrayBuffer>,
    };
    worker.postMessage({ id, op, key, ...own }, [own.iv.buffer, own.aad.buffer, own.data.buffer]);
    return result;
  }

  async seal(key: CryptoKey, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
    const r = await this.run('seal', key, iv, aad, plaintext);
    if (!r.ok) throw new Error('A frame worker could not seal a frame.');
    return new Uint8Array(r.data);
  }

  async open(key: CryptoKey, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Promise<Uint8Array | undefined> {
    const r = await this.run('open', key, iv, aad, sealed);
    return r.ok ? new Uint8Array(r.data) : undefined;
  }

  /** Stops the workers; frames still in flight fail. */
  close(): void {
    this.fail(new Error('The frame pool was closed.'));
    for (const w of this.workers) w.terminate();
  }
}

interface TrustedTypesLike {
  createPolicy(name: string, rules: { createScriptURL: (url: string) => string | null }): unknown;
  defaultPolicy?: unknown;
}

/** The app's CSP requires Trusted Types for script URLs in workers too: as the page does
 * (src/ui/trusted-types.ts), this worker admits only same-origin worker URLs, through the one
 * policy name the CSP allows here ('default'), created once. */
function admitSameOriginWorkers(): void {
  const tt = (globalThis as { trustedTypes?: TrustedTypesLike }).trustedTypes;
  if (!tt || tt.defaultPolicy) return;
  tt.createPolicy('default', {
    createScriptURL: (url) => (new URL(url, location.href).origin === location.origin ? url : null),
  });
}

/** A pool of `size` browser workers (src/worker/frame.worker.ts). */
export function framePool(size: number): FramePool {
  admitSameOriginWorkers();
  return new FramePool(
    size,
    () =>
      new Worker(new URL('./frame.worker.ts', import.meta.url), {
        type: 'module',
        name: 'pocket-kms-frames',
      }) as unknown as FrameWorker,
  );
}
