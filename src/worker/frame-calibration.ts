// The default frame cipher of a file job (issue 20, item 4): a pool of frame workers only where it measures
// faster. With fewer than MIN_CORES logical cores the frames stay in the KMS worker (on 2 shared cores a pool
// measured no faster: bench/files-ab.js, docs/decisions/0014). Otherwise the job calibrates on its own first
// frames: a run of them in this thread, the next run in a pool, the rest wherever the job moved faster.
import { localCipher, type FrameCipher } from '../format/frame-cipher';

/** Logical cores below which no pool is tried: the page, the KMS worker and the browser's I/O already share them. */
export const MIN_CORES = 3;
/** Frames timed in each way (8 MiB of 512 KiB frames). */
export const CALIBRATION_FRAMES = 16;
/** How much faster the pool must be to be kept: it costs a copy per frame and a thread. */
export const POOL_MARGIN = 1.1;

/** Frame workers of a default pool: the rest of the cores carry the job's own thread, the page and the browser's
 * I/O (4 cores: 1, 6: 2, 8: 3, 10 and more: 4; one worker opens ~850 MB/s of 512 KiB frames, DESIGN.md). */
export const defaultPoolSize = (cores: number) => Math.min(4, Math.max(1, Math.floor(cores / 2) - 1));

export interface PoolLike extends FrameCipher {
  close(): void;
}

type Choice = 'local' | 'pool';

/**
 * Runs frames 1..n in `local`, frames n+1..2n in a pool from `spawn`, then keeps the way whose frames completed
 * at the higher rate (bytes per millisecond between its first and last completion, so the pool's start-up is
 * not counted against it); `choice` says which. The pool is closed when it loses, or by `close()`. Frames are
 * still released in order by the format streams (the in-flight window is the pool's).
 */
export class CalibratingCipher implements FrameCipher {
  readonly inFlight: number;
  private pool: PoolLike | undefined;
  /** Frames sent to the pool and not yet back: a pool that lost is closed once they are. */
  private inPool = 0;
  private started = 0;
  private readonly runs: Record<Choice, { bytes: number; first?: number; last?: number; done: number }> = {
    local: { bytes: 0, done: 0 },
    pool: { bytes: 0, done: 0 },
  };
  choice?: Choice;

  constructor(
    private readonly spawn: () => PoolLike,
    inFlight: number,
    private readonly frames = CALIBRATION_FRAMES,
    private readonly local: FrameCipher = localCipher,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.inFlight = inFlight;
  }

  /** The way frame number `i` (from 0) goes, and whether it is timed. */
  private route(): { way: Choice; timed: boolean } {
    const i = this.started++;
    if (this.choice) return { way: this.choice, timed: false };
    if (i < this.frames) return { way: 'local', timed: true };
    if (i < 2 * this.frames) return { way: 'pool', timed: true };
    // Frames past the calibration that were started before both runs finished: the pool is already up.
    return { way: 'pool', timed: false };
  }

  private cipher(way: Choice): FrameCipher {
    if (way === 'local') return this.local;
    return (this.pool ??= this.spawn());
  }

  private async timed<T extends Uint8Array | undefined>(way: Choice, timed: boolean, bytes: number, p: Promise<T>) {
    if (way === 'pool') this.inPool++;
    let r: T;
    try {
      r = await p;
    } finally {
      if (way === 'pool' && --this.inPool === 0 && this.choice === 'local') this.close();
    }
    if (timed && !this.choice) {
      const run = this.runs[way];
      const t = this.now();
      // The first completion starts the clock; its bytes are not counted (they were done before it).
      if (run.first === undefined) run.first = t;
      else run.bytes += bytes;
      run.last = t;
      if (++run.done === this.frames && this.runs.local.done === this.frames && this.runs.pool.done === this.frames)
        this.decide();
    }
    return r;
  }

  private decide(): void {
    const rate = (w: Choice) => {
      const r = this.runs[w];
      return r.bytes / Math.max(1e-3, r.last! - r.first!);
    };
    this.choice = rate('pool') > rate('local') * POOL_MARGIN ? 'pool' : 'local';
    // Frames already in the pool finish there: it is closed when the last is back.
    if (this.choice === 'local' && this.inPool === 0) this.close();
  }

  seal(key: CryptoKey, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
    const { way, timed } = this.route();
    return this.timed(way, timed, plaintext.length, this.cipher(way).seal(key, iv, aad, plaintext));
  }

  open(key: CryptoKey, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Promise<Uint8Array | undefined> {
    const { way, timed } = this.route();
    return this.timed(way, timed, sealed.length, this.cipher(way).open(key, iv, aad, sealed));
  }

  close(): void {
    this.pool?.close();
    this.pool = undefined;
  }
}
