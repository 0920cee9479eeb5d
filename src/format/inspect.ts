// The message inspector (issue 14): an AWS Encryption SDK message taken apart without any key, each
// field with its byte offset, length and value (data-format/message-header.md, message-body.md,
// message-footer.md). The header is read by header.ts's own decoder, which reports its fields; the
// body is walked frame to frame reading only each frame's sequence number, IV and length fields.
// Never throws: a hostile or truncated message gives what was read and one named problem with an offset.
import { utf8Decode, view } from './bytes';
import { FINAL_FRAME_MARKER } from './body';
import { decodeEncryptionContext } from './encryption-context';
import { FormatError, FrameSequenceError, MalformedMessageError, TruncatedMessageError } from './errors';
import { decodeHeaderOrNeed, PROVIDER_AWS_KMS, type HeaderField } from './header';
import { WindowedReader, type ByteSource } from './inspect-source';
import { errorFamily } from './named-errors';
import { IV_LENGTH, TAG_LENGTH, suiteHex, type AlgorithmSuite } from './suites';
import { describeField, FIELD_LABELS, hexPreview } from './inspect-fields';

export { blobSource, bytesSource, type ByteSource } from './inspect-source';

/** The inspector's own limit: a header larger than this is not read (65,535 keys could make gigabytes). */
export const InspectionLimitError = errorFamily(FormatError).define('InspectionLimitError');
export const MAX_INSPECTED_HEADER = 16 << 20;
/** Frames listed one by one; the rest are counted (the final frame is always listed). */
export const MAX_LISTED_FRAMES = 200;
/** Frames walked at most (16 Mi frames: a 16 TiB message of 1 MiB frames, or 33-byte frames worth
 * ~550 MB of reads); past it the inspector stops with InspectionLimitError, so its time is bounded. */
export const MAX_WALKED_FRAMES = 1 << 24;

export interface InspectedField {
  /** Stable key: `version`, `edk.0.providerInfo`, `ec.1.value`, `footer.signature`. */
  id: string;
  label: string;
  offset: number;
  length: number;
  /** What the bytes say, in words or hex (long values shortened). */
  value: string;
  /** What it means: the suite's name, "key ARN", … */
  note?: string;
}

export interface InspectedDataKey {
  index: number;
  offset: number;
  length: number;
  providerId: string;
  /** UTF-8 provider info when it is text (for `aws-kms`, the key ARN), else hex. */
  providerInfo: string;
  keyArn?: string;
  ciphertextLength: number;
}

export interface InspectedFrame {
  seq: number;
  final: boolean;
  offset: number;
  /** The whole frame: sequence number, IV, (length,) ciphertext and tag. */
  length: number;
  contentLength: number;
  iv: string;
}

export interface InspectionProblem {
  /** A format error's name: TruncatedMessageError, MalformedMessageError, FrameSequenceError, … */
  name: string;
  message: string;
  /** Where the problem is (for a truncation, where the bytes end). */
  offset: number;
}

export interface MessageInspection {
  kind: 'esdk-message';
  size: number;
  version?: 1 | 2;
  suite?: { id: string; name: string; signed: boolean; committing: boolean };
  messageId?: string;
  encryptionContext: { key: string; value: string }[];
  encryptedDataKeys: InspectedDataKey[];
  contentType?: 'framed' | 'non-framed';
  frameLength?: number;
  headerLength?: number;
  /** Every field read, in byte order: header, the non-framed body's fields, footer. */
  fields: InspectedField[];
  /** Framed bodies: every frame counted; the first MAX_LISTED_FRAMES and the final one listed. */
  frames?: { count: number; listed: InspectedFrame[]; contentLength: number; offset: number; length: number };
  footer?: { offset: number; length: number; signatureLength: number };
  /** Bytes fetched from the source (the inspector never reads ciphertext it can skip). */
  bytesRead: number;
  problem?: InspectionProblem;
}

export interface InspectOptions {
  signal?: AbortSignal;
}

/** Anything thrown while inspecting, as a problem: the inspector's own errors carry their offset. */
const problemOf = (e: unknown, offset: number): InspectionProblem => ({
  name: e instanceof Error ? e.name : 'Error',
  message: e instanceof Error ? e.message : String(e),
  offset: (e as { offset?: unknown })?.offset === undefined ? offset : Number((e as { offset: unknown }).offset),
});

/** Takes a message apart. Reads the header, then each frame's fields, then the footer; no key, no decryption. */
export async function inspectMessage(source: ByteSource, opts: InspectOptions = {}): Promise<MessageInspection> {
  const out: MessageInspection = {
    kind: 'esdk-message',
    size: source.size,
    encryptionContext: [],
    encryptedDataKeys: [],
    fields: [],
    bytesRead: 0,
  };
  const r = new WindowedReader(source);
  let at = 0;
  try {
    const suite = await readHeader(r, out);
    at = out.headerLength!;
    const end =
      out.contentType === 'framed' ? await readFrames(r, out, at, opts.signal) : await readSingleBlock(r, out, at);
    at = end;
    if (suite.signature) {
      const f = await r.at(at, 2);
      if (f.length < 2) throw stop(TruncatedMessageError, at, 'it ends before the footer (the signature length)');
      const n = view(f).getUint16(0);
      const sig = await r.at(at + 2, n);
      if (sig.length < n) throw stop(TruncatedMessageError, at, `its footer claims a ${n}-byte signature past the end`);
      out.fields.push(
        { id: 'footer.signatureLength', label: 'Signature length', offset: at, length: 2, value: `${n}` },
        { id: 'footer.signature', label: 'Signature (DER, ECDSA)', offset: at + 2, length: n, value: hexPreview(sig) },
      );
      out.footer = { offset: at, length: 2 + n, signatureLength: n };
      at += 2 + n;
    }
    if (at < source.size)
      throw stop(MalformedMessageError, at, `${source.size - at} bytes follow the end of the message`);
  } catch (e) {
    out.problem = problemOf(e, at);
  }
  out.bytesRead = r.bytesRead;
  return out;
}

/** A named error that says where: the inspector stops at the first one. */
function stop(E: new (m: string) => Error, offset: number, what: string): Error & { offset: number } {
  return Object.assign(new E(`At byte ${offset}: ${what}.`), { offset });
}

/** The header, read by decodeHeaderOrNeed (out's header fields are filled in as far as it got). */
async function readHeader(r: WindowedReader, out: MessageInspection): Promise<AlgorithmSuite> {
  const size = r.source.size;
  let want = Math.min(size, 4096);
  for (;;) {
    const bytes = await r.at(0, want);
    const fields: InspectedField[] = [];
    const keys: InspectedDataKey[] = [];
    const context: { key: string; value: string }[] = [];
    let last = 0;
    const onField = (f: HeaderField, offset: number, length: number, index?: number) => {
      last = offset;
      const raw = bytes.subarray(offset, offset + length);
      if (f === 'encryptedDataKeyEntry') return void keys.push(dataKey(bytes, fields, index!, offset, length));
      fields.push(describeField(f, raw, offset, index));
      if (f === 'encryptionContext') contextFields(raw, offset, fields, context);
    };
    let d;
    try {
      d = decodeHeaderOrNeed(bytes, { maxEncryptedDataKeys: 0xffff, onField });
    } catch (e) {
      Object.assign(out, { fields, encryptedDataKeys: keys, encryptionContext: context });
      // The last field reported is the one the decoder judged.
      if (e instanceof FormatError) Object.assign(e, { offset: last, message: `At byte ${last}: ${e.message}` });
      throw e;
    }
    Object.assign(out, { fields, encryptedDataKeys: keys, encryptionContext: context });
    if ('header' in d) {
      const h = d.header;
      out.version = h.version;
      out.suite = {
        id: suiteHex(h.suite.id),
        name: h.suite.name,
        signed: h.suite.signature !== null,
        committing: h.suite.commitment,
      };
      out.messageId = hexPreview(h.messageId, 64);
      out.contentType = h.contentType;
      out.frameLength = h.frameLength;
      out.headerLength = d.read;
      return h.suite;
    }
    if (d.need > size) {
      throw stop(
        TruncatedMessageError,
        size,
        `the message ends inside its header, which needs at least ${d.need} bytes`,
      );
    }
    if (d.need > MAX_INSPECTED_HEADER) {
      throw stop(
        InspectionLimitError,
        last,
        `the header is larger than the inspector reads (${MAX_INSPECTED_HEADER} bytes)`,
      );
    }
    want = Math.min(size, MAX_INSPECTED_HEADER, Math.max(d.need, want * 4));
  }
}

function dataKey(bytes: Uint8Array, fields: InspectedField[], index: number, offset: number, length: number) {
  const of = (name: string) => fields.find((f) => f.id === `edk.${index}.${name}`)!;
  const idField = of('providerId');
  const info = of('providerInfo');
  const infoBytes = bytes.subarray(info.offset, info.offset + info.length);
  let text: string | undefined;
  try {
    text = utf8Decode(infoBytes);
    if (/[\u0000-\u001f\u007f]/.test(text)) text = undefined;
  } catch {
    text = undefined;
  }
  const providerId = idField.value;
  return {
    index,
    offset,
    length,
    providerId,
    providerInfo: text ?? hexPreview(infoBytes, 256),
    ...(providerId === PROVIDER_AWS_KMS && text ? { keyArn: text } : {}),
    ciphertextLength: of('encryptedDataKey').length,
  };
}

/** The encryption context's pairs as fields, with their absolute offsets. */
function contextFields(
  raw: Uint8Array,
  offset: number,
  fields: InspectedField[],
  context: { key: string; value: string }[],
) {
  if (raw.length < 2) return;
  fields.push({ id: 'ec.count', label: 'Pair count', offset, length: 2, value: `${view(raw).getUint16(0)}` });
  let i = 0;
  decodeEncryptionContext(raw, (p) => {
    context.push({ key: p.key, value: p.value });
    fields.push(
      {
        id: `ec.${i}.key`,
        label: `Key ${i + 1} (length, UTF-8)`,
        offset: offset + p.keyOffset - 2,
        length: 2 + p.keyLength,
        value: p.key,
      },
      {
        id: `ec.${i}.value`,
        label: `Value ${i + 1} (length, UTF-8)`,
        offset: offset + p.valueOffset - 2,
        length: 2 + p.valueLength,
        value: p.value,
      },
    );
    i++;
  });
}

const hex = (b: Uint8Array) => hexPreview(b, 64);

/** Walks the frames; returns the offset after the final frame. */
async function readFrames(
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
  const frames = (out.frames = { count: 0, listed, contentLength: 0, offset: start, length: 0 });
  let o = start;
  for (let seq = 1; ; seq++) {
    if (seq % 4096 === 0) signal?.throwIfAborted();
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
async function readSingleBlock(r: WindowedReader, out: MessageInspection, o: number): Promise<number> {
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
