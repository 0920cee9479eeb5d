// Owns the KMS worker (one class, one worker). The UI imports only the worker's types.
import * as Comlink from 'comlink';
import type { KeystoreInfo, KmsResponses, KmsWorkerApi, SupportedOperation } from '../worker/api';
import { registerErrorTransfer } from '../worker/error-transfer';

/** An AWS KMS exception rebuilt on the UI side; compare by `name`. */
export class KmsCallError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

registerErrorTransfer((w) => new KmsCallError(w.name, w.message));

export class KmsClient {
  readonly api: Comlink.Remote<KmsWorkerApi>;
  info = $state<KeystoreInfo | undefined>(undefined);
  /** Bumped after every successful mutating call, so views can refresh. */
  revision = $state(0);

  constructor() {
    const worker = new Worker(new URL('../worker/kms.worker.ts', import.meta.url), { type: 'module', name: 'pocket-kms' });
    this.api = Comlink.wrap<KmsWorkerApi>(worker);
    void this.api.keystore().then((i) => (this.info = i));
  }

  async call<Op extends SupportedOperation>(op: Op, request: object = {}): Promise<KmsResponses[Op]> {
    const res = (await this.api.call(op, request)) as KmsResponses[Op];
    if (!/^(Describe|Get|List|Encrypt|Decrypt|ReEncrypt|Generate)/.test(op)) this.revision++;
    return res;
  }
}

export const kms = new KmsClient();
