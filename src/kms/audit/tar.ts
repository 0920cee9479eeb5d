// A minimal POSIX ustar writer and streaming reader (POSIX.1-2001 pax "ustar" header) for audit
// exports: regular files only, names up to 255 bytes split into prefix/name at a '/'.

const BLOCK = 512;
const enc = new TextEncoder();

function octal(n: number, width: number): string {
  // width - 1 digits and a NUL, as ustar fields are written.
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function put(h: Uint8Array, s: string, at: number, len: number): void {
  const b = enc.encode(s);
  if (b.length > len) throw new RangeError(`tar header field at ${at} expected at most ${len} bytes, got ${b.length}`);
  h.set(b, at);
}

function splitName(path: string): [prefix: string, name: string] {
  const bytes = enc.encode(path).length;
  if (bytes <= 100) return ['', path];
  if (bytes > 255) throw new RangeError(`"path" expected at most 255 bytes for ustar, got ${bytes}`);
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
    if (enc.encode(path.slice(0, i)).length <= 155 && enc.encode(path.slice(i + 1)).length <= 100)
      return [path.slice(0, i), path.slice(i + 1)];
  }
  throw new RangeError(`"path" cannot be split into a ustar prefix and name: ${path}`);
}

/** One tar member: header, data, padding to 512 bytes. `mtime` in seconds since the epoch. */
export function tarEntry(path: string, data: Uint8Array, mtime = 0): Uint8Array {
  const [prefix, name] = splitName(path);
  const out = new Uint8Array(BLOCK + Math.ceil(data.length / BLOCK) * BLOCK);
  const h = out.subarray(0, BLOCK);
  put(h, name, 0, 100);
  put(h, octal(0o644, 8), 100, 8);
  put(h, octal(0, 8), 108, 8);
  put(h, octal(0, 8), 116, 8);
  put(h, octal(data.length, 12), 124, 12);
  put(h, octal(Math.max(0, Math.floor(mtime)), 12), 136, 12);
  put(h, '        ', 148, 8);
  h[156] = 0x30; // '0': regular file
  put(h, 'ustar\0', 257, 6);
  put(h, '00', 263, 2);
  put(h, prefix, 345, 155);
  let sum = 0;
  for (const b of h) sum += b;
  put(h, sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  out.set(data, BLOCK);
  return out;
}

/** The end of an archive: two zero blocks. */
export function tarEnd(): Uint8Array {
  return new Uint8Array(2 * BLOCK);
}

function field(h: Uint8Array, at: number, len: number): string {
  const b = h.subarray(at, at + len);
  const z = b.indexOf(0);
  return new TextDecoder().decode(z < 0 ? b : b.subarray(0, z));
}

export interface TarMember {
  path: string;
  bytes: Uint8Array;
}

/** Reads members one at a time from a byte stream (only one member is held in memory).
 * @throws RangeError for a header whose checksum does not match, or a stream that ends mid-member. */
export async function* readTar(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<TarMember> {
  const queue: Uint8Array[] = [];
  let queued = 0;
  const it = chunks[Symbol.asyncIterator]();
  let ended = false;
  const take = async (n: number): Promise<Uint8Array | undefined> => {
    while (queued < n && !ended) {
      const r = await it.next();
      if (r.done) ended = true;
      else if (r.value.length) {
        queue.push(r.value);
        queued += r.value.length;
      }
    }
    if (queued < n) return undefined;
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      const head = queue[0]!;
      const k = Math.min(head.length, n - off);
      out.set(head.subarray(0, k), off);
      off += k;
      if (k === head.length) queue.shift();
      else queue[0] = head.subarray(k);
    }
    queued -= n;
    return out;
  };
  for (;;) {
    const h = await take(BLOCK);
    if (!h) return;
    if (h.every((b) => b === 0)) return;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    if (parseInt(field(h, 148, 8).trim(), 8) !== sum)
      throw new RangeError('tar header checksum does not match: not a tar file, or a damaged one');
    const size = parseInt(field(h, 124, 12).trim() || '0', 8);
    const prefix = field(h, 345, 155);
    const name = field(h, 0, 100);
    const data = await take(Math.ceil(size / BLOCK) * BLOCK);
    if (!data) throw new RangeError(`tar member ${name} is cut short`);
    const type = String.fromCharCode(h[156] || 0x30);
    if (type === '0') yield { path: prefix ? `${prefix}/${name}` : name, bytes: data.subarray(0, size) };
  }
}
