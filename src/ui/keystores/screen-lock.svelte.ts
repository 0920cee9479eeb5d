// Disconnect every passkey key store when the screen locks (ADR 0016), where the browser says so: the Idle
// Detection API (WICG, Chromium 94+; `screenState` 'locked'), which needs the person's permission, asked on a
// click. One watcher for the whole console, so it outlives a visit to the Key stores page.
import { kms } from '../kms-client.svelte';

/** The part of WICG's IdleDetector used here (not in TypeScript's DOM library). */
interface IdleDetectorLike extends EventTarget {
  readonly screenState: 'locked' | 'unlocked' | null;
  start(o: { threshold: number; signal?: AbortSignal }): Promise<void>;
}
interface IdleDetectorClass {
  new (): IdleDetectorLike;
  requestPermission(): Promise<'granted' | 'denied'>;
}

const detectorClass = (): IdleDetectorClass | undefined =>
  (globalThis as unknown as { IdleDetector?: IdleDetectorClass }).IdleDetector;

class ScreenLockWatch {
  /** 'unavailable': this browser cannot say when the screen locks. */
  state = $state<'off' | 'on' | 'denied' | 'unavailable'>(detectorClass() ? 'off' : 'unavailable');
  /** Stores disconnected by the last screen lock. */
  disconnected = $state(0);
  #abort: AbortController | undefined;

  /** Asks for the permission (call from a click) and starts watching. */
  async start(): Promise<void> {
    const Detector = detectorClass();
    if (!Detector || this.state === 'on') return;
    if ((await Detector.requestPermission().catch(() => 'denied' as const)) !== 'granted') {
      this.state = 'denied';
      return;
    }
    const detector = new Detector();
    this.#abort = new AbortController();
    detector.addEventListener('change', () => {
      if (detector.screenState === 'locked') void this.disconnectAll();
    });
    // The threshold is the API's minimum (60 s); only the screen state is read.
    await detector.start({ threshold: 60_000, signal: this.#abort.signal });
    this.state = 'on';
  }

  stop(): void {
    this.#abort?.abort();
    this.#abort = undefined;
    if (this.state === 'on') this.state = 'off';
  }

  private async disconnectAll(): Promise<void> {
    const ids = await kms.api.connectedKeyStores();
    for (const id of ids) await kms.call('DisconnectCustomKeyStore', { CustomKeyStoreId: id }).catch(() => undefined);
    this.disconnected = ids.length;
  }
}

export const screenLock = new ScreenLockWatch();
