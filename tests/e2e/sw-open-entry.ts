// Bundled by sw-open.test.ts: one call of the unmodified @aws-sdk/client-kms against the service worker's
// /kms endpoint from a page of the app, reported as what the SDK made of the answer.
import { CreateKeyCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** CreateKey (or ListKeys) through the SDK: the key's ID, or the error as the SDK saw it. */
async function sdkCall(op: 'CreateKey' | 'ListKeys', credentials: Credentials) {
  // One attempt: the SDK would retry a 500 and hide the first answer.
  const client = new KMSClient({
    region: 'us-east-1',
    endpoint: `${location.origin}/kms`,
    credentials,
    maxAttempts: 1,
  });
  try {
    const out =
      op === 'CreateKey'
        ? (await client.send(new CreateKeyCommand({ Description: 'after the keystore opened' }))).KeyMetadata?.KeyId
        : (await client.send(new ListKeysCommand({}))).Keys?.length;
    return { ok: true as const, out };
  } catch (e) {
    const err = e as Error & { $fault?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
    return {
      ok: false as const,
      name: err.name,
      message: err.message,
      fault: err.$fault,
      status: err.$metadata?.httpStatusCode,
      requestId: err.$metadata?.requestId,
    };
  }
}

Object.assign(globalThis, { sdkCall });
