// App lifecycle for the console: a waiting new version ("Update now"), offline readiness, and the
// install prompt. Reloads only when it is safe: never under an open dialog with unsaved input, nor
// while a long job (a file being encrypted) holds the page; it waits for them instead.

/** Chromium's install prompt event (not in lib.dom). */
interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

const SAFE_POLL_MS = 500;

function edited(root: ParentNode): boolean {
  for (const el of root.querySelectorAll<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(
    'input, textarea, select',
  )) {
    if (el instanceof HTMLSelectElement) {
      // With no option marked selected in markup, the first one is the default.
      const initial = Math.max(
        0,
        [...el.options].findIndex((o) => o.defaultSelected),
      );
      if (el.selectedIndex !== initial) return true;
    } else if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')) {
      if (el.checked !== el.defaultChecked) return true;
    } else if (el.type !== 'hidden' && el.type !== 'button' && el.type !== 'submit' && el.value !== el.defaultValue)
      return true;
  }
  return false;
}

export class AppUpdate {
  /** A new version is installed and waiting for "Update now". */
  waiting = $state(false);
  /** Everything is cached: the app works with no network. */
  offlineReady = $state(false);
  /** Why an update or reload is waiting (shown beside the button). */
  deferred = $state<string | undefined>(undefined);
  canInstall = $state(false);
  installed = $state(false);
  #update: (() => Promise<void>) | undefined;
  #holds = new Map<number, string>();
  #next = 0;
  #install: BeforeInstallPromptEvent | undefined;
  #reloading = false;

  constructor() {
    if (typeof addEventListener !== 'function') return;
    addEventListener('beforeinstallprompt', (e) => {
      e.preventDefault();
      this.#install = e as BeforeInstallPromptEvent;
      this.canInstall = true;
    });
    addEventListener('appinstalled', () => {
      this.canInstall = false;
      this.installed = true;
    });
    // Another tab's "Update now" also switches this tab's service worker; workbox-window reports that
    // only to the tab that saw the waiting worker, so watch the controller too. The first claim (no
    // controller before) is not an update.
    const sw = typeof navigator !== 'undefined' ? navigator.serviceWorker : undefined;
    let controlled = sw?.controller != null;
    sw?.addEventListener('controllerchange', () => {
      if (controlled) this.onNeedReload();
      controlled = true;
    });
  }

  /** Wires the service worker registration (main.ts): `update` tells the waiting worker to take over. */
  attach(update: () => Promise<void>): void {
    this.#update = update;
  }

  readonly onNeedRefresh = (): void => void (this.waiting = true);
  readonly onOfflineReady = (): void => void (this.offlineReady = true);
  /** The new version controls the page (this tab's "Update now", or another tab's): reload when safe. */
  readonly onNeedReload = (): void => {
    if (this.#reloading) return;
    this.#reloading = true;
    void this.#whenSafe().then(() => location.reload());
  };

  /** Keeps reloads away while a job runs; call the returned function when it ends. */
  hold(reason: string): () => void {
    const id = this.#next++;
    this.#holds.set(id, reason);
    return () => void this.#holds.delete(id);
  }

  /** Why reloading now would lose work, or undefined when it is safe. */
  blocker(): string | undefined {
    for (const d of document.querySelectorAll('dialog[open]'))
      if (edited(d)) return 'Waiting for the open dialog to close: it has unsaved input.';
    const held = this.#holds.values().next();
    return held.done ? undefined : `Waiting for ${held.value} to finish.`;
  }

  async #whenSafe(): Promise<void> {
    for (let why = this.blocker(); why; why = this.blocker()) {
      this.deferred = why;
      await new Promise((r) => setTimeout(r, SAFE_POLL_MS));
    }
    this.deferred = undefined;
  }

  /** "Update now": once safe, the waiting service worker takes over and the page reloads. */
  async updateNow(): Promise<void> {
    await this.#whenSafe();
    await this.#update?.();
  }

  async install(): Promise<void> {
    const e = this.#install;
    if (!e) return;
    this.#install = undefined;
    this.canInstall = false;
    await e.prompt();
    if ((await e.userChoice).outcome === 'accepted') this.installed = true;
  }
}

export const appUpdate = new AppUpdate();
