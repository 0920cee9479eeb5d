// The key list: ListKeys (paging through NextMarker) + DescribeKey per key + ListAliases once.
// Several loads may overlap (a revision bump during a load); only the newest one is applied.
import { kms } from '../kms-client.svelte';
import { listAll } from '../shared/list-all';
import { Loader } from '../shared/loader.svelte';
import type { KmsResponses } from '../../worker/api';
import { isException } from '../shared/errors';

export type KeyMetadata = KmsResponses['DescribeKey']['KeyMetadata'];
export type AliasEntry = KmsResponses['ListAliases']['Aliases'][number];

export interface KeyRow {
  meta: KeyMetadata;
  /** Alias names pointing at the key, sorted. */
  aliases: string[];
}

export const KEY_STATES = ['Enabled', 'Disabled', 'PendingDeletion'] as const;
export type StateFilter = 'All' | (typeof KEY_STATES)[number];

export async function listAllKeyIds(): Promise<string[]> {
  return (await listAll('ListKeys', { Limit: 1000 }, 'Keys')).map((k) => k.KeyId);
}

export function listAllAliases(keyId?: string): Promise<AliasEntry[]> {
  return listAll('ListAliases', { ...(keyId ? { KeyId: keyId } : {}), Limit: 100 }, 'Aliases');
}

/** DescribeKey, or undefined when the key vanished between ListKeys and now, or the console's
 * principal may not describe it (the key policy decides per key). */
async function describe(keyId: string): Promise<KeyMetadata | undefined> {
  try {
    return (await kms.call('DescribeKey', { KeyId: keyId })).KeyMetadata;
  } catch (e) {
    if (isException(e, 'NotFoundException') || isException(e, 'AccessDeniedException')) return undefined;
    throw e;
  }
}

export function matchesFilter(row: KeyRow, text: string, state: StateFilter): boolean {
  if (state !== 'All' && row.meta.KeyState !== state) return false;
  const q = text.trim().toLowerCase();
  if (!q) return true;
  return (
    row.meta.KeyId.toLowerCase().includes(q) ||
    row.meta.Description.toLowerCase().includes(q) ||
    row.aliases.some((a) => a.toLowerCase().includes(q))
  );
}

export class KeyCatalog {
  rows = $state<KeyRow[]>([]);
  readonly #loader = new Loader();

  /** A load has succeeded (the rows are in). */
  get loaded(): boolean {
    return this.#loader.loaded;
  }

  get loading(): boolean {
    return this.#loader.loading;
  }

  get error(): unknown {
    return this.#loader.error;
  }

  async load(): Promise<void> {
    await this.#loader.run(
      async () => {
        const [ids, aliases] = await Promise.all([listAllKeyIds(), listAllAliases()]);
        return { aliases, metas: await Promise.all(ids.map(describe)) };
      },
      ({ aliases, metas }) => {
        const byKey = new Map<string, string[]>();
        for (const a of aliases) {
          if (a.TargetKeyId) byKey.set(a.TargetKeyId, [...(byKey.get(a.TargetKeyId) ?? []), a.AliasName]);
        }
        this.rows = metas
          .filter((m): m is KeyMetadata => m !== undefined)
          .map((meta) => ({ meta, aliases: (byKey.get(meta.KeyId) ?? []).sort() }))
          .sort((a, b) => b.meta.CreationDate.getTime() - a.meta.CreationDate.getTime());
      },
    );
  }
}
