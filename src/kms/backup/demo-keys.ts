// Demo keys in backups (ADR 0018): their material is published, so a backup leaves them out unless asked
// (`includeDemoKeys`), with their material, aliases and grants; a restore names the demo keys it brings back.
import type { KeyRecord } from '../records';

/** The snapshot's stores without demo keys and what belongs to them (records that name a demo key's ID). */
export function withoutDemoKeys(stores: Record<string, unknown[]>): {
  stores: Record<string, unknown[]>;
  left: number;
} {
  const keys = (stores.keys ?? []) as KeyRecord[];
  const demo = new Set(keys.filter((k) => k.demo).map((k) => k.keyId));
  if (demo.size === 0) return { stores, left: 0 };
  const owned = (r: unknown) => demo.has((r as { keyId?: string })?.keyId ?? '');
  const out: Record<string, unknown[]> = { ...stores };
  for (const name of ['keys', 'materials', 'aliases', 'grants'])
    if (stores[name]) out[name] = stores[name]!.filter((r) => !owned(r));
  return { stores: out, left: demo.size };
}

/** The demo keys a restore brings back, as `name (key ID)`. */
export const demoKeysIn = (keys: KeyRecord[]): string[] =>
  keys.filter((k) => k.demo).map((k) => `${k.demo} (${k.keyId})`);
