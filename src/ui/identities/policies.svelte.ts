// Managed policies and active STS sessions for the Identities page: one list each, loaded through the
// worker, reloaded after every change (principals too, since attachments show on each principal).
import { kms } from '../kms-client.svelte';
import { Loader } from '../shared/loader.svelte';
import type { ManagedPolicySummary, SessionSummary } from '../../worker/api';
import { principals } from './principals.svelte';

export type { ManagedPolicySummary, SessionSummary } from '../../worker/api';

/** The starter for a new managed policy: the KMS permissions a key user needs. */
export const MANAGED_TEMPLATE = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*' }],
  },
  null,
  2,
);

/** "user/alice" or "role/KeyUser" from an IAM ARN. */
export const shortName = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);

export class ManagedPolicyList {
  list = $state<ManagedPolicySummary[]>([]);
  readonly #loader = new Loader();

  get loaded(): boolean {
    return this.#loader.settled;
  }

  get error(): unknown {
    return this.#loader.error;
  }

  byArn(arn: string | undefined): ManagedPolicySummary | undefined {
    return arn === undefined ? undefined : this.list.find((p) => p.arn === arn);
  }

  async load(): Promise<void> {
    await this.#loader.run(
      () => kms.api.listManagedPolicies(),
      (list) => (this.list = list),
    );
  }

  /** Runs an IAM change, then reloads policies and principals (also when the change failed part-way). */
  async change<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } finally {
      await Promise.all([this.load(), principals.load()]);
    }
  }
}

export class SessionList {
  list = $state<SessionSummary[]>([]);
  readonly #loader = new Loader();

  get loaded(): boolean {
    return this.#loader.settled;
  }

  get error(): unknown {
    return this.#loader.error;
  }

  async load(): Promise<void> {
    await this.#loader.run(
      () => kms.api.listSessions(),
      (list) => (this.list = list),
    );
  }
}

export const managedPolicies = new ManagedPolicyList();
export const sessions = new SessionList();
