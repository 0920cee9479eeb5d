// The keystore's custody as the console and the API use it (`Kms.custody`, ADR 0009): set a secret
// (moving a device keystore's every stored secret under new root keys), change it, unlock, lock, the
// idle timeout, and which keys are protected how. Each change is an audit event holding no secret.

import type { KmsEnv } from '../context';
import { OpContext } from '../context';
import { KmsError, toKmsError, ValidationException } from '../errors';
import type { Caller } from '../ids';
import type { Tx } from '../ports';
import type { KeyRecord, MaterialRecord } from '../records';
import { SPECS } from '../asymmetric';
import {
  changeSecret,
  checkSecret,
  createSecretCustody,
  CUSTODY_META,
  type Secret,
  type SecretCustody,
} from './custody';
import type { CustodyStatus } from './custodian';
import { rewrapAll } from './rewrap';
import type { RestoreResult } from '../backup';

/** CloudTrail's eventSource for custody events (they are Pocket KMS's own, not an AWS service's). */
export const CUSTODY_EVENT_SOURCE = 'custody.pocket-kms.local';

export interface SetUpResult extends CustodyStatus {
  /** Access keys deleted: their stored signing keys could not be moved under the secret (ADR 0009). */
  accessKeysDeleted: string[];
  /** Material versions now stored only wrapped under the new root keys. */
  materialsRewrapped: number;
}

export type Protection = 'protected' | 'software' | 'exposed';

export interface CustodyReportEntry {
  keyId: string;
  keySpec: string;
  protection: Protection;
  why: string;
}

/** Hooks into the audit wing, which owns the audit signing key, and the backup wing (the wings do not
 * reach into each other). */
export interface CustodyHooks {
  /** Replaces the audit signing key with one sealed under `wrappingKey`, inside `tx`; returns its fingerprint. */
  resealAuditKey(wrappingKey: CryptoKey): Promise<(tx: Tx) => Promise<string>>;
  /** After an unlock: what this Region missed while locked (global IAM, ADR 0017). A failure is not the unlock's. */
  unlocked?(): Promise<void>;
  /** backup/keystore-backup.ts: the file, and how many keys it holds. */
  backup(o: { includeDemoKeys?: boolean }): Promise<{ file: Uint8Array; keys: number; demoKeysLeftOut: number }>;
  /** backup/keystore-backup.ts: the restore itself (`c` records a merge; an 'empty' restore records
   * into the restored trail). */
  restore(c: OpContext, file: Uint8Array, o: { mode: 'empty' | 'merge'; secret: Secret }): Promise<RestoreResult>;
}

export class KeystoreCustody {
  constructor(
    private readonly env: KmsEnv,
    private readonly hooks: CustodyHooks,
  ) {}

  status(): CustodyStatus {
    return this.env.custodian.status();
  }

  /** The credential IDs of the stored passkey slots (none for a device keystore): the console names
   * them in WebAuthn's allowCredentials to unlock. Readable while locked; they open nothing alone. */
  async passkeyCredentials(): Promise<{ credentialId: Uint8Array }[]> {
    const custody = await this.env.store.read((tx) => tx.getMeta<SecretCustody>(CUSTODY_META));
    return (custody?.slots ?? []).flatMap((s) => (s.kind === 'passkey' ? [{ credentialId: s.credentialId }] : []));
  }

  /**
   * Sets the keystore's first secret: new root keys, every material version re-wrapped under them, the
   * stored root keys and usable keys deleted, in one durable transaction; this instance stays unlocked.
   * @throws ValidationException (a malformed secret, or one is set already: use changeSecret)
   */
  async setUpRecovery(caller: Caller, secretIn: unknown, o: { iterations?: number } = {}): Promise<SetUpResult> {
    const secret = checkSecret(secretIn);
    return this.audited(caller, 'EnableKeystoreSecret', { secretKind: kindOf(secret) }, async (c) => {
      if (this.env.custodian.mode === 'secret')
        throw new ValidationException('This keystore already has a secret: change it instead.');
      return this.env.locks.withLock('pocket-kms:custody', async () => {
        const from = this.env.custodian.roots();
        const { custody, unlocked } = await createSecretCustody(secret, {
          random: (n) => this.env.random.bytes(n),
          now: c.now,
          ...(o.iterations ? { iterations: o.iterations } : {}),
        });
        const reseal = await this.hooks.resealAuditKey(unlocked.roots.wrappingKey);
        for (let attempt = 1; ; attempt++) {
          const { keys, materials } = await this.env.store.read(async (tx) => {
            const keys = await tx.allKeys();
            const materials: MaterialRecord[] = [];
            for (const k of keys) materials.push(...(await tx.listMaterials(k.keyId)));
            return { keys: new Map(keys.map((k) => [k.keyId, k])), materials };
          });
          const rewrapped = await rewrapAll(materials, keys, from, unlocked.roots, (n) => this.env.random.bytes(n));
          const done = await c.writeDurable(async (tx) => {
            // A key created or rotated meanwhile by another instance would be left under the old roots: start again.
            const now = new Set<string>();
            for (const k of await tx.allKeys()) for (const m of await tx.listMaterials(k.keyId)) now.add(m.materialId);
            if (now.size !== rewrapped.length || rewrapped.some((m) => !now.has(m.materialId))) return undefined;
            for (const m of rewrapped) await tx.putMaterial(m);
            const deleted: string[] = [];
            for (const a of await tx.listAccessKeys()) {
              await tx.deleteAccessKey(a.accessKeyId);
              deleted.push(a.accessKeyId);
            }
            const fingerprint = await reseal(tx);
            await tx.deleteMeta('domainKey');
            await tx.deleteMeta('wrappingKey');
            await tx.putMeta(CUSTODY_META, custody);
            // The call's audit record carries this (IDs and counts, no secret).
            return {
              accessKeysDeleted: deleted,
              materialsRewrapped: rewrapped.length,
              auditKeyFingerprint: fingerprint,
            };
          });
          if (done) {
            this.env.custodian.adopt(custody, unlocked);
            return {
              ...this.status(),
              accessKeysDeleted: done.accessKeysDeleted,
              materialsRewrapped: done.materialsRewrapped,
            };
          }
          if (attempt >= 3)
            throw new ValidationException(
              'Keys kept changing in another tab while the secret was being set; try again.',
            );
        }
      });
    });
  }

  /**
   * One encrypted file holding every store of this keystore as stored (only wrapped forms: it needs a
   * secret), its file key wrapped under the KEK of the secret that unlocked this instance; recorded as
   * BackupKeystore (file size and key count). ADR 0009 "Backup and restore".
   * @throws ValidationException (a device keystore: set a passphrase first), KMSInvalidStateException (locked)
   */
  async backup(caller: Caller, o: { includeDemoKeys?: boolean } = {}): Promise<Uint8Array> {
    const includeDemoKeys = o.includeDemoKeys === true;
    return this.audited(caller, 'BackupKeystore', includeDemoKeys ? { includeDemoKeys } : {}, async (c) => {
      const { file, keys, demoKeysLeftOut } = await this.hooks.backup({ includeDemoKeys });
      await c.write(async () => ({ backupBytes: file.length, keys, ...(demoKeysLeftOut ? { demoKeysLeftOut } : {}) }));
      return file;
    });
  }

  /**
   * Restores a backup opened with `secret`: 'empty' replaces this (empty) keystore whole with the
   * backup's, custody included, and this instance adopts it unlocked (`reopen`: the host reopens the core);
   * 'merge' adds the backup's keys that are not here, re-wrapped under this keystore's root keys, and
   * never replaces one. Nothing is written unless the whole file opens and passes the checks.
   * @throws IncorrectSecretException, BackupFormatException, UnsupportedBackupVersionException,
   * ValidationException, KMSInvalidStateException (this keystore is locked)
   */
  async restore(caller: Caller, file: unknown, opts: unknown): Promise<RestoreResult> {
    const o = (opts ?? {}) as { mode?: unknown; secret?: unknown };
    const mode = o.mode === 'empty' || o.mode === 'merge' ? o.mode : undefined;
    const size = file instanceof Uint8Array ? file.length : undefined;
    return this.audited(caller, 'RestoreKeystore', { mode, backupBytes: size }, async (c) => {
      if (!(file instanceof Uint8Array)) throw new ValidationException('"file" expected the backup\'s bytes.');
      if (!mode) throw new ValidationException(`"mode" expected empty or merge, got ${String(o.mode).slice(0, 40)}.`);
      return this.hooks.restore(c, file, { mode, secret: checkSecret(o.secret) });
    });
  }

  /** Replaces the passphrase, or adds a passkey, after checking a current secret.
   * @throws IncorrectSecretException, ValidationException */
  async changeSecret(
    caller: Caller,
    currentIn: unknown,
    nextIn: unknown,
    o: { iterations?: number } = {},
  ): Promise<CustodyStatus> {
    const current = checkSecret(currentIn);
    const next = checkSecret(nextIn);
    return this.audited(caller, 'ChangeKeystoreSecret', { secretKind: kindOf(next) }, async (c) => {
      const custody = await this.stored();
      const changed = await changeSecret(custody, current, next, {
        random: (n) => this.env.random.bytes(n),
        now: c.now,
        ...(o.iterations ? { iterations: o.iterations } : {}),
      });
      await c.writeDurable(async (tx) => {
        await this.env.custodian.requireCurrent(tx);
        await tx.putMeta(CUSTODY_META, changed);
      });
      await this.env.custodian.unlock(this.env.store, next);
      return this.status();
    });
  }

  /** @throws IncorrectSecretException, ValidationException */
  async unlock(caller: Caller, secretIn: unknown): Promise<CustodyStatus> {
    const secret = checkSecret(secretIn);
    return this.audited(caller, 'UnlockKeystore', { secretKind: kindOf(secret) }, async (c) => {
      if (this.env.custodian.mode !== 'secret')
        throw new ValidationException('This keystore has no secret: there is nothing to unlock.');
      await this.env.custodian.unlock(this.env.store, secret);
      await c.write(async () => undefined);
      await this.hooks.unlocked?.().catch(() => undefined);
      return this.status();
    });
  }

  /** Locks this instance (other tabs lock on their own). Recorded unless it was locked already. */
  async lock(caller: Caller | 'service', reason: 'LockNow' | 'IdleTimeout' = 'LockNow'): Promise<CustodyStatus> {
    const before = this.status();
    this.env.custodian.lock();
    if (before.mode === 'secret' && !before.locked) await this.record(caller, reason);
    return this.status();
  }

  private async record(caller: Caller | 'service', reason: 'LockNow' | 'IdleTimeout'): Promise<void> {
    const c = new OpContext(this.env, caller, 'LockKeystore', { reason });
    c.eventSource = CUSTODY_EVENT_SOURCE;
    await this.env.store.write((tx) => tx.appendAudit(c.entry(null)));
  }

  /** Locks this instance when it has been idle past the timeout (maintenance runs it every minute), and
   * records it. */
  async lockIfIdle(): Promise<void> {
    const before = this.status();
    this.env.custodian.expire();
    if (before.mode === 'secret' && !before.locked && this.status().locked) await this.record('service', 'IdleTimeout');
  }

  /** Minutes of inactivity before an unlocked instance locks itself; 0 = never. */
  async setAutoLock(caller: Caller, minutes: unknown): Promise<CustodyStatus> {
    return this.audited(caller, 'UpdateKeystoreAutoLock', { minutes }, async (c) => {
      if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 0 || minutes > 1440) {
        throw new ValidationException(
          '"minutes" expected a whole number of minutes from 0 (never) to 1440, got ' + String(minutes),
        );
      }
      const custody = await this.stored();
      this.env.custodian.roots();
      const next: SecretCustody = { ...custody, autoLockMinutes: minutes, changedAt: c.now };
      await c.write(async (tx) => {
        await this.env.custodian.requireCurrent(tx);
        await tx.putMeta(CUSTODY_META, next);
      });
      await this.env.custodian.refresh(this.env.store);
      return this.status();
    });
  }

  /** Per key: protected (only wrapped at rest and used inside WebCrypto), software (wrapped at rest,
   * unwrapped into the worker's JavaScript for each use), or exposed (a device keystore), and why. */
  async report(): Promise<CustodyReportEntry[]> {
    const keys = await this.env.store.read((tx) => tx.allKeys());
    const secret = this.env.custodian.mode === 'secret';
    return keys.map((k: KeyRecord) => {
      const software = SPECS[k.keySpec].protection === 'software';
      // A passkey key store's key is wrapped under its store's key whatever the keystore's custody (ADR 0016).
      if (k.customKeyStoreId)
        return {
          keyId: k.keyId,
          keySpec: k.keySpec,
          protection: 'protected',
          why: `In key store ${k.customKeyStoreId}: stored only wrapped under a key its passkeys open (and the keystore's secret, if recovery was allowed); usable inside WebCrypto as a non-extractable key while the store is connected.`,
        };
      if (!secret) {
        return {
          keyId: k.keyId,
          keySpec: k.keySpec,
          protection: 'exposed',
          why: 'This keystore has no secret: script of this site can use the stored root keys to unwrap it, and its bytes are in the browser profile on disk.',
        };
      }
      if (software) {
        return {
          keyId: k.keyId,
          keySpec: k.keySpec,
          protection: 'software',
          why: `Stored only wrapped under the secret; WebCrypto has no ${k.keySpec}, so the private key is unwrapped into the KMS worker's memory for each use, then zeroed.`,
        };
      }
      return {
        keyId: k.keyId,
        keySpec: k.keySpec,
        protection: 'protected',
        why: 'Stored only wrapped under the secret; unwrapped inside WebCrypto as a non-extractable key while unlocked.',
      };
    });
  }

  private async stored(): Promise<SecretCustody> {
    const custody = await this.env.store.read((tx) => tx.getMeta<SecretCustody>(CUSTODY_META));
    if (!custody) throw new ValidationException('This keystore has no secret yet: set one up first.');
    return custody;
  }

  /** Runs a custody change as one audited call (success or failure recorded; no secret in the record). */
  private async audited<T>(caller: Caller, op: string, request: object, fn: (c: OpContext) => Promise<T>): Promise<T> {
    const c = new OpContext(this.env, caller, op, request);
    c.eventSource = CUSTODY_EVENT_SOURCE;
    try {
      return await fn(c);
    } catch (e) {
      const err = toKmsError(e);
      if (!(e instanceof KmsError)) console.error(`Pocket KMS internal error in ${op}:`, (e as Error)?.name);
      await this.env.store.write((tx) => tx.appendAudit(c.entry(undefined, err)));
      throw err;
    }
  }
}

function kindOf(s: Secret): 'passphrase' | 'passkey' {
  return 'passphrase' in s ? 'passphrase' : 'passkey';
}
