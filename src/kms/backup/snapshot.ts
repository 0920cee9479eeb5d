// The snapshot a backup carries (docs/FORMAT.md, "Backup files", "Serialization"): its shape,
// checked on the way in and on the way out, and its codec pair over values.ts.
import { BackupFormatException, BackupValueException } from '../errors';
import { decodeValue, encodeValue } from './values';

/** What a backup holds: every IndexedDB store's records, as stored, plus when and by what. */
export interface BackupSnapshot {
  /** Epoch milliseconds. */
  createdAt: number;
  /** The writer, e.g. `pocket-kms/0.1.0`. */
  app: string;
  /** The IndexedDB schema version the records follow. */
  schemaVersion: number;
  /** Store name → its records. Values: JSON, Uint8Array, ArrayBuffer; `undefined` members are dropped. */
  stores: Record<string, unknown[]>;
}

const SNAPSHOT_FIELDS = ['createdAt', 'app', 'schemaVersion', 'stores'] as const;

/** Checks a snapshot's shape; `bad` builds the exception for a field. */
function checkSnapshot(s: unknown, bad: (field: string, expected: string) => Error): asserts s is BackupSnapshot {
  if (s === null || typeof s !== 'object' || Array.isArray(s)) throw bad('snapshot', 'an object');
  const o = s as Record<string, unknown>;
  const extra = Object.keys(o).find((k) => !(SNAPSHOT_FIELDS as readonly string[]).includes(k) && o[k] !== undefined);
  if (extra !== undefined) throw bad('snapshot', `only ${SNAPSHOT_FIELDS.join(', ')}`);
  if (typeof o.createdAt !== 'number' || !Number.isFinite(o.createdAt)) throw bad('createdAt', 'a finite number');
  if (typeof o.app !== 'string') throw bad('app', 'a string');
  if (!Number.isSafeInteger(o.schemaVersion) || (o.schemaVersion as number) < 0)
    throw bad('schemaVersion', 'a non-negative integer');
  if (o.stores === null || typeof o.stores !== 'object' || Array.isArray(o.stores)) throw bad('stores', 'an object');
  for (const [name, recs] of Object.entries(o.stores))
    if (!Array.isArray(recs)) throw bad(`stores[${JSON.stringify(name)}]`, 'an array of records');
}

/** @throws BackupValueException when the snapshot's shape or one of its values cannot be carried. */
export function encodeSnapshot(s: BackupSnapshot): Uint8Array {
  checkSnapshot(s, (f, e) => new BackupValueException(`"${f}" expected ${e}.`));
  return encodeValue(
    { createdAt: s.createdAt, app: s.app, schemaVersion: s.schemaVersion, stores: s.stores },
    'snapshot',
  );
}

/** @throws BackupFormatException when the bytes are not a serialized snapshot. */
export function decodeSnapshot(bytes: Uint8Array): BackupSnapshot {
  const s = decodeValue(bytes);
  checkSnapshot(
    s,
    (f, e) =>
      new BackupFormatException(
        `The backup's contents are malformed ("${f}" is not ${e}); it was not written by a compatible Pocket KMS.`,
      ),
  );
  return s;
}
