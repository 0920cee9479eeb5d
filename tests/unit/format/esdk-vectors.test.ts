// The ESDK's published decrypt vectors (python 1.3.5 subset, tests/vectors/esdk-python-1.3.5):
// structure decoded whole and byte by byte, and footer signatures verified. See that folder's README.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeFooter,
  decodeFrame,
  decodeHeader,
  decodeSingleBlock,
  frameSize,
  singleBlockSize,
  type MessageHeader,
} from '../../../src/format';
import { createVerifier, PUBLIC_KEY_CONTEXT_KEY } from '../../../src/format/signature';

const dir = join(__dirname, '../../vectors/esdk-python-1.3.5');
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
  tests: { id: string; ciphertext: string; suite: string; contentType: string; frameLength: number }[];
};
const plaintextLength = readFileSync(join(dir, 'plaintext-small')).length;

/** Walks a message: header, frames (or the single block), footer; returns what it saw. */
function walk(msg: Uint8Array) {
  const h = decodeHeader(msg)!;
  const header: MessageHeader = h.header;
  let o = h.read;
  let content = 0;
  const seqs: number[] = [];
  if (header.contentType === 'framed') {
    for (;;) {
      const f = decodeFrame(msg.subarray(o), header.frameLength)!;
      seqs.push(f.seq);
      content += f.contentLength;
      o += f.read;
      if (f.final) break;
    }
  } else {
    const b = decodeSingleBlock(msg.subarray(o))!;
    content = b.contentLength;
    o += b.read;
  }
  const bodyEnd = o;
  let signature: Uint8Array | undefined;
  if (header.suite.signature) {
    const f = decodeFooter(msg.subarray(o))!;
    signature = f.signature;
    o += f.read;
  }
  return { header, headerLength: h.read, bodyEnd, end: o, content, seqs, signature };
}

describe('ESDK published vectors (python 1.3.5)', () => {
  it('covers every format 1 suite, framed and non-framed', () => {
    expect(new Set(manifest.tests.map((t) => t.suite)).size).toBe(9);
    expect(manifest.tests.some((t) => t.contentType === 'non-framed')).toBe(true);
  });

  for (const t of manifest.tests) {
    it(`${t.suite} ${t.contentType} ${t.frameLength}: decodes whole and byte by byte; the signature verifies`, () => {
      const msg = new Uint8Array(readFileSync(join(dir, t.ciphertext)));
      const w = walk(msg);
      expect(w.end).toBe(msg.length);
      expect(w.content).toBe(plaintextLength);
      expect(w.header.version).toBe(1);
      expect(w.header.suite.id).toBe(parseInt(t.suite, 16));
      expect(w.header.encryptedDataKeys[0]!.providerId).toBe('aws-kms');
      expect(w.seqs).toEqual(w.seqs.map((_, i) => i + 1));
      // Byte by byte: every proper prefix of the header asks for more bytes.
      for (let n = 0; n < w.headerLength; n++) expect(decodeHeader(msg.subarray(0, n))).toBeUndefined();
      // The first body part's size is known from its first bytes, and not decodable before its end.
      const body = msg.subarray(w.headerLength);
      const size = w.header.contentType === 'framed' ? frameSize(body, w.header.frameLength)! : singleBlockSize(body)!;
      expect(
        w.header.contentType === 'framed'
          ? decodeFrame(body.subarray(0, size - 1), w.header.frameLength)
          : decodeSingleBlock(body.subarray(0, size - 1)),
      ).toBeUndefined();
      if (w.header.suite.signature) {
        const v = createVerifier(w.header.suite.signature, w.header.encryptionContext[PUBLIC_KEY_CONTEXT_KEY]);
        // Streamed in uneven pieces, as the decrypt stream feeds it.
        for (let o = 0; o < w.bodyEnd; o += 777) v.update(msg.subarray(o, Math.min(o + 777, w.bodyEnd)));
        expect(() => v.verify(w.signature!)).not.toThrow();
        const bad = createVerifier(w.header.suite.signature, w.header.encryptionContext[PUBLIC_KEY_CONTEXT_KEY]);
        bad.update(msg.subarray(0, w.bodyEnd - 1));
        expect(() => bad.verify(w.signature!)).toThrow();
      }
    });
  }
});
