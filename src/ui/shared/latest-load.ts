// The logic of Loader (loader.svelte.ts) without runes, so the unit tests run it in Node: loads may
// overlap (a refresh while one is in flight), and only the newest one's answer or error is applied.

/** What a load shows; Loader keeps these fields in $state, a test in a plain object. */
export interface LoadStatus {
  /** The newest load is in flight. */
  loading: boolean;
  /** A load has succeeded (its answer was applied) at least once. */
  loaded: boolean;
  /** A load has finished at least once, succeeded or failed. */
  settled: boolean;
  /** The newest finished load's error; cleared when a load succeeds. */
  error: unknown;
}

export class LatestLoad {
  #generation = 0;

  constructor(private readonly status: LoadStatus) {}

  /** Runs `fetch`; when no newer load has started meanwhile, hands its answer to `apply` (or its error
   * to `failed`, after keeping it in `error`). Resolves to false when the answer was stale or failed. */
  async run<T>(
    fetch: () => Promise<T>,
    apply: (value: T) => void,
    failed?: (error: unknown) => void,
  ): Promise<boolean> {
    const generation = ++this.#generation;
    const latest = () => generation === this.#generation;
    this.status.loading = true;
    try {
      const value = await fetch();
      if (!latest()) return false;
      apply(value);
      this.status.error = undefined;
      this.status.loaded = true;
      return true;
    } catch (e) {
      if (latest()) {
        this.status.error = e;
        failed?.(e);
      }
      return false;
    } finally {
      if (latest()) {
        this.status.loading = false;
        this.status.settled = true;
      }
    }
  }

  /** Ends the load in flight without its answer, showing `error` instead (a check of the input failed). */
  fail(error: unknown): void {
    this.#generation++;
    this.status.loading = false;
    this.status.error = error;
  }
}
