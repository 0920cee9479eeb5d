// The S3 core over fake-indexeddb (its real IndexedDB metadata store) and object bytes in memory, with a
// fresh keystore, and small stream helpers shared by the S3 unit tests.
import { invokedVia, rootCaller, type Caller } from '../../../src/kms/ids';
import { S3, type IncomingBody, type ObjectBytes } from '../../../src/s3';
import { IdbS3Meta } from '../../../src/store/s3-idb';
import { S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { handleS3 } from '../../../src/endpoint/s3-rest';
import { freshKms } from '../helpers/kms';
import type { SdkCredentials } from '../helpers/sdk-clients';
import { sdkHandler } from '../helpers/sdk-handler';

/** Object bytes in memory: what a test can inspect (and tamper with). */
export class MemoryBytes implements ObjectBytes {
  readonly files = new Map<string, Uint8Array>();
  async create(file: string) {
    const chunks: Uint8Array[] = [];
    return new WritableStream<Uint8Array>({
      write: (c) => void chunks.push(c.slice()),
      close: () => {
        const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
        let o = 0;
        for (const c of chunks) out.set(c, (o += c.length) - c.length);
        this.files.set(file, out);
      },
      abort: () => void this.files.delete(file),
    });
  }
  async read(file: string, start: number, end: number) {
    const b = this.files.get(file);
    if (!b) throw new DOMException(`${file} not found`, 'NotFoundError');
    // In small chunks, as a disk-backed File streams.
    const slice = b.slice(start, end);
    let at = 0;
    return new ReadableStream<Uint8Array>({
      pull(c) {
        if (at >= slice.length) return c.close();
        c.enqueue(slice.subarray(at, (at += 100_000)));
      },
    });
  }
  async delete(file: string) {
    this.files.delete(file);
  }
}

let n = 0;

export async function freshS3() {
  const f = await freshKms();
  const meta = await IdbS3Meta.open(`test-s3-${Date.now()}-${n++}`);
  const bytes = new MemoryBytes();
  const s3 = new S3({ kms: f.kms, meta, bytes, now: () => f.clock.t });
  const root = rootCaller(f.kms.keystore, { userAgent: 'vitest' });
  return { ...f, s3, meta, bytes, root };
}

export const streamOf = (data: Uint8Array, chunk = 65_536) => {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= data.length) return c.close();
      c.enqueue(data.slice(at, (at += chunk)));
    },
  });
};

/** A body already authenticated as `caller` (the endpoint's part is tested in s3-rest.test.ts). */
export const bodyOf = (data: Uint8Array | string, caller: Caller): IncomingBody => ({
  stream: streamOf(typeof data === 'string' ? new TextEncoder().encode(data) : data),
  authenticate: async () => caller,
});

export async function readAll(s: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(s as ReadableStream<Uint8Array<ArrayBuffer>>).arrayBuffer());
}

export { invokedVia };

/** The unmodified S3 client against `f`'s /s3, in process, signing at the keystore's (injected) time, which the
 * endpoint checks the request's date against. In Node it reads response bodies as Node streams (GetObject's
 * Body), as its own handler gives them. */
export function s3ClientOf(f: Awaited<ReturnType<typeof freshS3>>, credentials: SdkCredentials) {
  const handler = sdkHandler((req) => handleS3(f.s3, req, { now: () => f.clock.t }));
  return new S3Client({
    region: f.kms.keystore.region,
    endpoint: 'http://127.0.0.1/s3',
    forcePathStyle: true,
    credentials,
    maxAttempts: 1,
    systemClockOffset: f.clock.t - Date.now(),
    requestHandler: {
      ...handler,
      async handle(r: Parameters<typeof handler.handle>[0]) {
        const { response } = await handler.handle(r);
        return { response: { ...response, body: Readable.from([response.body]) } };
      },
    } as never,
  });
}
