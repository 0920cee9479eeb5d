// Paging of List* operations, the AWS way: Limit, an opaque Marker, NextMarker and Truncated.

import { fromBase64Url, toBase64Url } from '../../format/bytes';
import { InvalidMarkerException } from '../errors';
import { paging, type Req } from '../validate';

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
    throw new InvalidMarkerException(
      `The marker '${marker}' is not one this keystore issued; start again without Marker.`,
    );
  }
}

/**
 * Reads Limit and Marker and decodes the marker, before the call reads or writes anything: a bad
 * marker must fail the call before its audit record is written, so one call leaves one record.
 * @throws ValidationException (Limit, Marker length), InvalidMarkerException
 */
export function readPaging(req: Req, maxLimit: number, defaultLimit: number): { limit: number; after?: string } {
  const { limit, marker } = paging(req, maxLimit, defaultLimit);
  return marker === undefined ? { limit } : { limit, after: decodeMarker(marker) };
}

/** Pages an ordered list by a string sort key, the AWS way (NextMarker + Truncated). `after` is the
 * decoded marker (readPaging). */
export function page<T>(
  items: T[],
  sortKey: (t: T) => string,
  limit: number,
  after?: string,
): { items: T[]; next?: string } {
  const start = after === undefined ? 0 : items.findIndex((t) => sortKey(t) > after);
  const rest = start < 0 ? [] : items.slice(start);
  const out = rest.slice(0, limit);
  return rest.length > limit ? { items: out, next: encodeMarker(sortKey(out[out.length - 1]!)) } : { items: out };
}
