// A load whose answer may arrive after a newer load started (a refresh, a change of input): only the
// newest one's answer or error is applied. Reactive fields for the markup; the logic is latest-load.ts.
import { LatestLoad, type LoadStatus } from './latest-load';

export class Loader implements LoadStatus {
  loading = $state(false);
  loaded = $state(false);
  settled = $state(false);
  error = $state<unknown>(undefined);
  readonly #latest = new LatestLoad(this);

  /** See LatestLoad.run: `apply` and `failed` run only for the newest load. */
  run<T>(fetch: () => Promise<T>, apply: (value: T) => void, failed?: (error: unknown) => void): Promise<boolean> {
    return this.#latest.run(fetch, apply, failed);
  }

  /** Drops the load in flight and shows `error` (a check of the input failed before any call). */
  fail(error: unknown): void {
    this.#latest.fail(error);
  }
}
