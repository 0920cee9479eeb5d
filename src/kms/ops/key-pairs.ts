// GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext: a fresh key pair for use outside
// KMS, its PKCS#8 private key sealed under a symmetric KMS key (ciphertext blob, FORMAT.md) with the
// encryption context, and its public key as DER SubjectPublicKeyInfo.

import { secp256k1 } from '@noble/curves/secp256k1.js';
import { encodeSecp256k1Pkcs8, encodeSpki, OID } from '../asymmetric';
import { ed25519Pair, hasWebCryptoEd25519 } from '../asymmetric';
import { AWS_DATA_KEY_PAIR_SPECS, DATA_KEY_PAIR_SPECS, SPECS } from '../asymmetric';
import type { OpContext } from '../context';
import { UnsupportedOperationException, ValidationException } from '../errors';
import type { KeySpec } from '../records';
import { confirmSeal, prepareSeal, retryStale } from '../material';
import { optContext, optEnum, reqString, type Req } from '../validate';
import { commonFields } from './crypto';

type PairSpec = (typeof DATA_KEY_PAIR_SPECS)[number];

/** A new key pair: PKCS#8 private key (the caller zeroes it) and SPKI public key. */
export async function generateDataKeyPairBytes(
  spec: PairSpec,
  random: (n: number) => Uint8Array,
): Promise<{ privateKey: Uint8Array; publicKey: Uint8Array }> {
  const info = SPECS[spec as KeySpec];
  if (info.family === 'secp256k1') {
    const d = secp256k1.utils.randomSecretKey(random(48));
    const point = secp256k1.getPublicKey(d, false);
    const privateKey = encodeSecp256k1Pkcs8(d, point);
    d.fill(0);
    return { privateKey, publicKey: encodeSpki(OID.ecPublicKey, point, OID.secp256k1) };
  }
  let pair: CryptoKeyPair;
  if (info.family === 'rsa') {
    pair = await crypto.subtle.generateKey(
      { name: 'RSA-PSS', modulusLength: info.bits!, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    );
  } else if (info.family === 'ecc-nist') {
    pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: info.curve! }, true, ['sign', 'verify']);
  } else if (await hasWebCryptoEd25519()) {
    pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  } else {
    const k = ed25519Pair({ bytes: random });
    return { privateKey: k.secret, publicKey: k.publicKey };
  }
  return {
    privateKey: new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey)),
    publicKey: new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey)),
  };
}

function readSpec(req: Req): PairSpec {
  const spec = optEnum(req, 'KeyPairSpec', AWS_DATA_KEY_PAIR_SPECS);
  if (spec === undefined)
    throw new ValidationException(
      `1 validation error detected: Value at 'keyPairSpec' failed to satisfy constraint: Member must not be null`,
    );
  if (!(DATA_KEY_PAIR_SPECS as readonly string[]).includes(spec)) {
    throw new UnsupportedOperationException(`KeyPairSpec ${spec} is not supported by Pocket KMS (see docs/API.md).`);
  }
  return spec as PairSpec;
}

async function generate(c: OpContext, req: Req, withPlaintext: boolean) {
  const ctx = optContext(req, 'EncryptionContext');
  const id = reqString(req, 'KeyId');
  const spec = readSpec(req);
  commonFields(req);
  const { privateKey, publicKey } = await generateDataKeyPairBytes(spec, (n) => c.env.random.bytes(n));
  try {
    const r = await retryStale(async () => {
      const s = await prepareSeal(c, id, privateKey, ctx);
      return c.write(async (tx) => {
        const key = await confirmSeal(c, tx, s);
        return {
          PrivateKeyCiphertextBlob: s.blob,
          PublicKey: publicKey,
          KeyId: key.arn,
          KeyPairSpec: spec,
          KeyMaterialId: s.materialId,
        };
      });
    });
    if (!withPlaintext) return r;
    return {
      PrivateKeyCiphertextBlob: r.PrivateKeyCiphertextBlob,
      PrivateKeyPlaintext: privateKey,
      PublicKey: r.PublicKey,
      KeyId: r.KeyId,
      KeyPairSpec: r.KeyPairSpec,
      KeyMaterialId: r.KeyMaterialId,
    };
  } catch (e) {
    privateKey.fill(0);
    throw e;
  } finally {
    if (!withPlaintext) privateKey.fill(0);
  }
}

/** @throws InvalidKeyUsageException when KeyId is not a symmetric encryption key; UnsupportedOperationException for SM2 and ML-KEM pairs. */
export const generateDataKeyPair = (c: OpContext, req: Req) => generate(c, req, true);
export const generateDataKeyPairWithoutPlaintext = (c: OpContext, req: Req) => generate(c, req, false);
