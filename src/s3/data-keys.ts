// The data keys S3 encrypts objects under (Amazon S3 User Guide, "Using server-side encryption with AWS
// KMS keys (SSE-KMS)"): for SSE-KMS one from GenerateDataKey per object (or per multipart upload) with
// S3's encryption context, opened again with Decrypt, both through Kms.call as the requesting principal
// invoked via s3.amazonaws.com (so key policies, grants, kms:ViaService and CloudTrail apply); for SSE-S3
// the keystore's S3 service key. Each segment's content key is stored wrapped (AES-KW) under it.

import { invokedVia, type Caller } from '../kms/ids';
import type { Kms } from '../kms/kms';
import { fromKmsError } from './errors';
import type { ObjectSse, S3Meta } from './ports';

const KW: AesKeyAlgorithm = { name: 'AES-KW', length: 256 };

async function importDataKey(plaintext: Uint8Array): Promise<CryptoKey> {
  try {
    return await crypto.subtle.importKey('raw', plaintext as Uint8Array<ArrayBuffer>, KW, false, [
      'wrapKey',
      'unwrapKey',
    ]);
  } finally {
    plaintext.fill(0);
  }
}

/** Runs a KMS operation as S3 does it for `caller`: S3's failures as S3 reports them. */
async function viaS3(kms: Kms, caller: Caller, op: string, request: object, requestId: string): Promise<object> {
  try {
    return await kms.call(op, request, invokedVia(caller, 's3', kms.keystore.region), { requestId });
  } catch (e) {
    throw fromKmsError(e);
  }
}

export interface DataKeys {
  kms: Kms;
  meta: S3Meta;
  /** The S3 request's ID: the KMS calls S3 makes for it carry the same one in CloudTrail. */
  requestId: string;
}

/** A new data key for `sse` (SSE-KMS: GenerateDataKey on `kmsKeyId` with `context`), and the `sse`
 * record completed with the key's ARN and encrypted copy.
 * @throws AccessDenied, KMS.NotFoundException, KMS.DisabledException, KMS.KMSInvalidStateException */
export async function newDataKey(
  d: DataKeys,
  caller: Caller,
  sse: ObjectSse,
  kmsKeyId: string | undefined,
): Promise<{ key: CryptoKey; sse: ObjectSse }> {
  if (sse.algorithm === 'AES256') return { key: await serviceKey(d.meta), sse };
  const r = (await viaS3(
    d.kms,
    caller,
    'GenerateDataKey',
    // No key given: AWS uses the AWS managed key aws/s3, which Pocket KMS does not make (docs/API.md).
    { KeyId: kmsKeyId ?? 'alias/aws/s3', KeySpec: 'AES_256', EncryptionContext: sse.encryptionContext },
    d.requestId,
  )) as { KeyId: string; CiphertextBlob: Uint8Array; Plaintext: Uint8Array };
  return {
    key: await importDataKey(r.Plaintext),
    sse: { ...sse, kmsKeyArn: r.KeyId, encryptedDataKey: r.CiphertextBlob },
  };
}

/** The data key of a stored object or upload (SSE-KMS: Decrypt, which authorizes `caller` for kms:Decrypt).
 * @throws AccessDenied, KMS.* */
export async function openDataKey(d: DataKeys, caller: Caller, sse: ObjectSse): Promise<CryptoKey> {
  if (sse.algorithm === 'AES256') return serviceKey(d.meta);
  const r = (await viaS3(
    d.kms,
    caller,
    'Decrypt',
    { CiphertextBlob: sse.encryptedDataKey, EncryptionContext: sse.encryptionContext, KeyId: sse.kmsKeyArn },
    d.requestId,
  )) as { Plaintext: Uint8Array };
  return importDataKey(r.Plaintext);
}

/** SSE-S3's key: one per keystore, AES-KW, non-extractable (ADR 0011 says what protects it). */
function serviceKey(meta: S3Meta): Promise<CryptoKey> {
  return meta.serviceKey(() => crypto.subtle.generateKey(KW, false, ['wrapKey', 'unwrapKey']) as Promise<CryptoKey>);
}

export async function wrapContentKey(contentKey: CryptoKey, dataKey: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.wrapKey('raw', contentKey, dataKey, 'AES-KW'));
}

export function unwrapContentKey(wrapped: Uint8Array, dataKey: CryptoKey): Promise<CryptoKey> {
  return crypto.subtle.unwrapKey('raw', wrapped as Uint8Array<ArrayBuffer>, dataKey, 'AES-KW', 'AES-GCM', false, [
    'decrypt',
  ]);
}
