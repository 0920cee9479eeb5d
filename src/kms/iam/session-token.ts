// Session tokens of STS's temporary credentials: an opaque random token given once with the credentials
// and kept only as its SHA-256, and what a session carries into the caller (creation time, session tags,
// session policy).
import { toHex } from '../../format/bytes';
import type { CallerSession } from '../ids';
import type { SessionRecord } from '../records';

const sha256Hex = async (s: string) =>
  toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s))));

export const tokenHash = sha256Hex;

/** Whether `token` is the session's (compared by hash; a missing token never matches). */
export async function sessionTokenMatches(s: SessionRecord, token: string | undefined): Promise<boolean> {
  return token !== undefined && (await sha256Hex(token)) === s.tokenHash;
}

export function callerSession(s: SessionRecord, createdAt: number): CallerSession {
  return {
    createdAt,
    ...(s.tags?.length ? { tags: Object.fromEntries(s.tags.map((t) => [t.TagKey, t.TagValue])) } : {}),
    ...(s.policy !== undefined ? { policy: s.policy } : {}),
    ...(s.transitiveTagKeys?.length ? { transitiveTagKeys: s.transitiveTagKeys } : {}),
  };
}
