// Who runs AES-GCM on body frames. By default WebCrypto in this thread, one frame at a time; a
// worker pool (src/worker/frame-pool.ts) can take several frames in flight. Either way the streams
// emit frames in order, and a frame's plaintext is released only after it authenticates.
import { open, seal } from './keys';

export interface FrameCipher {
  /** AES-GCM seal (ciphertext ‖ tag). Must read `plaintext` before returning: the caller reuses it. */
  seal(key: CryptoKey, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>;
  /** AES-GCM open; undefined when the tag does not verify. Must read `sealed` before returning. */
  open(key: CryptoKey, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Promise<Uint8Array | undefined>;
  /** How many frames may be in flight at once (1: one at a time). */
  readonly inFlight: number;
}

/** WebCrypto in this thread (it copies its input when called). More in flight gains nothing here. */
export const localCipher: FrameCipher = { seal, open, inFlight: 1 };

/** An ordered window of pending frame results: push in order, take in order. */
export class InOrder<T> {
  private queue: Promise<T>[] = [];

  constructor(readonly size: number) {}

  get length(): number {
    return this.queue.length;
  }

  get full(): boolean {
    return this.queue.length >= this.size;
  }

  push(p: Promise<T>): void {
    // A rejection is seen when its turn comes; until then it must not count as unhandled.
    p.catch(() => undefined);
    this.queue.push(p);
  }

  /** The oldest pending result. */
  take(): Promise<T> {
    return this.queue.shift()!;
  }
}
