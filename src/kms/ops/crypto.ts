// Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext), GenerateRandom for symmetric keys.
// Each call is one transaction: WebCrypto first (sealing.ts), then the checks and the audit record together.

import { DRY_RUN_MESSAGE, type OpContext } from '../context';
import {
  DryRunOperationException,
  InvalidKeyUsageException,
  UnsupportedOperationException,
  ValidationException,
} from '../errors';
import { SPECS, type RsaEncryptionAlgorithm } from '../asymmetric';
import type { Tx } from '../ports';
import type { KeyRecord } from '../records';
import { reEncryptWithRsa } from './re-encrypt-rsa';
import { demoDataKey } from '../demo';
import { requireConnectedStore } from './custom-key-stores';
import { refuseContext, rsaDecrypt, rsaEncrypt } from './rsa-encryption';
import { confirmSeal, confirmUnseal, prepareSeal, prepareUnseal, requireSymmetric, retryStale } from '../material';
import {
  optContext,
  optEnum,
  optEnumList,
  optInt,
  optString,
  optStringList,
  reqBlob,
  reqString,
  type Req,
} from '../validate';

const ENCRYPTION_ALGORITHMS = ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'] as const;
const MAX_CIPHERTEXT = 6144;

function checkAlgorithm(req: Req, field: string, key?: KeyRecord): void {
  const alg = optEnum(req, field, ENCRYPTION_ALGORITHMS);
  if (alg && alg !== 'SYMMETRIC_DEFAULT') {
    throw new InvalidKeyUsageException(
      `${key ? key.arn : 'This operation'} needs a symmetric encryption key; ${field} must be SYMMETRIC_DEFAULT, not ${alg}.`,
    );
  }
}

/** Shared checks of the optional fields every cryptographic call accepts. DryRun is read once for
 * every operation that has it (kms.ts); a dry run is refused here like the real call when it has a Recipient. */
export function commonFields(req: Req): void {
  optStringList(req, 'GrantTokens', 10);
  // Pocket KMS runs in no enclave and holds no AWS Nitro attestation root, so it cannot verify an
  // attestation document: it refuses rather than answer without CiphertextForRecipient (docs/API.md).
  if (req.Recipient !== undefined && req.Recipient !== null)
    throw new UnsupportedOperationException(
      'Recipient is not supported by Pocket KMS: it cannot verify an AWS Nitro Enclaves or NitroTPM attestation document, so it cannot answer with CiphertextForRecipient; call without Recipient.',
    );
}

/** The RSAES algorithm a request names, if any (those go to the RSA path). */
function rsaAlgorithm(req: Req, field = 'EncryptionAlgorithm'): RsaEncryptionAlgorithm | undefined {
  const alg = optEnum(req, field, ENCRYPTION_ALGORITHMS);
  return alg === 'RSAES_OAEP_SHA_1' || alg === 'RSAES_OAEP_SHA_256' ? alg : undefined;
}

export async function encrypt(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const plaintext = reqBlob(req, 'Plaintext', 1, 4096);
  const rsa = rsaAlgorithm(req);
  if (rsa) {
    commonFields(req);
    return rsaEncrypt(c, req, id, plaintext, rsa);
  }
  const ctx = optContext(req, 'EncryptionContext');
  checkAlgorithm(req, 'EncryptionAlgorithm');
  commonFields(req);
  return retryStale(async () => {
    const s = await prepareSeal(c, id, plaintext, ctx);
    return c.write(async (tx) => {
      const key = await confirmSeal(c, tx, s);
      return { CiphertextBlob: s.blob, KeyId: key.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' as const };
    });
  });
}

/** DryRunModifiers, read on every call; it applies only to a dry run (KMS API reference, Decrypt). */
function ignoresCiphertext(c: OpContext, req: Req): boolean {
  const modifiers = optEnumList(req, 'DryRunModifiers', ['IGNORE_CIPHERTEXT'] as const, 10);
  return c.dryRun && (modifiers ?? []).includes('IGNORE_CIPHERTEXT');
}

/** One side of a dry run without ciphertext: the key `id` names is authorized with the request's
 * encryption context, then its usage and state are checked as the real call checks them. */
async function checkWithoutCiphertext(
  c: OpContext,
  tx: Tx,
  req: Req,
  keyField: string,
  algField: string,
  side?: 'source' | 'destination',
): Promise<void> {
  const id = req[keyField];
  if (typeof id !== 'string' || id === '')
    throw new ValidationException(
      `${keyField} is required when DryRun is true and DryRunModifiers is IGNORE_CIPHERTEXT: it names the key to test.`,
    );
  const rsa = rsaAlgorithm(req, algField);
  const key = await c.resolve(tx, id, { side });
  if (!rsa) {
    checkAlgorithm(req, algField, key);
    requireSymmetric(key);
  } else if (key.keySpec === 'SYMMETRIC_DEFAULT' || key.keyUsage !== 'ENCRYPT_DECRYPT')
    throw new InvalidKeyUsageException(
      `${key.arn} has KeyUsage ${key.keyUsage} (KeySpec ${key.keySpec}); ${rsa} needs an RSA key with KeyUsage ENCRYPT_DECRYPT.`,
    );
  else if (SPECS[key.keySpec].family !== 'rsa')
    throw new ValidationException(`${rsa} needs an RSA key; ${key.arn} is ${key.keySpec}.`);
  c.requireUsable(key);
}

/** Decrypt with DryRun and DryRunModifiers [IGNORE_CIPHERTEXT]: "only authorization validation without
 * ciphertext validation" (AWS), so KeyId is required and CiphertextBlob is not read.
 * @throws DryRunOperationException when the real call would pass those checks. */
async function decryptWithoutCiphertext(c: OpContext, req: Req): Promise<never> {
  optContext(req, 'EncryptionContext');
  if (rsaAlgorithm(req)) refuseContext(req);
  commonFields(req);
  await c.env.store.read((tx) => checkWithoutCiphertext(c, tx, req, 'KeyId', 'EncryptionAlgorithm'));
  throw new DryRunOperationException(DRY_RUN_MESSAGE);
}

/** ReEncrypt's counterpart: both keys authorized and checked, SourceKeyId required. */
async function reEncryptWithoutCiphertext(c: OpContext, req: Req): Promise<never> {
  optContext(req, 'SourceEncryptionContext');
  optContext(req, 'DestinationEncryptionContext');
  if (rsaAlgorithm(req, 'SourceEncryptionAlgorithm')) refuseContext(req, 'SourceEncryptionContext');
  if (rsaAlgorithm(req, 'DestinationEncryptionAlgorithm')) refuseContext(req, 'DestinationEncryptionContext');
  reqString(req, 'DestinationKeyId');
  commonFields(req);
  await c.env.store.read(async (tx) => {
    await checkWithoutCiphertext(c, tx, req, 'SourceKeyId', 'SourceEncryptionAlgorithm', 'source');
    await checkWithoutCiphertext(c, tx, req, 'DestinationKeyId', 'DestinationEncryptionAlgorithm', 'destination');
  });
  throw new DryRunOperationException(DRY_RUN_MESSAGE);
}

export async function decrypt(c: OpContext, req: Req) {
  if (ignoresCiphertext(c, req)) return decryptWithoutCiphertext(c, req);
  const blob = reqBlob(req, 'CiphertextBlob', 1, MAX_CIPHERTEXT);
  const keyId = optString(req, 'KeyId');
  const rsa = rsaAlgorithm(req);
  if (rsa) {
    commonFields(req);
    return rsaDecrypt(c, req, keyId, blob, rsa);
  }
  const ctx = optContext(req, 'EncryptionContext');
  checkAlgorithm(req, 'EncryptionAlgorithm');
  commonFields(req);
  const o = await prepareUnseal(c, blob, ctx).catch(async (e: unknown) => {
    // A blob that is not ours, with KeyId naming an asymmetric key: the key's usage is the real error.
    if (keyId !== undefined) await c.env.store.read(async (tx) => requireSymmetric(await c.resolve(tx, keyId)));
    throw e;
  });
  try {
    return await c.write(async (tx) => {
      const key = await confirmUnseal(c, tx, o, keyId);
      return {
        KeyId: key.arn,
        Plaintext: o.plaintext!,
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' as const,
        KeyMaterialId: o.materialId!,
      };
    });
  } catch (e) {
    // Never released: the call did not pass its checks.
    o.plaintext?.fill(0);
    throw e;
  }
}

export async function reEncrypt(c: OpContext, req: Req) {
  if (ignoresCiphertext(c, req)) return reEncryptWithoutCiphertext(c, req);
  const blob = reqBlob(req, 'CiphertextBlob', 1, MAX_CIPHERTEXT);
  const sourceCtx = optContext(req, 'SourceEncryptionContext');
  const sourceKeyId = optString(req, 'SourceKeyId');
  const destId = reqString(req, 'DestinationKeyId');
  const destCtx = optContext(req, 'DestinationEncryptionContext');
  const sourceRsa = rsaAlgorithm(req, 'SourceEncryptionAlgorithm');
  const destRsa = rsaAlgorithm(req, 'DestinationEncryptionAlgorithm');
  if (sourceRsa || destRsa) {
    commonFields(req);
    return reEncryptWithRsa(c, req, blob, sourceRsa ?? 'SYMMETRIC_DEFAULT', destRsa ?? 'SYMMETRIC_DEFAULT');
  }
  checkAlgorithm(req, 'SourceEncryptionAlgorithm');
  checkAlgorithm(req, 'DestinationEncryptionAlgorithm');
  commonFields(req);
  const o = await prepareUnseal(c, blob, sourceCtx);
  try {
    // Without plaintext the source checks fail with the right exception before anything else.
    if (!o.plaintext) await c.env.store.read((tx) => confirmUnseal(c, tx, o, sourceKeyId));
    return await retryStale(async () => {
      const s = await prepareSeal(c, destId, o.plaintext!, destCtx, 'destination');
      return c.write(async (tx) => {
        const source = await confirmUnseal(c, tx, o, sourceKeyId);
        const dest = await confirmSeal(c, tx, s, 'destination');
        return {
          CiphertextBlob: s.blob,
          SourceKeyId: source.arn,
          KeyId: dest.arn,
          SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT' as const,
          DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT' as const,
          SourceKeyMaterialId: o.materialId!,
          DestinationKeyMaterialId: s.materialId,
        };
      });
    });
  } finally {
    o.plaintext?.fill(0);
  }
}

function dataKeyLength(req: Req): number {
  const spec = optEnum(req, 'KeySpec', ['AES_256', 'AES_128'] as const);
  const n = optInt(req, 'NumberOfBytes', 1, 1024);
  if ((spec === undefined) === (n === undefined)) {
    throw new ValidationException(
      'Specify either KeySpec or NumberOfBytes, but not both: KeySpec AES_256 or AES_128, or NumberOfBytes from 1 to 1024.',
    );
  }
  return spec === 'AES_256' ? 32 : spec === 'AES_128' ? 16 : n!;
}

/** The identifier now names a key whose demo status is not the one the data key was made for: make it again. */
class DemoChanged extends Error {}

/** Seals a data key and records the call in one transaction. `demo`: the demo key the data key was derived
 * for (ADR 0018); the key confirmed in the transaction must be that one, so a derived (public) data key is
 * never sealed under a real key after an alias moved. */
async function sealDataKey(
  c: OpContext,
  id: string,
  plaintext: Uint8Array,
  ctx: Record<string, string>,
  demo: string | undefined,
) {
  return retryStale(async () => {
    const s = await prepareSeal(c, id, plaintext, ctx);
    return c.write(async (tx) => {
      const key = await confirmSeal(c, tx, s);
      if (key.demo !== demo) throw new DemoChanged();
      return { CiphertextBlob: s.blob, KeyId: key.arn, KeyMaterialId: s.materialId };
    });
  });
}

/** A data key: random, or a demo key's derived one (ADR 0018), so the same request gives the same data key. */
async function newDataKey(c: OpContext, id: string, ctx: Record<string, string>, length: number) {
  const hint = c.env.cache.hint(id);
  const cached = hint && c.env.cache.material(hint.keyId, hint.version);
  // Not cached: read the key as prepareSeal would (same resolution and authorization, so the same errors).
  const demo = cached ? cached.demo : (await c.env.store.read((tx) => c.resolve(tx, id))).demo;
  return { demo, plaintext: demo ? demoDataKey(demo, ctx, length) : c.env.random.bytes(length) };
}

/** A new data key sealed under the key `id` names; made again if that key's demo status moved meanwhile. */
async function dataKey(c: OpContext, id: string, ctx: Record<string, string>, length: number) {
  for (let attempt = 1; ; attempt++) {
    const { demo, plaintext } = await newDataKey(c, id, ctx, length);
    try {
      return { plaintext, ...(await sealDataKey(c, id, plaintext, ctx, demo)) };
    } catch (e) {
      plaintext.fill(0);
      if (!(e instanceof DemoChanged) || attempt >= 3) throw e;
      c.env.cache.dropHint(id);
    }
  }
}

export async function generateDataKey(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const ctx = optContext(req, 'EncryptionContext');
  const length = dataKeyLength(req);
  commonFields(req);
  const r = await dataKey(c, id, ctx, length);
  return { CiphertextBlob: r.CiphertextBlob, Plaintext: r.plaintext, KeyId: r.KeyId, KeyMaterialId: r.KeyMaterialId };
}

export async function generateDataKeyWithoutPlaintext(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const ctx = optContext(req, 'EncryptionContext');
  const length = dataKeyLength(req);
  commonFields(req);
  const { plaintext, ...sealed } = await dataKey(c, id, ctx, length);
  plaintext.fill(0);
  return sealed;
}

export async function generateRandom(c: OpContext, req: Req) {
  const n = optInt(req, 'NumberOfBytes', 1, 1024);
  if (n === undefined)
    throw new ValidationException(
      `1 validation error detected: Value at 'numberOfBytes' failed to satisfy constraint: Member must not be null`,
    );
  const store = optString(req, 'CustomKeyStoreId', 1, 64);
  commonFields(req);
  await c.write(async (tx) => {
    await c.authorizeAccount(tx);
    // The bytes come from the same source either way (WebCrypto's CSPRNG); a store must exist and be connected.
    if (store !== undefined) await requireConnectedStore(c, tx, store);
  });
  return { Plaintext: c.env.random.bytes(n) };
}
