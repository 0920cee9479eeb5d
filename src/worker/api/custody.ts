// The custody part of the worker API (ADR 0009): whether the keystore is locked at rest and by what,
// setting and changing its secret, unlock and lock, the idle timeout, per-key protection, encrypted
// backup and restore, and the endpoint of a locked-at-rest keystore (requests the service worker forwards).
import type { ForwardedRequest, ForwardedResponse } from '../../sw/forward';

/** A passphrase, or a passkey's PRF output (from navigator.credentials.get in the page) with its credential ID. */
export type SecretInput = { passphrase: string } | { prf: Uint8Array; credentialId: Uint8Array };

export interface CustodyInfo {
  /** 'device': no secret, keys usable by script of this site and readable from disk. 'secret': locked at rest. */
  mode: 'device' | 'secret';
  /** A secret keystore this console has not unlocked (or that locked again). */
  locked: boolean;
  /** Minutes without a call after which the worker locks itself (0: never). Secret keystores only. */
  autoLockMinutes?: number;
  /** Which kinds of secret open it. */
  secrets?: ('passphrase' | 'passkey')[];
  /** Keys in the keystore, and material versions (what clearing site data would destroy). */
  keys: number;
  /** When the last backup was written (epoch ms), if any; and where (file name) for continuous backup. */
  lastBackupAt?: number;
}

export interface SetUpResult extends CustodyInfo {
  /** Access keys deleted when the secret was set: their stored signing keys could not move under it. */
  accessKeysDeleted: string[];
  materialsRewrapped: number;
}

export interface CustodyReportEntry {
  keyId: string;
  keySpec: string;
  protection: 'protected' | 'software' | 'exposed';
  /** One sentence: why. */
  why: string;
}

export interface RestoreResult {
  mode: 'empty' | 'merge';
  keysRestored: number;
  /** Merge only: keys left out and why (e.g. the same key ID with different material). */
  skipped: { keyId: string; reason: string }[];
  auditRecords: number;
}

export interface CustodyWorkerApi {
  custodyStatus(): Promise<CustodyInfo>;
  /** Sets the keystore's first secret (moves a device keystore under it). @throws ValidationException */
  setUpRecovery(secret: SecretInput): Promise<SetUpResult>;
  /** @throws IncorrectSecretException (current is wrong), ValidationException */
  changeSecret(current: SecretInput, next: SecretInput): Promise<CustodyInfo>;
  /** @throws IncorrectSecretException, ValidationException */
  unlock(secret: SecretInput): Promise<CustodyInfo>;
  lock(): Promise<CustodyInfo>;
  /** @throws ValidationException for minutes outside 0..1440 */
  setAutoLock(minutes: number): Promise<CustodyInfo>;
  custodyReport(): Promise<CustodyReportEntry[]>;
  /** The whole keystore as one encrypted file (docs/FORMAT.md "Backup files"); needs the keystore unlocked.
   * @throws KMSInvalidStateException while locked, ValidationException for a device keystore (set a secret first) */
  backup(): Promise<Blob>;
  /** Restores a backup: into an empty keystore ('empty', all or nothing) or as a merge that never replaces
   * a key with different material. @throws IncorrectSecretException, BackupFormatException,
   * UnsupportedBackupVersionException, ValidationException (e.g. 'empty' into a keystore that has keys) */
  restore(file: Blob, opts: SecretInput & { mode: 'empty' | 'merge' }): Promise<RestoreResult>;
  /** Runs a request the service worker forwarded (src/sw/forward.ts); 'locked' when this console is locked. */
  endpoint(request: ForwardedRequest): Promise<ForwardedResponse | 'locked'>;
}
