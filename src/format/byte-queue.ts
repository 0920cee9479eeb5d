// A FIFO of byte chunks for the streaming decoder: peek and take contiguous runs, copying only
// when a run spans chunks.

export class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0;
  length = 0;

  push(b: Uint8Array): void {
    if (b.length === 0) return;
    this.chunks.push(b);
    this.length += b.length;
  }

  /** The first n bytes (n ≤ length), without consuming them. */
  peek(n: number): Uint8Array {
    if (n > this.length) throw new RangeError(`"n" expected at most ${this.length}, got ${n}`);
    const first = this.chunks[0];
    if (n === 0 || !first) return new Uint8Array(0);
    if (first.length - this.head >= n) return first.subarray(this.head, this.head + n);
    const out = new Uint8Array(n);
    let o = 0;
    let h = this.head;
    for (const c of this.chunks) {
      const k = Math.min(c.length - h, n - o);
      out.set(c.subarray(h, h + k), o);
      o += k;
      h = 0;
      if (o === n) break;
    }
    return out;
  }

  /** Consumes n bytes. */
  skip(n: number): void {
    if (n > this.length) throw new RangeError(`"n" expected at most ${this.length}, got ${n}`);
    this.length -= n;
    while (n > 0) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length - this.head, n);
      this.head += k;
      n -= k;
      if (this.head === c.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
  }

  /** Returns and consumes the first n bytes. */
  take(n: number): Uint8Array {
    const r = this.peek(n);
    this.skip(n);
    return r;
  }

  /** Consumes the first n bytes and returns them without allocating: a view of the queued chunk
   * when they lie in one, else a copy in a scratch buffer this queue reuses. The result is valid
   * until the next call (a frame a second at 1 GB/s would otherwise be garbage the GC lags behind). */
  takeReusing(n: number): Uint8Array {
    if (n > this.length) throw new RangeError(`"n" expected at most ${this.length}, got ${n}`);
    const first = this.chunks[0];
    if (first && first.length - this.head >= n) {
      const r = first.subarray(this.head, this.head + n);
      this.skip(n);
      return r;
    }
    if (this.scratch.length < n) this.scratch = new Uint8Array(n);
    let o = 0;
    for (const c of this.chunks) {
      const k = Math.min(c.length - (o === 0 ? this.head : 0), n - o);
      const from = o === 0 ? this.head : 0;
      this.scratch.set(c.subarray(from, from + k), o);
      o += k;
      if (o === n) break;
    }
    this.skip(n);
    return this.scratch.subarray(0, n);
  }

  private scratch = new Uint8Array(0);
}
