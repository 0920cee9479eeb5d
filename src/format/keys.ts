// Data key → message key (specification framework/algorithm-suites.md, "Key Derivation" and
// "Key Commitment"), with WebCrypto HKDF so the derived AES key is a non-extractable CryptoKey.
import { concat, equalBytes, own, uint16, utf8Encode } from './bytes';
import { CommitmentMismatchError, UnsupportedFormatError } from './errors';
import { COMMITMENT_LENGTH, suiteHex, type AlgorithmSuite } from './suites';

const DERIVEKEY = utf8Encode('DERIVEKEY');
const COMMITKEY = utf8Encode('COMMITKEY');

export interface MessageKey {
  key: CryptoKey;
  /** Key commitment for committing suites. */
  commitment?: Uint8Array;
}

async function aesKey(suite: AlgorithmSuite, derive: (alg: AesKeyAlgorithm) => Promise<CryptoKey>): Promise<CryptoKey> {
  try {
    return await derive({ name: 'AES-GCM', length: suite.keyBytes * 8 });
  } catch {
    // Chromium has no 192-bit AES.
    throw new UnsupportedFormatError(
      `Algorithm suite ${suiteHex(suite.id)} (${suite.keyBytes * 8}-bit AES) is not supported by this browser's WebCrypto.`,
    );
  }
}

/**
 * Derives the message's AES-GCM key (non-extractable, encrypt and decrypt) and, for committing
 * suites, the commitment. The caller should wipe `dataKey` afterwards.
 */
export async function deriveMessageKey(
  suite: AlgorithmSuite,
  dataKey: Uint8Array,
  messageId: Uint8Array,
): Promise<MessageKey> {
  /* Precondition: the data key has the suite's length. */
  if (dataKey.length !== suite.keyBytes)
    throw new RangeError(`"dataKey" expected ${suite.keyBytes} bytes, got ${dataKey.length}`);
  const usages: KeyUsage[] = ['encrypt', 'decrypt'];
  if (!suite.kdf)
    return { key: await aesKey(suite, (alg) => crypto.subtle.importKey('raw', own(dataKey), alg, false, usages)) };
  const ikm = await crypto.subtle.importKey('raw', own(dataKey), 'HKDF', false, ['deriveKey', 'deriveBits']);
  if (!suite.commitment) {
    // Format 1: no salt (RFC 5869 treats it as HashLen zeros), info = suite ID ‖ message ID.
    const info = concat([uint16(suite.id), messageId]);
    const params = { name: 'HKDF', hash: suite.kdf, salt: new Uint8Array(0), info: own(info) };
    return { key: await aesKey(suite, (alg) => crypto.subtle.deriveKey(params, ikm, alg, false, usages)) };
  }
  // Format 2: salt = message ID; key info = suite ID ‖ "DERIVEKEY", commitment info = "COMMITKEY".
  const salt = own(messageId);
  const commitment = new Uint8Array(
    await crypto.subtle.deriveBits(
      { name: 'HKDF', hash: suite.kdf, salt, info: own(COMMITKEY) },
      ikm,
      COMMITMENT_LENGTH * 8,
    ),
  );
  const info = own(concat([uint16(suite.id), DERIVEKEY]));
  const key = await aesKey(suite, (alg) =>
    crypto.subtle.deriveKey({ name: 'HKDF', hash: suite.kdf!, salt, info }, ikm, alg, false, usages),
  );
  return { key, commitment };
}

/**
 * Derives the key and checks the header's commitment before the key is used at all.
 * @throws CommitmentMismatchError
 */
export async function deriveAndCommit(
  suite: AlgorithmSuite,
  dataKey: Uint8Array,
  messageId: Uint8Array,
  headerCommitment?: Uint8Array,
): Promise<CryptoKey> {
  const mk = await deriveMessageKey(suite, dataKey, messageId);
  if (suite.commitment && (!headerCommitment || !mk.commitment || !equalBytes(mk.commitment, headerCommitment)))
    throw new CommitmentMismatchError(
      'The key commitment in the header does not match the data key: this message was altered or built to decrypt differently under different keys.',
    );
  return mk.key;
}

/** AES-GCM seal: ciphertext ‖ tag. */
export async function seal(
  key: CryptoKey,
  iv: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
): Promise<Uint8Array> {
  return new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: own(iv), additionalData: own(aad), tagLength: 128 },
      key,
      own(plaintext),
    ),
  );
}

/** AES-GCM open; undefined when authentication fails. */
export async function open(
  key: CryptoKey,
  iv: Uint8Array,
  aad: Uint8Array,
  sealed: Uint8Array,
): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: own(iv), additionalData: own(aad), tagLength: 128 },
        key,
        own(sealed),
      ),
    );
  } catch {
    return undefined;
  }
}
