// Streams bytes through a hash for Sign / Verify of files: SHA-2 for MessageType DIGEST, or the ML-DSA
// message representative μ = SHAKE256(SHAKE256(pk, 64) ‖ 0x00 ‖ 0x00 ‖ M, 64) (FIPS 204 §6.2, pure
// ML-DSA with an empty context) for EXTERNAL_MU. WebCrypto has no incremental digest, so @noble/hashes.

import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { shake256 } from '@noble/hashes/sha3.js';
import { decodeSpki } from '../../format/der';

export type FileDigestKind = 'SHA-256' | 'SHA-384' | 'SHA-512' | 'ML-DSA-MU';

/** Hashes `stream` chunk by chunk; `publicKey` (SPKI DER) is required for ML-DSA-MU. */
export async function digestStream(
  stream: ReadableStream<Uint8Array>,
  kind: FileDigestKind,
  publicKey?: Uint8Array,
): Promise<Uint8Array> {
  let h;
  if (kind === 'ML-DSA-MU') {
    if (!publicKey) throw new Error('"publicKey" is required for ML-DSA-MU');
    h = shake256.create({ dkLen: 64 });
    h.update(shake256(decodeSpki(publicKey).key, { dkLen: 64 }));
    h.update(new Uint8Array([0, 0]));
  } else {
    h = { 'SHA-256': sha256, 'SHA-384': sha384, 'SHA-512': sha512 }[kind].create();
  }
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    h.update(value);
  }
  return h.digest();
}
