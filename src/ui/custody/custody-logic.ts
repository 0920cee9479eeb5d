// The logic of the console's custody state (custody.svelte.ts keeps the fields in $state), without runes
// so unit tests drive it with a plain object and a fake worker: the newest status wins, each action
// keeps its own error, and an action refused because the worker locked itself re-checks the status.
import type { CustodyInfo, CustodyWorkerApi, RestoreResult, SetUpResult } from '../../worker/api';
import { errorName, type CustodyAction } from './custody-words';
import type { PasskeySecret } from './passkey';

/** What the console shows; Custody keeps these in $state, a test in a plain object. */
export interface CustodyStatus {
  info: CustodyInfo | undefined;
  /** custodyStatus() failed (the worker may not offer custody yet): the console opens without a lock screen. */
  statusError: unknown;
  errors: Partial<Record<CustodyAction, unknown>>;
  busy: Partial<Record<CustodyAction, boolean>>;
}

export type CustodyApi = Pick<
  CustodyWorkerApi,
  'custodyStatus' | 'unlock' | 'lock' | 'setUpRecovery' | 'changeSecret' | 'setAutoLock' | 'backup' | 'restore'
>;

export interface CustodyHooks {
  /** The keystore opened or changed under the console (unlock, passphrase set, restore): reload what depends on it. */
  keystoreChanged(why: 'unlock' | 'setUp' | 'restore'): Promise<void>;
}

/** Only the status fields of a result (SetUpResult carries more). */
function statusOf(i: CustodyInfo): CustodyInfo {
  const { mode, locked, autoLockMinutes, secrets, passkeys, keys, lastBackupAt } = i;
  return {
    mode,
    locked,
    keys,
    ...(autoLockMinutes !== undefined && { autoLockMinutes }),
    ...(secrets && { secrets }),
    ...(passkeys && { passkeys }),
    ...(lastBackupAt !== undefined && { lastBackupAt }),
  };
}

export class CustodyLogic {
  #generation = 0;

  constructor(
    private readonly status: CustodyStatus,
    private readonly api: CustodyApi,
    private readonly hooks: CustodyHooks,
  ) {}

  /** Asks the worker; applies the answer only when no newer answer arrived meanwhile. */
  async refresh(): Promise<CustodyInfo | undefined> {
    const generation = ++this.#generation;
    try {
      const info = await this.api.custodyStatus();
      if (generation === this.#generation) this.#apply(info);
      return info;
    } catch (e) {
      if (generation === this.#generation) this.status.statusError = e;
      return undefined;
    }
  }

  #apply(info: CustodyInfo): void {
    this.#generation++;
    const next = statusOf(info);
    // The poll reads the same status again and again: keep the object, so nothing that shows it re-renders.
    if (!this.status.info || JSON.stringify(this.status.info) !== JSON.stringify(next)) this.status.info = next;
    this.status.statusError = undefined;
  }

  /** Runs one action: busy while it runs, its error kept (cleared when it is tried again); undefined when it failed. */
  async #act<T>(
    action: CustodyAction,
    call: () => Promise<T>,
    then?: (result: T) => Promise<void> | void,
  ): Promise<T | undefined> {
    this.status.busy[action] = true;
    this.status.errors[action] = undefined;
    try {
      const result = await call();
      await then?.(result);
      return result;
    } catch (e) {
      this.status.errors[action] = e;
      // The worker locked itself (idle timeout) since the console last looked: show the lock screen.
      if (errorName(e) === 'KMSInvalidStateException') void this.refresh();
      return undefined;
    } finally {
      this.status.busy[action] = false;
    }
  }

  unlock(passphrase: string): Promise<CustodyInfo | undefined> {
    return this.#act(
      'unlock',
      () => this.api.unlock({ passphrase }),
      async (info) => {
        this.#apply(info);
        await this.hooks.keystoreChanged('unlock');
      },
    );
  }

  /** Unlocks with a passkey; `ask` prompts for one of the keystore's (passkey.ts) and gives its PRF output. */
  unlockWithPasskey(ask: () => Promise<PasskeySecret>): Promise<CustodyInfo | undefined> {
    return this.#act(
      'unlockPasskey',
      async () => this.api.unlock(await ask()),
      async (info) => {
        this.#apply(info);
        await this.hooks.keystoreChanged('unlock');
      },
    );
  }

  lock(): Promise<CustodyInfo | undefined> {
    return this.#act(
      'lock',
      () => this.api.lock(),
      (info) => this.#apply(info),
    );
  }

  setUp(passphrase: string): Promise<SetUpResult | undefined> {
    return this.#act(
      'setUp',
      () => this.api.setUpRecovery({ passphrase }),
      async (result) => {
        this.#apply(result);
        await this.hooks.keystoreChanged('setUp');
      },
    );
  }

  changePassphrase(current: string, next: string): Promise<CustodyInfo | undefined> {
    return this.#act(
      'changePassphrase',
      () => this.api.changeSecret({ passphrase: current }, { passphrase: next }),
      (info) => this.#apply(info),
    );
  }

  /** Adds a passkey beside the passphrase; `create` registers it (passkey.ts) and gives its PRF output.
   * The passphrase is checked only after the passkey is made: no call checks it without changing it. */
  addPasskey(current: string, create: () => Promise<PasskeySecret>): Promise<CustodyInfo | undefined> {
    return this.#act(
      'addPasskey',
      async () => this.api.changeSecret({ passphrase: current }, await create()),
      (info) => this.#apply(info),
    );
  }

  setAutoLock(minutes: number): Promise<CustodyInfo | undefined> {
    return this.#act(
      'setAutoLock',
      () => this.api.setAutoLock(minutes),
      (info) => this.#apply(info),
    );
  }

  /** The encrypted backup file; the status is read again for its new lastBackupAt. */
  backup(o: { includeDemoKeys?: boolean } = {}): Promise<Blob | undefined> {
    return this.#act(
      'backup',
      () => this.api.backup(o),
      async () => void (await this.refresh()),
    );
  }

  restore(file: Blob, passphrase: string, mode: 'empty' | 'merge'): Promise<RestoreResult | undefined> {
    return this.#act(
      'restore',
      () => this.api.restore(file, { passphrase, mode }),
      async () => {
        await this.refresh();
        await this.hooks.keystoreChanged('restore');
      },
    );
  }
}
