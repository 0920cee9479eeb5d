// The demo-keys part of the worker API (ADR 0018): demo mode (the console's switch that lets CreateKey make demo
// keys from the terminal or /kms) and the demo keys here, for the banner and the keys pages' notes.
import type { DemoStatus } from '../../kms/demo';
import type { WorkerContext } from '../context';

export type { DemoStatus };

export interface DemoWorkerApi {
  /** Demo mode and the demo keys of this keystore. */
  demoStatus(): Promise<DemoStatus>;
  /** Turns demo mode on or off (demo keys already made stay). @throws TypeError for a non-boolean */
  demoSetMode(on: boolean): Promise<DemoStatus>;
}

export function demoApi(ctx: WorkerContext): DemoWorkerApi {
  return {
    async demoStatus() {
      return (await ctx.ready).demo.status();
    },
    async demoSetMode(on) {
      if (typeof on !== 'boolean') throw new TypeError(`"on" expected true or false, got ${String(on)}`);
      const kms = await ctx.ready;
      await kms.demo.setMode(on);
      return kms.demo.status();
    },
  };
}
