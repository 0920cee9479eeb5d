// Encrypt and Decrypt with RSA ENCRYPT_DECRYPT keys: RSAES-OAEP (RFC 8017 §7.1) with SHA-1 or
// SHA-256 and MGF1 of the same hash, as AWS KMS. The ciphertext is the raw OAEP output (the key's
// modulus length); there is no encryption context, and Decrypt must name the key.

import { prepareKey, withKey } from '../asymmetric';
import { oaepLimit, SPECS, type RsaEncryptionAlgorithm } from '../asymmetric';
import type { OpContext } from '../context';
import { InvalidCiphertextException, ValidationException } from '../errors';
import type { CachedPair } from '../material';
import type { Req } from '../validate';

const hashOf = (alg: RsaEncryptionAlgorithm) => (alg === 'RSAES_OAEP_SHA_1' ? 'SHA-1' : 'SHA-256');

export function refuseContext(req: Req, field = 'EncryptionContext'): void {
  const ctx = req[field];
  if (ctx !== undefined && ctx !== null && (typeof ctx !== 'object' || Object.keys(ctx).length > 0)) {
    throw new ValidationException(`${field} is not supported with asymmetric KMS keys; leave it out.`);
  }
}

function requireRsa(p: CachedPair, alg: RsaEncryptionAlgorithm): void {
  if (SPECS[p.key.keySpec].family !== 'rsa') {
    throw new ValidationException(`${alg} needs an RSA key; ${p.key.arn} is ${p.key.keySpec}.`);
  }
}

/** RSAES-OAEP encryption with the key's public key, after AWS's plaintext limit check. */
async function oaepEncrypt(p: CachedPair, plaintext: Uint8Array, alg: RsaEncryptionAlgorithm): Promise<Uint8Array> {
  requireRsa(p, alg);
  const limit = oaepLimit(SPECS[p.key.keySpec].bits!, alg);
  if (plaintext.length > limit) {
    throw new ValidationException(
      `Plaintext is too long for ${p.key.keySpec} with ${alg}: at most ${limit} bytes, got ${plaintext.length}.`,
    );
  }
  const pub = await crypto.subtle.importKey(
    'spki',
    p.material.publicKey! as Uint8Array<ArrayBuffer>,
    { name: 'RSA-OAEP', hash: hashOf(alg) },
    false,
    ['encrypt'],
  );
  return new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, pub, plaintext as Uint8Array<ArrayBuffer>));
}

/** RSAES-OAEP decryption with the key's non-extractable private key. */
async function oaepDecrypt(p: CachedPair, blob: Uint8Array, alg: RsaEncryptionAlgorithm): Promise<Uint8Array> {
  requireRsa(p, alg);
  try {
    return new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'RSA-OAEP' },
        p.material.cryptoKeys[`RSA-OAEP/${hashOf(alg)}`]!,
        blob as Uint8Array<ArrayBuffer>,
      ),
    );
  } catch {
    throw new InvalidCiphertextException(`The ciphertext could not be decrypted with ${p.key.arn} and ${alg}.`);
  }
}

/** The halves ReEncrypt needs: crypto with a prepared key; the caller confirms the key in its transaction. */
export async function rsaSeal(
  c: OpContext,
  id: string,
  plaintext: Uint8Array,
  alg: RsaEncryptionAlgorithm,
  side?: 'destination',
) {
  const p = await prepareKey(c, id, ['ENCRYPT_DECRYPT'], side);
  return { p, blob: await oaepEncrypt(p, plaintext, alg) };
}

export async function rsaOpen(c: OpContext, id: string, blob: Uint8Array, alg: RsaEncryptionAlgorithm) {
  const p = await prepareKey(c, id, ['ENCRYPT_DECRYPT']);
  return { p, plaintext: await oaepDecrypt(p, blob, alg) };
}

/** Encrypt with EncryptionAlgorithm RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256 (request already read). */
export async function rsaEncrypt(
  c: OpContext,
  req: Req,
  id: string,
  plaintext: Uint8Array,
  alg: RsaEncryptionAlgorithm,
) {
  refuseContext(req);
  return withKey(
    c,
    id,
    ['ENCRYPT_DECRYPT'],
    (p) => oaepEncrypt(p, plaintext, alg),
    (key, blob) => ({ CiphertextBlob: blob, KeyId: key.arn, EncryptionAlgorithm: alg }),
  );
}

/** Decrypt with an RSA key: KeyId is required, as in AWS. The plaintext is zeroed if the call fails its checks. */
export async function rsaDecrypt(
  c: OpContext,
  req: Req,
  keyId: string | undefined,
  blob: Uint8Array,
  alg: RsaEncryptionAlgorithm,
) {
  if (keyId === undefined)
    throw new ValidationException(`KeyId is required when decrypting with ${alg} (an asymmetric KMS key).`);
  refuseContext(req);
  let plaintext: Uint8Array | undefined;
  try {
    return await withKey(
      c,
      keyId,
      ['ENCRYPT_DECRYPT'],
      async (p) => (plaintext = await oaepDecrypt(p, blob, alg)),
      (key, pt) => ({ KeyId: key.arn, Plaintext: pt, EncryptionAlgorithm: alg }),
    );
  } catch (e) {
    plaintext?.fill(0);
    throw e;
  }
}
