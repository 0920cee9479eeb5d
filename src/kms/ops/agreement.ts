// DeriveSharedSecret: ECDH (NIST SP 800-56A §5.7.1.2, the raw x-coordinate) between a KEY_AGREEMENT
// key's private key and a peer's public key given as DER SubjectPublicKeyInfo on the same curve.

import { withKey } from '../asymmetric';
import { SPECS } from '../asymmetric';
import type { OpContext } from '../context';
import { ValidationException } from '../errors';
import { optEnum, reqBlob, reqString, type Req } from '../validate';
import { commonFields } from './crypto';

const BITS = { 'P-256': 256, 'P-384': 384, 'P-521': 528 } as const;

/**
 * @throws InvalidKeyUsageException (not KEY_AGREEMENT), ValidationException (a public key that is not an SPKI point on the key's curve).
 */
export async function deriveSharedSecret(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const alg = optEnum(req, 'KeyAgreementAlgorithm', ['ECDH'] as const);
  if (alg === undefined)
    throw new ValidationException(
      `1 validation error detected: Value at 'keyAgreementAlgorithm' failed to satisfy constraint: Member must not be null`,
    );
  const peer = reqBlob(req, 'PublicKey', 1, 8192);
  commonFields(req);
  let secret: Uint8Array | undefined;
  try {
    return await withKey(
      c,
      id,
      ['KEY_AGREEMENT'],
      async (p) => {
        const curve = SPECS[p.key.keySpec].curve!;
        let pub: CryptoKey;
        try {
          pub = await crypto.subtle.importKey(
            'spki',
            peer as Uint8Array<ArrayBuffer>,
            { name: 'ECDH', namedCurve: curve },
            false,
            [],
          );
        } catch {
          throw new ValidationException(
            `PublicKey must be a DER SubjectPublicKeyInfo of a point on ${curve}, the curve of ${p.key.arn}.`,
          );
        }
        secret = new Uint8Array(
          await crypto.subtle.deriveBits({ name: 'ECDH', public: pub }, p.material.cryptoKeys.ECDH!, BITS[curve]),
        );
        return secret;
      },
      (key, s) => ({ KeyId: key.arn, SharedSecret: s, KeyAgreementAlgorithm: alg, KeyOrigin: 'AWS_KMS' as const }),
    );
  } catch (e) {
    secret?.fill(0);
    throw e;
  }
}
