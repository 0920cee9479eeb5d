// Imported key material through POST /kms with the unmodified @aws-sdk/client-kms: the SDK's own
// serialization of ImportToken, EncryptedKeyMaterial (blobs), ValidTo and ParametersValidTo (timestamps)
// and its parsing of the import exceptions.
import {
  CreateKeyCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  InvalidImportTokenException,
  KMSClient,
  KMSInvalidStateException,
  ListKeyRotationsCommand,
} from '@aws-sdk/client-kms';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handleKms } from '../../../src/endpoint/wire';
import { sdkHandler } from '../helpers/sdk-handler';
import { freshEndpoint } from '../helpers/sign';
import { wrap } from '../kms/import/wrap';

describe('imported key material through /kms and the AWS SDK', () => {
  it('creates, imports with an expiry, uses, deletes and refuses as AWS answers', async () => {
    const { kms, rootKey, clock } = await freshEndpoint();
    const client = new KMSClient({
      region: kms.keystore.region,
      endpoint: 'http://127.0.0.1/kms',
      credentials: rootKey,
      requestHandler: sdkHandler((req) => handleKms(kms, req)) as never,
    });
    const { KeyMetadata } = await client.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }));
    expect(KeyMetadata).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'PendingImport' });
    const KeyId = KeyMetadata!.KeyId!;
    const p = await client.send(
      new GetParametersForImportCommand({
        KeyId,
        WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256',
        WrappingKeySpec: 'RSA_2048',
      }),
    );
    expect(p.ParametersValidTo).toEqual(new Date(clock.now() + 24 * 3_600_000));
    const validTo = new Date(Math.floor(clock.now() / 1000) * 1000 + 30 * 86_400_000);
    const r = await client.send(
      new ImportKeyMaterialCommand({
        KeyId,
        ImportToken: p.ImportToken,
        EncryptedKeyMaterial: wrap(p.PublicKey!, randomBytes(32), 'RSA_AES_KEY_WRAP_SHA_256'),
        ExpirationModel: 'KEY_MATERIAL_EXPIRES',
        ValidTo: validTo,
      }),
    );
    expect(r.KeyId).toBe(KeyMetadata!.Arn);
    const described = (await client.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;
    expect(described).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo });
    const rotations = await client.send(new ListKeyRotationsCommand({ KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }));
    expect(rotations.Rotations).toEqual([
      {
        KeyId: KeyMetadata!.Arn,
        KeyMaterialId: r.KeyMaterialId,
        KeyMaterialState: 'CURRENT',
        ImportState: 'IMPORTED',
        ExpirationModel: 'KEY_MATERIAL_EXPIRES',
        ValidTo: validTo,
      },
    ]);
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId, Plaintext: new Uint8Array([1, 2, 3]) }));
    expect((await client.send(new DecryptCommand({ CiphertextBlob }))).Plaintext).toEqual(new Uint8Array([1, 2, 3]));

    // The used token again: the SDK's own exception class.
    await expect(
      client.send(
        new ImportKeyMaterialCommand({
          KeyId,
          ImportToken: p.ImportToken,
          EncryptedKeyMaterial: new Uint8Array(256),
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidImportTokenException);

    const del = await client.send(new DeleteImportedKeyMaterialCommand({ KeyId }));
    expect(del).toMatchObject({ KeyId: KeyMetadata!.Arn, KeyMaterialId: r.KeyMaterialId });
    await expect(client.send(new DecryptCommand({ CiphertextBlob }))).rejects.toBeInstanceOf(KMSInvalidStateException);
  });
});
