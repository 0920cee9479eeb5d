// The bench's own worker methods (npm run bench), joined to the production API only in the bench
// build (bench.worker.ts): raw WebCrypto and IndexedDB ceilings, what audit recording costs, synthetic
// audit records, raw sign/verify, and the files path's read, write, copy and in-memory pipeline rates.
// None of this is in the production bundle (tests/e2e/bundle.test.ts checks the names).
import { writeBlob } from '../../src/worker/blob-source';
import type { WorkerContext } from '../../src/worker/context';
import { opfsSink, releaseOutput } from '../../src/worker/files-sinks';
import { pipelineRate } from './files-diagnostics';
import { rawSignVerify, type ProbeSpec } from './raw-probe';
import { measureAuditCost, measureIdb, seedAuditRecords } from './store-diagnostics';

export function diagnosticsApi({ ready, acting }: WorkerContext) {
  return {
    /** Milliseconds per raw WebCrypto AES-256-GCM encrypt of `bytes` random bytes with a fresh
     * non-extractable key, timed inside this worker in batches of 20 (the ceiling). */
    async rawAesGcm(iterations: number, bytes: number): Promise<number[]> {
      const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']);
      const data = new Uint8Array(bytes);
      // getRandomValues fills at most 65,536 bytes per call.
      for (let o = 0; o < bytes; o += 65536) crypto.getRandomValues(data.subarray(o, Math.min(bytes, o + 65536)));
      // Timers are coarse (0.1 ms) without cross-origin isolation: time batches of 20 calls.
      const times: number[] = [];
      for (let i = 0; i < iterations; i += 20) {
        const t = performance.now();
        for (let j = 0; j < 20; j++)
          await crypto.subtle.encrypt({ name: 'AES-GCM', iv: crypto.getRandomValues(new Uint8Array(12)) }, key, data);
        times.push((performance.now() - t) / 20);
      }
      return times;
    },
    /** Milliseconds per IndexedDB transaction on a scratch database: the storage floor of any audited call. */
    rawIdb: (iterations: number) => measureIdb(iterations),
    /** Milliseconds per Encrypt through a Kms on a scratch database, audited and with appending disabled
     * (`unauditedFirst`: which of the two is measured first). */
    auditCost: (iterations: number, unauditedFirst = false) => measureAuditCost(iterations, unauditedFirst),
    /** Appends `n` synthetic records to this keystore's real trail; milliseconds taken. */
    async seedAuditRecords(n: number): Promise<number> {
      if (!Number.isSafeInteger(n) || n < 1 || n > 10_000_000) throw new TypeError(`"n" expected 1..10^7, got ${n}`);
      return seedAuditRecords(await ready, n);
    },
    /** Mean milliseconds per raw sign and verify with a fresh key in this worker (the ceiling of Sign / Verify). */
    rawSignVerify: (spec: ProbeSpec, iterations: number) => rawSignVerify(spec, iterations),
    /** Milliseconds to read `input` to the end with its default reader ('stream') or the jobs' BYOB reader ('jobs'). */
    async readRate(input: Blob, how: 'stream' | 'jobs' = 'stream'): Promise<number> {
      const t0 = performance.now();
      if (how === 'jobs') await writeBlob(input, new WritableStream());
      else {
        const reader = input.stream().getReader();
        while (!(await reader.read()).done);
      }
      return performance.now() - t0;
    },
    /** Writes `bytes` in `chunk`-byte writes to a scratch OPFS file through a sync access handle; milliseconds. */
    async writeRate(bytes: number, chunk: number): Promise<number> {
      const sink = await opfsSink('bench-write-rate');
      const w = sink.writable.getWriter();
      const data = new Uint8Array(chunk);
      const t0 = performance.now();
      for (let o = 0; o < bytes; o += chunk) await w.write(data.subarray(0, Math.min(chunk, bytes - o)));
      await w.close();
      const ms = performance.now() - t0;
      await releaseOutput('bench-write-rate');
      return ms;
    },
    /** The jobs' own reader and OPFS sink with no message in between: what plain I/O manages here. */
    async copyRate(input: Blob, chunk: number): Promise<number> {
      const sink = await opfsSink('bench-copy-rate');
      const t0 = performance.now();
      await writeBlob(input, sink.writable, { unit: chunk });
      const ms = performance.now() - t0;
      await releaseOutput('bench-copy-rate');
      return ms;
    },
    /** The message pipeline alone, in memory (as the official browser SDK is measured). */
    async pipelineRate(keyArn: string, bytes: number, frameLength: number) {
      const kms = await ready;
      return pipelineRate(kms, acting.current(kms), keyArn, bytes, frameLength);
    },
  };
}
