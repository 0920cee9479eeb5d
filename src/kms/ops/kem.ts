// Encapsulate and Decapsulate with ML-KEM keys (FIPS 203). Encapsulate needs only the public key;
// Decapsulate unseals the decapsulation key for the call. Implicit rejection (§6.3): a ciphertext
// of the right length always yields a secret (a pseudorandom one when altered); only a wrong length
// is InvalidCiphertextException, as AWS documents.

import { decodeSpki } from '../asymmetric';
import { mlKem } from '../asymmetric';
import { withKey, withSecret } from '../asymmetric';
import { SPECS } from '../asymmetric';
import type { OpContext } from '../context';
import { InvalidCiphertextException, ValidationException } from '../errors';
import { optEnum, reqBlob, reqString, type Req } from '../validate';
import { commonFields } from './crypto';

function readAlgorithm(req: Req): 'ML_KEM' {
  const alg = optEnum(req, 'EncapsulationAlgorithm', ['ML_KEM'] as const);
  if (alg === undefined)
    throw new ValidationException(
      `1 validation error detected: Value at 'encapsulationAlgorithm' failed to satisfy constraint: Member must not be null`,
    );
  return alg;
}

/** @throws InvalidKeyUsageException when the key is not ENCAPSULATE_DECAPSULATE. */
export async function encapsulate(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const alg = readAlgorithm(req);
  commonFields(req);
  return withKey(
    c,
    id,
    ['ENCAPSULATE_DECAPSULATE'],
    async (p) => {
      const kem = mlKem(SPECS[p.key.keySpec].level!);
      return kem.encapsulate(decodeSpki(p.material.publicKey!).key, c.env.random.bytes(32));
    },
    (key, r) => ({
      KeyId: key.arn,
      SharedSecret: r.sharedSecret,
      SharedSecretCiphertextBlob: r.cipherText,
      EncapsulationAlgorithm: alg,
    }),
  );
}

/** @throws InvalidCiphertextException only when the ciphertext has the wrong length for the key's parameter set. */
export async function decapsulate(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const blob = reqBlob(req, 'SharedSecretCiphertextBlob', 1, 6144);
  const alg = readAlgorithm(req);
  commonFields(req);
  let secret: Uint8Array | undefined;
  try {
    return await withKey(
      c,
      id,
      ['ENCAPSULATE_DECAPSULATE'],
      async (p) => {
        const kem = mlKem(SPECS[p.key.keySpec].level!);
        if (blob.length !== kem.lengths.cipherText) {
          throw new InvalidCiphertextException(
            `SharedSecretCiphertextBlob must be ${kem.lengths.cipherText} bytes for ${p.key.keySpec}; got ${blob.length}.`,
          );
        }
        secret = await withSecret(c, p, (sk) => kem.decapsulate(blob, sk));
        return secret;
      },
      (key, s) => ({ KeyId: key.arn, SharedSecret: s, EncapsulationAlgorithm: alg }),
    );
  } catch (e) {
    secret?.fill(0);
    throw e;
  }
}
