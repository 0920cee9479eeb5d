// Bundled for the browser by multi-region.test.ts: the unmodified @aws-sdk/client-kms, one client per
// Region, against the service worker's /kms endpoint, which answers each from its Region's keystore.
import { DecryptCommand, DescribeKeyCommand, EncryptCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const client = (origin: string, region: string, credentials: Credentials) =>
  new KMSClient({ region, endpoint: `${origin}/kms`, credentials });

async function crossRegion(origin: string, credentials: Credentials, keyId: string) {
  const east = client(origin, 'us-east-1', credentials);
  const west = client(origin, 'us-west-2', credentials);
  const enc = await east.send(
    new EncryptCommand({
      KeyId: keyId,
      Plaintext: new TextEncoder().encode('east to west'),
      EncryptionContext: { a: 'b' },
    }),
  );
  const dec = await west.send(
    new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { a: 'b' } }),
  );
  const replica = await west.send(new DescribeKeyCommand({ KeyId: keyId }));
  let unknownRegion = '';
  try {
    await client(origin, 'ap-south-1', credentials).send(new ListKeysCommand({}));
  } catch (e) {
    unknownRegion = (e as Error).name;
  }
  return {
    encryptedWith: enc.KeyId,
    decrypted: new TextDecoder().decode(dec.Plaintext),
    decryptedWith: dec.KeyId,
    replicaType: replica.KeyMetadata?.MultiRegionConfiguration?.MultiRegionKeyType,
    unknownRegion,
  };
}

(globalThis as any).crossRegion = crossRegion;
