// Backup file header codec, format version 1 (docs/FORMAT.md, "Backup files", "Header").
// Pure bytes, no crypto: readable without any key, so a caller learns which KDF re-derives the
// key-encryption key (KEK) before asking the person for the secret.
import { concat, uint16, uint32, view } from '../../format/bytes';
import { ValidationException } from '../errors';
import { BackupFormatException, UnsupportedBackupVersionException } from '../errors';

export const BACKUP_MAGIC = new Uint8Array([0x50, 0x4b, 0x4d, 0x53, 0x42, 0x4b, 0x55, 0x50]); // "PKMSBKUP"
export const BACKUP_VERSION = 1;
/** Magic (8) + version (2) + header body length (4). */
export const PREAMBLE_LENGTH = 14;
export const MAX_HEADER_BODY = 64 * 1024;
/** A prefix of a backup this long always holds its whole header. */
export const MAX_HEADER_BYTES = PREAMBLE_LENGTH + MAX_HEADER_BODY;
export const MIN_FRAME_LENGTH = 4 * 1024;
export const MAX_FRAME_LENGTH = 16 * 1024 * 1024;
export const DEFAULT_FRAME_LENGTH = 1024 * 1024;
/** RFC 3394 AES key wrap of a 256-bit key: the key plus one 64-bit block. */
export const WRAPPED_FILE_KEY_LENGTH = 40;
export const FILE_ID_LENGTH = 32;
/** PBKDF2 iterations a backup may ask for. The floor refuses to write weak files; the ceiling
 * bounds how long a hostile file can make an unlock spin (about 10 s at 10 million). */
export const MIN_ITERATIONS = 100_000;
export const MAX_ITERATIONS = 10_000_000;

/** Byte fields are ArrayBuffer-backed, so a decoded header goes straight into WebCrypto. */
type Bytes = Uint8Array<ArrayBuffer>;

/** How to re-derive the KEK that wraps the file key. Shaped as WebCrypto's own parameters. */
export type BackupKdf =
  /** KDF type 0x01: the KEK is PBKDF2-HMAC-SHA-256(passphrase, salt, iterations) → AES-KW 256. */
  | { name: 'PBKDF2'; hash: 'SHA-256'; iterations: number; salt: Bytes }
  /** KDF type 0x02: the KEK is HKDF-SHA-256(WebAuthn PRF output for `prfSalt` under the passkey `credentialId`, hkdf.salt, hkdf.info) → AES-KW 256. */
  | {
      name: 'WebAuthn-PRF';
      credentialId: Bytes;
      prfSalt: Bytes;
      hkdf: { name: 'HKDF'; hash: 'SHA-256'; salt: Bytes; info: Bytes };
    };

export interface BackupHeader {
  version: number;
  kdf: BackupKdf;
  /** The file key (AES-256-GCM) wrapped under the KEK with AES-KW (RFC 3394): 40 bytes. */
  wrappedFileKey: Bytes;
  /** 32 random bytes, fresh for every file. */
  fileId: Bytes;
  /** Plaintext bytes in every frame but the last. */
  frameLength: number;
}

export interface DecodedBackupHeader {
  header: BackupHeader;
  /** The header's bytes, preamble included: what every frame's AAD commits to. */
  bytes: Uint8Array;
}

const KDF_PBKDF2 = 0x01;
const KDF_WEBAUTHN_PRF = 0x02;
/** Length ranges of the variable KDF fields: [min, max], and the width of their length prefix. */
const FIELDS = {
  salt: [16, 64, 1],
  credentialId: [1, 1023, 2], // WebAuthn Level 3 §5.8.1 caps credential IDs at 1023 bytes.
  prfSalt: [16, 64, 1],
  'hkdf.salt': [0, 64, 1],
  'hkdf.info': [0, 255, 1],
} as const satisfies Record<string, readonly [number, number, 1 | 2]>;
type Field = keyof typeof FIELDS;

function checkBytes(name: string, b: unknown, min: number, max: number): Uint8Array {
  if (!(b instanceof Uint8Array))
    throw new ValidationException(`"${name}" expected a Uint8Array, got ${b === null ? 'null' : typeof b}.`);
  if (b.length < min || b.length > max)
    throw new ValidationException(`"${name}" expected ${min === max ? min : `${min}..${max}`} bytes, got ${b.length}.`);
  return b;
}

function checkInt(name: string, n: unknown, min: number, max: number): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
    throw new ValidationException(`"${name}" expected an integer ${min}..${max}, got ${String(n)}.`);
  return n;
}

function field(name: Field, b: unknown): Uint8Array {
  const [min, max, width] = FIELDS[name];
  const v = checkBytes(name, b, min, max);
  return concat([width === 1 ? new Uint8Array([v.length]) : uint16(v.length), v]);
}

function encodeKdf(kdf: BackupKdf): Uint8Array {
  if (kdf?.name === 'PBKDF2') {
    if (kdf.hash !== 'SHA-256') throw new ValidationException(`"kdf.hash" expected SHA-256, got ${String(kdf.hash)}.`);
    return concat([
      new Uint8Array([KDF_PBKDF2]),
      uint32(checkInt('kdf.iterations', kdf.iterations, MIN_ITERATIONS, MAX_ITERATIONS)),
      field('salt', kdf.salt),
    ]);
  }
  if (kdf?.name === 'WebAuthn-PRF') {
    if (kdf.hkdf?.name !== 'HKDF' || kdf.hkdf.hash !== 'SHA-256')
      throw new ValidationException('"kdf.hkdf" expected HKDF with SHA-256.');
    return concat([
      new Uint8Array([KDF_WEBAUTHN_PRF]),
      field('credentialId', kdf.credentialId),
      field('prfSalt', kdf.prfSalt),
      field('hkdf.salt', kdf.hkdf.salt),
      field('hkdf.info', kdf.hkdf.info),
    ]);
  }
  throw new ValidationException(
    `"kdf.name" expected PBKDF2 or WebAuthn-PRF, got ${String((kdf as { name?: unknown } | undefined)?.name)}.`,
  );
}

/** The header's bytes, preamble included. Writes format version 1 only.
 * @throws ValidationException naming the field that is out of range. */
export function encodeBackupHeader(h: Omit<BackupHeader, 'version'>): Uint8Array {
  const body = concat([
    encodeKdf(h.kdf),
    checkBytes('wrappedFileKey', h.wrappedFileKey, WRAPPED_FILE_KEY_LENGTH, WRAPPED_FILE_KEY_LENGTH),
    checkBytes('fileId', h.fileId, FILE_ID_LENGTH, FILE_ID_LENGTH),
    uint32(checkInt('frameLength', h.frameLength, MIN_FRAME_LENGTH, MAX_FRAME_LENGTH)),
  ]);
  return concat([BACKUP_MAGIC, uint16(BACKUP_VERSION), uint32(body.length), body]);
}

const TRUNCATED = 'The backup ends inside its header: the file is truncated; copy it again from where it was saved.';
const malformed = (what: string) =>
  new BackupFormatException(
    `The backup's header is malformed (${what}); the file is damaged or was not written by Pocket KMS.`,
  );

/** Reads the header from the start of a backup (the whole file, or its first MAX_HEADER_BYTES).
 * @throws BackupFormatException when the bytes are not a backup, or the header is truncated or malformed.
 * @throws UnsupportedBackupVersionException when a newer Pocket KMS wrote it. */
export function decodeBackupHeader(bytes: Uint8Array): DecodedBackupHeader {
  /* Precondition: the input is bytes. */
  if (!(bytes instanceof Uint8Array))
    throw new ValidationException(`"bytes" expected a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}.`);
  if (bytes.length === 0) throw new BackupFormatException('The file is empty: choose a Pocket KMS backup file.');
  const head = bytes.subarray(0, BACKUP_MAGIC.length);
  /* Precondition: the file starts with the magic "PKMSBKUP". */
  if (head.some((b, i) => b !== BACKUP_MAGIC[i]))
    throw new BackupFormatException('The file is not a Pocket KMS backup: it does not start with "PKMSBKUP".');
  if (bytes.length < PREAMBLE_LENGTH) throw new BackupFormatException(TRUNCATED);
  const dv = view(bytes);
  const version = dv.getUint16(8);
  /* Precondition: a newer format version is refused, naming it. */
  if (version > BACKUP_VERSION)
    throw new UnsupportedBackupVersionException(
      `The backup is in format version ${version}, and this Pocket KMS reads up to version ${BACKUP_VERSION}: open it with a newer Pocket KMS.`,
    );
  if (version < 1) throw malformed('format version 0 does not exist');
  const bodyLength = dv.getUint32(10);
  /* Precondition: the header body length is checked against the limit before anything is read or allocated. */
  if (bodyLength > MAX_HEADER_BODY) throw malformed(`its length is ${bodyLength} bytes, more than ${MAX_HEADER_BODY}`);
  if (bodyLength > bytes.length - PREAMBLE_LENGTH) throw new BackupFormatException(TRUNCATED);
  const end = PREAMBLE_LENGTH + bodyLength;
  let pos = PREAMBLE_LENGTH;
  const take = (n: number, what: string) => {
    if (n > end - pos) throw malformed(`${what} runs past the header's end`);
    return bytes.slice(pos, (pos += n));
  };
  const u8 = (what: string) => take(1, what)[0]!;
  const u32 = (what: string) => view(take(4, what)).getUint32(0);
  const lv = (name: Field) => {
    const [min, max, width] = FIELDS[name];
    const n = width === 1 ? u8(`the ${name} length`) : view(take(2, `the ${name} length`)).getUint16(0);
    if (n < min || n > max) throw malformed(`the ${name} is ${n} bytes, not ${min}..${max}`);
    return take(n, `the ${name}`);
  };

  let kdf: BackupKdf;
  const kdfType = u8('the KDF type');
  if (kdfType === KDF_PBKDF2) {
    const iterations = u32('the PBKDF2 iteration count');
    if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS)
      throw malformed(`PBKDF2 iteration count ${iterations} is outside ${MIN_ITERATIONS}..${MAX_ITERATIONS}`);
    kdf = { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: lv('salt') };
  } else if (kdfType === KDF_WEBAUTHN_PRF) {
    const credentialId = lv('credentialId');
    const prfSalt = lv('prfSalt');
    const salt = lv('hkdf.salt');
    kdf = {
      name: 'WebAuthn-PRF',
      credentialId,
      prfSalt,
      hkdf: { name: 'HKDF', hash: 'SHA-256', salt, info: lv('hkdf.info') },
    };
  } else {
    throw malformed(`KDF type ${kdfType} is not defined in format version 1`);
  }
  const wrappedFileKey = take(WRAPPED_FILE_KEY_LENGTH, 'the wrapped file key');
  const fileId = take(FILE_ID_LENGTH, 'the file ID');
  const frameLength = u32('the frame length');
  if (frameLength < MIN_FRAME_LENGTH || frameLength > MAX_FRAME_LENGTH)
    throw malformed(`frame length ${frameLength} is outside ${MIN_FRAME_LENGTH}..${MAX_FRAME_LENGTH}`);
  if (pos !== end) throw malformed(`${end - pos} bytes follow its last field`);
  return { header: { version, kdf, wrappedFileKey, fileId, frameLength }, bytes: bytes.slice(0, end) };
}
