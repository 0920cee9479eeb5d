// The Pocket KMS symmetric ciphertext blob, format version 1 (docs/FORMAT.md).
//   0     1  version            0x01
//   1     1  key ID kind        0x00 UUID v4 key ID, 0x01 multi-Region key ID (mrk- + 32 hex)
//   2    16  key ID             the 16 bytes of the UUID, or of the 32 hex digits after mrk-
//   18    4  material version   uint32 big-endian, 1 = the key's first material
//   22   12  IV                 AES-GCM nonce, random per blob
//   34    n  ciphertext         AES-256-GCM, same length as the plaintext
//   34+n 16  tag                GCM tag over AAD = bytes 0..34 || canonical encryption context
import { fromHex, toHex as hex } from '../../format/bytes';
import { encodeEncryptionContext, type EncryptionContext } from '../../format/encryption-context';

export const BLOB_VERSION = 1;
export const HEADER_LEN = 34;
export const TAG_LEN = 16;
export const MIN_BLOB_LEN = HEADER_LEN + TAG_LEN;

export interface BlobHeader {
  keyId: string;
  version: number;
  iv: Uint8Array;
}

export function encodeBlobHeader(h: BlobHeader): Uint8Array {
  const out = new Uint8Array(HEADER_LEN);
  out[0] = BLOB_VERSION;
  const mrk = h.keyId.startsWith('mrk-');
  out[1] = mrk ? 1 : 0;
  const id = fromHex(mrk ? h.keyId.slice(4) : h.keyId.replaceAll('-', ''));
  /* Precondition: the key ID is a UUID or mrk- and 32 hex digits (16 bytes in the header). */
  if (id?.length !== 16) throw new RangeError(`"keyId" expected a key ID, got '${h.keyId.slice(0, 80)}'`);
  out.set(id, 2);
  new DataView(out.buffer).setUint32(18, h.version);
  if (h.iv.length !== 12) throw new RangeError(`"iv" expected 12 bytes, got ${h.iv.length}`);
  out.set(h.iv, 22);
  return out;
}

/** Parses the header of a blob; returns a reason instead of throwing so callers pick the exception. */
export function decodeBlobHeader(blob: Uint8Array): { ok: true; header: BlobHeader } | { ok: false; reason: string } {
  if (blob.length < MIN_BLOB_LEN) return { ok: false, reason: 'it is too short' };
  if (blob[0] !== BLOB_VERSION) return { ok: false, reason: `format version ${blob[0]} is not known` };
  const kind = blob[1];
  if (kind !== 0 && kind !== 1) return { ok: false, reason: 'the key ID kind is not known' };
  const h = hex(blob.subarray(2, 18));
  let keyId: string;
  if (kind === 1) keyId = `mrk-${h}`;
  else {
    // The UUID's version and variant bits are part of the key ID; anything else is not ours.
    if (h[12] !== '4' || !'89ab'.includes(h[16]!)) return { ok: false, reason: 'the key ID is not valid' };
    keyId = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  const version = new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint32(18);
  if (version < 1) return { ok: false, reason: 'the key material version is not valid' };
  return { ok: true, header: { keyId, version, iv: blob.slice(22, 34) } };
}

export function blobAad(header: Uint8Array, ctx: EncryptionContext): Uint8Array {
  const ec = encodeEncryptionContext(ctx);
  const out = new Uint8Array(header.length + ec.length);
  out.set(header, 0);
  out.set(ec, header.length);
  return out;
}

/** Seals plaintext under one material version. WebCrypto work only: call outside a transaction. */
export async function sealBlob(
  key: CryptoKey,
  keyId: string,
  version: number,
  iv: Uint8Array,
  plaintext: Uint8Array,
  ctx: EncryptionContext,
): Promise<Uint8Array> {
  const header = encodeBlobHeader({ keyId, version, iv });
  const ct = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: iv as BufferSource, additionalData: blobAad(header, ctx) as BufferSource, tagLength: 128 },
      key,
      plaintext as BufferSource,
    ),
  );
  const out = new Uint8Array(HEADER_LEN + ct.length);
  out.set(header, 0);
  out.set(ct, HEADER_LEN);
  return out;
}

/** Opens a blob; resolves undefined when authentication fails (wrong key, context, or any altered byte). */
export async function openBlob(
  key: CryptoKey,
  blob: Uint8Array,
  iv: Uint8Array,
  ctx: EncryptionContext,
): Promise<Uint8Array | undefined> {
  const header = blob.subarray(0, HEADER_LEN);
  try {
    const pt = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: iv as BufferSource, additionalData: blobAad(header, ctx) as BufferSource, tagLength: 128 },
      key,
      blob.subarray(HEADER_LEN) as BufferSource,
    );
    return new Uint8Array(pt);
  } catch {
    return undefined;
  }
}
