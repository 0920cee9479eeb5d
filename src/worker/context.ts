// What every part of the worker API shares: the region's keystore (opened once, with maintenance at
// start-up and every minute) and who console calls run as ("Acting as" in the header).
import { roleOfSession, rootCaller, type Caller } from '../kms/ids';
import { Kms } from '../kms/kms';
import { browserPorts, DEFAULT_REGION } from '../store/open';

const MAINTENANCE_MS = 60_000;

export interface WorkerContext {
  /** The keystore, once open. */
  readonly ready: Promise<Kms>;
  /** Opens the keystore again (after a restore brought another region or account). */
  reopen(): Promise<void>;
  readonly acting: ActingAs;
  /** The user agent console calls are recorded with. */
  readonly userAgent: string;
}

/** Opens the region's keystore and schedules maintenance: deletion and rotation when due, and
 * retention, which trims only exported records (trimming unexported ones is the console's to confirm). */
export function openWorkerContext(userAgent: string, region = DEFAULT_REGION): WorkerContext {
  const open = () => browserPorts(region).then((ports) => Kms.open({ ...ports, region }));
  let ready = open();
  const tick = () =>
    ready
      .then(async (kms) => {
        await kms.maintain();
        await kms.audit.trim('service', { confirmUnexported: false });
      })
      .catch(() => undefined);
  void tick();
  setInterval(tick, MAINTENANCE_MS);
  return {
    get ready() {
      return ready;
    },
    async reopen() {
      const next = open();
      await next;
      ready = next;
    },
    acting: new ActingAs(userAgent),
    userAgent,
  };
}

export class ActingAs {
  private caller: Caller | undefined;

  constructor(private readonly userAgent: string) {}

  /** The principal console calls run as (the account root until another is chosen). */
  current(kms: Kms): Caller {
    return this.caller ?? this.owner(kms);
  }

  /** The keystore's owner, who manages principals and the trail: the account root. */
  owner(kms: Kms): Caller {
    return rootCaller(kms.keystore, { userAgent: this.userAgent });
  }

  async set(kms: Kms, principalArn: string): Promise<void> {
    this.caller = await kms.iam.callerFor(principalArn, { userAgent: this.userAgent });
  }

  /** Back to the root when the chosen principal was deleted. */
  forget(arn: string): void {
    const c = this.caller;
    if (c && (c.arn === arn || (c.type === 'AssumedRole' && roleOfSession(c.arn)?.roleArn === arn)))
      this.caller = undefined;
  }
}
