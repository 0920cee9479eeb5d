// The message inspector's part of the worker API (issue 14): an AWS Encryption SDK message or a Pocket
// KMS ciphertext blob taken apart field by field, without any key and without the keystore. Messages
// are read from the Blob slice by slice (src/format/inspect.ts); blobs (at most 6 KiB) whole, or from
// their base64 text as the CLI prints a CiphertextBlob.
import { blobSource, bytesSource, inspectMessage, type MessageInspection } from '../../format/inspect';
import { inspectBlob, MAX_BLOB_LEN, type BlobInspection } from '../../kms/material';

export type {
  InspectedDataKey,
  InspectedField,
  InspectedFrame,
  InspectionProblem,
  MessageInspection,
} from '../../format/inspect';
export type { BlobInspection } from '../../kms/material';

/** What the inspector found: a message, a blob, or bytes it does not recognise (as a message's problem). */
export type Inspection = (MessageInspection | BlobInspection) & {
  /** The input was base64 text, decoded before inspection. */
  fromBase64?: boolean;
};

export interface InspectWorkerApi {
  /** Takes a message or a blob apart without any key; never rejects for bad bytes (see `problem`). */
  inspect(input: Blob): Promise<Inspection>;
}

/** Base64 text of a blob or a small message: longer text is not a CiphertextBlob the CLI prints. */
const MAX_BASE64_TEXT = 1 << 20;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function fromBase64Text(text: string): Uint8Array | undefined {
  const s = text.replace(/\s+/g, '');
  if (s.length === 0 || s.length % 4 !== 0 || !BASE64.test(s)) return undefined;
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}

/** A blob starts 0x01 then a key ID kind (0x00 or 0x01); a format 1 message starts 0x01 0x80. */
const looksLikeBlob = (b: Uint8Array) => b.length <= MAX_BLOB_LEN && b[0] === 1 && (b[1] === 0 || b[1] === 1);

async function inspectBytes(b: Uint8Array): Promise<Inspection> {
  return looksLikeBlob(b)
    ? inspectBlob(b)
    : withPocketBlobs(new Blob([b as Uint8Array<ArrayBuffer>]), await inspectMessage(bytesSource(b)));
}

/** Names the key and material version of each `aws-kms` data key that is a Pocket KMS blob (ours are). */
async function withPocketBlobs(input: Blob, r: MessageInspection): Promise<MessageInspection> {
  for (const k of r.encryptedDataKeys) {
    const f = r.fields.find((x) => x.id === `edk.${k.index}.encryptedDataKey`);
    if (k.providerId !== 'aws-kms' || !f || f.length > MAX_BLOB_LEN) continue;
    const bytes = new Uint8Array(await input.slice(f.offset, f.offset + f.length).arrayBuffer());
    if (!looksLikeBlob(bytes)) continue;
    const b = inspectBlob(bytes);
    if (b.problem || !b.keyId || !b.materialVersion) continue;
    k.pocketBlob = { keyId: b.keyId, materialVersion: b.materialVersion };
    f.note = `a Pocket KMS ciphertext blob: key ${b.keyId}, material version ${b.materialVersion}`;
  }
  return r;
}

export function inspectApi(): InspectWorkerApi {
  return {
    async inspect(input) {
      const first = new Uint8Array(await input.slice(0, 2).arrayBuffer());
      // A message or a blob starts with byte 1 or 2; base64 text starts with a letter, digit, + or /.
      if (first.length > 0 && first[0]! > 0x20 && input.size <= MAX_BASE64_TEXT) {
        const bytes = fromBase64Text(await input.text());
        if (bytes) return { ...(await inspectBytes(bytes)), fromBase64: true };
      }
      if (looksLikeBlob(first) && input.size <= MAX_BLOB_LEN)
        return inspectBlob(new Uint8Array(await input.arrayBuffer()));
      return withPocketBlobs(input, await inspectMessage(blobSource(input)));
    },
  };
}
