// Starts a KMS worker: errors keep their AWS names across Comlink, the keystore opens, and the API
// is exposed. `extra` adds methods to it: only the bench's worker entry (bench/worker/) passes any.
import * as Comlink from 'comlink';
import { rebuildError } from '../kms/errors';
import type { KmsWorkerApi } from './api';
import { auditApi } from './api/audit';
import { catalogueApi } from './api/catalogue';
import { custodyApi } from './api/custody';
import { filesApi } from './api/files';
import { identitiesApi } from './api/identities';
import { inspectApi } from './api/inspect';
import { kmsApi } from './api/kms';
import { keyStoresApi } from './api/key-stores';
import { labsApi } from './api/labs';
import { demoApi } from './api/demo';
import { regionsApi } from './api/regions';
import { s3Api } from './api/s3';
import { terminalApi } from './api/terminal';
import { visualiseApi } from './api/visualise';
import { openWorkerContext, type WorkerContext } from './context';
import { registerErrorTransfer } from './error-transfer';
import { removeStaleOutputs } from './files-sinks';

const USER_AGENT = `pocket-kms-console/${import.meta.env.VITE_APP_VERSION ?? '0'}`;

/** The worker's whole API over one keystore context. */
export function workerApi(ctx: WorkerContext): KmsWorkerApi {
  return {
    ...kmsApi(ctx),
    ...identitiesApi(ctx),
    ...filesApi(ctx),
    ...auditApi(ctx),
    ...catalogueApi(),
    ...inspectApi(),
    ...visualiseApi(ctx),
    ...custodyApi(ctx),
    ...s3Api(ctx),
    ...terminalApi(ctx),
    ...labsApi(ctx),
    ...regionsApi(ctx),
    ...keyStoresApi(ctx),
    ...demoApi(ctx),
  };
}

export function serve(extra?: (ctx: WorkerContext) => object): void {
  registerErrorTransfer((w) => rebuildError(w.name, w.message));
  const ctx = openWorkerContext(USER_AGENT);
  // Outputs of jobs a closed tab left behind in the origin private file system.
  void removeStaleOutputs().catch(() => undefined);
  Comlink.expose({ ...workerApi(ctx), ...extra?.(ctx) });
}
