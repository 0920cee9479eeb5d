// Message header codec, formats 1 and 2 (specification data-format/message-header.md).
// Pure bytes: no crypto. Decoders return undefined for "need more bytes" and throw a named
// FormatError only when the bytes can never become a valid header.
import { concat, uint16, uint32, utf8Decode, utf8Encode, view } from './bytes';
import { decodeEncryptionContext, encodeEncryptionContext, type EncryptionContext } from './encryption-context';
import {
  MalformedMessageError,
  NotAnEsdkMessageError,
  TooManyEncryptedDataKeysError,
  UnsupportedFormatError,
} from './errors';
import { COMMITMENT_LENGTH, IV_LENGTH, SUITES, TAG_LENGTH, suiteHex, type AlgorithmSuite } from './suites';

export interface EncryptedDataKey {
  /** UTF-8 provider ID; `aws-kms` for KMS keys. */
  providerId: string;
  /** Provider info bytes; for `aws-kms` the UTF-8 key ARN. */
  providerInfo: Uint8Array;
  ciphertext: Uint8Array;
}

export type ContentType = 'framed' | 'non-framed';

export interface MessageHeader {
  version: 1 | 2;
  suite: AlgorithmSuite;
  /** 16 bytes in format 1, 32 in format 2. */
  messageId: Uint8Array;
  encryptionContext: EncryptionContext;
  encryptedDataKeys: EncryptedDataKey[];
  contentType: ContentType;
  /** Plaintext bytes per frame; 0 for non-framed content. */
  frameLength: number;
  /** Key commitment (format 2, committing suites). */
  commitment?: Uint8Array;
}

export interface HeaderAuth {
  /** Format 1 stores it; format 2 uses 12 zero bytes and does not store it. */
  iv: Uint8Array;
  tag: Uint8Array;
}

export interface DecodedHeader {
  header: MessageHeader;
  /** The header bytes the authentication tag covers (everything before the header authentication). */
  body: Uint8Array;
  auth: HeaderAuth;
  /** Bytes consumed, header authentication included. */
  read: number;
}

export interface DecodeHeaderOptions {
  /** Refuse more encrypted data keys than this (ESDK "max encrypted data keys"). Default 10. */
  maxEncryptedDataKeys?: number;
  /** Told of each field once it is read whole, in order (the message inspector's byte offsets).
   * `index` is the encrypted data key's, for its fields. When decoding throws, the last field
   * reported is the one it judged. */
  onField?: (field: HeaderField, offset: number, length: number, index?: number) => void;
}

/** The header's fields as decodeHeader reads them (message-header.md's names, camel-cased). */
export type HeaderField =
  | 'version'
  | 'type'
  | 'suiteId'
  | 'messageId'
  | 'encryptionContextLength'
  | 'encryptionContext'
  | 'encryptedDataKeyCount'
  | 'providerIdLength'
  | 'providerId'
  | 'providerInfoLength'
  | 'providerInfo'
  | 'encryptedDataKeyLength'
  | 'encryptedDataKey'
  | 'encryptedDataKeyEntry'
  | 'contentType'
  | 'reserved'
  | 'ivLength'
  | 'frameLength'
  | 'commitment'
  | 'headerIv'
  | 'headerTag';

export const DEFAULT_MAX_ENCRYPTED_DATA_KEYS = 10;
export const PROVIDER_AWS_KMS = 'aws-kms';
const V1_TYPE_CUSTOMER_AE = 0x80;
const CONTENT_NON_FRAMED = 0x01;
const CONTENT_FRAMED = 0x02;

const u16Field = (b: Uint8Array) => concat([uint16(b.length), b]);

/** The authenticated part of a header. Format 2 is what Pocket KMS writes; format 1 is encoded for tests. */
export function encodeHeaderBody(h: MessageHeader, v1Iv?: Uint8Array): Uint8Array {
  /* Precondition: the message ID has the format's length. */
  if (h.messageId.length !== (h.version === 2 ? 32 : 16))
    throw new RangeError(`"messageId" expected ${h.version === 2 ? 32 : 16} bytes, got ${h.messageId.length}`);
  if (h.encryptedDataKeys.length < 1 || h.encryptedDataKeys.length > 0xffff)
    throw new RangeError(`"encryptedDataKeys" expected 1..65535 keys, got ${h.encryptedDataKeys.length}`);
  if (!Number.isInteger(h.frameLength) || h.frameLength < 0 || h.frameLength > 0xffffffff)
    throw new RangeError(`"frameLength" expected 0..2^32-1, got ${h.frameLength}`);
  const ctx = encodeEncryptionContext(h.encryptionContext);
  if (ctx.length > 0xffff)
    throw new RangeError(`"encryptionContext" expected at most 65535 bytes encoded, got ${ctx.length}`);
  const edks = h.encryptedDataKeys.map((k) =>
    concat([u16Field(utf8Encode(k.providerId)), u16Field(k.providerInfo), u16Field(k.ciphertext)]),
  );
  const contentType = new Uint8Array([h.contentType === 'framed' ? CONTENT_FRAMED : CONTENT_NON_FRAMED]);
  if (h.version === 2) {
    if (!h.suite.commitment || h.commitment?.length !== COMMITMENT_LENGTH)
      throw new RangeError('"commitment" expected 32 bytes for a committing suite');
    return concat([
      new Uint8Array([2]),
      uint16(h.suite.id),
      h.messageId,
      uint16(ctx.length),
      ctx,
      uint16(edks.length),
      ...edks,
      contentType,
      uint32(h.frameLength),
      h.commitment,
    ]);
  }
  return concat([
    new Uint8Array([1, V1_TYPE_CUSTOMER_AE]),
    uint16(h.suite.id),
    h.messageId,
    uint16(ctx.length),
    ctx,
    uint16(edks.length),
    ...edks,
    contentType,
    new Uint8Array(4),
    new Uint8Array([v1Iv?.length ?? IV_LENGTH]),
    uint32(h.frameLength),
  ]);
}

/** Header authentication as serialized: the tag (format 2) or IV ‖ tag (format 1). */
export function encodeHeaderAuth(version: 1 | 2, auth: HeaderAuth): Uint8Array {
  return version === 2 ? auth.tag : concat([auth.iv, auth.tag]);
}

/** A cursor that reports "need more bytes" by returning undefined. */
class Reader {
  o = 0;
  /** After a read ran out: the length the bytes must reach for it to succeed. */
  need = 0;
  /** The encrypted data key being read, for onField. */
  index: number | undefined;
  constructor(
    readonly b: Uint8Array,
    readonly onField?: DecodeHeaderOptions['onField'],
  ) {}
  /** Reports a field read whole (nothing when no one listens). */
  mark(f: HeaderField | undefined, at: number) {
    if (f && this.onField) this.onField(f, at, this.o - at, this.index);
  }
  has(n: number) {
    if (this.o + n <= this.b.length) return true;
    this.need = this.o + n;
    return false;
  }
  bytes(n: number, f?: HeaderField): Uint8Array | undefined {
    if (!this.has(n)) return undefined;
    const r = this.b.subarray(this.o, this.o + n);
    this.o += n;
    this.mark(f, this.o - n);
    return r;
  }
  u8(f?: HeaderField) {
    if (!this.has(1)) return undefined;
    const v = this.b[this.o++]!;
    this.mark(f, this.o - 1);
    return v;
  }
  u16(f?: HeaderField) {
    if (!this.has(2)) return undefined;
    const v = view(this.b).getUint16(this.o);
    this.o += 2;
    this.mark(f, this.o - 2);
    return v;
  }
  u32(f?: HeaderField) {
    if (!this.has(4)) return undefined;
    const v = view(this.b).getUint32(this.o);
    this.o += 4;
    this.mark(f, this.o - 4);
    return v;
  }
  /** A uint16 length and that many bytes; reported as `lengthField` and `f` once both are there. */
  field(lengthField?: HeaderField, f?: HeaderField): Uint8Array | undefined {
    const start = this.o;
    const n = this.u16();
    if (n === undefined) return undefined;
    const r = this.bytes(n);
    if (r === undefined) {
      this.o = start;
      return r;
    }
    if (this.onField && lengthField && f) {
      this.onField(lengthField, start, 2, this.index);
      this.onField(f, start + 2, n, this.index);
    }
    return r;
  }
}

/** Checks the first byte alone: is this plausibly an ESDK message? Throws if not. */
export function checkLeadingByte(b0: number): void {
  if (b0 === 1 || b0 === 2) return;
  /* Precondition: versions 3..7 would be a newer ESDK message format, anything else is not one at all. */
  if (b0 >= 3 && b0 <= 7)
    throw new UnsupportedFormatError(
      `Message format version ${b0} is not supported; this reader understands versions 1 and 2.`,
    );
  throw new NotAnEsdkMessageError(
    'This is not an AWS Encryption SDK message: it does not start with a known format version.',
  );
}

/**
 * Decodes a header from the start of `bytes`.
 * @returns undefined when more bytes are needed.
 * @throws NotAnEsdkMessageError, UnsupportedFormatError, MalformedMessageError, TooManyEncryptedDataKeysError
 */
export function decodeHeader(bytes: Uint8Array, opts: DecodeHeaderOptions = {}): DecodedHeader | undefined {
  return decode(new Reader(bytes, opts.onField), opts);
}

/**
 * As decodeHeader, but when more bytes are needed says how many the header has at least, so a
 * streaming reader tries again only once they are there (not on every chunk), and can refuse a
 * header that will not fit before buffering it.
 * @throws NotAnEsdkMessageError, UnsupportedFormatError, MalformedMessageError, TooManyEncryptedDataKeysError
 */
export function decodeHeaderOrNeed(
  bytes: Uint8Array,
  opts: DecodeHeaderOptions = {},
): DecodedHeader | { need: number } {
  const r = new Reader(bytes, opts.onField);
  return decode(r, opts) ?? { need: r.need };
}

/** Smallest encrypted data key: three empty length-prefixed fields. */
const MIN_EDK_LENGTH = 6;
/** Smallest part of a header after its data keys: content type and frame length. */
const MIN_HEADER_TAIL = 5;

function decode(r: Reader, opts: DecodeHeaderOptions): DecodedHeader | undefined {
  const max = opts.maxEncryptedDataKeys ?? DEFAULT_MAX_ENCRYPTED_DATA_KEYS;
  const bytes = r.b;
  const version = r.u8('version');
  if (version === undefined) return undefined;
  checkLeadingByte(version);
  if (version === 1) {
    const type = r.u8('type');
    if (type === undefined) return undefined;
    if (type !== V1_TYPE_CUSTOMER_AE)
      throw new NotAnEsdkMessageError(
        'This is not an AWS Encryption SDK message: the format 1 message type is not 0x80.',
      );
  }
  const suiteId = r.u16('suiteId');
  if (suiteId === undefined) return undefined;
  const suite = SUITES.get(suiteId);
  if (!suite) throw new UnsupportedFormatError(`Algorithm suite ${suiteHex(suiteId)} is not supported.`);
  /* Precondition: committing suites live in format 2 and the others in format 1. */
  if (suite.messageVersion !== version)
    throw new MalformedMessageError(
      `Algorithm suite ${suiteHex(suiteId)} cannot appear in a format ${version} message.`,
    );
  const messageId = r.bytes(version === 2 ? 32 : 16, 'messageId');
  if (!messageId) return undefined;
  const ctxBytes = r.field('encryptionContextLength', 'encryptionContext');
  if (!ctxBytes) return undefined;
  const ctx = decodeEncryptionContext(ctxBytes);
  if (!ctx.ok || ctx.read !== ctxBytes.length)
    throw new MalformedMessageError(
      `The encryption context in the header is malformed (${ctx.ok ? 'trailing bytes' : ctx.reason}).`,
    );
  const count = r.u16('encryptedDataKeyCount');
  if (count === undefined) return undefined;
  if (count === 0) throw new MalformedMessageError('The header lists no encrypted data keys.');
  /* Precondition: refuse before reading the keys, so a hostile count costs nothing. */
  if (count > max)
    throw new TooManyEncryptedDataKeysError(
      `The message has ${count} encrypted data keys; at most ${max} are allowed.`,
    );
  const encryptedDataKeys: EncryptedDataKey[] = [];
  for (let i = 0; i < count; i++) {
    // Ran out inside key i: the keys after it and the tail still follow, each at least its minimum.
    const short = (): undefined => {
      r.need += (count - i - 1) * MIN_EDK_LENGTH + MIN_HEADER_TAIL;
    };
    r.index = i;
    const entry = r.o;
    const id = r.field('providerIdLength', 'providerId');
    if (!id) return short();
    const info = r.field('providerInfoLength', 'providerInfo');
    if (!info) return short();
    const ct = r.field('encryptedDataKeyLength', 'encryptedDataKey');
    if (!ct) return short();
    r.mark('encryptedDataKeyEntry', entry);
    r.index = undefined;
    let providerId: string;
    try {
      providerId = utf8Decode(id);
    } catch {
      throw new MalformedMessageError('An encrypted data key has a provider ID that is not UTF-8.');
    }
    encryptedDataKeys.push({ providerId, providerInfo: info.slice(), ciphertext: ct.slice() });
  }
  const ct = r.u8('contentType');
  if (ct === undefined) return undefined;
  // Both formats allow non-framed content (message-header.md); the SDKs write it in format 2 too.
  if (ct !== CONTENT_FRAMED && ct !== CONTENT_NON_FRAMED)
    throw new MalformedMessageError(`Content type ${ct} is not valid in a format ${version} message.`);
  const contentType: ContentType = ct === CONTENT_FRAMED ? 'framed' : 'non-framed';
  let ivLength = IV_LENGTH;
  if (version === 1) {
    const reserved = r.u32('reserved');
    if (reserved === undefined) return undefined;
    if (reserved !== 0) throw new MalformedMessageError('The reserved header field is not zero.');
    const ivl = r.u8('ivLength');
    if (ivl === undefined) return undefined;
    if (ivl !== IV_LENGTH)
      throw new MalformedMessageError(`The header IV length is ${ivl}; the suite requires ${IV_LENGTH}.`);
    ivLength = ivl;
  }
  const frameLength = r.u32('frameLength');
  if (frameLength === undefined) return undefined;
  if (contentType === 'framed' && frameLength === 0) throw new MalformedMessageError('The frame length is 0.');
  if (contentType === 'non-framed' && frameLength !== 0)
    throw new MalformedMessageError('A non-framed message must have frame length 0.');
  let commitment: Uint8Array | undefined;
  if (version === 2) {
    commitment = r.bytes(COMMITMENT_LENGTH, 'commitment')?.slice();
    if (!commitment) return undefined;
  }
  const bodyEnd = r.o;
  const iv = version === 1 ? r.bytes(ivLength, 'headerIv') : new Uint8Array(IV_LENGTH);
  if (!iv) return undefined;
  const tag = r.bytes(TAG_LENGTH, 'headerTag');
  if (!tag) return undefined;
  const header: MessageHeader = {
    version,
    suite,
    messageId: messageId.slice(),
    encryptionContext: ctx.value,
    encryptedDataKeys,
    contentType,
    frameLength,
    ...(commitment ? { commitment } : {}),
  };
  return { header, body: bytes.slice(0, bodyEnd), auth: { iv: iv.slice(), tag: tag.slice() }, read: r.o };
}
