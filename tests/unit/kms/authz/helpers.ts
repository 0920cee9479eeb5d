import type { AuthzRequest } from '../../../../src/kms/authz/evaluate';

export const ACCT = '111122223333';
export const KEY = `arn:aws:kms:us-east-1:${ACCT}:key/1234abcd-12ab-44cd-96ef-1234567890ab`;
export const ALICE = `arn:aws:iam::${ACCT}:user/alice`;
export const ROOT = `arn:aws:iam::${ACCT}:root`;

export function request(over: Partial<AuthzRequest> = {}): AuthzRequest {
  return { principal: { arn: ALICE, accountId: ACCT }, action: 'kms:Decrypt', resource: KEY, context: {}, ...over };
}

export const rootKeyPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
  ],
});

export const identity = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
export const keyPolicy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
