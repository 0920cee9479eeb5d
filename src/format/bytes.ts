// Small byte helpers shared by the codecs: big-endian integers, concatenation, constant-time compare.

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

export function uint16(n: number): Uint8Array {
  const b = new Uint8Array(2);
  view(b).setUint16(0, n);
  return b;
}

export function uint32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  view(b).setUint32(0, n);
  return b;
}

export function uint64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  view(b).setBigUint64(0, BigInt(n));
  return b;
}

/** Compares in time independent of where the inputs differ (for commitments and tags). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

export const utf8Encode = (s: string) => new TextEncoder().encode(s);
export const utf8Decode = (b: Uint8Array) => new TextDecoder('utf-8', { fatal: true }).decode(b);

/** A fresh ArrayBuffer-backed copy (WebCrypto in TS 5.9 wants `Uint8Array<ArrayBuffer>`). */
export const own = (b: Uint8Array): Uint8Array<ArrayBuffer> => (b.buffer instanceof ArrayBuffer ? (b as Uint8Array<ArrayBuffer>) : new Uint8Array(b));
