// A pool of frame workers for file jobs: body frames are independent, so they can be sealed or opened on
// other threads while the job's own thread reads and writes (WebCrypto runs AES on the calling thread in
// Chromium); the format streams keep them in order (FrameCipher). Each frame is copied once into a buffer the
// pool recycles (the worker sends it back with the result), so the streams may reuse theirs at once and a
// gigabyte allocates no fresh input buffers; the message key is sent to each worker once, not per frame.
import type { FrameCipher } from '../format/frame-cipher';

/** One frame: `buf` holds iv ‖ aad ‖ data; `key` is sent with the first frame of `keyId` to a worker. */
export interface FrameRequest {
  id: number;
  op: 'seal' | 'open';
  keyId: number;
  key?: CryptoKey;
  buf: ArrayBuffer;
  ivLength: number;
  aadLength: number;
  dataLength: number;
}

/** `buf` is the request's buffer, sent back to be reused. */
export type FrameResult =
  { id: number; ok: true; data: ArrayBuffer; buf: ArrayBuffer } | { id: number; ok: false; buf: ArrayBuffer };

/** The part of Worker the pool uses (tests pass in-process stand-ins). */
export interface FrameWorker {
  postMessage(message: FrameRequest, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent<FrameResult>) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
  terminate(): void;
}

/** Frames in flight per worker: one computing while the next ones wait in its queue (8 measured faster than 2
 * on a loaded machine, where a worker is descheduled for whole time slices: docs/decisions/0014). */
export const PER_WORKER = 8;

export class FramePool implements FrameCipher {
  readonly inFlight: number;
  private readonly workers: { w: FrameWorker; keys: WeakSet<CryptoKey> }[];
  private readonly waiting = new Map<number, { resolve: (r: FrameResult) => void; reject: (e: Error) => void }>();
  private readonly keyIds = new WeakMap<CryptoKey, number>();
  /** Input buffers back from the workers, largest last: at most one per frame in flight. */
  private readonly spare: ArrayBuffer[] = [];
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
        if (e.data.buf.byteLength && this.spare.length < this.inFlight) this.spare.push(e.data.buf);
        p?.resolve(e.data);
      };
      w.onerror = () => this.fail(new Error('A frame worker failed.'));
      return { w, keys: new WeakSet<CryptoKey>() };
    });
  }

  private fail(e: Error): void {
    this.broken = e;
    for (const p of this.waiting.values()) p.reject(e);
    this.waiting.clear();
  }

  /** A buffer of at least n bytes: a spare one when it is large enough (frames are all one size but the last);
   * else a new one, and one spare too small for these frames is let go. */
  private buffer(n: number): ArrayBuffer {
    const i = this.spare.findIndex((b) => b.byteLength >= n);
    if (i >= 0) return this.spare.splice(i, 1)[0]!;
    this.spare.pop();
    return new ArrayBuffer(n);
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
    const slot = this.workers[this.turn++ % this.workers.length]!;
    const result = new Promise<FrameResult>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    let keyId = this.keyIds.get(key);
    if (keyId === undefined) this.keyIds.set(key, (keyId = id));
    const buf = this.buffer(iv.length + aad.length + data.length);
    const all = new Uint8Array(buf);
    all.set(iv, 0);
    all.set(aad, iv.length);
    all.set(data, iv.length + aad.length);
    const send = !slot.keys.has(key);
    slot.keys.add(key);
    const m: FrameRequest = {
      id,
      op,
      keyId,
      ...(send ? { key } : {}),
      buf,
      ivLength: iv.length,
      aadLength: aad.length,
      dataLength: data.length,
    };
    slot.w.postMessage(m, [buf]);
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
    for (const { w } of this.workers) w.terminate();
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
