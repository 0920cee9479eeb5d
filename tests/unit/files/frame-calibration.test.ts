// The default frame cipher (src/worker/frame-calibration.ts): a job's first frames in this thread, the next in
// a pool, the rest where frames completed faster; messages come out byte for byte the same either way, a pool
// that lost is closed once its frames are back, a short message never starts one, and pools are sized by cores.
import { describe, expect, it } from 'vitest';
import { createDecryptStream, createEncryptStream } from '../../../src/format';
import { localCipher, type FrameCipher } from '../../../src/format/frame-cipher';
import { CalibratingCipher, defaultPoolSize, type PoolLike } from '../../../src/worker/frame-calibration';
import { chunksOf, memoryKeyring, pipe, random } from '../format/helpers';

/** A virtual clock that each frame advances by its cipher's cost when it completes. */
function world(localCost: number, poolCost: number) {
  const w = { t: 0, spawned: 0, closed: 0, local: 0, pool: 0 };
  const costly = (cost: number, count: 'local' | 'pool'): FrameCipher => ({
    inFlight: 4,
    async seal(...a) {
      const r = await localCipher.seal(...a);
      w.t += cost;
      w[count]++;
      return r;
    },
    async open(...a) {
      const r = await localCipher.open(...a);
      w.t += cost;
      w[count]++;
      return r;
    },
  });
  const spawn = (): PoolLike => {
    w.spawned++;
    return { ...costly(poolCost, 'pool'), close: () => void w.closed++ };
  };
  const cipher = () => new CalibratingCipher(spawn, 4, 8, costly(localCost, 'local'), () => w.t);
  return { w, cipher };
}

async function roundTrip(c: CalibratingCipher, frames: number) {
  const keyring = memoryKeyring();
  const pt = random(64 * frames - 5);
  const { stream } = await createEncryptStream({ keyring, frameLength: 64, cipher: c });
  const enc = await pipe(stream, chunksOf(pt, 'random'));
  expect(enc.error).toBeUndefined();
  const dec = await pipe(createDecryptStream({ keyring }), [enc.out]);
  expect(Buffer.compare(dec.out, pt)).toBe(0);
  return enc.out;
}

describe('CalibratingCipher', () => {
  it('keeps the pool when its frames complete faster, for the rest of the job', async () => {
    const { w, cipher } = world(4, 1);
    const c = cipher();
    await roundTrip(c, 100);
    expect(c.choice).toBe('pool');
    expect(w.local).toBe(8);
    expect(w.pool).toBe(92);
    expect(w.spawned).toBe(1);
    expect(w.closed).toBe(0);
    c.close();
    expect(w.closed).toBe(1);
  });

  it('goes back to this thread when the pool is not faster by the margin, and closes the pool', async () => {
    const { w, cipher } = world(1, 1.05);
    const c = cipher();
    await roundTrip(c, 100);
    expect(c.choice).toBe('local');
    expect(w.pool).toBeGreaterThanOrEqual(8);
    expect(w.local + w.pool).toBe(100);
    expect(w.local).toBeGreaterThan(60);
    expect(w.closed).toBe(1);
  });

  it('decrypts through the calibration too, and a message shorter than the first run never starts a pool', async () => {
    const { w, cipher } = world(4, 1);
    const keyring = memoryKeyring();
    const pt = random(64 * 50);
    const { stream } = await createEncryptStream({ keyring, frameLength: 64 });
    const enc = await pipe(stream, [pt]);
    const dec = await pipe(createDecryptStream({ keyring, cipher: cipher() }), chunksOf(enc.out, 'random'));
    expect(dec.error).toBeUndefined();
    expect(Buffer.compare(dec.out, pt)).toBe(0);
    const short = world(4, 1);
    await roundTrip(short.cipher(), 5);
    expect(short.w.spawned).toBe(0);
    expect(w.spawned).toBe(1);
  });

  it('sizes a default pool by logical cores', () => {
    expect([4, 6, 8, 10, 64].map(defaultPoolSize)).toEqual([1, 2, 3, 4, 4]);
  });
});
