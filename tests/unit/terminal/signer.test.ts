// The terminal's SigV4 signer: the unmodified SDK's requests, signed with a secret the signer never
// sees (only a signString function holding the HMAC key), pass the endpoint's verification.
import { DescribeKeyCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { importSecret, sigV4Signature } from '../../../src/endpoint/sigv4';
import { handleSts } from '../../../src/endpoint/sts';
import { handleKms } from '../../../src/endpoint/wire';
import { workerSigner, type SignString } from '../../../src/terminal/signer';
import { sdkHandler } from '../helpers/sdk-handler';
import { freshEndpoint } from '../helpers/sign';

const signWith = (secretAccessKey: string): SignString => {
  const key = importSecret(secretAccessKey);
  return async (scope, stringToSign) => sigV4Signature(await key, scope, stringToSign);
};

describe('workerSigner', () => {
  it('signs KMS and STS requests of the unmodified SDK so that the endpoint accepts them', async () => {
    const { kms, rootKey, rootArn } = await freshEndpoint();
    const region = kms.keystore.region;
    const config = (service: string) => ({
      region,
      credentials: { accessKeyId: rootKey.accessKeyId, secretAccessKey: 'unused: the worker holds it' },
      signer: workerSigner(rootKey.accessKeyId, signWith(rootKey.secretAccessKey), { region, service }) as never,
    });
    const k = new KMSClient({
      ...config('kms'),
      endpoint: 'http://127.0.0.1/kms',
      requestHandler: sdkHandler((r) => handleKms(kms, r)) as never,
    });
    expect((await k.send(new ListKeysCommand({}))).Keys).toEqual([]);
    await expect(k.send(new DescribeKeyCommand({ KeyId: 'alias/nope' }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    const s = new STSClient({
      ...config('sts'),
      endpoint: 'http://127.0.0.1/sts',
      requestHandler: sdkHandler((r) => handleSts(kms, r)) as never,
    });
    expect((await s.send(new GetCallerIdentityCommand({}))).Arn).toBe(rootArn);
  });

  it('is refused when the worker signs with another secret (the signature is what authenticates)', async () => {
    const { kms, rootKey } = await freshEndpoint();
    const k = new KMSClient({
      region: kms.keystore.region,
      endpoint: 'http://127.0.0.1/kms',
      credentials: { accessKeyId: rootKey.accessKeyId, secretAccessKey: 'unused' },
      signer: workerSigner(rootKey.accessKeyId, signWith(`${rootKey.secretAccessKey}x`), {
        region: kms.keystore.region,
        service: 'kms',
      }) as never,
      requestHandler: sdkHandler((r) => handleKms(kms, r)) as never,
    });
    await expect(k.send(new ListKeysCommand({}))).rejects.toMatchObject({ name: 'InvalidSignatureException' });
  });
});
