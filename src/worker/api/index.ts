// The Comlink API of the KMS worker: one flat object made of parts, each a factory with its types
// beside it (kms.ts, identities.ts, files.ts, audit.ts, catalogue.ts, inspect.ts, visualise.ts, custody.ts, s3.ts, terminal.ts, labs.ts);
// serve.ts joins them. The UI imports only these types (type-only, so none of the worker's code is
// type-checked as page code).
import type { AuditWorkerApi } from './audit';
import type { CatalogueWorkerApi } from './catalogue';
import type { CustodyWorkerApi } from './custody';
import type { DemoWorkerApi } from './demo';
import type { FilesWorkerApi } from './files-types';
import type { IdentitiesWorkerApi } from './identities';
import type { InspectWorkerApi } from './inspect';
import type { KmsCallsWorkerApi } from './kms';
import type { KeyStoresWorkerApi } from './key-stores';
import type { LabsWorkerApi } from './labs';
import type { RegionsWorkerApi } from './regions';
import type { S3WorkerApi } from './s3-types';
import type { TerminalWorkerApi } from './terminal';
import type { VisualiseWorkerApi } from './visualise';

export type * from './audit';
export type * from './catalogue';
export type * from './custody';
export type * from './demo';
export type * from './files-types';
export type * from './identities';
export type * from './inspect';
export type * from './kms';
export type * from './key-stores';
export type * from './labs';
export type * from './regions';
export type * from './s3-types';
export type * from './terminal';
export type * from './visualise';

export interface KmsWorkerApi
  extends
    KmsCallsWorkerApi,
    IdentitiesWorkerApi,
    FilesWorkerApi,
    AuditWorkerApi,
    CatalogueWorkerApi,
    InspectWorkerApi,
    CustodyWorkerApi,
    S3WorkerApi,
    TerminalWorkerApi,
    LabsWorkerApi,
    RegionsWorkerApi,
    VisualiseWorkerApi,
    KeyStoresWorkerApi,
    DemoWorkerApi {}
