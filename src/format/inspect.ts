// The message inspector (issue 14): an AWS Encryption SDK message taken apart without any key, each
// field with its byte offset, length and value (data-format/message-header.md, message-body.md,
// message-footer.md). The header is read by header.ts's own decoder, which reports its fields; the
// body is walked frame to frame reading only each frame's sequence number, IV and length fields.
// Never throws: a hostile or truncated message gives what was read and one named problem with an offset.
import { toHex, utf8Decode, view } from './bytes';
import { decodeEncryptionContext } from './encryption-context';
import { FormatError, MalformedMessageError, TruncatedMessageError } from './errors';
import { decodeHeaderOrNeed, PROVIDER_AWS_KMS, type HeaderField } from './header';
import { InspectionLimitError, readFrames, readSingleBlock, stop } from './inspect-body';
import { describeField, hexPreview } from './inspect-fields';
import { WindowedReader, type ByteSource } from './inspect-source';
import { suiteHex, type AlgorithmSuite } from './suites';

export { blobSource, bytesSource, type ByteSource } from './inspect-source';
export { InspectionLimitError, MAX_LISTED_FRAMES, MAX_WALKED_FRAMES, WALKED_SMALL_FRAMES } from './inspect-body';

/** The largest header the inspector reads (65,535 data keys could make one of gigabytes). */
export const MAX_INSPECTED_HEADER = 16 << 20;

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
  /** When the encrypted data key is a Pocket KMS ciphertext blob (filled in by the worker, which reads blobs). */
  pocketBlob?: { keyId: string; materialVersion: number };
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
  frames?: {
    count: number;
    listed: InspectedFrame[];
    contentLength: number;
    offset: number;
    length: number;
    /** Frames counted from the message's length, whose sequence numbers were not read (small frames only). */
    unread?: { first: number; last: number };
  };
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
  const raw = text === undefined ? rawAesInfo(infoBytes) : undefined;
  if (raw) info.note = 'raw AES keyring: key name ‖ tag length in bits (4) ‖ IV length (4) ‖ IV';
  return {
    index,
    offset,
    length,
    providerId,
    providerInfo: text ?? raw ?? hexPreview(infoBytes, 256),
    ...(providerId === PROVIDER_AWS_KMS && text ? { keyArn: text } : {}),
    ciphertextLength: of('encryptedDataKey').length,
  };
}

/** The provider info of the ESDKs' raw AES keyring (framework/raw-aes-keyring.md): key name, tag length
 * in bits (128), IV length (12) and the IV that wrapped the data key; undefined for anything else. */
function rawAesInfo(b: Uint8Array): string | undefined {
  if (b.length < 20) return undefined;
  const dv = view(b);
  if (dv.getUint32(b.length - 16) !== 12 || dv.getUint32(b.length - 20) !== 128) return undefined;
  let name: string;
  try {
    name = JSON.stringify(utf8Decode(b.subarray(0, b.length - 20)));
  } catch {
    return undefined;
  }
  return `key name ${name}, tag 128 bits, IV ${toHex(b.subarray(b.length - 12))}`;
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
