// Text, base64 and date helpers for the console. Base64 by hand (btoa/atob over binary strings),
// so no library is needed; chunked because String.fromCharCode(...bytes) overflows the stack on large input.

const CHUNK = 0x8000;

export function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += CHUNK) bin += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(bin);
}

/** Decodes standard or URL-safe base64, ignoring whitespace; undefined when it is not base64. */
export function fromBase64(text: string): Uint8Array | undefined {
  const clean = text.replace(/\s+/g, '').replaceAll('-', '+').replaceAll('_', '/');
  if (!clean || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return undefined;
  try {
    const bin = atob(clean);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** UTF-8 text, or undefined when the bytes are not valid UTF-8. */
export function fromUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export function formatDateTime(d: Date | number | undefined): string {
  return d === undefined ? '—' : dateTime.format(d);
}

export function formatDate(d: Date | number | undefined): string {
  return d === undefined ? '—' : dateOnly.format(d);
}

export function isoString(d: Date | number | undefined): string | undefined {
  return d === undefined ? undefined : new Date(d).toISOString();
}

/** A key/value row of an editable list (tags, encryption context). */
export interface KvRow {
  id: number;
  key: string;
  value: string;
}

let nextRowId = 1;
export const newRow = (key = '', value = ''): KvRow => ({ id: nextRowId++, key, value });

/** Rows to an encryption context map; blank rows are ignored. */
export function rowsToMap(rows: KvRow[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rows) if (r.key.trim() !== '' || r.value !== '') out[r.key] = r.value;
  return out;
}

/** Describes what is wrong with key/value rows (empty key, repeated key), or undefined. */
export function rowsProblem(rows: KvRow[], noun: string): string | undefined {
  const seen = new Set<string>();
  for (const [i, r] of rows.entries()) {
    if (r.key.trim() === '' && r.value === '') continue;
    if (r.key === '') return `${noun} ${i + 1} has a value but no key; give it a key or remove the row.`;
    if (seen.has(r.key)) return `The key "${r.key}" appears twice; each ${noun.toLowerCase()} key can appear once.`;
    seen.add(r.key);
  }
  return undefined;
}

/** A size as people read it: 512 B, 3.4 KiB, 120.0 MiB, 1.5 GiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(1)} GiB`;
}
