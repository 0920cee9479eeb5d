// Temporary credentials from STS at /s3 through the unmodified @aws-sdk/client-s3: a session acts as its
// principal for S3 and SSE-KMS, its token is required (InvalidAccessKeyId without it, as S3 answers an
// unknown key), and after its expiration S3 answers ExpiredToken (400), as AWS does, with nothing written.
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { stsClient, type SdkCredentials } from '../helpers/sdk-clients';
import { credentialsOf } from '../helpers/sign';
import { freshS3, s3ClientOf } from './fixtures';

const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

async function world() {
  const f = await freshS3();
  const s3Client = (credentials: SdkCredentials) => s3ClientOf(f, credentials);
  const dev = await f.kms.iam.createPrincipal(f.root, 'user', 'dev');
  await f.kms.iam.putPolicy(
    f.root,
    dev.arn,
    'objects',
    doc([{ Effect: 'Allow', Action: ['s3:*', 'kms:GenerateDataKey', 'kms:Decrypt'], Resource: '*' }]),
  );
  const devKey = credentialsOf(await f.kms.iam.createAccessKey(f.root, dev.arn));
  const key = await f.createKey();
  await f.s3.createBucket(f.root, 'lab');
  return { ...f, s3Client, devKey, keyId: key.KeyId as string };
}

describe('S3 with temporary credentials', () => {
  it('serves a session until it expires, then answers ExpiredToken and writes nothing', async () => {
    const { kms, clock, s3Client, devKey, keyId, s3, root } = await world();
    const { Credentials } = await stsClient(kms, devKey).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const session = {
      accessKeyId: Credentials!.AccessKeyId!,
      secretAccessKey: Credentials!.SecretAccessKey!,
      sessionToken: Credentials!.SessionToken!,
    };
    const put = (creds: SdkCredentials, Key: string) =>
      s3Client(creds).send(
        new PutObjectCommand({
          Bucket: 'lab',
          Key,
          Body: 'hello',
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: keyId,
        }),
      );
    const out = await put(session, 'hello.txt');
    expect(out.ServerSideEncryption).toBe('aws:kms');
    const got = await s3Client(session).send(new GetObjectCommand({ Bucket: 'lab', Key: 'hello.txt' }));
    expect(await got.Body!.transformToString()).toBe('hello');

    // The session's key without its token is a key S3 does not know.
    await expect(
      put({ accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey }, 'no-token.txt'),
    ).rejects.toMatchObject({ name: 'InvalidAccessKeyId', $metadata: { httpStatusCode: 403 } });

    clock.t += 900_000;
    await expect(put(session, 'late.txt')).rejects.toMatchObject({
      name: 'ExpiredToken',
      message: 'The provided token has expired.',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      s3Client(session).send(new GetObjectCommand({ Bucket: 'lab', Key: 'hello.txt' })),
    ).rejects.toMatchObject({ name: 'ExpiredToken' });
    // Neither refused upload left an object; the long-term key still works.
    const listed = await s3.listObjects(root, 'lab', { prefix: '', maxKeys: 1000 });
    expect(listed.objects.map((o) => o.key)).toEqual(['hello.txt']);
    await put(devKey, 'later.txt');
  });
});
