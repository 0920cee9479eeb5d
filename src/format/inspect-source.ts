// Random access to the bytes of a message for the inspector (inspect.ts): a Blob read by Blob.slice,
// or bytes in memory, behind one small interface, with a read-ahead window so walking thousands of
// small frames costs a few large reads rather than thousands of tiny ones. Pure: no DOM.

/** Bytes that can be read at any offset without reading what comes before. */
export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes from `offset` (fewer only at the end of the source). */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A Blob (or File) read slice by slice: nothing is read that is not asked for. */
export function blobSource(blob: Blob): ByteSource {
  return {
    size: blob.size,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
  };
}

/** Bytes already in memory. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: async (offset, length) => bytes.subarray(offset, offset + length) };
}

/** Reads through a source, keeping the last window read so that nearby reads cost nothing. */
export class WindowedReader {
  private start = 0;
  private buf: Uint8Array = new Uint8Array(0);
  /** Bytes fetched from the source so far. */
  bytesRead = 0;

  constructor(readonly source: ByteSource) {}

  /**
   * `length` bytes at `offset`, or fewer when the source ends first. When they are not in the window,
   * reads `Math.max(length, ahead)` bytes from `offset` (clamped to the source).
   */
  async at(offset: number, length: number, ahead = 0): Promise<Uint8Array> {
    const end = Math.min(offset + length, this.source.size);
    if (offset >= this.start && end <= this.start + this.buf.length)
      return this.buf.subarray(offset - this.start, end - this.start);
    const want = Math.min(Math.max(length, ahead), this.source.size - offset);
    const got = want > 0 ? await this.source.read(offset, want) : new Uint8Array(0);
    this.bytesRead += got.length;
    this.start = offset;
    this.buf = got;
    return got.subarray(0, Math.max(0, end - offset));
  }
}
