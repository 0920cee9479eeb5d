// Reads of a stored message aligned to its frames (issue 20): the header is read first on its own, then
// every read holds whole frames, so the decrypt stream takes each frame as a view of the read it came in
// (no frame spans two reads: no copy to reassemble it, and no tail to keep when the read buffer is reused).
import { decodeHeaderOrNeed, IV_LENGTH, TAG_LENGTH } from '../format';
import { READ_UNIT } from './blob-source';

/** Header bytes probed at first; a header longer than this (hundreds of data keys) is probed once more. */
const PROBE = 64 << 10;
/** Frames larger than this are read in the default units: a read of several would hold too much memory. */
const MAX_ALIGNED_FRAME = 4 << 20;

/**
 * The first read and the read unit that align `blob`'s reads to its frames, or undefined when they cannot
 * be known (not a framed message, a header that does not parse or is longer than `maxHeader`): the decrypt
 * stream then reads it as it comes and reports what is wrong with it.
 */
export async function frameAlignedReads(
  blob: Blob,
  maxHeader = 1 << 20,
): Promise<{ first: number; unit: number } | undefined> {
  let n = PROBE;
  for (;;) {
    // A read that fails here fails again in the job, which reports it.
    const bytes = await blob
      .slice(0, n)
      .arrayBuffer()
      .then((b) => new Uint8Array(b))
      .catch(() => undefined);
    if (!bytes) return undefined;
    let d;
    try {
      d = decodeHeaderOrNeed(bytes, { maxEncryptedDataKeys: 0xffff });
    } catch {
      return undefined;
    }
    if ('need' in d) {
      if (bytes.length < n || d.need > maxHeader) return undefined;
      n = Math.max(d.need, n * 4);
      continue;
    }
    const h = d.header;
    if (h.contentType !== 'framed') return undefined;
    // A regular frame: sequence number ‖ IV ‖ content ‖ tag (message-body.md).
    const frame = 4 + IV_LENGTH + h.frameLength + TAG_LENGTH;
    if (frame > MAX_ALIGNED_FRAME) return undefined;
    const unit = frame * Math.max(1, Math.round(READ_UNIT / frame));
    return { first: Math.min(d.read, unit), unit };
  }
}
