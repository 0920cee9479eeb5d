// SSE-KMS with keys of several accounts through the unmodified @aws-sdk/client-s3 (docs/AUTHORIZATION.md
// "Accounts"): a principal of account B names its own key by key ID or alias and S3 records that key's ARN (B's
// account); the same key ID named by account A is not found, as A's key lookup is in A.
import { CreateKeyCommand, CreateAliasCommand } from '@aws-sdk/client-kms';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { rootCaller } from '../../../src/kms/ids';
import { kmsClient, type SdkCredentials } from '../helpers/sdk-clients';
import { credentialsOf } from '../helpers/sign';
import { freshS3, s3ClientOf } from './fixtures';

const B = '222233334444';

describe('SSE-KMS with the keys of each account', () => {
  it("encrypts B's objects under B's own key, named by key ID or alias in B; A cannot name it by key ID", async () => {
    const f = await freshS3();
    const s3Client = (credentials: SdkCredentials) => s3ClientOf(f, credentials);
    await f.kms.iam.createAccount(f.root, 'Applications', B);
    const bRoot = rootCaller({ ...f.kms.keystore, accountId: B }, { userAgent: 'vitest' });
    const bKey = credentialsOf(await f.kms.iam.createAccessKey(bRoot, `arn:aws:iam::${B}:root`));
    const aKey = credentialsOf(
      await f.kms.iam.createAccessKey(f.root, `arn:aws:iam::${f.kms.keystore.accountId}:root`),
    );
    const { KeyMetadata } = await kmsClient(f.kms, bKey).send(new CreateKeyCommand({}));
    await kmsClient(f.kms, bKey).send(
      new CreateAliasCommand({ AliasName: 'alias/objects', TargetKeyId: KeyMetadata!.KeyId! }),
    );
    await f.s3.createBucket(f.root, 'shared');
    const put = (creds: SdkCredentials, Key: string, SSEKMSKeyId: string) =>
      s3Client(creds).send(
        new PutObjectCommand({ Bucket: 'shared', Key, Body: 'b data', ServerSideEncryption: 'aws:kms', SSEKMSKeyId }),
      );
    expect((await put(bKey, 'by-id.txt', KeyMetadata!.KeyId!)).SSEKMSKeyId).toBe(KeyMetadata!.Arn);
    expect((await put(bKey, 'by-alias.txt', 'alias/objects')).SSEKMSKeyId).toBe(KeyMetadata!.Arn);
    expect(KeyMetadata!.Arn!.split(':')[4]).toBe(B);
    const got = await s3Client(bKey).send(new GetObjectCommand({ Bucket: 'shared', Key: 'by-alias.txt' }));
    expect(await got.Body!.transformToString()).toBe('b data');
    // A's root: the key ID and the alias are looked up in A, where neither exists; nothing is written.
    await expect(put(aKey, 'from-a.txt', KeyMetadata!.KeyId!)).rejects.toMatchObject({ name: 'KMS.NotFoundException' });
    await expect(put(aKey, 'from-a.txt', 'alias/objects')).rejects.toMatchObject({ name: 'KMS.NotFoundException' });
    await expect(
      s3Client(aKey).send(new HeadObjectCommand({ Bucket: 'shared', Key: 'from-a.txt' })),
    ).rejects.toMatchObject({ name: 'NotFound' });
  });
});
