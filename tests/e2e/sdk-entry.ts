// Bundled for the browser by sdk.test.ts: the unmodified @aws-sdk/client-kms, run from a page of
// the app's origin against the service worker's /kms endpoint.
import {
  CancelKeyDeletionCommand, CreateAliasCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand,
  GetKeyPolicyCommand, KMSClient, PutKeyPolicyCommand, ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';

async function walk(origin: string) {
  const client = new KMSClient({
    region: 'us-east-1',
    endpoint: `${origin}/kms`,
    credentials: { accessKeyId: 'AKIAPOCKETKMSEXAMPLE', secretAccessKey: 'not-checked-until-sigv4-lands' },
  });
  const steps: Record<string, unknown> = {};
  const created = await client.send(new CreateKeyCommand({ Description: 'made by the AWS SDK', Tags: [{ TagKey: 'team', TagValue: 'sdk' }] }));
  const keyId = created.KeyMetadata!.KeyId!;
  steps.created = { keyId, arn: created.KeyMetadata!.Arn, state: created.KeyMetadata!.KeyState, creationIsDate: created.KeyMetadata!.CreationDate instanceof Date };
  await client.send(new CreateAliasCommand({ AliasName: 'alias/sdk-walk', TargetKeyId: keyId }));
  const byAlias = await client.send(new DescribeKeyCommand({ KeyId: 'alias/sdk-walk' }));
  steps.describedByAlias = byAlias.KeyMetadata!.KeyId;
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${created.KeyMetadata!.AWSAccountId}:root` }, Action: 'kms:*', Resource: '*' }],
  });
  await client.send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: policy }));
  steps.policyRoundTrip = (await client.send(new GetKeyPolicyCommand({ KeyId: keyId }))).Policy === policy;
  const plaintext = new TextEncoder().encode('workshop secret 42');
  const enc = await client.send(new EncryptCommand({ KeyId: 'alias/sdk-walk', Plaintext: plaintext, EncryptionContext: { dept: 'finance' } }));
  steps.encryptedKeyId = enc.KeyId;
  const dec = await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { dept: 'finance' } }));
  steps.decrypted = new TextDecoder().decode(dec.Plaintext);
  try {
    await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { dept: 'sales' } }));
    steps.wrongContext = 'no error';
  } catch (e) {
    steps.wrongContext = { name: (e as Error).name, status: (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode };
  }
  const sched = await client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
  steps.scheduled = { state: sched.KeyState, window: sched.PendingWindowInDays, days: Math.round((sched.DeletionDate!.getTime() - Date.now()) / 86_400_000) };
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

(globalThis as unknown as { sdkWalk: typeof walk }).sdkWalk = walk;
