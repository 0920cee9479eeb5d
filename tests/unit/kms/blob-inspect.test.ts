// The inspector's view of a Pocket KMS ciphertext blob (docs/FORMAT.md): the worked example's fields
// at their documented offsets, and each way a blob is refused named with the byte it is about.
import { describe, expect, it } from 'vitest';
import { fromBase64 } from '../../../src/format/bytes';
import { inspectBlob } from '../../../src/kms/material';

// docs/FORMAT.md, "Worked example": key 1234abcd-12ab-44cd-96ef-1234567890ab, material 1, "hello".
const EXAMPLE = fromBase64('AQASNKvNEqtEzZbvEjRWeJCrAAAAAaChoqOkpaanqKmqq459EEEqTFGSQOh35lPMfbJA1XlOAQ==');

describe('inspectBlob', () => {
  it("reads the worked example's fields at the documented offsets", () => {
    const r = inspectBlob(EXAMPLE);
    expect(r.problem).toBeUndefined();
    expect(r).toMatchObject({ kind: 'kms-blob', size: 55, keyId: '1234abcd-12ab-44cd-96ef-1234567890ab' });
    expect(r.materialVersion).toBe(1);
    expect(r.ciphertextLength).toBe(5);
    expect(r.fields.map((f) => [f.id, f.offset, f.length, f.value])).toEqual([
      ['blob.version', 0, 1, '1'],
      ['blob.keyIdKind', 1, 1, '0x00'],
      ['blob.keyId', 2, 16, '1234abcd12ab44cd96ef1234567890ab'],
      ['blob.materialVersion', 18, 4, '1'],
      ['blob.iv', 22, 12, 'a0a1a2a3a4a5a6a7a8a9aaab'],
      ['blob.ciphertext', 34, 5, '5 bytes (AES-256-GCM, as long as the plaintext)'],
      ['blob.tag', 39, 16, '4c519240e877e653cc7db240d5794e01'],
    ]);
    expect(r.fields[2]!.note).toBe('1234abcd-12ab-44cd-96ef-1234567890ab');
  });

  it('names a multi-Region key', () => {
    const b = EXAMPLE.slice();
    b[1] = 1;
    expect(inspectBlob(b).keyId).toBe('mrk-1234abcd12ab44cd96ef1234567890ab');
  });

  const refused: [string, (b: Uint8Array) => Uint8Array, number][] = [
    ['too short', (b) => b.subarray(0, 49), 49],
    ['an unknown format version', (b) => b.map((x, i) => (i === 0 ? 2 : x)), 0],
    ['a reserved key ID kind', (b) => b.map((x, i) => (i === 1 ? 7 : x)), 1],
    ['a key ID that is not a UUID v4', (b) => b.map((x, i) => (i === 8 ? 0x14 : x)), 2],
    ['material version 0', (b) => b.map((x, i) => (i === 21 ? 0 : x)), 18],
  ];
  for (const [what, change, offset] of refused) {
    it(`refuses ${what} with InvalidCiphertextException at byte ${offset}`, () => {
      const r = inspectBlob(change(EXAMPLE));
      expect(r.problem).toMatchObject({ name: 'InvalidCiphertextException', offset });
      expect(r.problem!.message).toContain(`At byte ${offset}:`);
      expect(r.keyId).toBeUndefined();
    });
  }

  it('refuses more than 6144 bytes with ValidationException, as Decrypt does', () => {
    const big = new Uint8Array(6145);
    big.set(EXAMPLE);
    expect(inspectBlob(big).problem).toMatchObject({ name: 'ValidationException', offset: 6144 });
  });

  it('never throws on any prefix of a blob', () => {
    for (let n = 0; n <= EXAMPLE.length; n++) expect(() => inspectBlob(EXAMPLE.subarray(0, n))).not.toThrow();
  });
});
