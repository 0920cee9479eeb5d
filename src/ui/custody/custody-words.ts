// The custody console's words and checks (ADR 0009), without runes so unit tests run them in Node:
// custody errors as sentences, the passphrase rules, the backup file's name, sizes, auto-lock choices,
// and a keystore's protection and a restore's result in plain words.
import type { CustodyInfo, CustodyReportEntry, RestoreResult } from '../../worker/api';
import { describeError, type Problem } from '../shared/errors';

/** The custody calls the console makes; each keeps its own error. */
export type CustodyAction =
  | 'unlock'
  | 'unlockPasskey'
  | 'lock'
  | 'setUp'
  | 'changePassphrase'
  | 'addPasskey'
  | 'setAutoLock'
  | 'backup'
  | 'restore';

export const MIN_PASSPHRASE_LENGTH = 10;

export function errorName(e: unknown): string | undefined {
  const name = (e as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : undefined;
}

const INCORRECT: Partial<Record<CustodyAction, string>> = {
  changePassphrase: 'The current passphrase is not correct.',
  addPasskey: 'The current passphrase is not correct.',
  unlockPasskey: 'That passkey does not unlock this keystore.',
  restore: 'The backup passphrase is not correct: it is the passphrase of the keystore the backup was made from.',
};

const INVALID: Partial<Record<CustodyAction, string>> = {
  setUp: 'The passphrase was not accepted.',
  changePassphrase: 'The new passphrase was not accepted.',
  addPasskey: 'The passkey was not accepted.',
  setAutoLock: 'That auto-lock time is not accepted.',
  backup: 'A keystore without a passphrase cannot be backed up: set a passphrase first.',
  restore: 'This backup cannot be restored that way.',
};

/** What the browser's WebAuthn errors (DOMException names) and passkey.ts's own mean to a person. */
const PASSKEY: Record<string, string> = {
  NotAllowedError: 'The passkey prompt was cancelled or timed out.',
  InvalidStateError: 'This authenticator already holds one of this keystore\u2019s passkeys.',
  SecurityError:
    'The browser refused passkeys at this address: a passkey needs the console served from a domain name over https, or from localhost.',
  NotSupportedError: 'This browser cannot use passkeys.',
  PrfUnsupportedError: 'This passkey or browser does not support the PRF extension, so it cannot unlock keys.',
};

/** Names whose service message says what exactly was wrong; it is shown below the sentence. */
const SHOW_DETAIL = new Set(['ValidationException', 'BackupFormatException']);

/** A custody error in plain words; `action` picks the sentence where the same exception means different things. */
export function describeCustodyError(e: unknown, action?: CustodyAction): Problem {
  const name = errorName(e);
  let summary: string | undefined;
  if ((action === 'addPasskey' || action === 'unlockPasskey') && name && PASSKEY[name])
    return { summary: PASSKEY[name], name };
  if (name === 'IncorrectSecretException') summary = (action && INCORRECT[action]) ?? 'The passphrase is not correct.';
  else if (name === 'KMSInvalidStateException') summary = 'Pocket KMS is locked. Unlock it, then try again.';
  else if (name === 'ValidationException') summary = (action && INVALID[action]) ?? 'A value is not accepted.';
  else if (name === 'BackupFormatException')
    summary = 'This file is not a Pocket KMS backup, or it was damaged or changed.';
  else if (name === 'UnsupportedBackupVersionException')
    summary = 'This backup was made by a newer version of Pocket KMS. Update the app (About page), then restore it.';
  if (!summary || !name) return describeError(e);
  const message = (e as { message?: unknown }).message;
  return SHOW_DETAIL.has(name) && typeof message === 'string' && message
    ? { summary, name, detail: message }
    : { summary, name };
}

/** Binds `action` for an ErrorMessage's `describe`. */
export const describeFor = (action: CustodyAction) => (e: unknown) => describeCustodyError(e, action);

export interface PassphraseProblem {
  /** The field to fix: the passphrase itself or its confirmation. */
  field: 'passphrase' | 'confirm';
  message: string;
}

/** What is wrong with a new passphrase and its confirmation, or undefined; `labels` are the fields' labels,
 * so the sentence names the one to fix. Length counts characters, not UTF-16 units. */
export function passphraseProblem(
  passphrase: string,
  confirm: string,
  labels: { passphrase: string; confirm: string } = { passphrase: 'Passphrase', confirm: 'Confirm passphrase' },
): PassphraseProblem | undefined {
  const length = [...passphrase].length;
  if (length === 0)
    return {
      field: 'passphrase',
      message: `${labels.passphrase} is empty: enter at least ${MIN_PASSPHRASE_LENGTH} characters.`,
    };
  if (length < MIN_PASSPHRASE_LENGTH)
    return {
      field: 'passphrase',
      message: `${labels.passphrase} needs at least ${MIN_PASSPHRASE_LENGTH} characters; it has ${length}.`,
    };
  if (confirm === '') return { field: 'confirm', message: `${labels.confirm} is empty: type the passphrase again.` };
  if (confirm !== passphrase)
    return { field: 'confirm', message: `${labels.confirm} does not match ${labels.passphrase}: type it again.` };
  return undefined;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** pocket-kms-<region>-<yyyy-mm-dd>.pkmsbackup, dated in the person's own time zone. */
export function backupFileName(region: string | undefined, date: Date): string {
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const safeRegion = (region ?? 'keystore').replace(/[^A-Za-z0-9-]/g, '');
  return `pocket-kms-${safeRegion || 'keystore'}-${day}.pkmsbackup`;
}

/** Bytes as decimal megabytes, one decimal place below 100 MB ("0.3 MB", "1,024 MB"). */
export function megabytes(bytes: number): string {
  const mb = bytes / 1_000_000;
  const digits = mb < 100 ? 1 : 0;
  return `${mb.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} MB`;
}

export const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

export const AUTO_LOCK_MINUTES = [0, 5, 15, 30, 60, 240] as const;

export function autoLockLabel(minutes: number): string {
  if (minutes === 0) return 'Never';
  if (minutes % 60 === 0) return plural(minutes / 60, 'hour');
  return plural(minutes, 'minute');
}

/** The select's choices: the standard ones, plus the keystore's own value when it is another. */
export function autoLockChoices(current: number | undefined): number[] {
  const choices: number[] = [...AUTO_LOCK_MINUTES];
  if (current !== undefined && !choices.includes(current)) choices.push(current);
  return choices.sort((a, b) => a - b);
}

/** How the keystore is protected, in one sentence. */
export function custodyModeWords(info: CustodyInfo): string {
  if (info.mode === 'device')
    return 'This device only: no passphrase. Keys can be used by script on this site and read from this browser’s files.';
  const secrets = info.secrets ?? ['passphrase'];
  const by = secrets.length > 1 ? 'a passphrase or a passkey' : secrets[0] === 'passkey' ? 'a passkey' : 'a passphrase';
  return `Locked at rest by ${by}: the stored keys are encrypted under it and can be used only after unlocking.`;
}

/** What opens a secret keystore: "passphrase", "passphrase and 1 passkey", "2 passkeys". */
export function opensWith(info: CustodyInfo): string {
  const passkeys = info.passkeys?.length ?? (info.secrets?.includes('passkey') ? 1 : 0);
  const parts = [
    ...(info.secrets?.includes('passphrase') !== false ? ['passphrase'] : []),
    ...(passkeys ? [plural(passkeys, 'passkey')] : []),
  ];
  return parts.join(' and ');
}

export const PROTECTION_WORDS: Record<CustodyReportEntry['protection'], string> = {
  protected: 'Protected',
  software: 'Software',
  exposed: 'Exposed',
};

/** A restore's outcome as a sentence; the skipped keys are listed apart. */
export function restoreSummary(r: RestoreResult): string {
  const into = r.mode === 'empty' ? 'into the empty keystore' : 'by merging into this keystore';
  const skipped = r.skipped.length ? `; ${plural(r.skipped.length, 'key')} skipped` : '';
  return `${plural(r.keysRestored, 'key')} restored ${into}, with ${plural(r.auditRecords, 'audit record')}${skipped}.`;
}

/** Secret keystores that this console has unlocked: only those can lock themselves while it watches. */
export const isUnlockedSecret = (info: CustodyInfo | undefined): boolean => info?.mode === 'secret' && !info.locked;
