// Demo keys' one door (ADR 0018): published, insecure material derived from a name, for workshops whose
// attendees must get the facilitator's outputs; demo mode (the console's switch) and what the console shows.
import type { KmsEnv } from '../context';
import { DEMO_MODE_META } from './create';

export { createDemoKey, demoKeyName, DEMO_MODE_META } from './create';
export * from './derive';

export interface DemoStatus {
  /** Whether CreateKey makes demo keys (the console's switch). */
  mode: boolean;
  /** The demo keys here, by name. */
  keys: { keyId: string; name: string; state: string }[];
}

/** Demo mode and the demo keys of a keystore: read for the console's banner, switched from Settings. */
export class DemoKeys {
  constructor(private readonly env: Pick<KmsEnv, 'store'>) {}

  async status(): Promise<DemoStatus> {
    return this.env.store.read(async (tx) => ({
      mode: (await tx.getMeta(DEMO_MODE_META)) === true,
      keys: (await tx.allKeys()).filter((k) => k.demo).map((k) => ({ keyId: k.keyId, name: k.demo!, state: k.state })),
    }));
  }

  /** Turns demo mode on or off; the demo keys already made stay (schedule their deletion to remove them). */
  async setMode(on: boolean): Promise<void> {
    await this.env.store.write((tx) => tx.putMeta(DEMO_MODE_META, on));
  }
}
