// Bundled for the browser by sdk.test.ts, sigv4.test.ts and instances.test.ts: the unmodified @aws-sdk/client-kms, run
// from a page of the app's origin against the service worker's /kms endpoint, and raw JSON 1.1
// requests signed by the SDK's own SigV4 signer for what the SDK would never send.
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetKeyPolicyCommand,
  KMSClient,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { SignatureV4 } from '@smithy/signature-v4';

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** POST `body` to /kms or /cloudtrail with `target`, signed with `credentials` (unsigned when null). */
async function signedFetch(
  origin: string,
  service: 'kms' | 'cloudtrail',
  target: string,
  body: string,
  credentials: Credentials | null,
) {
  const url = new URL(`${origin}/${service}/`);
  const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target };
  let send = headers;
  if (credentials) {
    // The hash the SDK signs with in browsers, taken from a client's resolved configuration.
    const sha256 = new KMSClient({ region: 'us-east-1', credentials }).config.sha256;
    const signer = new SignatureV4({ service, region: 'us-east-1', credentials, sha256 });
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: {},
      headers: { ...headers, host: url.host },
      body,
    });
    send = { ...signed.headers };
    delete send.host;
  }
  const r = await fetch(url, { method: 'POST', headers: send, body });
  return { status: r.status, type: r.headers.get('x-amzn-errortype'), body: await r.json() };
}

async function walk(origin: string, credentials: Credentials) {
  const client = new KMSClient({ region: 'us-east-1', endpoint: `${origin}/kms`, credentials });
  const steps: Record<string, unknown> = {};
  const created = await client.send(
    new CreateKeyCommand({ Description: 'made by the AWS SDK', Tags: [{ TagKey: 'team', TagValue: 'sdk' }] }),
  );
  const keyId = created.KeyMetadata!.KeyId!;
  steps.created = {
    keyId,
    arn: created.KeyMetadata!.Arn,
    state: created.KeyMetadata!.KeyState,
    creationIsDate: created.KeyMetadata!.CreationDate instanceof Date,
  };
  await client.send(new CreateAliasCommand({ AliasName: 'alias/sdk-walk', TargetKeyId: keyId }));
  const byAlias = await client.send(new DescribeKeyCommand({ KeyId: 'alias/sdk-walk' }));
  steps.describedByAlias = byAlias.KeyMetadata!.KeyId;
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Root',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${created.KeyMetadata!.AWSAccountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  });
  await client.send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: policy }));
  steps.policyRoundTrip = (await client.send(new GetKeyPolicyCommand({ KeyId: keyId }))).Policy === policy;
  const plaintext = new TextEncoder().encode('workshop secret 42');
  const enc = await client.send(
    new EncryptCommand({ KeyId: 'alias/sdk-walk', Plaintext: plaintext, EncryptionContext: { dept: 'finance' } }),
  );
  steps.encryptedKeyId = enc.KeyId;
  const dec = await client.send(
    new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { dept: 'finance' } }),
  );
  steps.decrypted = new TextDecoder().decode(dec.Plaintext);
  try {
    await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { dept: 'sales' } }));
    steps.wrongContext = 'no error';
  } catch (e) {
    steps.wrongContext = {
      name: (e as Error).name,
      status: (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode,
    };
  }
  const sched = await client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
  steps.scheduled = {
    state: sched.KeyState,
    window: sched.PendingWindowInDays,
    days: Math.round((sched.DeletionDate!.getTime() - Date.now()) / 86_400_000),
  };
  steps.pending = (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState;
  await client.send(new CancelKeyDeletionCommand({ KeyId: keyId }));
  steps.afterCancel = (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState;
  try {
    await client.send(new DescribeKeyCommand({ KeyId: 'alias/does-not-exist' }));
  } catch (e) {
    steps.missing = (e as Error).name;
  }
  return steps;
}

/** What an access key may do with a key through the SDK: 'allowed', or the exception's name and HTTP status. */
async function probe(origin: string, credentials: Credentials, keyId: string, ciphertext: number[]) {
  const client = new KMSClient({ region: 'us-east-1', endpoint: `${origin}/kms`, credentials, maxAttempts: 1 });
  const outcome = (p: Promise<unknown>) =>
    p.then(
      () => 'allowed',
      (e: Error & { $metadata?: { httpStatusCode?: number } }) => `${e.name} ${e.$metadata?.httpStatusCode}`,
    );
  return {
    encrypt: await outcome(
      client.send(new EncryptCommand({ KeyId: keyId, Plaintext: new TextEncoder().encode('probe') })),
    ),
    decrypt: await outcome(client.send(new DecryptCommand({ CiphertextBlob: new Uint8Array(ciphertext) }))),
    describe: await outcome(client.send(new DescribeKeyCommand({ KeyId: keyId }))),
  };
}

Object.assign(globalThis, { sdkWalk: walk, signedFetch, probe });
