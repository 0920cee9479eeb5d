// The keystore's accounts (its own first, and others; each owns keys and principals of its own), for
// the header's account switcher and the Identities page.
import { kms } from '../kms-client.svelte';
import { Loader } from '../shared/loader.svelte';
import type { AccountRecord } from '../../worker/api';

export type { AccountRecord } from '../../worker/api';

export class AccountList {
  list = $state<AccountRecord[]>([]);
  organizationId = $state('');
  readonly #loader = new Loader();

  get error(): unknown {
    return this.#loader.error;
  }

  async load(): Promise<void> {
    await this.#loader.run(
      () => kms.api.listAccounts(),
      (r) => {
        this.list = r.accounts;
        this.organizationId = r.organizationId;
      },
    );
  }

  /** The console acts as the root of `accountId` from now on (its IAM changes are made in that account). */
  async switchTo(accountId: string): Promise<void> {
    await kms.actAs(`arn:aws:iam::${accountId}:root`);
  }
}

export const accounts = new AccountList();
