// The backup file format's door (docs/FORMAT.md, "Backup files"): encode a keystore snapshot into
// one encrypted, authenticated file, read its header without a key, and open it with its file key.
export {
  BACKUP_MAGIC,
  BACKUP_VERSION,
  DEFAULT_FRAME_LENGTH,
  MAX_FRAME_LENGTH,
  MAX_HEADER_BODY,
  MAX_HEADER_BYTES,
  MAX_ITERATIONS,
  MIN_FRAME_LENGTH,
  MIN_ITERATIONS,
  decodeBackupHeader,
  encodeBackupHeader,
  type BackupHeader,
  type BackupKdf,
  type DecodedBackupHeader,
} from './header';
export { decodeBackup, encodeBackup, type EncodeBackupOptions } from './format';
export { decodeSnapshot, encodeSnapshot, type BackupSnapshot } from './snapshot';
export { BACKUP_APP, backupKeystore, restoreKeystore, type RestoreResult, type RestoreSkip } from './keystore-backup';
