// Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext), GenerateRandom for symmetric keys.
// WebCrypto runs between transactions, never inside one (an await on it would commit the transaction).

import { decodeBlobHeader, openBlob, sealBlob } from '../blob';
import type { OpContext } from '../context';
import {
  IncorrectKeyException, InvalidCiphertextException, InvalidKeyUsageException, KMSInternalException,
  UnsupportedOperationException, ValidationException,
} from '../errors';
import type { KeyRecord, MaterialRecord } from '../records';
import { optBool, optContext, optEnum, optInt, optString, optStringList, reqBlob, reqString, type Req } from '../validate';

const ENCRYPTION_ALGORITHMS = ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'] as const;
const MAX_CIPHERTEXT = 6144;

function checkAlgorithm(req: Req, field: string, key?: KeyRecord): void {
  const alg = optEnum(req, field, ENCRYPTION_ALGORITHMS);
  if (alg && alg !== 'SYMMETRIC_DEFAULT') {
    throw new InvalidKeyUsageException(`${key ? key.arn : 'This key'} is a symmetric key; ${field} must be SYMMETRIC_DEFAULT, not ${alg}.`);
  }
}

/** Shared checks of the optional fields every cryptographic call accepts. */
function commonFields(req: Req): void {
  optStringList(req, 'GrantTokens', 10);
  if (optBool(req, 'DryRun')) throw new UnsupportedOperationException('DryRun is not supported by Pocket KMS yet.');
  if (req.Recipient !== undefined) throw new UnsupportedOperationException('Recipient (Nitro Enclaves attestation) is not supported by Pocket KMS.');
}

async function encryptingKey(c: OpContext, id: string): Promise<{ key: KeyRecord; material: MaterialRecord }> {
  return c.env.store.read(async (tx) => {
    const key = await c.resolve(tx, id);
    c.requireUsable(key);
    const material = await tx.getMaterial(key.keyId, key.currentVersion);
    if (!material) throw new KMSInternalException(`The current key material of ${key.arn} is missing.`);
    return { key, material };
  });
}

async function seal(c: OpContext, id: string, plaintext: Uint8Array, ctx: Record<string, string>) {
  const { key, material } = await encryptingKey(c, id);
  const blob = await sealBlob(material.key, key.keyId, material.version, c.env.random.bytes(12), plaintext, ctx);
  return { key, material, blob };
}

/** Opens a blob; any failure to authenticate is InvalidCiphertextException, with no detail that would help an attacker. */
async function unseal(c: OpContext, blob: Uint8Array, ctx: Record<string, string>, keyIdParam: string | undefined) {
  const parsed = decodeBlobHeader(blob);
  if (!parsed.ok) throw new InvalidCiphertextException(`The ciphertext is not a Pocket KMS ciphertext blob: ${parsed.reason}.`);
  const { header } = parsed;
  const { key, material } = await c.env.store.read(async (tx) => {
    if (keyIdParam !== undefined) {
      const named = await c.resolve(tx, keyIdParam);
      if (named.keyId !== header.keyId) {
        throw new IncorrectKeyException(`The key ID in the request (${named.arn}) does not identify the KMS key that encrypted the ciphertext.`);
      }
    }
    const key = await c.resolve(tx, header.keyId);
    c.requireUsable(key);
    return { key, material: await tx.getMaterial(key.keyId, header.version) };
  });
  const plaintext = material ? await openBlob(material.key, blob, header.iv, ctx) : undefined;
  if (!plaintext) {
    throw new InvalidCiphertextException('The ciphertext could not be decrypted: it was altered, or the encryption context does not match the one used to encrypt it.');
  }
  return { key, material: material!, plaintext };
}

export async function encrypt(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const plaintext = reqBlob(req, 'Plaintext', 1, 4096);
  const ctx = optContext(req, 'EncryptionContext');
  checkAlgorithm(req, 'EncryptionAlgorithm');
  commonFields(req);
  const { key, blob } = await seal(c, id, plaintext, ctx);
  return { CiphertextBlob: blob, KeyId: key.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' as const };
}

export async function decrypt(c: OpContext, req: Req) {
  const blob = reqBlob(req, 'CiphertextBlob', 1, MAX_CIPHERTEXT);
  const ctx = optContext(req, 'EncryptionContext');
  const keyId = optString(req, 'KeyId');
  checkAlgorithm(req, 'EncryptionAlgorithm');
  commonFields(req);
  const { key, material, plaintext } = await unseal(c, blob, ctx, keyId);
  return { KeyId: key.arn, Plaintext: plaintext, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' as const, KeyMaterialId: material.materialId };
}

export async function reEncrypt(c: OpContext, req: Req) {
  const blob = reqBlob(req, 'CiphertextBlob', 1, MAX_CIPHERTEXT);
  const sourceCtx = optContext(req, 'SourceEncryptionContext');
  const sourceKeyId = optString(req, 'SourceKeyId');
  const destId = reqString(req, 'DestinationKeyId');
  const destCtx = optContext(req, 'DestinationEncryptionContext');
  checkAlgorithm(req, 'SourceEncryptionAlgorithm');
  checkAlgorithm(req, 'DestinationEncryptionAlgorithm');
  commonFields(req);
  const source = await unseal(c, blob, sourceCtx, sourceKeyId);
  try {
    const dest = await seal(c, destId, source.plaintext, destCtx);
    return {
      CiphertextBlob: dest.blob,
      SourceKeyId: source.key.arn,
      KeyId: dest.key.arn,
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT' as const,
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT' as const,
      SourceKeyMaterialId: source.material.materialId,
      DestinationKeyMaterialId: dest.material.materialId,
    };
  } finally {
    source.plaintext.fill(0);
  }
}

function dataKeyLength(req: Req): number {
  const spec = optEnum(req, 'KeySpec', ['AES_256', 'AES_128'] as const);
  const n = optInt(req, 'NumberOfBytes', 1, 1024);
  if ((spec === undefined) === (n === undefined)) {
    throw new ValidationException('Specify either KeySpec or NumberOfBytes, but not both: KeySpec AES_256 or AES_128, or NumberOfBytes from 1 to 1024.');
  }
  return spec === 'AES_256' ? 32 : spec === 'AES_128' ? 16 : n!;
}

export async function generateDataKey(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const ctx = optContext(req, 'EncryptionContext');
  const length = dataKeyLength(req);
  commonFields(req);
  const plaintext = c.env.random.bytes(length);
  const { key, material, blob } = await seal(c, id, plaintext, ctx);
  return { CiphertextBlob: blob, Plaintext: plaintext, KeyId: key.arn, KeyMaterialId: material.materialId };
}

export async function generateDataKeyWithoutPlaintext(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const ctx = optContext(req, 'EncryptionContext');
  const length = dataKeyLength(req);
  commonFields(req);
  const plaintext = c.env.random.bytes(length);
  try {
    const { key, material, blob } = await seal(c, id, plaintext, ctx);
    return { CiphertextBlob: blob, KeyId: key.arn, KeyMaterialId: material.materialId };
  } finally {
    plaintext.fill(0);
  }
}

export async function generateRandom(c: OpContext, req: Req) {
  const n = optInt(req, 'NumberOfBytes', 1, 1024);
  if (n === undefined) throw new ValidationException(`1 validation error detected: Value at 'numberOfBytes' failed to satisfy constraint: Member must not be null`);
  if (req.CustomKeyStoreId !== undefined) throw new UnsupportedOperationException('Custom key stores are not supported by Pocket KMS.');
  commonFields(req);
  return { Plaintext: c.env.random.bytes(n) };
}
