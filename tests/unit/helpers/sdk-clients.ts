// The unmodified AWS SDK clients pointed at one keystore's endpoints, handled in-process (no network):
// KMS and STS in the keystore's Region, IAM in us-east-1 as the SDK signs it whatever the Region.
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { STSClient } from '@aws-sdk/client-sts';
import { handleIam } from '../../../src/endpoint/iam';
import { handleSts } from '../../../src/endpoint/sts';
import { handleKms } from '../../../src/endpoint/wire';
import type { Kms } from '../../../src/kms/kms';
import { sdkHandler } from './sdk-handler';

export interface SdkCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const kmsClient = (kms: Kms, credentials: SdkCredentials) =>
  new KMSClient({
    region: kms.keystore.region,
    endpoint: 'http://127.0.0.1/kms',
    credentials,
    requestHandler: sdkHandler((req) => handleKms(kms, req)) as never,
  });

export const stsClient = (kms: Kms, credentials: SdkCredentials) =>
  new STSClient({
    region: kms.keystore.region,
    endpoint: 'http://127.0.0.1/sts',
    credentials,
    requestHandler: sdkHandler((req) => handleSts(kms, req)) as never,
  });

export const iamClient = (kms: Kms, credentials: SdkCredentials) =>
  new IAMClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1/iam',
    credentials,
    requestHandler: sdkHandler((req) => handleIam(kms, req)) as never,
  });
