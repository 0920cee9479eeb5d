// The console's Region switcher (ADR 0015): the Regions in use in this browser, and moving the console to
// another one, made on demand as a sibling of the current Region (same account, custody and principals).
import type { WorkerContext } from '../context';
import { keystoreInfo, type KeystoreInfo } from './identities';

export interface RegionsInfo {
  /** The console's Region. */
  current: string;
  /** Every Region with a keystore in this browser, sorted. */
  inUse: string[];
}

export interface RegionsWorkerApi {
  regions(): Promise<RegionsInfo>;
  /** Moves the console to `region`, creating its keystore when this browser has none there; the console's
   * "Acting as" returns to the account root. @throws InvalidArnException for a name that is not a Region ID */
  useRegion(region: string): Promise<KeystoreInfo>;
}

export function regionsApi(ctx: WorkerContext): RegionsWorkerApi {
  return {
    async regions() {
      const kms = await ctx.ready;
      return { current: kms.keystore.region, inUse: await ctx.regions.inUse() };
    },
    async useRegion(region) {
      const kms = await ctx.useRegion(region);
      return keystoreInfo(kms, ctx.acting.current(kms));
    },
  };
}
