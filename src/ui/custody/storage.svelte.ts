// Whether the browser keeps this site's storage under pressure (navigator.storage.persist, Storage
// Standard §4) and how much it uses. Without persistence the browser may clear IndexedDB, and every key
// with it. Chromium decides persist() without a prompt (engagement, installed app, bookmark); Firefox asks.

export class StorageState {
  /** undefined until known, or where the Storage API is missing. */
  persisted = $state<boolean | undefined>(undefined);
  /** The Storage API exists (it is missing on plain http other than localhost). */
  readonly supported = typeof navigator !== 'undefined' && typeof navigator.storage?.persisted === 'function';
  /** The browser said no to the last request. */
  denied = $state(false);
  usage = $state<number | undefined>(undefined);
  quota = $state<number | undefined>(undefined);

  async check(): Promise<boolean | undefined> {
    if (!this.supported) return undefined;
    try {
      this.persisted = await navigator.storage.persisted();
    } catch {
      this.persisted = undefined;
    }
    return this.persisted;
  }

  /** Asks for persistent storage unless it is granted already; true when granted. */
  async request(): Promise<boolean> {
    if (!this.supported) return false;
    if ((await this.check()) === true) return true;
    try {
      this.persisted = await navigator.storage.persist();
    } catch {
      this.persisted = false;
    }
    this.denied = !this.persisted;
    return this.persisted;
  }

  async estimate(): Promise<void> {
    if (typeof navigator === 'undefined' || typeof navigator.storage?.estimate !== 'function') return;
    try {
      const e = await navigator.storage.estimate();
      this.usage = e.usage;
      this.quota = e.quota;
    } catch {
      // Left unknown: the page says so.
    }
  }
}
