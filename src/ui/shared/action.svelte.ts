// One call at a time behind a button: `busy` while it runs (to disable the button), and the error it
// threw kept for an ErrorMessage. A panel or dialog owns one and reads both fields in its markup.

export class Action {
  busy = $state(false);
  /** The last call's error, or a sentence from the caller's own check of the input. */
  error = $state<unknown>(undefined);

  /** Runs `call`, clearing the previous error; true when it succeeded, false when it threw (the error is kept). */
  async run(call: () => Promise<unknown>): Promise<boolean> {
    this.busy = true;
    this.error = undefined;
    try {
      await call();
      return true;
    } catch (e) {
      this.error = e;
      return false;
    } finally {
      this.busy = false;
    }
  }
}
