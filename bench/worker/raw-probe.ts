// Diagnostics for `npm run bench`: the same signatures as Sign / Verify, made directly with WebCrypto
// (or @noble/curves for secp256k1) on a fresh key in this worker, with no KMS around them: the ceiling.

import { secp256k1 } from '@noble/curves/secp256k1.js';

export type ProbeSpec = 'RSA_2048' | 'ECC_NIST_P256' | 'ECC_SECG_P256K1' | 'ECC_NIST_EDWARDS25519' | 'HMAC_256';

/** Mean milliseconds per sign and per verify of a 100-byte message, each timed over the whole loop
 * (one call can be shorter than the timer's resolution). */
export async function rawSignVerify(spec: ProbeSpec, iterations: number): Promise<{ sign: number; verify: number }> {
  const msg = crypto.getRandomValues(new Uint8Array(100));
  let sign: () => Promise<Uint8Array>;
  let verify: (s: Uint8Array) => Promise<boolean>;
  if (spec === 'ECC_SECG_P256K1') {
    const d = secp256k1.utils.randomSecretKey();
    const pub = secp256k1.getPublicKey(d, false);
    sign = async () => secp256k1.sign(msg, d, { format: 'der' });
    verify = async (s) => secp256k1.verify(s, msg, pub, { format: 'der', lowS: false });
  } else {
    const alg = {
      RSA_2048: {
        gen: {
          name: 'RSASSA-PKCS1-v1_5',
          modulusLength: 2048,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: 'SHA-256',
        },
        op: { name: 'RSASSA-PKCS1-v1_5' },
      },
      ECC_NIST_P256: { gen: { name: 'ECDSA', namedCurve: 'P-256' }, op: { name: 'ECDSA', hash: 'SHA-256' } },
      ECC_NIST_EDWARDS25519: { gen: { name: 'Ed25519' }, op: { name: 'Ed25519' } },
      HMAC_256: { gen: { name: 'HMAC', hash: 'SHA-256' }, op: { name: 'HMAC' } },
    }[spec];
    const k = (await crypto.subtle.generateKey(alg.gen, false, ['sign', 'verify'])) as CryptoKeyPair | CryptoKey;
    const [priv, pub] = 'privateKey' in k ? [k.privateKey, k.publicKey] : [k, k];
    sign = async () => new Uint8Array(await crypto.subtle.sign(alg.op, priv, msg));
    verify = (s) => crypto.subtle.verify(alg.op, pub, s as Uint8Array<ArrayBuffer>, msg);
  }
  let s = await sign();
  let t = performance.now();
  for (let i = 0; i < iterations; i++) s = await sign();
  const signMs = (performance.now() - t) / iterations;
  t = performance.now();
  for (let i = 0; i < iterations; i++) await verify(s);
  return { sign: signMs, verify: (performance.now() - t) / iterations };
}
