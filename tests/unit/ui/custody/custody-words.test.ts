// The custody console's words and checks (src/ui/custody/custody-words.ts): errors by name, the
// passphrase rules, the backup file name, sizes, auto-lock choices and a restore's summary.
import { describe, expect, it } from 'vitest';
import {
  autoLockChoices,
  autoLockLabel,
  backupFileName,
  custodyModeWords,
  describeCustodyError,
  megabytes,
  passphraseProblem,
  restoreSummary,
} from '../../../../src/ui/custody/custody-words';

const err = (name: string, message = 'service message') => Object.assign(new Error(message), { name });

describe('describeCustodyError', () => {
  it('says the passphrase is not correct, naming which one', () => {
    expect(describeCustodyError(err('IncorrectSecretException'), 'unlock')).toEqual({
      summary: 'The passphrase is not correct.',
      name: 'IncorrectSecretException',
    });
    expect(describeCustodyError(err('IncorrectSecretException'), 'changePassphrase').summary).toBe(
      'The current passphrase is not correct.',
    );
    expect(describeCustodyError(err('IncorrectSecretException'), 'restore').summary).toMatch(
      /^The backup passphrase is not correct/,
    );
  });

  it('says the keystore is locked for KMSInvalidStateException', () => {
    expect(describeCustodyError(err('KMSInvalidStateException'), 'backup').summary).toBe(
      'Pocket KMS is locked. Unlock it, then try again.',
    );
  });

  it('keeps the service message of a ValidationException and of a BackupFormatException as detail', () => {
    expect(describeCustodyError(err('ValidationException', 'The keystore has 3 keys.'), 'restore')).toEqual({
      summary: 'This backup cannot be restored that way.',
      name: 'ValidationException',
      detail: 'The keystore has 3 keys.',
    });
    expect(describeCustodyError(err('BackupFormatException', 'bad magic')).detail).toBe('bad magic');
    expect(describeCustodyError(err('UnsupportedBackupVersionException')).summary).toMatch(
      /newer version of Pocket KMS/,
    );
  });

  it('falls back to the console-wide sentences for other errors', () => {
    expect(describeCustodyError(err('AccessDeniedException')).name).toBe('AccessDeniedException');
    expect(describeCustodyError('Choose a file.')).toEqual({ summary: 'Choose a file.' });
    expect(describeCustodyError(new TypeError('x is not a function')).summary).toMatch(/unexpectedly/);
  });
});

describe('passphraseProblem', () => {
  it('names the passphrase when it is empty or shorter than 10 characters', () => {
    expect(passphraseProblem('', '')).toMatchObject({ field: 'passphrase' });
    expect(passphraseProblem('short', 'short')).toEqual({
      field: 'passphrase',
      message: 'Passphrase needs at least 10 characters; it has 5.',
    });
  });

  it('counts characters, not UTF-16 code units', () => {
    expect(passphraseProblem('😀😀😀😀😀', '😀😀😀😀😀')?.message).toMatch(/it has 5\./);
  });

  it('names the confirmation when it is empty or differs', () => {
    expect(passphraseProblem('correct horse', '')).toMatchObject({ field: 'confirm' });
    expect(passphraseProblem('correct horse', 'correct hose')).toEqual({
      field: 'confirm',
      message: 'Confirm passphrase does not match Passphrase: type it again.',
    });
  });

  it('uses the given labels and accepts a good pair', () => {
    expect(
      passphraseProblem('abc', '', { passphrase: 'New passphrase', confirm: 'Confirm new passphrase' })?.message,
    ).toMatch(/^New passphrase needs/);
    expect(passphraseProblem('correct horse battery', 'correct horse battery')).toBeUndefined();
  });
});

describe('backupFileName', () => {
  it('is pocket-kms-<region>-<local yyyy-mm-dd>.pkmsbackup', () => {
    expect(backupFileName('eu-west-1', new Date(2025, 0, 5, 23, 59))).toBe(
      'pocket-kms-eu-west-1-2025-01-05.pkmsbackup',
    );
  });

  it('keeps only safe characters of the region and has a name without one', () => {
    expect(backupFileName('../x y', new Date(2025, 11, 31))).toBe('pocket-kms-xy-2025-12-31.pkmsbackup');
    expect(backupFileName(undefined, new Date(2025, 11, 31))).toBe('pocket-kms-keystore-2025-12-31.pkmsbackup');
  });
});

describe('sizes, auto-lock, modes and restores in words', () => {
  it('writes decimal megabytes', () => {
    expect(megabytes(0)).toBe('0.0 MB');
    expect(megabytes(1_234_567)).toBe('1.2 MB');
    expect(megabytes(2_048_000_000)).toBe('2,048 MB');
  });

  it('offers never, 5, 15, 30, 60 and 240 minutes, plus the keystore’s own other value', () => {
    expect(autoLockChoices(15)).toEqual([0, 5, 15, 30, 60, 240]);
    expect(autoLockChoices(10)).toEqual([0, 5, 10, 15, 30, 60, 240]);
    expect([0, 1, 5, 60, 240].map(autoLockLabel)).toEqual(['Never', '1 minute', '5 minutes', '1 hour', '4 hours']);
  });

  it('describes each mode', () => {
    expect(custodyModeWords({ mode: 'device', locked: false, keys: 0 })).toMatch(/^This device only/);
    expect(custodyModeWords({ mode: 'secret', locked: false, keys: 0, secrets: ['passphrase'] })).toMatch(
      /^Locked at rest by a passphrase/,
    );
    expect(custodyModeWords({ mode: 'secret', locked: false, keys: 0, secrets: ['passphrase', 'passkey'] })).toMatch(
      /a passphrase or a passkey/,
    );
  });

  it('summarises a restore', () => {
    expect(restoreSummary({ mode: 'empty', keysRestored: 1, skipped: [], auditRecords: 12 })).toBe(
      '1 key restored into the empty keystore, with 12 audit records.',
    );
    expect(
      restoreSummary({ mode: 'merge', keysRestored: 2, skipped: [{ keyId: 'k', reason: 'r' }], auditRecords: 1 }),
    ).toBe('2 keys restored by merging into this keystore, with 1 audit record; 1 key skipped.');
  });
});
