// Demo keys as the console shows them (ADR 0018): demo mode and the demo keys here, asked of the worker (it
// keeps the one fact) and read again after every mutating call, for the banner and the keys pages' notes.
import type { DemoStatus } from '../../worker/api';
import { kms } from '../kms-client.svelte';

export class DemoState {
  status = $state<DemoStatus | undefined>(undefined);
  error = $state<unknown>(undefined);
  readonly #ids = $derived(new Set(this.status?.keys.map((k) => k.keyId)));

  /** Whether `keyId` is a demo key (false until the status arrives). */
  isDemo(keyId: string | undefined): boolean {
    return keyId !== undefined && this.#ids.has(keyId);
  }

  async refresh(): Promise<void> {
    try {
      this.status = await kms.api.demoStatus();
      this.error = undefined;
    } catch (e) {
      this.error = e;
    }
  }

  async setMode(on: boolean): Promise<void> {
    try {
      this.status = await kms.api.demoSetMode(on);
      this.error = undefined;
    } catch (e) {
      this.error = e;
    }
  }
}

export const demo = new DemoState();
