// The message inspector's view of a Pocket KMS ciphertext blob (docs/FORMAT.md, "Layout"): each field
// with its offset, length and value, read without any key. Validity is decodeBlobHeader's judgement.
import { toHex } from '../../format/bytes';
import type { InspectedField, InspectionProblem } from '../../format/inspect';
import { decodeBlobHeader, HEADER_LEN, MIN_BLOB_LEN, TAG_LEN } from './blob';

/** AWS's limit on a CiphertextBlob, which Decrypt checks first. */
export const MAX_BLOB_LEN = 6144;

export interface BlobInspection {
  kind: 'kms-blob';
  size: number;
  keyId?: string;
  materialVersion?: number;
  /** Plaintext length: the ciphertext is as long as the plaintext (AES-GCM). */
  ciphertextLength?: number;
  fields: InspectedField[];
  problem?: InspectionProblem;
}

/** Where decodeBlobHeader's reasons point (its checks run in byte order). */
const REASON_OFFSET: [RegExp, (size: number) => number][] = [
  [/too short/, (size) => size],
  [/format version/, () => 0],
  [/key ID kind/, () => 1],
  [/key ID is not valid/, () => 2],
  [/material version/, () => 18],
];

/** Takes a blob apart; never throws. */
export function inspectBlob(blob: Uint8Array): BlobInspection {
  const out: BlobInspection = { kind: 'kms-blob', size: blob.length, fields: [] };
  const fields = out.fields;
  const n = blob.length - HEADER_LEN - TAG_LEN;
  const at = (offset: number, length: number) => blob.subarray(offset, offset + length);
  if (blob.length >= 1)
    fields.push({ id: 'blob.version', label: 'Format version', offset: 0, length: 1, value: `${blob[0]}` });
  if (blob.length >= 2)
    fields.push({
      id: 'blob.keyIdKind',
      label: 'Key ID kind',
      offset: 1,
      length: 1,
      value: `0x${toHex(at(1, 1))}`,
      note: blob[1] === 0 ? 'UUID v4 key ID' : blob[1] === 1 ? 'multi-Region key ID (mrk-)' : 'reserved',
    });
  if (blob.length >= 18)
    fields.push({ id: 'blob.keyId', label: 'Key ID', offset: 2, length: 16, value: toHex(at(2, 16)) });
  if (blob.length >= 22)
    fields.push({
      id: 'blob.materialVersion',
      label: 'Material version',
      offset: 18,
      length: 4,
      value: `${new DataView(blob.buffer, blob.byteOffset + 18, 4).getUint32(0)}`,
    });
  if (blob.length >= HEADER_LEN)
    fields.push({ id: 'blob.iv', label: 'IV', offset: 22, length: 12, value: toHex(at(22, 12)) });
  if (n >= 0) {
    fields.push(
      {
        id: 'blob.ciphertext',
        label: 'Ciphertext',
        offset: HEADER_LEN,
        length: n,
        value: `${n} bytes (AES-256-GCM, as long as the plaintext)`,
      },
      {
        id: 'blob.tag',
        label: 'Authentication tag',
        offset: HEADER_LEN + n,
        length: TAG_LEN,
        value: toHex(at(HEADER_LEN + n, TAG_LEN)),
      },
    );
  }
  if (blob.length > MAX_BLOB_LEN) {
    out.problem = {
      name: 'ValidationException',
      message: `The blob is ${blob.length} bytes; a CiphertextBlob is at most ${MAX_BLOB_LEN}.`,
      offset: MAX_BLOB_LEN,
    };
    return out;
  }
  const d = decodeBlobHeader(blob);
  if (!d.ok) {
    const offset = REASON_OFFSET.find(([re]) => re.test(d.reason))?.[1](blob.length) ?? 0;
    out.problem = {
      name: 'InvalidCiphertextException',
      message: `At byte ${offset}: this is not a Pocket KMS ciphertext blob: ${d.reason}${
        blob.length < MIN_BLOB_LEN ? ` (${blob.length} bytes; at least ${MIN_BLOB_LEN})` : ''
      }.`,
      offset,
    };
    return out;
  }
  out.keyId = d.header.keyId;
  out.materialVersion = d.header.version;
  out.ciphertextLength = n;
  const keyField = fields.find((f) => f.id === 'blob.keyId');
  if (keyField) keyField.note = d.header.keyId;
  return out;
}
