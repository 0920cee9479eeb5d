// Sign, Verify and GetPublicKey for asymmetric keys, with AWS's message rules: RAW messages up to
// 4096 bytes; DIGEST as long as the algorithm's hash; EXTERNAL_MU (ML-DSA only) 64 bytes;
// ED25519_SHA_512 only RAW and ED25519_PH_SHA_512 only DIGEST (KMS API reference, Sign).

import { withKey } from '../asymmetric';
import { sign, verify, type MessageType } from '../asymmetric';
import { algorithmLists, SIGNING_ALGORITHMS, signingHash, SPECS, type SigningAlgorithm } from '../asymmetric';
import type { OpContext } from '../context';
import {
  InvalidKeyUsageException,
  KMSInvalidSignatureException,
  UnsupportedOperationException,
  ValidationException,
} from '../errors';
import type { CachedPair } from '../material';
import { optEnum, optStringList, reqBlob, reqString, type Req } from '../validate';
import { commonFields } from './crypto';

const MESSAGE_TYPES = ['RAW', 'DIGEST', 'EXTERNAL_MU'] as const;
const ASYMMETRIC_USAGES = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT', 'ENCAPSULATE_DECAPSULATE'] as const;

function readAlgorithm(req: Req): SigningAlgorithm {
  const alg = optEnum(req, 'SigningAlgorithm', SIGNING_ALGORITHMS);
  if (alg === undefined)
    throw new ValidationException(
      `1 validation error detected: Value at 'signingAlgorithm' failed to satisfy constraint: Member must not be null`,
    );
  return alg;
}

/** AWS's checks of the algorithm against the key, then of the message against the algorithm. */
function checkMessage(p: CachedPair, alg: SigningAlgorithm, type: MessageType, message: Uint8Array): void {
  const info = SPECS[p.key.keySpec];
  if (!info.signing?.includes(alg)) {
    throw new InvalidKeyUsageException(
      `${p.key.arn} (${p.key.keySpec}) does not support signing algorithm ${alg}; it supports ${(info.signing ?? []).join(', ')}.`,
    );
  }
  if (type === 'EXTERNAL_MU') {
    if (info.family !== 'ml-dsa')
      throw new ValidationException(
        `MessageType EXTERNAL_MU is only for ML-DSA keys; ${p.key.keySpec} takes RAW or DIGEST.`,
      );
    if (message.length !== 64)
      throw new ValidationException(`An EXTERNAL_MU message must be 64 bytes (FIPS 204 μ); got ${message.length}.`);
    return;
  }
  if (info.family === 'ml-dsa' && type === 'DIGEST')
    throw new ValidationException('ML_DSA_SHAKE_256 takes MessageType RAW or EXTERNAL_MU, not DIGEST.');
  if (alg === 'ED25519_SHA_512' && type !== 'RAW')
    throw new ValidationException('ED25519_SHA_512 requires MessageType RAW.');
  if (alg === 'ED25519_PH_SHA_512' && type !== 'DIGEST')
    throw new ValidationException('ED25519_PH_SHA_512 requires MessageType DIGEST.');
  if (type === 'DIGEST') {
    const want = signingHash(alg)!.length;
    if (message.length !== want)
      throw new ValidationException(
        `Digest is invalid length for algorithm ${alg}: expected ${want} bytes, got ${message.length}.`,
      );
  }
}

function readMessage(req: Req): { message: Uint8Array; type: MessageType } {
  const message = reqBlob(req, 'Message', 1, 4096);
  const type = optEnum(req, 'MessageType', MESSAGE_TYPES) ?? 'RAW';
  return { message, type };
}

/**
 * Sign: signs a message or digest with an asymmetric SIGN_VERIFY key.
 * @throws InvalidKeyUsageException (not SIGN_VERIFY, or an algorithm the key lacks), ValidationException, DisabledException, NotFoundException.
 */
export async function signOp(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const { message, type } = readMessage(req);
  const alg = readAlgorithm(req);
  commonFields(req);
  return withKey(
    c,
    id,
    ['SIGN_VERIFY'],
    async (p) => {
      checkMessage(p, alg, type, message);
      return sign(c, p, alg, type, message);
    },
    (key, signature) => ({ KeyId: key.arn, Signature: signature, SigningAlgorithm: alg }),
  );
}

/**
 * Verify: checks a signature with the key's public key.
 * @throws KMSInvalidSignatureException when the signature is not valid for the message, key and algorithm.
 */
export async function verifyOp(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const { message, type } = readMessage(req);
  const signature = reqBlob(req, 'Signature', 1, 6144);
  const alg = readAlgorithm(req);
  commonFields(req);
  return withKey(
    c,
    id,
    ['SIGN_VERIFY'],
    async (p) => {
      checkMessage(p, alg, type, message);
      return verify(p, alg, type, message, signature);
    },
    (key, ok) => {
      // The failure is this call's answer and its audit record, so it is thrown inside the transaction.
      if (!ok)
        throw new KMSInvalidSignatureException(`The signature is not valid for this message, ${key.arn} and ${alg}.`);
      return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: alg };
    },
  );
}

/**
 * GetPublicKey: the DER SubjectPublicKeyInfo of an asymmetric key, with its spec, usage and algorithms.
 * @throws UnsupportedOperationException for symmetric and HMAC keys (they have no public key).
 */
export async function getPublicKey(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  optStringList(req, 'GrantTokens', 10);
  const pair = await c.env.store.read((tx) => c.resolve(tx, id));
  if (!(ASYMMETRIC_USAGES as readonly string[]).includes(pair.keyUsage) || SPECS[pair.keySpec].family === 'symmetric') {
    throw new UnsupportedOperationException(`${pair.arn} is a ${pair.keySpec} key, which has no public key.`);
  }
  return withKey(
    c,
    id,
    [pair.keyUsage],
    async (p) => p.material.publicKey!,
    (key, publicKey) => ({
      KeyId: key.arn,
      PublicKey: publicKey,
      CustomerMasterKeySpec: key.keySpec,
      KeySpec: key.keySpec,
      KeyUsage: key.keyUsage,
      ...algorithmLists(key.keySpec, key.keyUsage),
    }),
  );
}
