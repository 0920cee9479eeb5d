// Owns the KMS worker (one class, one worker). The UI imports only the worker's types; requests are
// typed with the AWS SDK's own request shapes (type-only import, nothing of the SDK is bundled).
// The Worker constructor is a Trusted Types sink: the 'default' policy must exist before this module runs.
import './trusted-types';
import * as Comlink from 'comlink';
import type * as Aws from '@aws-sdk/client-kms';
import type { KeystoreInfo, KmsResponses, KmsWorkerApi, SupportedOperation } from '../worker/api';
import type { OperationCatalogue } from '../worker/api';
import { registerErrorTransfer } from '../worker/error-transfer';

/** An AWS KMS exception rebuilt on the UI side; compare by `name`. */
export class KmsCallError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

registerErrorTransfer((w) => new KmsCallError(w.name, w.message));

/** AWS's request shape for each operation the core implements: the AWS SDK client's own parameter
 * type, so an operation added to the core is typed here with no line of its own. */
export type KmsRequests = { [Op in SupportedOperation]: Parameters<Aws.KMS[Uncapitalize<Op>]>[0] };

const ACTING_AS = 'pocket-kms:acting-as';

// Storage may be blocked (private windows, settings): then the choice lasts only this visit.
function readActingAs(): string | undefined {
  try {
    return localStorage.getItem(ACTING_AS) ?? undefined;
  } catch {
    return undefined;
  }
}

function rememberActingAs(principalArn: string | undefined): void {
  try {
    if (principalArn) localStorage.setItem(ACTING_AS, principalArn);
    else localStorage.removeItem(ACTING_AS);
  } catch {
    // Not remembered; nothing else depends on it.
  }
}

export class KmsClient {
  readonly api: Comlink.Remote<KmsWorkerApi>;
  info = $state<KeystoreInfo | undefined>(undefined);
  /** Set when the keystore could not be opened (for example, storage is blocked). */
  infoError = $state<unknown>(undefined);
  /** Bumped after every successful mutating call (and a change of principal), so views can refresh. */
  revision = $state(0);
  /** The worker's operation catalogue (what each operation is); undefined until it arrives. */
  catalogue = $state<OperationCatalogue | undefined>(undefined);
  readonly #readOnly = $derived(
    new Set<string>(this.catalogue?.operations.filter((o) => o.readOnly).map((o) => o.name)),
  );
  private restored: Promise<unknown>;
  readonly #invalidState = new Set<() => void>();

  constructor() {
    const worker = new Worker(new URL('../worker/kms.worker.ts', import.meta.url), {
      type: 'module',
      name: 'pocket-kms',
    });
    this.api = Comlink.wrap<KmsWorkerApi>(worker);
    this.restored = this.api.keystore().then(
      async (i) => (this.info = await this.restoreActingAs(i)),
      (e: unknown) => (this.infoError = e),
    );
    // Until it arrives every call counts as mutating: an extra revision bump only refreshes views.
    this.api.operationCatalogue().then(
      (c) => (this.catalogue = c),
      () => undefined,
    );
  }

  /** Opens the keystore again after it changed under the console (unlocked, passphrase set, restored):
   * region, account and principals may differ, and views refresh. Never throws; a failure is `infoError`. */
  async reopen(): Promise<void> {
    const opened = this.api.keystore().then((i) => this.restoreActingAs(i));
    this.restored = opened.catch(() => undefined);
    try {
      this.info = await opened;
      this.infoError = undefined;
      this.revision++;
    } catch (e) {
      this.infoError = e;
    }
  }

  /** `listener` runs when a call fails with KMSInvalidStateException: the worker may have locked itself
   * (idle timeout), so the custody state checks. Returns the function that removes it. */
  onInvalidState(listener: () => void): () => void {
    this.#invalidState.add(listener);
    return () => void this.#invalidState.delete(listener);
  }

  /** The principal chosen in an earlier visit, or the root (silently) when it no longer exists. */
  private async restoreActingAs(info: KeystoreInfo): Promise<KeystoreInfo> {
    const remembered = readActingAs();
    if (!remembered || remembered === info.caller.principalArn) return info;
    try {
      return await this.api.actAs(remembered);
    } catch {
      rememberActingAs(undefined);
      return info;
    }
  }

  /** Console calls from now on run as this principal (root, user, or a session of the role), also after a reload.
   * @throws NoSuchEntityException when it does not exist. */
  async actAs(principalArn: string): Promise<KeystoreInfo> {
    const info = await this.api.actAs(principalArn);
    this.info = info;
    this.revision++;
    // The keystore's own root is the default; another account's root is remembered like any principal.
    rememberActingAs(
      info.caller.type === 'Root' && info.caller.accountId === info.accountId ? undefined : principalArn,
    );
    return info;
  }

  /**
   * Runs shell lines (many at once, as a script) in the terminal's session: the #/terminal page's
   * variables, scratch folder and `aws` / `openssl` (docs/API.md "Terminal"). Loads the terminal on first use.
   */
  async shell(commandLines: string, o: { stdin?: string } = {}) {
    const { terminalSession } = await import('./terminal/session');
    return (await terminalSession()).script(commandLines, o);
  }

  async call<Op extends SupportedOperation>(op: Op, request: KmsRequests[Op]): Promise<KmsResponses[Op]> {
    // No call may run as the root before a remembered principal is restored.
    await this.restored;
    let res: KmsResponses[Op];
    try {
      res = (await this.api.call(op, request)) as KmsResponses[Op];
    } catch (e) {
      if ((e as { name?: unknown } | null)?.name === 'KMSInvalidStateException')
        for (const listener of this.#invalidState) listener();
      throw e;
    }
    if (!this.#readOnly.has(op)) this.revision++;
    return res;
  }
}

export const kms = new KmsClient();

// For devtools experiments (workshops) and `npm run bench`: `await pocketKms.call('ListKeys')`.
// It exposes nothing a same-origin script could not already reach through the UI.
(globalThis as unknown as { pocketKms: KmsClient }).pocketKms = kms;
