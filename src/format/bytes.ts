// Small byte helpers shared by the codecs and the core: big-endian integers, concatenation,
// constant-time compare, and the text forms of bytes (hex, base64 RFC 4648 §4, base64url §5,
// PEM RFC 7468). The one home of each: the core, the endpoint and the format import them from here.

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
export const own = (b: Uint8Array): Uint8Array<ArrayBuffer> =>
  b.buffer instanceof ArrayBuffer ? (b as Uint8Array<ArrayBuffer>) : new Uint8Array(b);

/** Lower-case hex, two digits a byte. */
export const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Bytes of an even-length hex string (either case); undefined for anything else, so a caller
 * decides what bad hex means (the empty string is zero bytes). */
export function fromHex(s: string): Uint8Array | undefined {
  if (!/^(?:[0-9a-f]{2})*$/i.test(s)) return undefined;
  return Uint8Array.from(s.match(/../g) ?? [], (x) => parseInt(x, 16));
}

/** Standard base64 with padding. Chunked: String.fromCharCode(...bytes) overflows the stack on large input. */
export function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Bytes of base64 text, as atob reads it (padding optional, ASCII whitespace ignored).
 * @throws DOMException (InvalidCharacterError) for text that is not base64; callers that take
 * base64 from outside check its shape first and raise their own exception. */
export const fromBase64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/** Unpadded base64url, for opaque tokens (paging markers, grant tokens). */
export const toBase64Url = (b: Uint8Array): string =>
  toBase64(b).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');

/** Bytes of base64url text.
 * @throws DOMException (InvalidCharacterError) for text that is not base64url (callers check the shape first). */
export const fromBase64Url = (s: string): Uint8Array => fromBase64(s.replaceAll('-', '+').replaceAll('_', '/'));

/** PEM (RFC 7468) of DER bytes: base64 in lines of 64 between BEGIN and END lines. */
export function toPem(der: Uint8Array, label = 'PUBLIC KEY'): string {
  const lines = toBase64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The DER bytes of the first PEM "PUBLIC KEY" block in `pem` (the only kind read back).
 * @throws TypeError for text that holds no such block. */
export function fromPem(pem: string): Uint8Array {
  const m = /-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----/.exec(pem);
  if (!m) throw new TypeError('"pem" expected a PEM "PUBLIC KEY" block');
  return fromBase64(m[1]!.replace(/\s+/g, ''));
}

/** Every PEM block (RFC 7468 §2: BEGIN and END lines with the same label, base64 between) in `text`,
 * in order, as label and DER. Blocks with explanatory headers (RFC 1421 "Proc-Type:") or bad base64
 * are left out: the caller says what a missing block means. */
export function pemBlocks(text: string): { label: string; der: Uint8Array }[] {
  const out: { label: string; der: Uint8Array }[] = [];
  for (const m of text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g)) {
    const body = m[2]!.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) continue;
    out.push({ label: m[1]!, der: fromBase64(body) });
  }
  return out;
}
