// The keystore's principals (root, users, roles), shared by the Identities page and the "Acting as"
// switcher in the header, so a change made on the page shows in the switcher at once.
import { kms } from '../kms-client.svelte';
import { Loader } from '../shared/loader.svelte';
import type { PrincipalSummary } from '../../worker/api';

export type { AccessKeySummary, NewAccessKey, PrincipalSummary, Tag } from '../../worker/api';

/** What a person calls a principal: "root", "user/alice", "role/KeyUser". */
export function principalLabel(p: Pick<PrincipalSummary, 'kind' | 'name'>): string {
  return p.kind === 'root' ? 'root' : `${p.kind}/${p.name}`;
}

export const KIND_LABEL = { root: 'Account root', user: 'User', role: 'Role' } as const;

/** The starter for a new inline policy: the common "use a key" permissions. */
export const POLICY_TEMPLATE = JSON.stringify(
  { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' }] },
  null,
  2,
);

/** Readable JSON; a document that does not parse is shown as stored. */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export class Principals {
  list = $state<PrincipalSummary[]>([]);
  readonly #loader = new Loader();

  /** The first load has finished, also when it failed (the table then shows what it has). */
  get loaded(): boolean {
    return this.#loader.settled;
  }

  get error(): unknown {
    return this.#loader.error;
  }

  /** The root, users and roles of one account (the one the console acts in). */
  inAccount(accountId: string | undefined): PrincipalSummary[] {
    return this.list.filter((p) => p.accountId === (accountId ?? kms.info?.accountId));
  }

  byArn(arn: string | undefined): PrincipalSummary | undefined {
    return arn === undefined ? undefined : this.list.find((p) => p.arn === arn);
  }

  async load(): Promise<void> {
    await this.#loader.run(
      () => kms.api.listPrincipals(),
      (list) => (this.list = list),
    );
  }

  /** Runs an IAM change, then reloads the list (also when the change failed part-way). */
  async change<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } finally {
      await this.load();
    }
  }

  /** Deletes a user or role; the worker then acts as the root if it acted as it, and so does the header. */
  async remove(p: PrincipalSummary): Promise<void> {
    await this.change(() => kms.api.deletePrincipal(p.arn));
    if (kms.info?.caller.principalArn === p.arn) {
      const root = this.list.find((r) => r.kind === 'root');
      if (root) await kms.actAs(root.arn);
    }
  }
}

export const principals = new Principals();
