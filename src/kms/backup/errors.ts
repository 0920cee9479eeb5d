// Named errors of the backup file format (docs/FORMAT.md, "Backup files"). Same pattern as
// src/kms/errors.ts: KmsError subclasses, client fault, `name` set explicitly because minifiers
// rename classes. Messages are one sentence a person can act on; none holds key bytes or values.
import { KmsError, type Fault } from '../errors';

function define(name: string, fault: Fault = 'client') {
  const C = class extends KmsError {
    override readonly fault = fault;
    constructor(message: string) {
      super(message);
      this.name = name;
    }
  };
  Object.defineProperty(C, 'name', { value: name });
  return C;
}

/** Not a Pocket KMS backup, or one that is malformed, truncated, altered, or opened with a key that is not its own. */
export const BackupFormatException = define('BackupFormatException');
/** A backup written in a newer format version than this reader knows: a newer Pocket KMS is needed. */
export const UnsupportedBackupVersionException = define('UnsupportedBackupVersionException');
/** A snapshot holds a value a backup cannot carry: a CryptoKey (an unwrapped secret) or a type outside JSON-with-bytes. */
export const BackupValueException = define('BackupValueException');

export const backupErrorClasses = {
  BackupFormatException,
  UnsupportedBackupVersionException,
  BackupValueException,
} as const;

export type BackupErrorName = keyof typeof backupErrorClasses;

/** Rebuilds a backup error from its name and message (across the worker boundary); undefined if unknown. */
export function rebuildBackupError(name: string, message: string): KmsError | undefined {
  const C = (backupErrorClasses as Record<string, new (m: string) => KmsError>)[name];
  return C ? new C(message) : undefined;
}
