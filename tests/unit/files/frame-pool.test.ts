// The frame pool (src/worker/frame-pool.ts) with in-process stand-ins for its workers that answer
// out of order: messages round-trip through the format streams, a bad frame is reported as such,
// the caller's buffers are never shared with a worker, the pool's own buffers are reused and the key
// is sent once per worker, and a failed or closed pool fails its frames.
import { describe, expect, it } from 'vitest';
import { AuthenticationError, createDecryptStream, createEncryptStream } from '../../../src/format';
import { FramePool, type FrameRequest, type FrameResult, type FrameWorker } from '../../../src/worker/frame-pool';
import { chunksOf, join, memoryKeyring, pipe, random, split } from '../format/helpers';

/** A worker stand-in: runs WebCrypto and answers after a varying delay (so answers cross). */
class FakeWorker implements FrameWorker {
  onmessage: ((e: MessageEvent<FrameResult>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  terminated = false;
  seen: FrameRequest[] = [];
  buffers = new Set<ArrayBuffer>();
  private keys = new Map<number, CryptoKey>();
  private n = 0;

  postMessage(m: FrameRequest, transfer: Transferable[]): void {
    this.seen.push(m);
    // Everything posted is transferred: the pool must have handed over a buffer of its own.
    expect(transfer).toEqual([m.buf]);
    this.buffers.add(m.buf);
    // As structured cloning would: the worker holds the bytes, the pool's copy is gone until sent back.
    const buf = m.buf.slice(0);
    if (m.key) this.keys.set(m.keyId, m.key);
    const key = this.keys.get(m.keyId)!;
    expect(key).toBeDefined();
    const iv = new Uint8Array(buf, 0, m.ivLength);
    const aad = new Uint8Array(buf, m.ivLength, m.aadLength);
    const data = new Uint8Array(buf, m.ivLength + m.aadLength, m.dataLength);
    const params = { name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 };
    const work = m.op === 'seal' ? crypto.subtle.encrypt(params, key, data) : crypto.subtle.decrypt(params, key, data);
    const delay = (this.n++ * 7) % 4;
    const answer = (r: FrameResult) =>
      setTimeout(() => this.onmessage?.({ data: r } as MessageEvent<FrameResult>), delay);
    work.then(
      (out) => answer({ id: m.id, ok: true, data: out, buf: m.buf }),
      () => answer({ id: m.id, ok: false, buf: m.buf }),
    );
  }

  terminate(): void {
    this.terminated = true;
  }
}

function pool(size: number) {
  const workers: FakeWorker[] = [];
  const p = new FramePool(size, () => {
    const w = new FakeWorker();
    workers.push(w);
    return w;
  });
  return { p, workers };
}

describe('FramePool', () => {
  it('seals and opens frames across its workers, in order, byte for byte', async () => {
    const { p, workers } = pool(3);
    expect(p.inFlight).toBe(24);
    const keyring = memoryKeyring();
    const pt = random(100 * 64 + 9);
    const { stream } = await createEncryptStream({ keyring, frameLength: 64, cipher: p });
    const enc = await pipe(stream, chunksOf(pt, 'random'));
    expect(enc.error).toBeUndefined();
    expect(workers.every((w) => w.seen.length > 10)).toBe(true);
    const plain = await pipe(createDecryptStream({ keyring }), [enc.out]);
    expect(Buffer.from(plain.out).equals(Buffer.from(pt))).toBe(true);
    for (const w of workers) w.buffers.clear();
    const pooled = await pipe(createDecryptStream({ keyring, cipher: p }), chunksOf(enc.out, 'random'));
    expect(pooled.error).toBeUndefined();
    expect(Buffer.from(pooled.out).equals(Buffer.from(pt))).toBe(true);
    // Each worker got the message key with its first frame only, and the pool reused its buffers: at most
    // twice as many as frames in flight (those in flight, and those back and not yet reused), for 101 frames.
    for (const w of workers) expect(w.seen.filter((m) => m.key).length).toBe(2); // the encrypt's key, the decrypt's
    const buffers = new Set(workers.flatMap((w) => [...w.buffers]));
    expect(buffers.size).toBeLessThanOrEqual(2 * p.inFlight);
    p.close();
    expect(workers.every((w) => w.terminated)).toBe(true);
  });

  it('reports a frame that does not authenticate, and releases nothing from it on', async () => {
    const { p } = pool(2);
    const keyring = memoryKeyring();
    const pt = random(30 * 64);
    const { stream } = await createEncryptStream({ keyring, frameLength: 64 });
    const { out } = await pipe(stream, [pt]);
    const parts = split(out);
    const frames = parts.frames.map((f, i) => (i === 12 ? Uint8Array.from(f, (b, j) => (j === 30 ? b ^ 0x80 : b)) : f));
    const r = await pipe(createDecryptStream({ keyring, cipher: p }), [join(parts.headerBytes, ...frames)]);
    expect(r.error).toBeInstanceOf(AuthenticationError);
    expect(Buffer.from(r.out).equals(Buffer.from(pt.subarray(0, 12 * 64)))).toBe(true);
  });

  it('fails frames in flight when a worker fails or the pool closes, and refuses a bad size', async () => {
    const { p, workers } = pool(2);
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']);
    workers[0]!.postMessage = () => undefined; // never answers
    const stuck = p.seal(key, new Uint8Array(12), new Uint8Array(0), random(10));
    workers[0]!.onerror!({} as ErrorEvent);
    await expect(stuck).rejects.toThrow('A frame worker failed.');
    await expect(p.seal(key, new Uint8Array(12), new Uint8Array(0), random(10))).rejects.toThrow(
      'A frame worker failed.',
    );
    expect(() => new FramePool(0, () => new FakeWorker())).toThrow(RangeError);
    expect(() => new FramePool(17, () => new FakeWorker())).toThrow(RangeError);
  });
});
