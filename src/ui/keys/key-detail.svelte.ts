// Everything the key page shows about one key. DescribeKey first (it accepts an alias too, and
// tells whether the key exists), then the key's other facts in parallel by key ID.
import { kms } from '../kms-client.svelte';
import { listAll } from '../shared/list-all';
import { Loader } from '../shared/loader.svelte';
import type { KmsResponses } from '../../worker/api';
import { isException } from '../shared/errors';
import { listAllAliases, type AliasEntry, type KeyMetadata } from './key-catalog.svelte';

export type RotationStatus = KmsResponses['GetKeyRotationStatus'];
export type RotationEntry = KmsResponses['ListKeyRotations']['Rotations'][number];
export type Tag = KmsResponses['ListResourceTags']['Tags'][number];

/** The value of a read the console's principal may not make (AccessDeniedException), noted in `denied`. */
async function unlessDenied<T>(p: Promise<T>, fallback: T, op: string, denied: string[]): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (!isException(e, 'AccessDeniedException')) throw e;
    denied.push(op);
    return fallback;
  }
}

export class KeyDetail {
  meta = $state<KeyMetadata | undefined>(undefined);
  aliases = $state<AliasEntry[]>([]);
  tags = $state<Tag[]>([]);
  policy = $state('');
  rotation = $state<RotationStatus | undefined>(undefined);
  rotations = $state<RotationEntry[]>([]);
  /** Reads refused to the principal the console acts as (its sections are shown empty). */
  denied = $state<string[]>([]);
  readonly #loader = new Loader();

  constructor(readonly ref: string) {}

  get error(): unknown {
    return this.#loader.error;
  }

  /** The first load has finished, also when it failed. */
  get loaded(): boolean {
    return this.#loader.settled;
  }

  /** The first alias, else the key ID: how the page names the key. */
  get title(): string {
    return this.aliases[0]?.AliasName ?? this.meta?.KeyId ?? this.ref;
  }

  async load(): Promise<void> {
    await this.#loader.run(
      async () => {
        const { KeyMetadata: meta } = await kms.call('DescribeKey', { KeyId: this.ref });
        const id = meta.KeyId;
        // Only symmetric encryption keys have rotation (AWS answers UnsupportedOperationException otherwise).
        const symmetric = meta.KeySpec === 'SYMMETRIC_DEFAULT';
        // A principal may describe a key yet not read all of it (separation of duties): show what it may.
        const denied: string[] = [];
        const [aliases, tags, policy, rotation, rotations] = await Promise.all([
          unlessDenied(listAllAliases(id), [], 'ListAliases', denied),
          unlessDenied(listAll('ListResourceTags', { KeyId: id, Limit: 50 }, 'Tags'), [], 'ListResourceTags', denied),
          unlessDenied(
            kms.call('GetKeyPolicy', { KeyId: id, PolicyName: 'default' }),
            { Policy: '', PolicyName: 'default' },
            'GetKeyPolicy',
            denied,
          ),
          symmetric
            ? unlessDenied(kms.call('GetKeyRotationStatus', { KeyId: id }), undefined, 'GetKeyRotationStatus', denied)
            : undefined,
          symmetric
            ? unlessDenied(
                listAll(
                  'ListKeyRotations',
                  { KeyId: id, IncludeKeyMaterial: 'ALL_KEY_MATERIAL', Limit: 1000 },
                  'Rotations',
                ),
                [],
                'ListKeyRotations',
                denied,
              )
            : [],
        ]);
        return { meta, denied, aliases, tags, policy, rotation, rotations };
      },
      ({ meta, denied, aliases, tags, policy, rotation, rotations }) => {
        this.denied = denied.sort();
        this.meta = meta;
        this.aliases = aliases.sort((a, b) => a.AliasName.localeCompare(b.AliasName));
        this.tags = tags;
        this.policy = policy.Policy;
        this.rotation = rotation;
        // Newest material first, as a history reads.
        this.rotations = rotations.reverse();
      },
    );
  }
}
