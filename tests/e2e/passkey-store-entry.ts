// Bundled for the browser by passkey-store.test.ts: the unmodified @aws-sdk/client-kms against /kms, encrypting
// and decrypting with a key of a passkey key store, and the store operations the SDK can call (ADR 0016).
import {
  ConnectCustomKeyStoreCommand,
  DecryptCommand,
  DescribeCustomKeyStoresCommand,
  EncryptCommand,
  KMSClient,
} from '@aws-sdk/client-kms';

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

type Outcome<T> = { ok: T } | { error: string; message: string; status: number | undefined };

const client = (origin: string, credentials: Credentials) =>
  new KMSClient({ region: 'us-east-1', endpoint: `${origin}/kms`, credentials, maxAttempts: 1 });

async function outcome<T>(p: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: await p };
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    return { error: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
}

async function storeSdk(origin: string, credentials: Credentials, keyId: string, text: string, old?: number[]) {
  const c = client(origin, credentials);
  const encrypted = await outcome(
    c
      .send(new EncryptCommand({ KeyId: keyId, Plaintext: new TextEncoder().encode(text) }))
      .then((r) => [...r.CiphertextBlob!]),
  );
  const blob = old ?? ('ok' in encrypted ? encrypted.ok : undefined);
  const decrypted = blob
    ? await outcome(
        c
          .send(new DecryptCommand({ CiphertextBlob: new Uint8Array(blob) }))
          .then((r) => new TextDecoder().decode(r.Plaintext)),
      )
    : undefined;
  const stores = await outcome(
    c.send(new DescribeCustomKeyStoresCommand({})).then((r) =>
      r.CustomKeyStores!.map((s) => ({
        id: s.CustomKeyStoreId,
        state: s.ConnectionState,
        type: s.CustomKeyStoreType,
      })),
    ),
  );
  return { encrypted, decrypted, stores };
}

/** ConnectCustomKeyStore over /kms: there is no passkey there. */
async function connectOverSdk(origin: string, credentials: Credentials, id: string) {
  return outcome(client(origin, credentials).send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id })));
}

/** Milliseconds each of `n` Encrypt calls took, one after another from one client (latency figures). */
async function encryptTimes(origin: string, credentials: Credentials, keyId: string, n: number) {
  const c = client(origin, credentials);
  const Plaintext = new TextEncoder().encode('latency');
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await c.send(new EncryptCommand({ KeyId: keyId, Plaintext }));
    times.push(performance.now() - t);
  }
  return times;
}

Object.assign(globalThis, { storeSdk, connectOverSdk, encryptTimes });
