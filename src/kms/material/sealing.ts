// The two halves of every symmetric cryptographic call. `prepare*` does the WebCrypto work outside
// any transaction, with cached material where it can; `confirm*` runs inside the one transaction
// that also appends the audit record, and re-checks the key there (exists, usable, still the
// material in use). Results are released only after that transaction commits, so one transaction
// per call is enough and no key state change is ever missed.

import { decodeBlobHeader, openBlob, sealBlob, type BlobHeader } from './blob';
import type { OpContext } from '../context';
import {
  IncorrectKeyException,
  InvalidCiphertextException,
  InvalidKeyUsageException,
  KMSInternalException,
  NotFoundException,
} from '../errors';
import type { EncryptionContext } from '../../format/encryption-context';
import type { Tx } from '../ports';
import type { KeyRecord, SymmetricMaterialRecord } from '../records';
import { demoIv } from '../demo';

/** The key behind an identifier rotated or moved between prepare and confirm: prepare again. */
export class StaleMaterial extends Error {}

type Side = 'source' | 'destination';

export interface Sealed {
  id: string;
  keyId: string;
  version: number;
  materialId: string;
  blob: Uint8Array;
}

/** `side`: for ReEncrypt, the destination (authorized as kms:ReEncryptTo). */
export async function prepareSeal(
  c: OpContext,
  id: string,
  plaintext: Uint8Array,
  ctx: EncryptionContext,
  side?: Side,
): Promise<Sealed> {
  const cache = c.env.cache;
  const hint = cache.hint(id);
  let m = hint && cache.material(hint.keyId, hint.version);
  if (!m) {
    const stored = await c.env.store.read(async (tx) => {
      const key = await c.resolve(tx, id, { side });
      c.requireUsable(key);
      requireSymmetric(key);
      const material = await tx.getMaterial(key.keyId, key.currentVersion);
      if (!material || material.kind)
        throw new KMSInternalException(`The current key material of ${key.arn} is missing.`);
      return material;
    });
    // Unwrapped after the read: WebCrypto inside a transaction would let it commit (ADR 0004).
    m = { ...stored, key: await usableKey(c, stored) };
    cache.putMaterial(m);
    cache.setHint(id, m.keyId, m.version);
  }
  // A demo key's nonce is derived from its inputs, so attendees get the facilitator's blobs (ADR 0018).
  const iv = m.demo ? demoIv(m.demo, m.keyId, m.version, ctx, plaintext) : c.env.random.bytes(12);
  const blob = await sealBlob(m.key, m.keyId, m.version, iv, plaintext, ctx);
  return { id, keyId: m.keyId, version: m.version, materialId: m.materialId, blob };
}

/** A material version's usable key: from its passkey key store's key while connected (ADR 0016), else the
 * keystore's (custodian). @throws KMSInvalidStateException while its store is not connected here */
function usableKey(c: OpContext, m: SymmetricMaterialRecord): Promise<CryptoKey> {
  const store = m.customKeyStoreId;
  return store ? c.env.keyStores.materialKey({ ...m, customKeyStoreId: store }) : c.env.custodian.symmetricKey(m);
}

/** Symmetric encryption (Encrypt, GenerateDataKey*, ReEncrypt, Decrypt of a blob) needs a SYMMETRIC_DEFAULT key. */
export function requireSymmetric(key: KeyRecord): void {
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') {
    throw new InvalidKeyUsageException(
      `${key.arn} is a ${key.keySpec} key with KeyUsage ${key.keyUsage}; this operation needs a symmetric encryption key (SYMMETRIC_DEFAULT).`,
    );
  }
}

export async function resolveOrForget(
  c: OpContext,
  tx: Tx,
  id: string,
  keyId: string,
  side?: Side,
  fromCiphertext = false,
): Promise<KeyRecord> {
  try {
    return await c.resolve(tx, id, { side, fromCiphertext });
  } catch (e) {
    if (e instanceof NotFoundException) {
      c.env.cache.dropHint(id);
      c.env.cache.forgetKey(keyId);
    }
    throw e;
  }
}

/** Inside the recording transaction: the key `s.id` names must still be usable and current at `s.version`. */
export async function confirmSeal(
  c: OpContext,
  tx: Tx,
  s: Pick<Sealed, 'id' | 'keyId' | 'version'>,
  side?: Side,
): Promise<KeyRecord> {
  const key = await resolveOrForget(c, tx, s.id, s.keyId, side);
  c.requireUsable(key);
  if (key.keyId !== s.keyId || key.currentVersion !== s.version) {
    c.env.cache.dropHint(s.id);
    throw new StaleMaterial();
  }
  return key;
}

/** Runs prepare-and-confirm again when the material moved underneath (a concurrent rotation). */
export async function retryStale<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof StaleMaterial) || attempt >= 3) throw e;
    }
  }
}

export interface Opened {
  header: BlobHeader;
  plaintext?: Uint8Array;
  materialId?: string;
}

/** Decrypts outside any transaction; the plaintext stays here until confirmUnseal has passed. */
export async function prepareUnseal(c: OpContext, blob: Uint8Array, ctx: EncryptionContext): Promise<Opened> {
  const parsed = decodeBlobHeader(blob);
  if (!parsed.ok)
    throw new InvalidCiphertextException(`The ciphertext is not a Pocket KMS ciphertext blob: ${parsed.reason}.`);
  const { header } = parsed;
  let m = c.env.cache.material(header.keyId, header.version);
  if (!m) {
    const found = await c.env.store.read((tx) => tx.getMaterial(header.keyId, header.version));
    // A blob header that names an asymmetric or HMAC key cannot have come from it: no plaintext.
    m = found && !found.kind ? { ...found, key: await usableKey(c, found) } : undefined;
    if (m) c.env.cache.putMaterial(m);
  }
  const plaintext = m ? await openBlob(m.key, blob, header.iv, ctx) : undefined;
  return { header, ...(plaintext && m ? { plaintext, materialId: m.materialId } : {}) };
}

/** Inside the recording transaction: AWS's checks in AWS's order, then authentication. */
export async function confirmUnseal(
  c: OpContext,
  tx: Tx,
  o: Opened,
  keyIdParam: string | undefined,
): Promise<KeyRecord> {
  if (keyIdParam !== undefined) {
    const named = await c.resolve(tx, keyIdParam);
    if (named.keyId !== o.header.keyId) {
      throw new IncorrectKeyException(
        `The key ID in the request (${named.arn}) does not identify the KMS key that encrypted the ciphertext.`,
      );
    }
    requireSymmetric(named);
  }
  const key = await resolveOrForget(c, tx, o.header.keyId, o.header.keyId, undefined, true);
  c.requireUsable(key);
  if (!o.plaintext) {
    throw new InvalidCiphertextException(
      'The ciphertext could not be decrypted: it was altered, or the encryption context does not match the one used to encrypt it.',
    );
  }
  return key;
}
