// Backup file format version 1: header, then the serialized snapshot in AES-256-GCM frames
// (docs/FORMAT.md, "Backup files"). Uses WebCrypto only through the file key it is handed; the
// KDF and the AES-KW wrap of the file key are the caller's (the lock's), named in the header.
//
// Design notes (why it differs from the first sketch):
// - IV = fileId[0..8) ‖ frame index (uint32). The file key is fresh per file, so the index alone
//   would be unique; the file ID prefix keeps IVs apart even if a caller reused a file key.
// - Each frame says its own plaintext length and whether it is final, so a reader needs no file
//   size; both are authenticated (the flag in the AAD, the length by GCM itself).
// - decodeBackup authenticates every frame before it parses a byte of plaintext: all or nothing.
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, own, uint32, view } from '../../format/bytes';
import { ValidationException } from '../errors';
import { BackupFormatException } from '../errors';
import { DEFAULT_FRAME_LENGTH, decodeBackupHeader, encodeBackupHeader, type BackupHeader } from './header';
import { decodeSnapshot, encodeSnapshot, type BackupSnapshot } from './snapshot';
import { tagOf } from './values';

export const FRAME_PREFIX_LENGTH = 5;
export const TAG_LENGTH = 16;
export const MAX_FRAMES = 0xffffffff;
const MORE = 0x00;
const FINAL = 0x01;

export interface EncodeBackupOptions extends Omit<BackupHeader, 'version' | 'frameLength'> {
  /** Plaintext bytes per frame, 4 KiB..16 MiB; default 1 MiB. */
  frameLength?: number;
  /** AES-256-GCM, usage `encrypt`: the key `wrappedFileKey` wraps. */
  fileKey: CryptoKey;
  snapshot: BackupSnapshot;
}

/** 96-bit GCM IV: the first 8 bytes of the file ID, then the frame index (uint32 BE). */
export function frameIv(fileId: Uint8Array, index: number): Uint8Array<ArrayBuffer> {
  return own(concat([fileId.subarray(0, 8), uint32(index)]));
}

/** AAD = SHA-256(header bytes) ‖ frame index (uint32 BE) ‖ final flag (1 byte). */
export function frameAad(headerHash: Uint8Array, index: number, final: boolean): Uint8Array<ArrayBuffer> {
  return own(concat([headerHash, uint32(index), new Uint8Array([final ? FINAL : MORE])]));
}

function checkFileKey(key: unknown, usage: 'encrypt' | 'decrypt'): CryptoKey {
  const k = key as CryptoKey;
  const ok =
    key !== null &&
    typeof key === 'object' &&
    tagOf(key) === 'CryptoKey' &&
    k.algorithm.name === 'AES-GCM' &&
    (k.algorithm as AesKeyAlgorithm).length === 256 &&
    k.usages.includes(usage);
  /* Precondition: the file key is an AES-256-GCM CryptoKey allowed to `usage`. */
  if (!ok) throw new ValidationException(`"fileKey" expected an AES-GCM 256-bit CryptoKey with usage ${usage}.`);
  return k;
}

/** Writes a whole backup file.
 * @throws ValidationException when a header field or the file key is out of range.
 * @throws BackupValueException when the snapshot holds a CryptoKey or a value outside JSON-with-bytes. */
export async function encodeBackup(opts: EncodeBackupOptions): Promise<Uint8Array> {
  const fileKey = checkFileKey(opts.fileKey, 'encrypt');
  const frameLength = opts.frameLength ?? DEFAULT_FRAME_LENGTH;
  const header = encodeBackupHeader({
    kdf: opts.kdf,
    wrappedFileKey: opts.wrappedFileKey,
    fileId: opts.fileId,
    frameLength,
  });
  const payload = encodeSnapshot(opts.snapshot);
  const count = Math.max(1, Math.ceil(payload.length / frameLength));
  // The frame index is a uint32 (unreachable in practice: 2^32-1 frames of 4 KiB are 16 TiB).
  if (count > MAX_FRAMES)
    throw new ValidationException(
      `"snapshot" expected at most ${MAX_FRAMES} frames of ${frameLength} bytes, got ${count}.`,
    );
  const hash = sha256(header);
  const frames = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const final = i === count - 1;
      const plain = payload.subarray(i * frameLength, (i + 1) * frameLength);
      const sealed = new Uint8Array(
        await crypto.subtle.encrypt(
          { name: 'AES-GCM', iv: frameIv(opts.fileId, i), additionalData: frameAad(hash, i, final), tagLength: 128 },
          fileKey,
          own(plain),
        ),
      );
      const prefix = new Uint8Array(FRAME_PREFIX_LENGTH);
      prefix[0] = final ? FINAL : MORE;
      view(prefix).setUint32(1, plain.length);
      return concat([prefix, sealed]);
    }),
  );
  payload.fill(0);
  return concat([header, ...frames]);
}

interface FrameSpan {
  index: number;
  final: boolean;
  /** Ciphertext and tag. */
  sealed: Uint8Array;
}

const TRUNCATED =
  'The backup ends before its final frame: the file is truncated; copy it again from where it was saved.';

/** Splits the frames after the header, checking their structure (no crypto). */
function splitFrames(bytes: Uint8Array, start: number, frameLength: number): FrameSpan[] {
  const dv = view(bytes);
  const frames: FrameSpan[] = [];
  let pos = start;
  for (let index = 0; ; index++) {
    if (pos === bytes.length || bytes.length - pos < FRAME_PREFIX_LENGTH) throw new BackupFormatException(TRUNCATED);
    // At most 2^32-1 frames (indexes 0..2^32-2); unreachable in memory, kept so the index never wraps.
    if (index >= MAX_FRAMES)
      throw new BackupFormatException(`The backup has more than ${MAX_FRAMES} frames; the file is damaged.`);
    const flag = bytes[pos]!;
    const length = dv.getUint32(pos + 1);
    if (flag !== MORE && flag !== FINAL)
      throw new BackupFormatException(`Frame ${index} of the backup has an unknown flag; the file is damaged.`);
    const final = flag === FINAL;
    /* Precondition: every frame but the final one holds exactly frameLength bytes; the final one 1..frameLength. */
    if (final ? length < 1 || length > frameLength : length !== frameLength)
      throw new BackupFormatException(
        `Frame ${index} of the backup claims ${length} bytes where the header allows ${final ? `1..${frameLength}` : frameLength}; the file is damaged.`,
      );
    const n = length + TAG_LENGTH;
    if (n > bytes.length - pos - FRAME_PREFIX_LENGTH) throw new BackupFormatException(TRUNCATED);
    frames.push({ index, final, sealed: bytes.subarray(pos + FRAME_PREFIX_LENGTH, pos + FRAME_PREFIX_LENGTH + n) });
    pos += FRAME_PREFIX_LENGTH + n;
    if (final) break;
  }
  if (pos !== bytes.length)
    throw new BackupFormatException(
      `The backup has ${bytes.length - pos} bytes after its final frame; the file is damaged or two files were joined.`,
    );
  return frames;
}

/** Opens a whole backup file with its file key (the caller unwraps it from the header's
 * `wrappedFileKey` with the KEK the header's KDF derives). Returns nothing unless every frame
 * authenticates.
 * @throws BackupFormatException when the file is not a backup, or is truncated, altered, or not this key's.
 * @throws UnsupportedBackupVersionException when a newer Pocket KMS wrote it.
 * @throws ValidationException when `fileKey` is not an AES-256-GCM key allowed to decrypt. */
export async function decodeBackup(bytes: Uint8Array, fileKey: CryptoKey): Promise<BackupSnapshot> {
  const key = checkFileKey(fileKey, 'decrypt');
  const { header, bytes: headerBytes } = decodeBackupHeader(bytes);
  const frames = splitFrames(bytes, headerBytes.length, header.frameLength);
  const hash = sha256(headerBytes);
  const opened = await Promise.allSettled(
    frames.map(
      async (f) =>
        new Uint8Array(
          await crypto.subtle.decrypt(
            {
              name: 'AES-GCM',
              iv: frameIv(header.fileId, f.index),
              additionalData: frameAad(hash, f.index, f.final),
              tagLength: 128,
            },
            key,
            own(f.sealed),
          ),
        ),
    ),
  );
  const failed = opened.findIndex((r) => r.status === 'rejected');
  if (failed >= 0) {
    for (const r of opened) if (r.status === 'fulfilled') r.value.fill(0);
    throw new BackupFormatException(
      `Frame ${failed} of the backup does not authenticate: the file was altered or damaged, or the key opening it is not this file's (check that the secret unlocked this file).`,
    );
  }
  const plain = concat(opened.map((r) => (r as PromiseFulfilledResult<Uint8Array>).value));
  try {
    return decodeSnapshot(plain);
  } finally {
    plain.fill(0);
    for (const r of opened) (r as PromiseFulfilledResult<Uint8Array>).value.fill(0);
  }
}
