// The key list: ListKeys (paging through NextMarker) + DescribeKey per key + ListAliases once.
// Several loads may overlap (a revision bump during a load); only the newest one is applied.
import { kms } from '../kms-client.svelte';
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
  const ids: string[] = [];
  let marker: string | undefined;
  do {
    const page = await kms.call('ListKeys', marker ? { Marker: marker, Limit: 1000 } : { Limit: 1000 });
    ids.push(...page.Keys.map((k) => k.KeyId));
    marker = page.NextMarker;
  } while (marker);
  return ids;
}

export async function listAllAliases(keyId?: string): Promise<AliasEntry[]> {
  const out: AliasEntry[] = [];
  let marker: string | undefined;
  do {
    const page = await kms.call('ListAliases', { ...(keyId ? { KeyId: keyId } : {}), ...(marker ? { Marker: marker } : {}), Limit: 100 });
    out.push(...page.Aliases);
    marker = page.NextMarker;
  } while (marker);
  return out;
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
  loaded = $state(false);
  loading = $state(false);
  error = $state<unknown>(undefined);
  #generation = 0;

  async load(): Promise<void> {
    const generation = ++this.#generation;
    this.loading = true;
    try {
      const [ids, aliases] = await Promise.all([listAllKeyIds(), listAllAliases()]);
      const metas = await Promise.all(ids.map(describe));
      if (generation !== this.#generation) return;
      const byKey = new Map<string, string[]>();
      for (const a of aliases) {
        if (a.TargetKeyId) byKey.set(a.TargetKeyId, [...(byKey.get(a.TargetKeyId) ?? []), a.AliasName]);
      }
      this.rows = metas
        .filter((m): m is KeyMetadata => m !== undefined)
        .map((meta) => ({ meta, aliases: (byKey.get(meta.KeyId) ?? []).sort() }))
        .sort((a, b) => b.meta.CreationDate.getTime() - a.meta.CreationDate.getTime());
      this.error = undefined;
      this.loaded = true;
    } catch (e) {
      if (generation === this.#generation) this.error = e;
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }
}
