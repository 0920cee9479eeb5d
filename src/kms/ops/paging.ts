// Paging of List* operations, the AWS way: Limit, an opaque Marker, NextMarker and Truncated.

import { fromBase64Url, toBase64Url } from '../../format/bytes';
import { InvalidMarkerException } from '../errors';

/** Markers are opaque to callers: base64url of a tag and the UTF-8 of the last item's sort key.
 * UTF-8 because sort keys (tag keys) may be any Unicode, which btoa alone cannot take; the tag so
 * that a marker this keystore did not issue is refused (AWS: InvalidMarkerException), not read. */
const MARKER_TAG = 'pk1:';

export function encodeMarker(after: string): string {
  return toBase64Url(new TextEncoder().encode(MARKER_TAG + after));
}

export function decodeMarker(marker: string): string {
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(marker)) throw new Error('not base64url');
    const s = new TextDecoder('utf-8', { fatal: true }).decode(fromBase64Url(marker));
    if (!s.startsWith(MARKER_TAG) || s.length === MARKER_TAG.length) throw new Error('not ours');
    return s.slice(MARKER_TAG.length);
  } catch {
    throw new InvalidMarkerException(`The marker '${marker}' is not one this keystore issued; start again without Marker.`);
  }
}

/** Pages an ordered list by a string sort key, the AWS way (NextMarker + Truncated). */
export function page<T>(items: T[], sortKey: (t: T) => string, limit: number, marker?: string): { items: T[]; next?: string } {
  const after = marker === undefined ? undefined : decodeMarker(marker);
  const start = after === undefined ? 0 : items.findIndex((t) => sortKey(t) > after);
  const rest = start < 0 ? [] : items.slice(start);
  const out = rest.slice(0, limit);
  return rest.length > limit ? { items: out, next: encodeMarker(sortKey(out[out.length - 1]!)) } : { items: out };
}
