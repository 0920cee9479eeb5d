// The custody part of the worker API (ADR 0009): whether the keystore is locked at rest and by what,
// setting and changing its secret, unlock and lock, the idle timeout, per-key protection, encrypted
// backup and restore, continuous backup to a folder (continuous-backup.ts), and the endpoint of a
// locked-at-rest keystore (requests the service worker forwards).
import type { ForwardedRequest, ForwardedResponse } from '../../endpoint/forwarded';
import { endpointError, handleEndpoint, regionNotInUse, requestRegion } from '../../endpoint/routes';
import { lockedError } from '../../kms/material';
import { s3Endpoint } from './s3-endpoint';
import type { Kms } from '../../kms/kms';
import type { WorkerContext } from '../context';
import type { BackupFolderInfo } from '../continuous-backup';
import { changesMaterial } from '../../kms/operations';

export type { BackupFolderInfo };

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
  /** The keystore's passkeys (secret keystores that have any): their WebAuthn credential IDs, for
   * allowCredentials when unlocking. Not secret: a credential ID opens nothing without its authenticator. */
  passkeys?: { credentialId: Uint8Array }[];
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
  /** Demo keys (ADR 0018) the restore brought back, as `name (key ID)`: published material, not real keys. */
  demoKeys?: string[];
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
   * Demo keys (ADR 0018) are left out unless `includeDemoKeys`.
   * @throws KMSInvalidStateException while locked, ValidationException for a device keystore (set a secret first) */
  backup(o?: { includeDemoKeys?: boolean }): Promise<Blob>;
  /** Restores a backup: into an empty keystore ('empty', all or nothing) or as a merge that never replaces
   * a key with different material. @throws IncorrectSecretException, BackupFormatException,
   * UnsupportedBackupVersionException, ValidationException (e.g. 'empty' into a keystore that has keys) */
  restore(file: Blob, opts: SecretInput & { mode: 'empty' | 'merge' }): Promise<RestoreResult>;
  /** Chooses the folder the backup is rewritten to after every change that creates or destroys material
   * (null: stop), kept in this browser's settings, and writes a first backup at once. A failure is
   * reported in `lastError`, never thrown. */
  setBackupFolder(handle: FileSystemDirectoryHandle | null): Promise<BackupFolderInfo>;
  /** The continuous backup's folder, last backup, last error and write permission. */
  backupFolder(): Promise<BackupFolderInfo>;
  /** Runs a request the service worker forwarded (src/sw/forward.ts); 'locked' when this console is locked. */
  endpoint(request: ForwardedRequest): Promise<ForwardedResponse | 'locked'>;
}

/** The custody part over one keystore context. Custody changes are the keystore owner's: recorded as the account root. */
export function custodyApi(ctx: WorkerContext): CustodyWorkerApi {
  const owner = async () => {
    const kms = await ctx.ready;
    return { kms, owner: ctx.acting.owner(kms) };
  };
  const info = async (kms: Kms): Promise<CustodyInfo> => {
    const keys = (await kms.custody.report()).length;
    const [last] = await kms.audit.query({ limit: 1, eventName: 'BackupKeystore', match: (e) => !e.errorCode });
    const passkeys = await kms.custody.passkeyCredentials();
    return {
      ...kms.custody.status(),
      keys,
      ...(last ? { lastBackupAt: last.eventTime } : {}),
      ...(passkeys.length ? { passkeys } : {}),
    };
  };
  return {
    async custodyStatus() {
      return info(await ctx.ready);
    },
    async setUpRecovery(secret) {
      const { kms, owner: o } = await owner();
      const r = await kms.custody.setUpRecovery(o, secret);
      ctx.folderBackup.changed();
      return { ...(await info(kms)), accessKeysDeleted: r.accessKeysDeleted, materialsRewrapped: r.materialsRewrapped };
    },
    async changeSecret(current, next) {
      const { kms, owner: o } = await owner();
      await kms.custody.changeSecret(o, current, next);
      ctx.folderBackup.changed();
      return info(kms);
    },
    async unlock(secret) {
      const { kms, owner: o } = await owner();
      await kms.custody.unlock(o, secret);
      ctx.folderBackup.retryIfFailed();
      return info(kms);
    },
    async lock() {
      const { kms, owner: o } = await owner();
      await kms.custody.lock(o);
      // Every Region shares the console's unlock (ADR 0015), so "Lock" locks them all.
      await ctx.regions.each(async (k) => {
        if (k !== kms && !k.custody.status().locked) await k.custody.lock(ctx.acting.owner(k));
      });
      return info(kms);
    },
    async setAutoLock(minutes) {
      const { kms, owner: o } = await owner();
      await kms.custody.setAutoLock(o, minutes);
      return info(kms);
    },
    async custodyReport() {
      return (await ctx.ready).custody.report();
    },
    async backup(opts) {
      const { kms, owner: o } = await owner();
      const file = await kms.custody.backup(o, { includeDemoKeys: opts?.includeDemoKeys === true });
      return new Blob([file as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' });
    },
    async restore(file, opts) {
      const { kms, owner: o } = await owner();
      const { mode, ...secret } = opts;
      const r = await kms.custody.restore(o, new Uint8Array(await file.arrayBuffer()), { secret, mode });
      // An 'empty' restore brings the backup's region and account: this worker opens the core again.
      if (mode === 'empty' && r.reopen) {
        await ctx.reopen();
        // The restored keystore opens locked; the secret that opened the backup unlocks it.
        await (await ctx.ready).custody.unlock(o, secret);
      }
      ctx.folderBackup.changed();
      return {
        mode: r.mode,
        keysRestored: r.keysRestored,
        skipped: r.skipped,
        auditRecords: r.auditRecords,
        demoKeys: r.demoKeys,
      };
    },
    setBackupFolder(handle) {
      return ctx.folderBackup.setFolder(handle);
    },
    backupFolder() {
      return ctx.folderBackup.info();
    },
    async endpoint(request) {
      const current = await ctx.ready;
      if (current.custody.status().locked) return 'locked';
      if (request.path === '/s3') return s3Endpoint(current, request);
      const req = new Request(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body as Uint8Array<ArrayBuffer>,
      });
      // The Region of the request's credential scope answers it (ADR 0015).
      const region = requestRegion(request.path, req);
      const kms = !region || region === current.keystore.region ? current : await ctx.regions.get(region);
      const res = !kms
        ? regionNotInUse(request.path, region!, await current.regionsInUse())
        : kms.custody.status().locked
          ? endpointError(request.path, lockedError())
          : await handleEndpoint(kms, request.path, req);
      const target = req.headers.get('x-amz-target')?.split('.').pop() ?? '';
      if (request.path === '/kms' && res.ok && changesMaterial(target)) ctx.folderBackup.changed();
      return { status: res.status, headers: [...res.headers], body: new Uint8Array(await res.arrayBuffer()) };
    },
  };
}
