// Message body and footer codec (specification data-format/message-body.md, message-footer.md,
// and message-body-aad.md). Pure bytes. Decoders return undefined for "need more bytes".
import { concat, uint16, uint32, uint64, utf8Encode, view } from './bytes';
import { MalformedMessageError } from './errors';
import { IV_LENGTH, TAG_LENGTH } from './suites';

/** Sequence number end marker that starts a final frame. */
export const FINAL_FRAME_MARKER = 0xffffffff;
/** Frames are numbered from 1; the final frame's number is at most 2^32 - 1. */
export const MAX_SEQUENCE_NUMBER = 0xfffffffe;

const AAD_FRAME = utf8Encode('AWSKMSEncryptionClient Frame');
const AAD_FINAL = utf8Encode('AWSKMSEncryptionClient Final Frame');
const AAD_SINGLE = utf8Encode('AWSKMSEncryptionClient Single Block');

export type BodyKind = 'frame' | 'final' | 'single';

/** AAD of a body part: message ID ‖ content string ‖ sequence number (4) ‖ content length (8). */
export function bodyAad(messageId: Uint8Array, kind: BodyKind, seq: number, contentLength: number): Uint8Array {
  const label = kind === 'frame' ? AAD_FRAME : kind === 'final' ? AAD_FINAL : AAD_SINGLE;
  return concat([messageId, label, uint32(seq), uint64(contentLength)]);
}

/** A frame's IV: its sequence number, big-endian, left-padded with zeros to 12 bytes. */
export function frameIv(seq: number): Uint8Array<ArrayBuffer> {
  const iv = new Uint8Array(IV_LENGTH);
  view(iv).setUint32(IV_LENGTH - 4, seq);
  return iv;
}

/** The bytes in front of a frame's ciphertext: seq ‖ IV (regular) or marker ‖ seq ‖ IV ‖ length (final). */
export function encodeFramePrefix(seq: number, final: boolean, contentLength: number): Uint8Array {
  return final
    ? concat([uint32(FINAL_FRAME_MARKER), uint32(seq), frameIv(seq), uint32(contentLength)])
    : concat([uint32(seq), frameIv(seq)]);
}

export interface DecodedFrame {
  seq: number;
  final: boolean;
  iv: Uint8Array;
  /** Ciphertext followed by the 16-byte tag (what AES-GCM decrypt takes). */
  sealed: Uint8Array;
  contentLength: number;
  read: number;
}

/**
 * How many bytes the frame at the start of `bytes` occupies, or undefined if that is not known yet.
 * @throws MalformedMessageError when a final frame claims more than the frame length.
 */
export function frameSize(bytes: Uint8Array, frameLength: number): number | undefined {
  if (bytes.length < 4) return undefined;
  const first = view(bytes).getUint32(0);
  if (first !== FINAL_FRAME_MARKER) return 4 + IV_LENGTH + frameLength + TAG_LENGTH;
  if (bytes.length < 8 + IV_LENGTH + 4) return undefined;
  const len = view(bytes).getUint32(8 + IV_LENGTH);
  /* Precondition: a final frame holds at most one frame length of content. */
  if (len > frameLength)
    throw new MalformedMessageError(`The final frame claims ${len} bytes, more than the frame length ${frameLength}.`);
  return 8 + IV_LENGTH + 4 + len + TAG_LENGTH;
}

/** Decodes one frame; undefined when more bytes are needed. */
export function decodeFrame(bytes: Uint8Array, frameLength: number): DecodedFrame | undefined {
  const size = frameSize(bytes, frameLength);
  if (size === undefined || bytes.length < size) return undefined;
  const dv = view(bytes);
  const final = dv.getUint32(0) === FINAL_FRAME_MARKER;
  const seq = final ? dv.getUint32(4) : dv.getUint32(0);
  const ivAt = final ? 8 : 4;
  const iv = bytes.subarray(ivAt, ivAt + IV_LENGTH);
  const contentLength = final ? dv.getUint32(ivAt + IV_LENGTH) : frameLength;
  const ctAt = ivAt + IV_LENGTH + (final ? 4 : 0);
  return { seq, final, iv, sealed: bytes.subarray(ctAt, size), contentLength, read: size };
}

export interface DecodedSingleBlock {
  iv: Uint8Array;
  sealed: Uint8Array;
  contentLength: number;
  read: number;
}

/** Non-framed (format 1) body: IV ‖ content length (8) ‖ ciphertext ‖ tag. Undefined = need more bytes. */
export function singleBlockSize(bytes: Uint8Array): number | undefined {
  if (bytes.length < IV_LENGTH + 8) return undefined;
  const len = view(bytes).getBigUint64(IV_LENGTH);
  if (len > BigInt(Number.MAX_SAFE_INTEGER))
    throw new MalformedMessageError('The non-framed content length is impossibly large.');
  return IV_LENGTH + 8 + Number(len) + TAG_LENGTH;
}

export function decodeSingleBlock(bytes: Uint8Array): DecodedSingleBlock | undefined {
  const size = singleBlockSize(bytes);
  if (size === undefined || bytes.length < size) return undefined;
  return {
    iv: bytes.subarray(0, IV_LENGTH),
    sealed: bytes.subarray(IV_LENGTH + 8, size),
    contentLength: size - IV_LENGTH - 8 - TAG_LENGTH,
    read: size,
  };
}

/** Footer: signature length (2) ‖ DER signature. */
export function encodeFooter(signature: Uint8Array): Uint8Array {
  return concat([uint16(signature.length), signature]);
}

export function decodeFooter(bytes: Uint8Array): { signature: Uint8Array; read: number } | undefined {
  if (bytes.length < 2) return undefined;
  const n = view(bytes).getUint16(0);
  if (bytes.length < 2 + n) return undefined;
  return { signature: bytes.subarray(2, 2 + n), read: 2 + n };
}
