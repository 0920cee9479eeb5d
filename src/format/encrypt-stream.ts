// Encrypts a byte stream into an AWS Encryption SDK message, format 2, framed (specification
// client-apis/encrypt.md). Memory: one frame of plaintext, whatever the input size.
import { bodyAad, encodeFooter, encodeFramePrefix, frameIv, MAX_SEQUENCE_NUMBER } from './body';
import { concat } from './bytes';
import type { EncryptionContext } from './encryption-context';
import { encodeHeaderAuth, encodeHeaderBody, type MessageHeader } from './header';
import { deriveMessageKey, seal } from './keys';
import { InOrder, localCipher, type FrameCipher } from './frame-cipher';
import type { Keyring } from './keyring';
import { createSigner, PUBLIC_KEY_CONTEXT_KEY } from './signature';
import { DEFAULT_SUITE, IV_LENGTH, SUITES, WRITE_SUITES, type WriteSuiteId } from './suites';

/** 512 KiB: WebCrypto AES-GCM in Chromium is fastest with 512–896 KiB calls (DESIGN.md platform notes). */
export const DEFAULT_FRAME_LENGTH = 512 * 1024;

export interface EncryptOptions {
  keyring: Keyring;
  /** Default 0x0478; 0x0578 adds an ECDSA P-384 signature. */
  suiteId?: WriteSuiteId;
  /** Plaintext bytes per frame, 1..2^32-1. */
  frameLength?: number;
  encryptionContext?: EncryptionContext;
  /** Who seals frames (default WebCrypto in this thread, one at a time). */
  cipher?: FrameCipher;
  /** The input's length, when known (a File's size): a chunk that ends exactly on a frame is then sealed
   * straight from the input, since it is known whether more follows; an input that ends short of it fails. */
  plaintextLength?: number;
}

export interface EncryptSession {
  header: MessageHeader;
  stream: TransformStream<Uint8Array, Uint8Array>;
}

/**
 * Gets the data key (one keyring call), then returns a stream that writes the message.
 * @throws RangeError for bad options; whatever the keyring throws.
 */
export async function createEncryptStream(opts: EncryptOptions): Promise<EncryptSession> {
  const suiteId = opts.suiteId ?? DEFAULT_SUITE;
  const frameLength = opts.frameLength ?? DEFAULT_FRAME_LENGTH;
  /* Precondition: only committing suites are written. */
  if (!(WRITE_SUITES as readonly number[]).includes(suiteId))
    throw new RangeError(`"suiteId" expected 0x0478 or 0x0578, got 0x${Number(suiteId).toString(16)}`);
  if (!Number.isInteger(frameLength) || frameLength < 1 || frameLength > 0xffffffff)
    throw new RangeError(`"frameLength" expected 1..2^32-1, got ${frameLength}`);
  const declared = opts.plaintextLength;
  if (declared !== undefined && !(Number.isSafeInteger(declared) && declared >= 0))
    throw new RangeError(`"plaintextLength" expected a whole number of bytes, got ${declared}`);
  const userContext = opts.encryptionContext ?? {};
  /* Precondition: the 'aws-crypto-' prefix is reserved for the SDK's own entries. */
  for (const k of Object.keys(userContext))
    if (k.startsWith('aws-crypto-'))
      throw new RangeError(`"encryptionContext" keys starting with 'aws-crypto-' are reserved, got '${k}'`);
  const suite = SUITES.get(suiteId)!;
  const signer = suite.signature ? createSigner(suite.signature) : undefined;
  const encryptionContext: EncryptionContext = {
    ...userContext,
    ...(signer ? { [PUBLIC_KEY_CONTEXT_KEY]: signer.publicKey } : {}),
  };

  const { dataKey, encryptedDataKeys } = await opts.keyring.onEncrypt(suite, encryptionContext);
  const messageId = crypto.getRandomValues(new Uint8Array(32));
  let mk;
  try {
    mk = await deriveMessageKey(suite, dataKey, messageId);
  } finally {
    dataKey.fill(0);
  }
  const header: MessageHeader = {
    version: 2,
    suite,
    messageId,
    encryptionContext,
    encryptedDataKeys,
    contentType: 'framed',
    frameLength,
    commitment: mk.commitment!,
  };
  const body = encodeHeaderBody(header);
  const tag = await seal(mk.key, new Uint8Array(IV_LENGTH), body, new Uint8Array(0));
  const headerBytes = concat([body, encodeHeaderAuth(2, { iv: new Uint8Array(IV_LENGTH), tag })]);
  const key = mk.key;

  // Very large frames grow their buffer only as far as the input goes.
  let buf = new Uint8Array(Math.min(frameLength, 4 << 20));
  let fill = 0;
  let seq = 1;
  /** Plaintext bytes taken from the input so far. */
  let taken = 0;
  const emit = (c: TransformStreamDefaultController<Uint8Array>, b: Uint8Array) => {
    signer?.update(b);
    c.enqueue(b);
  };
  const cipher = opts.cipher ?? localCipher;
  // Frames sealing now, oldest first; each emits only when all before it have.
  const pending = new InOrder<{ prefix: Uint8Array; sealed: Uint8Array }>(cipher.inFlight);
  const emitOldest = async (c: TransformStreamDefaultController<Uint8Array>) => {
    const f = await pending.take();
    emit(c, f.prefix);
    emit(c, f.sealed);
  };
  const frame = async (c: TransformStreamDefaultController<Uint8Array>, content: Uint8Array, final: boolean) => {
    if (seq > MAX_SEQUENCE_NUMBER)
      throw new RangeError('The message would need more than 2^32-2 frames; use a larger frame length.');
    const prefix = encodeFramePrefix(seq, final, content.length);
    // The cipher reads `content` before it returns, so the buffer may be refilled at once.
    pending.push(
      cipher
        .seal(key, frameIv(seq), bodyAad(messageId, final ? 'final' : 'frame', seq, content.length), content)
        .then((sealed) => ({ prefix, sealed })),
    );
    seq++;
    if (pending.full) await emitOldest(c);
  };

  const stream = new TransformStream<Uint8Array, Uint8Array>({
    start(c) {
      emit(c, headerBytes);
    },
    async transform(chunk, c) {
      let o = 0;
      while (o < chunk.length) {
        // A full buffer is a regular frame only once we know more plaintext follows.
        if (fill === frameLength) {
          await frame(c, buf, false);
          fill = 0;
        }
        const rest = chunk.length - o;
        if (
          fill === 0 &&
          (rest > frameLength || (rest === frameLength && declared !== undefined && taken + rest < declared))
        ) {
          // Whole frames straight from the input, without a copy.
          await frame(c, chunk.subarray(o, o + frameLength), false);
          o += frameLength;
          taken += frameLength;
          continue;
        }
        const n = Math.min(frameLength - fill, chunk.length - o);
        if (buf.length < fill + n) {
          const nb = new Uint8Array(Math.min(frameLength, (fill + n) * 2));
          nb.set(buf.subarray(0, fill));
          buf = nb;
        }
        buf.set(chunk.subarray(o, o + n), fill);
        fill += n;
        o += n;
        taken += n;
      }
    },
    async flush(c) {
      /* Precondition: the input was as long as declared (a regular frame may already claim that more follows). */
      if (declared !== undefined && taken < declared)
        throw new RangeError(`The input ended after ${taken} bytes, before its declared ${declared}.`);
      await frame(c, buf.subarray(0, fill), true);
      while (pending.length) await emitOldest(c);
      buf.fill(0);
      if (signer) c.enqueue(encodeFooter(signer.sign()));
    },
  });
  return { header, stream };
}
