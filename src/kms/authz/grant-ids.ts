// Grant IDs and grant tokens. A grant ID is 64 hex digits, as AWS's; a grant token is opaque to
// callers: base64url of a version byte, the grant ID's 32 bytes and 16 random bytes, so every
// CreateGrant returns a new token even for the same grant (as AWS), and a token names its grant.

import { fromBase64Url, fromHex, toBase64Url, toHex as hex } from '../../format/bytes';
import { InvalidGrantIdException, InvalidGrantTokenException } from '../errors';

const TOKEN_VERSION = 1;

export function newGrantId(random: Uint8Array): string {
  if (random.length !== 32) throw new RangeError('A grant ID takes 32 random bytes.');
  return hex(random);
}

/** @throws InvalidGrantIdException for anything but 64 hex digits. */
export function checkGrantId(id: string): void {
  if (!/^[0-9a-f]{64}$/.test(id))
    throw new InvalidGrantIdException(
      `'${id.slice(0, 80)}' is not a valid grant ID: a grant ID is 64 hexadecimal digits.`,
    );
}

export function grantToken(grantId: string, random: Uint8Array): string {
  const bytes = new Uint8Array(49);
  bytes[0] = TOKEN_VERSION;
  const id = fromHex(grantId);
  /* Precondition: the grant ID is 64 hex digits (it is 32 bytes of the token). */
  if (id?.length !== 32) throw new RangeError(`"grantId" expected 64 hex digits, got '${grantId.slice(0, 80)}'`);
  bytes.set(id, 1);
  bytes.set(random.subarray(0, 16), 33);
  return toBase64Url(bytes);
}

/** The grant ID a token names.
 * @throws InvalidGrantTokenException for a token this keystore did not issue. */
export function parseGrantToken(token: string): string {
  const bad = () => new InvalidGrantTokenException('The grant token is not valid: it is not one this keystore issued.');
  if (!/^[A-Za-z0-9_-]{66}$/.test(token)) throw bad();
  const bytes = fromBase64Url(token);
  if (bytes.length !== 49 || bytes[0] !== TOKEN_VERSION) throw bad();
  return hex(bytes.subarray(1, 33));
}

/** Every token in a request's GrantTokens must be one this keystore issued. Grants here take effect
 * at once, so a valid token adds nothing to the decision; an invalid one is refused, as in AWS.
 * @throws InvalidGrantTokenException */
export function checkGrantTokens(request: unknown): void {
  const tokens =
    request && typeof request === 'object' ? (request as { GrantTokens?: unknown }).GrantTokens : undefined;
  if (Array.isArray(tokens)) for (const t of tokens) if (typeof t === 'string') parseGrantToken(t);
}
