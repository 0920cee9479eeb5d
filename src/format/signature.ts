// Footer signatures (specification data-format/message-footer.md): ECDSA over the hash of the
// header and body, computed incrementally so a message is never buffered to sign or verify it.
// The public key travels in the encryption context as 'aws-crypto-public-key' (base64 of the
// compressed point), as the ESDK writes it.
import { p256, p384 } from '@noble/curves/nist.js';
import { sha256, sha384 } from '@noble/hashes/sha2.js';
import { fromBase64, toBase64 } from './bytes';
import { SignatureError } from './errors';
import type { AlgorithmSuite } from './suites';

export const PUBLIC_KEY_CONTEXT_KEY = 'aws-crypto-public-key';

type Curve = NonNullable<AlgorithmSuite['signature']>;
const CURVES = { 'P-256': { ecdsa: p256, hash: sha256 }, 'P-384': { ecdsa: p384, hash: sha384 } } as const;

export interface Signer {
  /** Base64 compressed public key for the encryption context. */
  publicKey: string;
  update(bytes: Uint8Array): void;
  /** DER signature of everything updated so far; the private key is wiped afterwards. */
  sign(): Uint8Array;
}

export function createSigner(curve: Curve): Signer {
  const { ecdsa, hash } = CURVES[curve];
  const { secretKey, publicKey } = ecdsa.keygen();
  const h = hash.create();
  return {
    publicKey: toBase64(publicKey),
    update: (b) => void h.update(b),
    sign() {
      const sig = ecdsa.sign(h.digest(), secretKey, { prehash: false, format: 'der' });
      secretKey.fill(0);
      return sig;
    },
  };
}

export interface Verifier {
  update(bytes: Uint8Array): void;
  /** @throws SignatureError */
  verify(signature: Uint8Array): void;
}

/** @throws SignatureError when the context has no usable public key. */
export function createVerifier(curve: Curve, publicKeyB64: string | undefined): Verifier {
  const { ecdsa, hash } = CURVES[curve];
  let pub: Uint8Array;
  try {
    pub = fromBase64(publicKeyB64 ?? '');
    ecdsa.Point.fromBytes(pub);
  } catch {
    throw new SignatureError(
      `The message is signed but its encryption context has no valid '${PUBLIC_KEY_CONTEXT_KEY}'.`,
    );
  }
  const h = hash.create();
  return {
    update: (b) => void h.update(b),
    verify(signature) {
      let ok = false;
      try {
        // Other ESDKs (OpenSSL, Java) may write high-S signatures: both halves are valid ECDSA.
        ok = ecdsa.verify(signature, h.digest(), pub, { prehash: false, format: 'der', lowS: false });
      } catch {
        ok = false;
      }
      if (!ok)
        throw new SignatureError('The message signature does not verify: the file was changed after it was signed.');
    },
  };
}
