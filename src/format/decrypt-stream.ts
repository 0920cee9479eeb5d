// Decrypts an AWS Encryption SDK message stream, formats 1 and 2 (specification
// client-apis/decrypt.md). Plaintext leaves frame by frame, each only after it authenticates;
// with a signing suite the footer is verified at the end and the stream errors if it fails.
import { bodyAad, decodeFooter, decodeFrame, decodeSingleBlock, frameSize, singleBlockSize } from './body';
import { ByteQueue } from './byte-queue';
import {
  AuthenticationError,
  FrameSequenceError,
  MalformedMessageError,
  NonCommittingSuiteError,
  NotAnEsdkMessageError,
  TruncatedMessageError,
  UnsupportedFormatError,
} from './errors';
import { decodeHeaderOrNeed, type MessageHeader } from './header';
import { deriveAndCommit, open } from './keys';
import { InOrder, localCipher, type FrameCipher } from './frame-cipher';
import type { Keyring } from './keyring';
import { createVerifier, PUBLIC_KEY_CONTEXT_KEY, type Verifier } from './signature';
import { suiteHex } from './suites';

/** Largest frame (or non-framed body) buffered to decrypt: bounds memory against hostile headers. */
export const DEFAULT_MAX_FRAME_LENGTH = 64 * 1024 * 1024;
/** Largest header buffered before it ends. With up to 65,535 data keys a header could grow without
 * bound until its last key; 1 MiB holds the 65,535-byte encryption context and some 3,000 KMS
 * data keys (an ARN and a ~200-byte ciphertext each), far more than any real message carries. */
export const DEFAULT_MAX_HEADER_LENGTH = 1024 * 1024;

export interface DecryptOptions {
  keyring: Keyring;
  /** Read format 1 messages and non-committing suites (legacy). Default false. */
  allowNonCommitting?: boolean;
  /** Default 10. */
  maxEncryptedDataKeys?: number;
  /** Default 64 MiB. */
  maxFrameLength?: number;
  /** Default 1 MiB (DEFAULT_MAX_HEADER_LENGTH). */
  maxHeaderLength?: number;
  /** Called with the parsed header before any key is used; throwing stops the decryption. */
  onHeader?: (header: MessageHeader) => void | Promise<void>;
  /** Who opens frames (default WebCrypto in this thread, one at a time). */
  cipher?: FrameCipher;
}

type State = 'header' | 'body' | 'footer' | 'done';

export function createDecryptStream(opts: DecryptOptions): TransformStream<Uint8Array, Uint8Array> {
  const maxFrame = opts.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH;
  const maxKeys = opts.maxEncryptedDataKeys;
  /* Precondition: limits are whole numbers in range (NaN would silently mean "no limit"). */
  if (maxKeys !== undefined && !(Number.isInteger(maxKeys) && maxKeys >= 1 && maxKeys <= 0xffff))
    throw new RangeError(`"maxEncryptedDataKeys" expected 1..65535, got ${maxKeys}`);
  if (!(Number.isInteger(maxFrame) && maxFrame >= 1))
    throw new RangeError(`"maxFrameLength" expected a positive integer, got ${maxFrame}`);
  const maxHeader = opts.maxHeaderLength ?? DEFAULT_MAX_HEADER_LENGTH;
  if (!(Number.isInteger(maxHeader) && maxHeader >= 1))
    throw new RangeError(`"maxHeaderLength" expected a positive integer, got ${maxHeader}`);
  // Bytes the header has at least, from the last attempt to decode it: none is made before they are here.
  let headerNeed = 1;
  const q = new ByteQueue();
  let state: State = 'header';
  let seen = 0;
  let header: MessageHeader;
  let key: CryptoKey;
  let verifier: Verifier | undefined;
  let expected = 1;
  const cipher = opts.cipher ?? localCipher;
  // Frames opening now, oldest first; plaintext leaves in order, each only once it authenticated.
  const pending = new InOrder<{ seq: number; pt: Uint8Array | undefined }>(cipher.inFlight);

  async function releaseOldest(c: TransformStreamDefaultController<Uint8Array>): Promise<void> {
    const { seq, pt } = await pending.take();
    if (!pt)
      throw new AuthenticationError(`Frame ${seq} does not authenticate: the file was changed or damaged there.`);
    if (pt.length) c.enqueue(pt);
  }

  async function readHeader(): Promise<boolean> {
    if (q.length < headerNeed) return false;
    // After a failed attempt the header spans chunks: gather them into the queue's own buffer (which
    // grows by doubling) so the peek below is a view, not a fresh copy of everything per attempt.
    if (headerNeed > 1) q.release();
    const d = decodeHeaderOrNeed(
      q.peek(q.length),
      opts.maxEncryptedDataKeys === undefined ? {} : { maxEncryptedDataKeys: opts.maxEncryptedDataKeys },
    );
    if ('need' in d) {
      headerNeed = d.need;
      /* Precondition: a header is buffered only up to maxHeaderLength; refused as soon as it must be longer. */
      if (headerNeed > maxHeader)
        throw new UnsupportedFormatError(
          `The message header is longer than the ${maxHeader} bytes this reader buffers before a header ends.`,
        );
      return false;
    }
    header = d.header;
    const s = header.suite;
    /* Precondition: legacy suites only when asked for (no key commitment: one message could decrypt two ways). */
    if (!s.commitment && !opts.allowNonCommitting)
      throw new NonCommittingSuiteError(
        `This message uses the legacy suite ${suiteHex(s.id)} without key commitment; allow legacy messages to read it.`,
      );
    if (header.frameLength > maxFrame)
      throw new UnsupportedFormatError(
        `The frame length ${header.frameLength} is larger than the ${maxFrame} bytes this reader buffers.`,
      );
    const raw = q.take(d.read);
    if (s.signature) {
      verifier = createVerifier(s.signature, header.encryptionContext[PUBLIC_KEY_CONTEXT_KEY]);
      verifier.update(raw);
    }
    await opts.onHeader?.(header);
    const dataKey = await opts.keyring.onDecrypt(s, header.encryptionContext, header.encryptedDataKeys);
    try {
      key = await deriveAndCommit(s, dataKey, header.messageId, header.commitment);
    } finally {
      dataKey.fill(0);
    }
    if (!(await open(key, d.auth.iv, d.body, d.auth.tag)))
      throw new AuthenticationError(
        'The message header does not authenticate: its keys, context or settings were changed.',
      );
    state = 'body';
    return true;
  }

  async function readFrame(c: TransformStreamDefaultController<Uint8Array>): Promise<boolean> {
    if (header.contentType === 'non-framed') {
      const size = singleBlockSize(q.peek(Math.min(q.length, 20)));
      if (size === undefined) return false;
      if (size > maxFrame + 36)
        throw new UnsupportedFormatError(
          `The non-framed body is larger than the ${maxFrame} bytes this reader buffers.`,
        );
      if (q.length < size) return false;
      const bytes = q.take(size);
      const b = decodeSingleBlock(bytes)!;
      const pt = await open(key, b.iv, bodyAad(header.messageId, 'single', 1, b.contentLength), b.sealed);
      if (!pt)
        throw new AuthenticationError('The message body does not authenticate: the file was changed or damaged.');
      verifier?.update(bytes);
      if (pt.length) c.enqueue(pt);
      state = verifier ? 'footer' : 'done';
      return true;
    }
    const size = frameSize(q.peek(Math.min(q.length, 24)), header.frameLength);
    if (size === undefined || q.length < size) return false;
    // Reused between frames: WebCrypto copies its input when called, and the verifier is done with it before the next frame.
    const bytes = q.takeReusing(size);
    const f = decodeFrame(bytes, header.frameLength)!;
    /* Precondition: frames come in order 1, 2, 3 …; a gap or a repeat is named before any decryption. */
    if (f.seq < expected)
      throw new FrameSequenceError(
        `Frame ${f.seq} appears again after frame ${expected - 1}: frames are duplicated or out of order.`,
      );
    if (f.seq > expected)
      throw new FrameSequenceError(
        `Frame ${expected} is missing (frame ${f.seq} came next): frames were removed or reordered.`,
      );
    // Every SDK writes the sequence number as the IV, but the format asks only for unique IVs
    // (message-body.md), and a changed IV fails authentication anyway: any IV is read.
    const seq = f.seq;
    // The cipher reads the frame before it returns; the verifier reads it next, before the buffer is reused.
    pending.push(
      cipher
        .open(key, f.iv, bodyAad(header.messageId, f.final ? 'final' : 'frame', seq, f.contentLength), f.sealed)
        .then((pt) => ({ seq, pt })),
    );
    verifier?.update(bytes);
    expected++;
    if (f.final) {
      state = verifier ? 'footer' : 'done';
      while (pending.length) await releaseOldest(c);
    } else if (pending.full) await releaseOldest(c);
    return true;
  }

  async function pump(c: TransformStreamDefaultController<Uint8Array>): Promise<void> {
    for (;;) {
      if (state === 'header' && !(await readHeader())) return;
      if (state === 'body' && !(await readFrame(c))) return;
      if (state === 'footer') {
        const f = decodeFooter(q.peek(Math.min(q.length, 2 + 0xffff)));
        if (!f) return;
        verifier!.verify(f.signature);
        q.skip(f.read);
        state = 'done';
      }
      if (state === 'done') {
        if (q.length > 0) throw new MalformedMessageError('There are bytes after the end of the message.');
        return;
      }
    }
  }

  return new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, c) {
      seen += chunk.length;
      q.push(chunk);
      await pump(c);
      // The caller may refill `chunk` once this returns (src/worker/blob-source.ts does): keep no view of it.
      q.release();
    },
    flush() {
      if (state === 'done') return;
      if (seen === 0) throw new NotAnEsdkMessageError('The file is empty: it is not an AWS Encryption SDK message.');
      if (state === 'header')
        throw new TruncatedMessageError('The message ends inside its header: the file is truncated.');
      if (state === 'body')
        throw new TruncatedMessageError('The message ends before its final frame: the file is truncated.');
      throw new TruncatedMessageError('The message ends before its signature: the file is truncated.');
    },
  });
}
