// The envelope-encryption visualiser's run (issue 14, #/visualise): a small input encrypted for real
// (GenerateDataKey through the core as the console's caller, frames sealed by src/format's encrypt
// stream), then decrypted for real, whole and with one byte of one frame flipped. The page replays
// the recorded values step by step; the plaintext data key never leaves this worker (only its length).
import { bytesSource, inspectMessage, type InspectedFrame, type MessageInspection } from '../../format/inspect';
import { concat, toHex } from '../../format/bytes';
import { createDecryptStream, createEncryptStream, type FormatError } from '../../format';
import { awsKmsKeyring } from '../../format/keyring';
import { inspectBlob, type BlobInspection } from '../../kms/material';
import type { WorkerContext } from '../context';
import { coreDataKeyClient } from '../files-keyring';

export interface VisualiseOptions {
  /** The KMS key that makes the data key: key ID, ARN, alias name or alias ARN. */
  keyId: string;
  suiteId?: 0x0478 | 0x0578;
  /** Plaintext bytes per frame; small, so a few frames show. Default 64. */
  frameLength?: number;
  encryptionContext?: Record<string, string>;
  /** The frame whose ciphertext gets one flipped byte in the tampered run (default: the middle one). */
  flipFrame?: number;
}

export interface VisualFrame extends InspectedFrame {
  /** The first ciphertext bytes and the GCM tag, as written. */
  ciphertext: string;
  tag: string;
}

export interface DecryptRun {
  /** Plaintext bytes the real decrypt stream let through, in order, before it ended or failed. */
  releasedBytes: number;
  /** Frames whose plaintext was let through whole. */
  releasedFrames: number;
  error?: { name: string; message: string };
}

export interface VisualTrace {
  /** What GenerateDataKey answered; the plaintext data key itself is never sent (only its length). */
  dataKey: { keyArn: string; plaintextLength: number; ciphertextBlob: string; blob: BlobInspection };
  message: MessageInspection;
  frames: VisualFrame[];
  inputLength: number;
  decrypt: DecryptRun;
  tampered: DecryptRun & { frame: number; offset: number };
}

export interface VisualiseWorkerApi {
  /**
   * Encrypts `input` (at most 64 KiB and 64 frames) for real and decrypts it twice (as made, and with a
   * flipped byte), recording what each step produced. Audited as ordinary GenerateDataKey and Decrypt calls.
   * @throws RangeError for bad options or a too large input; the KMS exceptions of those calls.
   */
  visualise(input: Blob, opts: VisualiseOptions): Promise<VisualTrace>;
}

export const MAX_VISUAL_INPUT = 64 << 10;
export const MAX_VISUAL_FRAMES = 64;

/** Runs the real decrypt stream frame by frame, counting what it releases before it ends or fails. */
async function decryptRun(
  message: Uint8Array,
  frames: VisualFrame[],
  headerLength: number,
  open: () => TransformStream<Uint8Array, Uint8Array>,
): Promise<DecryptRun> {
  const stream = open();
  let releasedBytes = 0;
  const drained = stream.readable
    .pipeTo(new WritableStream({ write: (c) => void (releasedBytes += c.length) }))
    .catch(() => undefined);
  const w = stream.writable.getWriter();
  let error: DecryptRun['error'];
  // The header, each frame, then the footer: one write each, so each frame is judged on its own.
  const cuts = [0, headerLength, ...frames.map((f) => f.offset + f.length), message.length];
  try {
    for (let i = 1; i < cuts.length; i++) {
      if (cuts[i]! > cuts[i - 1]!) await w.write(message.slice(cuts[i - 1], cuts[i]));
      // A macrotask turn, so the output side takes what this write released before the next one.
      await new Promise((r) => setTimeout(r, 0));
    }
    await w.close();
  } catch (e) {
    error = { name: (e as FormatError).name ?? 'Error', message: (e as Error).message ?? String(e) };
  }
  await drained;
  let releasedFrames = 0;
  let sum = 0;
  for (const f of frames) {
    sum += f.contentLength;
    if (sum <= releasedBytes) releasedFrames++;
  }
  return { releasedBytes, releasedFrames, ...(error ? { error } : {}) };
}

export function visualiseApi(ctx: WorkerContext): VisualiseWorkerApi {
  return {
    async visualise(input, opts) {
      const frameLength = opts.frameLength ?? 64;
      /* Precondition: a few frames of a small input, so every step can be shown. */
      if (input.size > MAX_VISUAL_INPUT)
        throw new RangeError(`"input" expected at most ${MAX_VISUAL_INPUT} bytes, got ${input.size}`);
      if (!Number.isInteger(frameLength) || frameLength < 1)
        throw new RangeError(`"frameLength" expected a positive integer, got ${frameLength}`);
      if (Math.floor(input.size / frameLength) + 1 > MAX_VISUAL_FRAMES)
        throw new RangeError(
          `"frameLength" ${frameLength} makes more than ${MAX_VISUAL_FRAMES} frames of ${input.size} bytes; choose a larger one`,
        );
      const kms = await ctx.ready;
      const client = coreDataKeyClient(kms, ctx.acting.current(kms));
      let made: { KeyId?: string; Plaintext?: Uint8Array; CiphertextBlob?: Uint8Array } | undefined;
      const recording = {
        ...client,
        generateDataKey: async (req: Parameters<typeof client.generateDataKey>[0]) =>
          (made = await client.generateDataKey(req)),
      };
      const session = await createEncryptStream({
        keyring: awsKmsKeyring(recording, { keyIds: [opts.keyId] }),
        ...(opts.suiteId ? { suiteId: opts.suiteId } : {}),
        frameLength,
        ...(opts.encryptionContext ? { encryptionContext: opts.encryptionContext } : {}),
      });
      const plaintext = new Uint8Array(await input.arrayBuffer());
      const chunks: Uint8Array[] = [];
      await new Blob([plaintext])
        .stream()
        .pipeThrough(session.stream)
        .pipeTo(new WritableStream({ write: (c) => void chunks.push(c.slice()) }));
      const message = concat(chunks);
      const inspection = await inspectMessage(bytesSource(message));
      const frames: VisualFrame[] = (inspection.frames?.listed ?? []).map((f) => {
        const end = f.offset + f.length;
        const ctAt = f.offset + (f.final ? 24 : 16);
        return {
          ...f,
          ciphertext: toHex(message.subarray(ctAt, Math.min(ctAt + 16, end - 16))),
          tag: toHex(message.subarray(end - 16, end)),
        };
      });
      const blob = made?.CiphertextBlob ?? new Uint8Array(0);
      const openStream = () => createDecryptStream({ keyring: awsKmsKeyring(client) });
      const decrypt = await decryptRun(message, frames, inspection.headerLength!, openStream);
      // Flip one byte in the middle of the chosen frame's ciphertext (its tag if the frame is empty).
      const k = Math.min(Math.max(1, opts.flipFrame ?? Math.ceil(frames.length / 2)), frames.length);
      const target = frames[k - 1]!;
      const offset = target.offset + (target.final ? 24 : 16) + Math.floor(target.contentLength / 2);
      const bad = message.slice();
      bad[offset]! ^= 0x01;
      const tampered = { frame: k, offset, ...(await decryptRun(bad, frames, inspection.headerLength!, openStream)) };
      return {
        dataKey: {
          keyArn: made?.KeyId ?? '',
          plaintextLength: made?.Plaintext?.length ?? 0,
          ciphertextBlob: toHex(blob),
          blob: inspectBlob(blob),
        },
        message: inspection,
        frames,
        inputLength: plaintext.length,
        decrypt,
        tampered,
      };
    },
  };
}
