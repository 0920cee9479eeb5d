// Bundled for the browser by import.test.ts: the unmodified @aws-sdk/client-kms imports key material through
// the service worker's /kms endpoint, the material wrapped in the page with WebCrypto's RSA-OAEP as
// `openssl pkeyutl -pkeyopt rsa_oaep_md:sha256` would.
import {
  CreateKeyCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  KMSClient,
} from '@aws-sdk/client-kms';

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

async function importWalk(origin: string, credentials: Credentials) {
  const client = new KMSClient({ region: 'us-east-1', endpoint: `${origin}/kms`, credentials });
  const steps: Record<string, unknown> = {};
  const material = crypto.getRandomValues(new Uint8Array(32));
  const { KeyMetadata } = await client.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }));
  const KeyId = KeyMetadata!.KeyId!;
  steps.created = { state: KeyMetadata!.KeyState, origin: KeyMetadata!.Origin };
  const importOnce = async () => {
    const p = await client.send(
      new GetParametersForImportCommand({
        KeyId,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        WrappingKeySpec: 'RSA_2048',
      }),
    );
    const wrapping = await crypto.subtle.importKey(
      'spki',
      new Uint8Array(p.PublicKey!),
      { name: 'RSA-OAEP', hash: 'SHA-256' },
      false,
      ['encrypt'],
    );
    const EncryptedKeyMaterial = new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, wrapping, material));
    return client.send(
      new ImportKeyMaterialCommand({
        KeyId,
        ImportToken: p.ImportToken,
        EncryptedKeyMaterial,
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
    );
  };
  const first = await importOnce();
  steps.imported = (await client.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.KeyState;
  const { CiphertextBlob } = await client.send(
    new EncryptCommand({ KeyId, Plaintext: new TextEncoder().encode('brought my own key') }),
  );
  steps.decrypted = new TextDecoder().decode((await client.send(new DecryptCommand({ CiphertextBlob }))).Plaintext);
  await client.send(new DeleteImportedKeyMaterialCommand({ KeyId }));
  steps.afterDelete = await client.send(new DecryptCommand({ CiphertextBlob })).then(
    () => 'decrypted',
    (e: Error) => e.name,
  );
  const again = await importOnce();
  steps.sameMaterialId = again.KeyMaterialId === first.KeyMaterialId;
  steps.decryptedAgain = new TextDecoder().decode(
    (await client.send(new DecryptCommand({ CiphertextBlob }))).Plaintext,
  );
  return steps;
}

Object.assign(globalThis, { importWalk });
