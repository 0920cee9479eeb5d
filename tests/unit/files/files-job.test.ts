// File jobs over the real KMS core: round trip through memory sinks, the header summary, and a
// failed or cancelled job aborting its sink (so no partial output survives).
import { describe, expect, it } from 'vitest';
import { rootCaller } from '../../../src/kms/ids';
import { AuthenticationError, NoUsableKeyError, TruncatedMessageError } from '../../../src/format';
import { decryptJob, encryptJob, type Sink } from '../../../src/worker/files-job';
import { coreKeyring } from '../../../src/worker/files-keyring';
import { freshKms } from '../helpers/kms';
import { random } from '../format/helpers';

function memorySink() {
  const parts: Uint8Array[] = [];
  const state = { aborted: false, closed: false };
  const sink: Sink<Uint8Array> = {
    writable: new WritableStream({
      write: (c) => void parts.push(c.slice()),
      close: () => void (state.closed = true),
      abort: () => void (state.aborted = true),
    }),
    finish: async () => new Uint8Array(Buffer.concat(parts)),
  };
  return { sink, state };
}

const streamOf = (b: Uint8Array, chunk = 65536) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (let o = 0; o < b.length; o += chunk) c.enqueue(b.slice(o, o + chunk));
      c.close();
    },
  });

async function setup() {
  const f = await freshKms();
  const k = await f.createKey();
  await f.call('CreateAlias', { AliasName: 'alias/files', TargetKeyId: k.KeyId });
  const keyring = (keyIds?: string[]) =>
    coreKeyring(f.kms, rootCaller(f.kms.keystore, { userAgent: 'vitest' }), keyIds ? { keyIds } : {});
  return { f, k, keyring };
}

describe('file jobs', () => {
  it('encrypts under an alias and decrypts, reporting progress and the header', async () => {
    const { k, keyring } = await setup();
    const pt = random(3 * 65536 + 5);
    const enc = memorySink();
    const progress: number[] = [];
    const e = await encryptJob({
      input: streamOf(pt),
      sink: enc.sink,
      keyring: keyring(['alias/files']),
      suiteId: 0x0578,
      frameLength: 65536,
      encryptionContext: { project: 'x' },
      onProgress: (p) => progress.push(p.bytesIn),
      progressEveryMs: 0,
    });
    expect(e.bytesIn).toBe(pt.length);
    expect(e.header).toMatchObject({
      suiteId: '0x0578',
      signed: true,
      keyCommitment: true,
      frameLength: 65536,
      encryptionContext: { project: 'x' },
      keys: [{ providerId: 'aws-kms', keyArn: k.Arn }],
    });
    expect(progress.at(-1)).toBe(pt.length);
    const dec = memorySink();
    let seen;
    const d = await decryptJob({
      input: streamOf(e.result, 1000),
      sink: dec.sink,
      keyring: keyring(),
      onHeader: (h) => (seen = h),
    });
    expect(Buffer.compare(d.result, pt)).toBe(0);
    expect(seen).toEqual(e.header);
    expect(dec.state.closed).toBe(true);
  });

  it('aborts the sink when the message is truncated or altered', async () => {
    const { keyring } = await setup();
    const enc = memorySink();
    const e = await encryptJob({
      input: streamOf(random(10_000)),
      sink: enc.sink,
      keyring: keyring(['alias/files']),
      frameLength: 4096,
    });
    for (const [bad, E] of [
      [e.result.subarray(0, e.result.length - 10), TruncatedMessageError],
      [
        (() => {
          const b = e.result.slice();
          b[b.length - 100]! ^= 1;
          return b;
        })(),
        AuthenticationError,
      ],
    ] as const) {
      const dec = memorySink();
      await expect(decryptJob({ input: streamOf(bad), sink: dec.sink, keyring: keyring() })).rejects.toBeInstanceOf(E);
      expect(dec.state.aborted).toBe(true);
      expect(dec.state.closed).toBe(false);
    }
  });

  it('names the keys when none can be used', async () => {
    const { f, k, keyring } = await setup();
    const enc = memorySink();
    const e = await encryptJob({ input: streamOf(random(10)), sink: enc.sink, keyring: keyring([k.KeyId]) });
    await f.call('DisableKey', { KeyId: k.KeyId });
    const dec = memorySink();
    const err = await decryptJob({ input: streamOf(e.result), sink: dec.sink, keyring: keyring() }).catch(
      (x: unknown) => x,
    );
    expect(err).toBeInstanceOf(NoUsableKeyError);
    expect((err as Error).message).toContain(k.Arn);
    expect(dec.state.aborted).toBe(true);
  });

  it('cancels: the signal aborts the sink', async () => {
    const { keyring } = await setup();
    const ac = new AbortController();
    const enc = memorySink();
    const endless = new ReadableStream<Uint8Array>({ pull: (c) => c.enqueue(new Uint8Array(65536)) });
    const job = encryptJob({
      input: endless,
      sink: enc.sink,
      keyring: keyring(['alias/files']),
      signal: ac.signal,
      onProgress: (p) => p.bytesIn > 1 << 20 && ac.abort(),
      progressEveryMs: 0,
    });
    await expect(job).rejects.toBeDefined();
    expect(enc.state.aborted).toBe(true);
  });
});

describe('file jobs and the lock (ADR 0009)', () => {
  it('a job started while unlocked finishes byte for byte after a lock; a job started while locked is refused by name', async () => {
    const { f, keyring } = await setup();
    const owner = rootCaller(f.kms.keystore, { userAgent: 'vitest' });
    await f.kms.custody.setUpRecovery(owner, { passphrase: 'files across a lock' }, { iterations: 1000 });
    const pt = random(8 * 65536);
    const enc = memorySink();
    await encryptJob({ input: streamOf(pt), sink: enc.sink, keyring: keyring(['alias/files']), frameLength: 65536 });
    const message = await enc.sink.finish();
    // The data key is decrypted before the first frame; the keystore locks while frames are still coming.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let sent = 0;
    const slow = new ReadableStream<Uint8Array>({
      async pull(c) {
        if (sent === 4096) await gate;
        if (sent >= message.length) return c.close();
        c.enqueue(message.slice(sent, sent + 4096));
        sent += 4096;
      },
    });
    const dec = memorySink();
    const job = decryptJob({ input: slow, sink: dec.sink, keyring: keyring(), allowLegacy: false });
    await new Promise((r) => setTimeout(r, 50));
    await f.kms.custody.lock(owner);
    release();
    await job;
    expect(await dec.sink.finish()).toEqual(pt);
    const refused = memorySink();
    await expect(
      decryptJob({ input: streamOf(message), sink: refused.sink, keyring: keyring(), allowLegacy: false }),
    ).rejects.toMatchObject({ name: 'NoUsableKeyError', message: expect.stringContaining('KMSInvalidStateException') });
    expect(refused.state.aborted || !refused.state.closed).toBe(true);
    // Two passphrase derivations and two file jobs: seconds of CPU on a loaded 2-core runner.
  }, 30_000);
});
