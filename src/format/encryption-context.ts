// Canonical encoding of an encryption context: the AWS Encryption SDK's "key value pairs"
// serialization (data-format/message-header.md, "Encryption Context"). Pairs are sorted by the
// UTF-8 bytes of their keys, so equal maps always encode to equal bytes.

export type EncryptionContext = Record<string, string>;

const utf8 = new TextEncoder();

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Encodes a context; an empty context encodes to zero bytes, as in the ESDK header. */
export function encodeEncryptionContext(ctx: EncryptionContext): Uint8Array {
  const pairs = Object.entries(ctx).map(([k, v]) => [utf8.encode(k), utf8.encode(v)] as const);
  if (pairs.length === 0) return new Uint8Array(0);
  if (pairs.length > 0xffff)
    throw new RangeError(`"encryptionContext" expected at most 65535 pairs, got ${pairs.length}`);
  pairs.sort((a, b) => compareBytes(a[0], b[0]));
  let size = 2;
  for (const [k, v] of pairs) {
    if (k.length > 0xffff || v.length > 0xffff)
      throw new RangeError('"encryptionContext" entries must be under 65536 bytes');
    size += 4 + k.length + v.length;
  }
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, pairs.length);
  let o = 2;
  for (const [k, v] of pairs) {
    dv.setUint16(o, k.length);
    out.set(k, o + 2);
    o += 2 + k.length;
    dv.setUint16(o, v.length);
    out.set(v, o + 2);
    o += 2 + v.length;
  }
  return out;
}

/** Where one pair lies in an encoding (offsets from its start; each is preceded by its 2-byte length). */
export interface EncodedPair {
  key: string;
  value: string;
  keyOffset: number;
  keyLength: number;
  valueOffset: number;
  valueLength: number;
}

export type DecodeResult<T> = { ok: true; value: T; read: number } | { ok: false; reason: string };

/** Decodes a context; fails (never throws) on duplicate keys, bad UTF-8 or short input. Keys in another
 * order than the serialization's are read, as the SDKs read them (the header is authenticated as written). */
export function decodeEncryptionContext(
  bytes: Uint8Array,
  onPair?: (pair: EncodedPair) => void,
): DecodeResult<EncryptionContext> {
  if (bytes.length === 0) return { ok: true, value: {}, read: 0 };
  if (bytes.length < 2) return { ok: false, reason: 'encryption context is truncated' };
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = dv.getUint16(0);
  const dec = new TextDecoder('utf-8', { fatal: true });
  // Null prototype: a "__proto__" key is data, not the object's prototype.
  const out: EncryptionContext = Object.create(null);
  let o = 2;
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const parts: Uint8Array[] = [];
    for (let j = 0; j < 2; j++) {
      if (o + 2 > bytes.length) return { ok: false, reason: 'encryption context is truncated' };
      const len = dv.getUint16(o);
      if (o + 2 + len > bytes.length) return { ok: false, reason: 'encryption context is truncated' };
      parts.push(bytes.subarray(o + 2, o + 2 + len));
      o += 2 + len;
    }
    const [k, v] = parts as [Uint8Array, Uint8Array];
    let key: string;
    let value: string;
    try {
      key = dec.decode(k);
      value = out[key] = dec.decode(v);
    } catch {
      return { ok: false, reason: 'encryption context is not valid UTF-8' };
    }
    if (seen.has(key)) return { ok: false, reason: `encryption context key '${key}' appears twice` };
    seen.add(key);
    onPair?.({
      key,
      value,
      keyOffset: k.byteOffset - bytes.byteOffset,
      keyLength: k.length,
      valueOffset: v.byteOffset - bytes.byteOffset,
      valueLength: v.length,
    });
  }
  return { ok: true, value: out, read: o };
}
