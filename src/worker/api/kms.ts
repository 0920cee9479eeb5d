// The KMS part of the worker API: any supported AWS KMS operation as the console's caller, the
// keystore's identity, streamed file digests for Sign / Verify of files, and maintenance.
import { digestStream, type FileDigestKind } from '../../kms/asymmetric';
import type { KmsResponses, SupportedOperation } from '../../kms/kms';
import type { WorkerContext } from '../context';
import { changesMaterial } from '../../kms/operations';
import { keystoreInfo, type KeystoreInfo } from './identities';

export type { FileDigestKind, KmsResponses, SupportedOperation };

export interface KmsCallsWorkerApi {
  /**
   * Runs an AWS KMS operation as the console's caller. Requests and responses keep AWS's PascalCase
   * fields; blobs are Uint8Array and timestamps Date.
   * @throws the AWS KMS exception family (compare by `name`).
   */
  call<Op extends SupportedOperation>(operation: Op, request: object): Promise<KmsResponses[Op]>;
  keystore(): Promise<KeystoreInfo>;
  /** Streams a file through a hash in this worker, for Sign / Verify of files: SHA-2 for MessageType
   * DIGEST, or ML-DSA's μ for EXTERNAL_MU (needs the key's SPKI `publicKey`). */
  fileDigest(file: Blob, kind: FileDigestKind, publicKey?: Uint8Array): Promise<Uint8Array>;
  /** A no-op round trip, to measure the Comlink cost alone. */
  ping(): Promise<number>;
  /** Runs deletion, rotation and expiry of imported key material that are due now. */
  maintain(): Promise<{ deleted: string[]; rotated: string[]; expired: string[] }>;
}

export function kmsApi(ctx: WorkerContext): KmsCallsWorkerApi {
  // ctx.ready is read at each call: a restore can open the keystore again.
  const { acting } = ctx;
  return {
    async call(operation, request) {
      const kms = await ctx.ready;
      const response = await kms.call(operation, request, acting.current(kms));
      if (changesMaterial(operation)) ctx.folderBackup.changed();
      return response as never;
    },
    async keystore() {
      const kms = await ctx.ready;
      return keystoreInfo(kms, acting.current(kms));
    },
    async fileDigest(file, kind, publicKey) {
      return digestStream(file.stream(), kind, publicKey);
    },
    async ping() {
      return performance.now();
    },
    async maintain() {
      const done = await (await ctx.ready).maintain();
      if (done.deleted.length || done.rotated.length || done.expired.length) ctx.folderBackup.changed();
      return done;
    },
  };
}
