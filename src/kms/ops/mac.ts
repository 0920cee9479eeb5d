// GenerateMac and VerifyMac for HMAC keys (RFC 2104): messages of 1–4096 bytes, one MAC algorithm
// per key spec. HMAC_256/384/512 use the key's non-extractable WebCrypto key; HMAC_224 (no SHA-224
// in WebCrypto) unseals its key into @noble/hashes for the call.

import { hmac } from '@noble/hashes/hmac.js';
import { sha224 } from '@noble/hashes/sha2.js';
import type { OpContext } from '../context';
import { withKey, withSecret } from '../asymmetric';
import { MAC_ALGORITHMS, macAlgorithmOf, type MacAlgorithm } from '../asymmetric';
import { InvalidKeyUsageException, KMSInvalidMacException, ValidationException } from '../errors';
import type { CachedPair } from '../material';
import { optEnum, reqBlob, reqString, type Req } from '../validate';
import { commonFields } from './crypto';

function readAlgorithm(req: Req): MacAlgorithm {
  const alg = optEnum(req, 'MacAlgorithm', MAC_ALGORITHMS);
  if (alg === undefined)
    throw new ValidationException(
      `1 validation error detected: Value at 'macAlgorithm' failed to satisfy constraint: Member must not be null`,
    );
  return alg;
}

function checkAlgorithm(p: CachedPair, alg: MacAlgorithm): void {
  const own = macAlgorithmOf(p.key.keySpec);
  if (own !== alg)
    throw new InvalidKeyUsageException(`${p.key.arn} (${p.key.keySpec}) supports MAC algorithm ${own}, not ${alg}.`);
}

async function mac(c: OpContext, p: CachedPair, message: Uint8Array): Promise<Uint8Array> {
  const key = p.material.cryptoKeys.HMAC;
  if (key) return new Uint8Array(await crypto.subtle.sign('HMAC', key, message as Uint8Array<ArrayBuffer>));
  return withSecret(c, p, (secret) => hmac(sha224, secret, message));
}

/** Constant-time comparison of equal-length byte strings. */
function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/**
 * GenerateMac: the HMAC of a message under an HMAC key.
 * @throws InvalidKeyUsageException (not an HMAC key, or another MAC algorithm), DisabledException, NotFoundException.
 */
export async function generateMac(c: OpContext, req: Req) {
  const message = reqBlob(req, 'Message', 1, 4096);
  const id = reqString(req, 'KeyId');
  const alg = readAlgorithm(req);
  commonFields(req);
  return withKey(
    c,
    id,
    ['GENERATE_VERIFY_MAC'],
    async (p) => {
      checkAlgorithm(p, alg);
      return mac(c, p, message);
    },
    (key, m) => ({ Mac: m, MacAlgorithm: alg, KeyId: key.arn }),
  );
}

/**
 * VerifyMac: checks a MAC by computing it again.
 * @throws KMSInvalidMacException when it does not match.
 */
export async function verifyMac(c: OpContext, req: Req) {
  const message = reqBlob(req, 'Message', 1, 4096);
  const id = reqString(req, 'KeyId');
  const alg = readAlgorithm(req);
  const given = reqBlob(req, 'Mac', 1, 6144);
  commonFields(req);
  return withKey(
    c,
    id,
    ['GENERATE_VERIFY_MAC'],
    async (p) => {
      checkAlgorithm(p, alg);
      const m = await mac(c, p, message);
      return same(m, given);
    },
    (key, ok) => {
      if (!ok) throw new KMSInvalidMacException(`The MAC does not match this message under ${key.arn} and ${alg}.`);
      return { KeyId: key.arn, MacValid: true, MacAlgorithm: alg };
    },
  );
}
