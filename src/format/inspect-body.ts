// The message body as the inspector (inspect.ts) walks it (message-body.md, message-footer.md): each
// frame's sequence number, IV and length read, never its ciphertext; many small frames counted from the
// message's length once the first have checked out. Throws named errors that carry their offset.
import { view } from './bytes';
import { FINAL_FRAME_MARKER } from './body';
import { FormatError, FrameSequenceError, MalformedMessageError, TruncatedMessageError } from './errors';
import { hexPreview, FIELD_LABELS } from './inspect-fields';
import type { WindowedReader } from './inspect-source';
import type { InspectedFrame, MessageInspection } from './inspect';
import { errorFamily } from './named-errors';
import { IV_LENGTH, TAG_LENGTH } from './suites';

/** The inspector's own limits (header size, frame count), past which it reads no further. */
export const InspectionLimitError = errorFamily(FormatError).define('InspectionLimitError');

/** Frames listed one by one; the rest are counted (the final frame is always listed). */
export const MAX_LISTED_FRAMES = 200;
/** Frames of at most 64 KiB walked one by one before the rest are counted from the message's length
 * (a 4 GiB message of the ESDK's 4 KiB frames would otherwise be read whole). */
export const WALKED_SMALL_FRAMES = 1024;
/** Frames walked at most (16 Mi frames: a 16 TiB message of 1 MiB frames, or 33-byte frames worth
 * ~550 MB of reads); past it the inspector stops with InspectionLimitError, so its time is bounded. */
export const MAX_WALKED_FRAMES = 1 << 24;

/** A named error that says where: the inspector stops at the first one. */
export function stop(E: new (m: string) => Error, offset: number, what: string): Error & { offset: number } {
  return Object.assign(new E(`At byte ${offset}: ${what}.`), { offset });
}

const hex = (b: Uint8Array) => hexPreview(b, 64);

/** Walks the frames; returns the offset after the final frame. */
export async function readFrames(
  r: WindowedReader,
  out: MessageInspection,
  start: number,
  signal?: AbortSignal,
): Promise<number> {
  const frameLength = out.frameLength!;
  const size = r.source.size;
  const regular = 4 + IV_LENGTH + frameLength + TAG_LENGTH;
  // Small frames: read ahead a MiB at a time (many frames per read); large ones: only their fields.
  const ahead = regular <= 64 << 10 ? 1 << 20 : 0;
  const listed: InspectedFrame[] = [];
  // Filled in as frames check out, so a problem still shows the frames before it.
  const frames: NonNullable<MessageInspection['frames']> = {
    count: 0,
    listed,
    contentLength: 0,
    offset: start,
    length: 0,
  };
  out.frames = frames;
  let o = start;
  for (let seq = 1; ; seq++) {
    if (seq % 4096 === 0) signal?.throwIfAborted();
    if (ahead && seq === WALKED_SMALL_FRAMES + 1) {
      const jump = await finalFrameFrom(r, o, seq, frameLength, out.suite!.signed);
      if (jump) {
        // Counted, not read: frames seq .. seq + m - 1 fill the space before the final frame exactly.
        frames.unread = { first: seq, last: seq + jump.regular - 1 };
        frames.count = seq + jump.regular - 1;
        frames.contentLength += jump.regular * frameLength;
        o += jump.regular * regular;
        seq += jump.regular;
      }
    }
    if (seq > MAX_WALKED_FRAMES)
      throw stop(
        InspectionLimitError,
        o,
        `the message has more than ${MAX_WALKED_FRAMES} frames; the inspector counts no further`,
      );
    const head = await r.at(o, 8 + IV_LENGTH + 4, ahead);
    if (head.length < 4) throw stop(TruncatedMessageError, o, `the message ends before frame ${seq} (no final frame)`);
    const dv = view(head);
    const first = dv.getUint32(0);
    if (first === FINAL_FRAME_MARKER) {
      if (head.length < 8 + IV_LENGTH + 4)
        throw stop(TruncatedMessageError, o, `the message ends inside the final frame's fields`);
      const n = dv.getUint32(4);
      if (n !== seq)
        throw stop(FrameSequenceError, o, `the final frame has sequence number ${n}; frame ${seq} was expected`);
      const len = dv.getUint32(8 + IV_LENGTH);
      if (len > frameLength)
        throw stop(
          MalformedMessageError,
          o + 8 + IV_LENGTH,
          `the final frame claims ${len} bytes, more than the frame length ${frameLength}`,
        );
      const length = 8 + IV_LENGTH + 4 + len + TAG_LENGTH;
      if (o + length > size)
        throw stop(
          TruncatedMessageError,
          size,
          `the message ends inside the final frame (frame ${seq}, which starts at byte ${o} and needs ${length} bytes)`,
        );
      listed.push({
        seq,
        final: true,
        offset: o,
        length,
        contentLength: len,
        iv: hex(head.subarray(8, 8 + IV_LENGTH)),
      });
      Object.assign(frames, { count: seq, contentLength: frames.contentLength + len, length: o + length - start });
      return o + length;
    }
    if (first !== seq)
      throw stop(
        FrameSequenceError,
        o,
        `frame ${seq} has sequence number ${first} (frames missing, repeated or reordered)`,
      );
    if (o + regular > size)
      throw stop(
        TruncatedMessageError,
        size,
        `the message ends inside frame ${seq} (which starts at byte ${o} and needs ${regular} bytes)`,
      );
    if (listed.length < MAX_LISTED_FRAMES)
      listed.push({
        seq,
        final: false,
        offset: o,
        length: regular,
        contentLength: frameLength,
        iv: hex(head.subarray(4, 4 + IV_LENGTH)),
      });
    o += regular;
    Object.assign(frames, { count: seq, contentLength: frames.contentLength + frameLength, length: o - start });
  }
}

/** The non-framed body: IV, content length (8), ciphertext, tag. */
export async function readSingleBlock(r: WindowedReader, out: MessageInspection, o: number): Promise<number> {
  const head = await r.at(o, IV_LENGTH + 8);
  if (head.length < IV_LENGTH + 8) throw stop(TruncatedMessageError, o, 'the message ends before its non-framed body');
  const len = view(head).getBigUint64(IV_LENGTH);
  const total = BigInt(o + IV_LENGTH + 8 + TAG_LENGTH) + len;
  if (total > BigInt(r.source.size))
    throw stop(
      TruncatedMessageError,
      r.source.size,
      `the non-framed body claims ${len} bytes of content, past the end`,
    );
  const n = Number(len);
  out.fields.push(
    {
      id: 'body.iv',
      label: FIELD_LABELS.headerIv.replace('Header', 'Body'),
      offset: o,
      length: IV_LENGTH,
      value: hex(head.subarray(0, IV_LENGTH)),
    },
    { id: 'body.contentLength', label: 'Encrypted content length', offset: o + IV_LENGTH, length: 8, value: `${n}` },
    {
      id: 'body.content',
      label: 'Encrypted content',
      offset: o + IV_LENGTH + 8,
      length: n,
      value: `${n} bytes of ciphertext`,
    },
    {
      id: 'body.tag',
      label: 'Authentication tag',
      offset: o + IV_LENGTH + 8 + n,
      length: TAG_LENGTH,
      value: hex(await r.at(o + IV_LENGTH + 8 + n, TAG_LENGTH)),
    },
  );
  return Number(total);
}

/**
 * Where the final frame must be for the message to end exactly at the source's end: after m more regular
 * frames, with L bytes of content, and the footer (a signature of 8..104 DER bytes, or none). Each place
 * the sizes allow is checked by reading the final frame's fields, the frame before it and the footer's
 * length; undefined when none checks out (the caller then walks on, frame by frame).
 */
async function finalFrameFrom(
  r: WindowedReader,
  o: number,
  seq: number,
  frameLength: number,
  signed: boolean,
): Promise<{ regular: number } | undefined> {
  const regular = 4 + IV_LENGTH + frameLength + TAG_LENGTH;
  const finalFixed = 8 + IV_LENGTH + 4 + TAG_LENGTH;
  const rest = r.source.size - o;
  const tried = new Set<number>();
  for (let footer = signed ? 2 + 8 : 0; footer <= (signed ? 2 + 104 : 0); footer++) {
    const x = rest - footer - finalFixed;
    if (x < 0) break;
    const m = Math.floor(x / regular);
    const len = x - m * regular;
    if (len > frameLength || tried.has(m)) continue;
    tried.add(m);
    const at = o + m * regular;
    const head = view(await r.at(at, 8 + IV_LENGTH + 4));
    if (head.byteLength < 8 + IV_LENGTH + 4 || head.getUint32(0) !== FINAL_FRAME_MARKER) continue;
    if (head.getUint32(4) !== seq + m || head.getUint32(8 + IV_LENGTH) !== len) continue;
    if (m > 0 && view(await r.at(at - regular, 4)).getUint32(0) !== seq + m - 1) continue;
    if (signed && view(await r.at(at + finalFixed + len, 2)).getUint16(0) + 2 !== footer) continue;
    return { regular: m };
  }
  return undefined;
}
