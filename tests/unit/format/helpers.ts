// Shared helpers for the message-format tests: an in-memory keyring, stream drivers that feed
// input whole, in random chunks or byte by byte, and message surgery (split into parts).
import {
  decodeFooter,
  decodeFrame,
  decodeHeader,
  type Keyring,
  type MessageHeader,
  PROVIDER_AWS_KMS,
} from '../../../src/format';

export const ARN = (n: number) => `arn:aws:kms:us-east-1:111122223333:key/0000000${n}-0000-4000-8000-000000000000`;

/** A keyring whose "KMS" is a map: the ciphertext is a random handle. Enough for codec tests. */
export function memoryKeyring(keys = [ARN(1)]): Keyring & { store: Map<string, Uint8Array> } {
  const store = new Map<string, Uint8Array>();
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  return {
    store,
    async onEncrypt(suite) {
      const dataKey = crypto.getRandomValues(new Uint8Array(suite.keyBytes));
      const encryptedDataKeys = keys.map((arn) => {
        const handle = crypto.getRandomValues(new Uint8Array(16));
        store.set(`${arn}/${hex(handle)}`, dataKey.slice());
        return { providerId: PROVIDER_AWS_KMS, providerInfo: new TextEncoder().encode(arn), ciphertext: handle };
      });
      return { dataKey, encryptedDataKeys };
    },
    async onDecrypt(_suite, _ctx, edks) {
      for (const e of edks) {
        const k = store.get(`${new TextDecoder().decode(e.providerInfo)}/${hex(e.ciphertext)}`);
        if (k) return k.slice();
      }
      const { NoUsableKeyError } = await import('../../../src/format');
      throw new NoUsableKeyError('no key');
    },
  };
}

export type Feed = 'whole' | 'random' | 'bytes';

export function chunksOf(data: Uint8Array, feed: Feed, seed = 1): Uint8Array[] {
  if (feed === 'whole') return [data];
  if (feed === 'bytes') return Array.from(data, (_, i) => data.subarray(i, i + 1));
  const out: Uint8Array[] = [];
  let s = seed;
  for (let o = 0; o < data.length;) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const n = 1 + (s % 7000);
    out.push(data.slice(o, o + n));
    o += n;
  }
  return out;
}

/** Pipes chunks through a stream; returns the output and the error, if any. */
export async function pipe(
  stream: TransformStream<Uint8Array, Uint8Array>,
  chunks: Uint8Array[],
): Promise<{ out: Uint8Array; error?: unknown }> {
  const parts: Uint8Array[] = [];
  let error: unknown;
  const src = new ReadableStream<Uint8Array>({
    start(c) {
      for (const ch of chunks) c.enqueue(ch);
      c.close();
    },
  });
  try {
    await src.pipeThrough(stream).pipeTo(new WritableStream({ write: (b) => void parts.push(b.slice()) }));
  } catch (e) {
    error = e;
  }
  // A plain Uint8Array: Buffer's slice() is a view, so a test flipping bits in a "copy" would change the original.
  return { out: new Uint8Array(Buffer.concat(parts)), ...(error !== undefined ? { error } : {}) };
}

export interface Parts {
  header: MessageHeader;
  headerBytes: Uint8Array;
  frames: Uint8Array[];
  footer: Uint8Array;
}

/** Splits a message into header, frames and footer (for reordering, dropping and duplicating). */
export function split(msg: Uint8Array): Parts {
  const h = decodeHeader(msg, { maxEncryptedDataKeys: 100 })!;
  let o = h.read;
  const frames: Uint8Array[] = [];
  for (;;) {
    const f = decodeFrame(msg.subarray(o), h.header.frameLength)!;
    frames.push(msg.slice(o, o + f.read));
    o += f.read;
    if (f.final) break;
  }
  const footer = msg.slice(o);
  if (footer.length) decodeFooter(footer);
  return { header: h.header, headerBytes: msg.slice(0, h.read), frames, footer };
}

export const join = (...p: Uint8Array[]) => new Uint8Array(Buffer.concat(p));
export const random = (n: number) => {
  const b = new Uint8Array(n);
  for (let o = 0; o < n; o += 65536) crypto.getRandomValues(b.subarray(o, Math.min(n, o + 65536)));
  return b;
};
