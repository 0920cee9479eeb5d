// The text encodings just-bash's filesystem interface names (Node's BufferEncoding subset), for a
// filesystem that stores bytes: utf8 by default, binary/latin1 one byte per char, ascii, hex, base64.

import type { BufferEncoding, FileContent } from 'just-bash/browser';
import { bytesOfLatin1, latin1OfBytes } from './adapter';

export type Encoding = BufferEncoding;

export function decodeAs(bytes: Uint8Array, encoding: Encoding | null): string {
  switch (encoding) {
    case 'binary':
    case 'latin1':
      return latin1OfBytes(bytes);
    case 'ascii':
      return latin1OfBytes(bytes.map((b) => b & 0x7f));
    case 'hex':
      return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    case 'base64':
      return btoa(latin1OfBytes(bytes));
    default:
      return new TextDecoder().decode(bytes);
  }
}

export function encodeAs(content: FileContent, encoding: Encoding | undefined): Uint8Array {
  if (typeof content !== 'string') return content;
  switch (encoding) {
    case 'binary':
    case 'latin1':
    case 'ascii':
      return bytesOfLatin1(content);
    case 'hex':
      return Uint8Array.from(content.match(/[0-9a-fA-F]{2}/g) ?? [], (h) => parseInt(h, 16));
    case 'base64':
      return bytesOfLatin1(atob(content));
    default:
      return new TextEncoder().encode(content);
  }
}
