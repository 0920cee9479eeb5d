// A FIFO of byte chunks for the streaming decoder: peek and take contiguous runs, copying only
// when a run spans chunks. release() lets the caller reuse the buffers it pushed.

export class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0;
  length = 0;
  /** Bytes this queue owns: the tail that release() keeps, and runs takeReusing() assembles. */
  private store = new Uint8Array(0);
  /** Whether chunks[0] is a view of `store` (at most the first chunk ever is). */
  private owned = false;

  push(b: Uint8Array): void {
    if (b.length === 0) return;
    this.chunks.push(b);
    this.length += b.length;
  }

  /** The first n bytes (n ≤ length), without consuming them. A view, valid until the next
   * release() or takeReusing(), when the bytes lie in one chunk. */
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
        this.owned = false;
      }
    }
  }

  /** Returns and consumes the first n bytes (see peek for how long the result is valid). */
  take(n: number): Uint8Array {
    const r = this.peek(n);
    this.skip(n);
    return r;
  }

  /** Consumes the first n bytes and returns them without allocating: a view of the queued chunk
   * when they lie in one, else a copy in a buffer this queue reuses. The result is valid until the
   * next takeReusing() or release() (a frame a second at 1 GB/s would otherwise be garbage the GC
   * lags behind). */
  takeReusing(n: number): Uint8Array {
    if (n > this.length) throw new RangeError(`"n" expected at most ${this.length}, got ${n}`);
    const first = this.chunks[0];
    if (first && first.length - this.head >= n) {
      const r = first.subarray(this.head, this.head + n);
      this.skip(n);
      return r;
    }
    // The run spans chunks. If the first is our own tail, it is moved to the front of the store
    // and only the rest is copied after it: each byte is copied once, not once per step.
    let o = 0;
    if (this.owned) {
      const from = first!.byteOffset + this.head;
      o = first!.length - this.head;
      if (this.store.length < n) this.grow(n, from, o);
      else if (from > 0) this.store.copyWithin(0, from, from + o);
      this.skip(o);
    } else if (this.store.length < n) this.store = new Uint8Array(n);
    while (o < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length - this.head, n - o);
      this.store.set(c.subarray(this.head, this.head + k), o);
      o += k;
      this.skip(k);
    }
    return this.store.subarray(0, n);
  }

  /** Copies what is queued from the caller's chunks into this queue's own buffer, so the caller may
   * reuse every buffer it pushed (at most the unconsumed tail is copied: under a frame). Views
   * returned before are invalid afterwards. */
  release(): void {
    if (this.length === 0) {
      this.chunks = [];
      this.head = 0;
      this.owned = false;
      return;
    }
    if (this.owned && this.chunks.length === 1) return;
    let o = 0;
    if (this.owned) {
      const first = this.chunks[0]!;
      const from = first.byteOffset + this.head;
      o = first.length - this.head;
      if (this.store.length < this.length) this.grow(this.length, from, o);
      else if (from > 0) this.store.copyWithin(0, from, from + o);
      this.chunks.shift();
      this.head = 0;
    } else if (this.store.length < this.length) this.store = new Uint8Array(this.length);
    for (const c of this.chunks) {
      const part = c.subarray(this.head);
      this.store.set(part, o);
      o += part.length;
      this.head = 0;
    }
    this.chunks = [this.store.subarray(0, o)];
    this.owned = true;
  }

  /** A larger store that starts with the `len` owned bytes at `from` of the old one. */
  private grow(size: number, from: number, len: number): void {
    const next = new Uint8Array(Math.max(size, this.store.length * 2));
    next.set(this.store.subarray(from, from + len));
    this.store = next;
  }
}
