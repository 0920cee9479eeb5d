// The console's view of custody (ADR 0009): whether the keystore is locked at rest and whether this
// console has unlocked it, the custody actions with their errors, storage persistence, and the backup
// download. The logic is custody-logic.ts; this class keeps its fields in $state and owns the timers.
import type { CustodyInfo, RestoreResult, SetUpResult } from '../../worker/api';
import { download } from '../shared/download';
import { kms } from '../kms-client.svelte';
import { CustodyLogic } from './custody-logic';
import { backupFileName, isUnlockedSecret, type CustodyAction } from './custody-words';
import { browserCredentials, createPasskey, passkeyPrf } from './passkey';
import { StorageState } from './storage.svelte';

/** How often an unlocked console checks whether the worker locked itself (idle timeout). The check
 * must not count as use of the keystore in the worker, or the idle timeout would never come. */
const POLL_MS = 30_000;

export class Custody {
  info = $state<CustodyInfo | undefined>(undefined);
  statusError = $state<unknown>(undefined);
  errors = $state<Partial<Record<CustodyAction, unknown>>>({});
  busy = $state<Partial<Record<CustodyAction, boolean>>>({});
  readonly storage = new StorageState();
  /** The shell's one "Set a passphrase" dialog is open (the banner and Settings open it). */
  setUpOpen = $state(false);
  /** What setting the passphrase did, shown until dismissed (access keys deleted). */
  setUpResult = $state<SetUpResult | undefined>(undefined);
  /** The console has its first answer (or gave up asking): until then no page opens. */
  readonly ready = $derived(this.info !== undefined || this.statusError !== undefined);
  /** A secret keystore this console has not unlocked: the lock screen shows instead of any page. */
  readonly locked = $derived(this.info?.mode === 'secret' && this.info.locked);
  readonly #logic: CustodyLogic;

  constructor() {
    this.#logic = new CustodyLogic(this, kms.api, {
      keystoreChanged: async (why) => {
        // Unlocked at last: the keystore may not have opened while locked. Otherwise region, account,
        // principals (access keys deleted) or keys changed: views reload.
        if (why !== 'unlock' || kms.infoError !== undefined || kms.info === undefined) await kms.reopen();
        else kms.revision++;
      },
    });
    if (typeof window === 'undefined') return;
    void this.refresh().then((info) => {
      // Nothing to keep yet with no keys; CreateKey asks for the first one (requestPersistence).
      if (info && info.keys > 0) void this.storage.request();
      else void this.storage.check();
    });
    kms.onInvalidState(() => void this.refresh());
    setInterval(() => {
      if (isUnlockedSecret(this.info)) void this.refresh();
    }, POLL_MS);
    // Back to a tab after a while: show the lock screen at once if the worker locked meanwhile.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && isUnlockedSecret(this.info)) void this.refresh();
    });
  }

  refresh(): Promise<CustodyInfo | undefined> {
    return this.#logic.refresh();
  }

  unlock(passphrase: string): Promise<CustodyInfo | undefined> {
    return this.#logic.unlock(passphrase);
  }

  /** Prompts for one of the keystore's passkeys and unlocks with its PRF output. */
  unlockWithPasskey(): Promise<CustodyInfo | undefined> {
    const allow = (this.info?.passkeys ?? []).map((p) => p.credentialId);
    return this.#logic.unlockWithPasskey(() => passkeyPrf(browserCredentials(), allow));
  }

  lock(): Promise<CustodyInfo | undefined> {
    return this.#logic.lock();
  }

  /** Sets the first passphrase: the keystore is locked at rest from now on (and stays unlocked here). */
  setUp(passphrase: string): Promise<SetUpResult | undefined> {
    return this.#logic.setUp(passphrase);
  }

  changePassphrase(current: string, next: string): Promise<CustodyInfo | undefined> {
    return this.#logic.changePassphrase(current, next);
  }

  /** Registers a passkey in this browser and adds it as a secret beside the passphrase. */
  addPasskey(currentPassphrase: string): Promise<CustodyInfo | undefined> {
    const exclude = (this.info?.passkeys ?? []).map((p) => p.credentialId);
    return this.#logic.addPasskey(currentPassphrase, () => createPasskey(browserCredentials(), exclude));
  }

  setAutoLock(minutes: number): Promise<CustodyInfo | undefined> {
    return this.#logic.setAutoLock(minutes);
  }

  /** Writes the encrypted backup and downloads it; the file name, or undefined when it failed. */
  async backup(o: { includeDemoKeys?: boolean } = {}): Promise<string | undefined> {
    const blob = await this.#logic.backup(o);
    if (!blob) return undefined;
    const name = backupFileName(kms.info?.region, new Date());
    download(blob, name);
    return name;
  }

  restore(file: Blob, passphrase: string, mode: 'empty' | 'merge'): Promise<RestoreResult | undefined> {
    return this.#logic.restore(file, passphrase, mode);
  }

  /** Asks the browser to keep this site's storage, now that there is a key to lose; the keys page calls
   * it after CreateKey succeeds. The key count is read again too (the banners depend on it). */
  requestPersistence(): Promise<boolean> {
    void this.refresh();
    return this.storage.request();
  }
}

export const custody = new Custody();
