// Sign and verify for every signing key spec, producing exactly what AWS KMS returns: RSA per
// RFC 8017 (PSS salt = hash length), ECDSA as DER (RFC 3279 §2.2.3; WebCrypto gives IEEE P1363,
// converted here), Ed25519 / Ed25519ph as RFC 8032's 64 bytes, ML-DSA per FIPS 204.
// RAW messages on browser-protected keys use their non-extractable CryptoKeys; DIGEST (which
// WebCrypto cannot sign), Ed25519ph and software specs unseal the private key for this call only.

import { ed25519, ed25519ph } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { OpContext } from '../context';
import type { CachedPair } from '../material';
import { decodePkcs8, decodeRsaPrivate, decodeRsaPublic, decodeSpki, ecPrivateScalar, readTlv } from '../../format/der';
import { hasWebCryptoEd25519, mlDsa } from './keygen';
import { withSecret } from './material';
import { rsaSignDigest, rsaVerifyDigest } from './rsa-digest';
import { signingHash, SPECS, type SigningAlgorithm } from './specs';

export type MessageType = 'RAW' | 'DIGEST' | 'EXTERNAL_MU';

const NIST = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

/** Imported public keys per cached material record (immutable), so Verify does not re-import SPKI each call. */
const publicKeys = new WeakMap<object, Map<string, CryptoKey>>();

async function publicKeyFor(
  p: CachedPair,
  alg: RsaHashedImportParams | EcKeyImportParams | Algorithm,
): Promise<CryptoKey> {
  let m = publicKeys.get(p.material);
  if (!m) publicKeys.set(p.material, (m = new Map()));
  const id = JSON.stringify(alg);
  let k = m.get(id);
  if (!k)
    m.set(
      id,
      (k = await crypto.subtle.importKey('spki', p.material.publicKey! as Uint8Array<ArrayBuffer>, alg, false, [
        'verify',
      ])),
    );
  return k;
}
const u8 = (b: Uint8Array) => b as Uint8Array<ArrayBuffer>;

function rsaScheme(alg: SigningAlgorithm) {
  const pss = alg.startsWith('RSASSA_PSS');
  const h = signingHash(alg)!;
  return { pss, hash: h.hash, saltLength: h.length, variant: `${pss ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5'}/${h.hash}` };
}

/** Signs `message` (already checked against the algorithm and message type). */
export async function sign(
  c: OpContext,
  p: CachedPair,
  alg: SigningAlgorithm,
  type: MessageType,
  message: Uint8Array,
): Promise<Uint8Array> {
  const info = SPECS[p.key.keySpec];
  const keys = p.material.cryptoKeys;
  switch (info.family) {
    case 'rsa': {
      const s = rsaScheme(alg);
      if (type === 'RAW') {
        const params = s.pss ? { name: 'RSA-PSS', saltLength: s.saltLength } : { name: 'RSASSA-PKCS1-v1_5' };
        return new Uint8Array(await crypto.subtle.sign(params, keys[s.variant]!, u8(message)));
      }
      return withSecret(c, p, (pkcs8) =>
        rsaSignDigest(
          decodeRsaPrivate(pkcs8),
          s.pss ? 'pss' : 'pkcs1',
          s.hash,
          message,
          s.pss ? c.env.random.bytes(s.saltLength) : undefined,
        ),
      );
    }
    case 'ecc-nist': {
      const curve = NIST[info.curve!];
      if (type === 'RAW') {
        const p1363 = new Uint8Array(
          await crypto.subtle.sign({ name: 'ECDSA', hash: signingHash(alg)!.hash }, keys.ECDSA!, u8(message)),
        );
        return curve.Signature.fromBytes(p1363, 'compact').toBytes('der');
      }
      return withSecret(c, p, (pkcs8) => {
        const d = ecPrivateScalar(pkcs8);
        return curve.sign(message, d, {
          prehash: false,
          lowS: false,
          format: 'der',
          extraEntropy: c.env.random.bytes(32),
        });
      });
    }
    case 'secp256k1':
      return withSecret(c, p, (d) =>
        secp256k1.sign(message, d, { prehash: type === 'RAW', format: 'der', extraEntropy: c.env.random.bytes(32) }),
      );
    case 'ed25519':
      if (alg === 'ED25519_SHA_512' && keys.Ed25519)
        return new Uint8Array(await crypto.subtle.sign('Ed25519', keys.Ed25519, u8(message)));
      // RFC 8410: the PKCS#8 privateKey holds CurvePrivateKey, itself an OCTET STRING of the 32-byte seed.
      return withSecret(c, p, (pkcs8) => {
        const seed = readTlv(decodePkcs8(pkcs8).key).value;
        try {
          return alg === 'ED25519_PH_SHA_512' ? ed25519ph.sign(message, seed) : ed25519.sign(message, seed);
        } finally {
          seed.fill(0);
        }
      });
    case 'ml-dsa': {
      const dsa = mlDsa(info.level!);
      return withSecret(c, p, (sk) =>
        type === 'EXTERNAL_MU'
          ? dsa.internal.sign(message, sk, { externalMu: true, extraEntropy: c.env.random.bytes(32) })
          : dsa.sign(message, sk, { extraEntropy: c.env.random.bytes(32) }),
      );
    }
    default:
      throw new Error(`no signer for ${p.key.keySpec}`);
  }
}

/** True when `signature` is valid; false for any malformed or wrong signature. */
export async function verify(
  p: CachedPair,
  alg: SigningAlgorithm,
  type: MessageType,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  const info = SPECS[p.key.keySpec];
  const spki = p.material.publicKey!;
  try {
    switch (info.family) {
      case 'rsa': {
        const s = rsaScheme(alg);
        if (type === 'DIGEST')
          return rsaVerifyDigest(decodeRsaPublic(spki), s.pss ? 'pss' : 'pkcs1', s.hash, message, signature);
        const name = s.pss ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5';
        const pub = await publicKeyFor(p, { name, hash: s.hash } as RsaHashedImportParams);
        return await crypto.subtle.verify(
          s.pss ? { name, saltLength: s.saltLength } : { name },
          pub,
          u8(signature),
          u8(message),
        );
      }
      case 'ecc-nist': {
        const curve = NIST[info.curve!];
        const point = decodeSpki(spki).key;
        if (type === 'DIGEST')
          return curve.verify(signature, message, point, { prehash: false, lowS: false, format: 'der' });
        const p1363 = curve.Signature.fromBytes(signature, 'der').toBytes('compact');
        const pub = await publicKeyFor(p, { name: 'ECDSA', namedCurve: info.curve! });
        return await crypto.subtle.verify({ name: 'ECDSA', hash: signingHash(alg)!.hash }, pub, u8(p1363), u8(message));
      }
      case 'secp256k1':
        return secp256k1.verify(signature, message, decodeSpki(spki).key, {
          prehash: type === 'RAW',
          lowS: false,
          format: 'der',
        });
      case 'ed25519': {
        if (alg === 'ED25519_PH_SHA_512') return ed25519ph.verify(signature, message, decodeSpki(spki).key);
        if (!p.material.cryptoKeys.Ed25519 && !(await hasWebCryptoEd25519()))
          return ed25519.verify(signature, message, decodeSpki(spki).key);
        const pub = await publicKeyFor(p, { name: 'Ed25519' });
        return await crypto.subtle.verify('Ed25519', pub, u8(signature), u8(message));
      }
      case 'ml-dsa': {
        const dsa = mlDsa(info.level!);
        const pk = decodeSpki(spki).key;
        return type === 'EXTERNAL_MU'
          ? dsa.internal.verify(signature, message, pk, { externalMu: true })
          : dsa.verify(signature, message, pk);
      }
      default:
        return false;
    }
  } catch {
    // A signature that does not parse (bad DER, wrong length) is simply not valid.
    return false;
  }
}
