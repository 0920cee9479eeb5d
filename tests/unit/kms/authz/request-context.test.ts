// Condition keys of KMS requests (src/kms/authz/request-context.ts), grants (grants.ts) and the
// lockout safety check (lockout.ts), each used through decide() the way enforcement will.
import { describe, expect, it } from 'vitest';
import { decide } from '../../../../src/kms/authz/decide';
import { grantAllows, type GrantRecord } from '../../../../src/kms/authz/grants';
import { checkLockout } from '../../../../src/kms/authz/lockout';
import { parsePolicy } from '../../../../src/kms/authz/policy-document';
import { requestContext, type CallerFacts, type KeyFacts } from '../../../../src/kms/authz/request-context';
import { MalformedPolicyDocumentException } from '../../../../src/kms/errors';
import { ACCT, ALICE, identity, KEY, keyPolicy, ROOT, rootKeyPolicy } from './helpers';

const alice: CallerFacts = {
  arn: ALICE,
  accountId: ACCT,
  type: 'IAMUser',
  userName: 'alice',
  userId: 'AIDAALICE',
  tags: { team: 'payments' },
};
const key: KeyFacts = {
  arn: KEY,
  keySpec: 'SYMMETRIC_DEFAULT',
  keyUsage: 'ENCRYPT_DECRYPT',
  origin: 'AWS_KMS',
  tags: [{ TagKey: 'env', TagValue: 'prod' }],
  aliases: ['alias/app'],
};
const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);

describe('requestContext', () => {
  it('carries the caller, the key and the time', () => {
    expect(requestContext('DescribeKey', { KeyId: 'alias/app' }, alice, key, NOW)).toEqual({
      'aws:PrincipalArn': ALICE,
      'aws:PrincipalAccount': ACCT,
      'aws:PrincipalType': 'User',
      'aws:userid': 'AIDAALICE',
      'aws:username': 'alice',
      'aws:PrincipalTag/team': 'payments',
      'aws:CurrentTime': '2026-11-29T12:00:00Z',
      'aws:EpochTime': String(NOW / 1000),
      'aws:SecureTransport': 'true',
      'kms:CallerAccount': ACCT,
      'kms:KeySpec': 'SYMMETRIC_DEFAULT',
      'kms:KeyUsage': 'ENCRYPT_DECRYPT',
      'kms:KeyOrigin': 'AWS_KMS',
      'aws:ResourceTag/env': 'prod',
      'kms:ResourceAliases': ['alias/app'],
      'kms:RequestAlias': 'alias/app',
    });
  });

  it('exposes the encryption context of cryptographic calls, and of each side of ReEncrypt', () => {
    const enc = requestContext(
      'Encrypt',
      { KeyId: KEY, EncryptionContext: { TenantId: 'acme', Dept: 'x' } },
      alice,
      key,
      NOW,
    );
    expect(enc).toMatchObject({
      'kms:EncryptionContext:TenantId': 'acme',
      'kms:EncryptionContextKeys': ['TenantId', 'Dept'],
      'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT',
    });
    expect(enc['kms:RequestAlias']).toBeUndefined();
    const re = {
      SourceKeyId: KEY,
      DestinationKeyId: KEY,
      SourceEncryptionContext: { a: '1' },
      DestinationEncryptionContext: { b: '2' },
    };
    expect(requestContext('ReEncrypt', re, alice, key, NOW, 'source')).toMatchObject({
      'kms:EncryptionContext:a': '1',
      'kms:ReEncryptOnSameKey': 'true',
    });
    expect(requestContext('ReEncrypt', re, alice, key, NOW, 'destination')).toMatchObject({
      'kms:EncryptionContext:b': '2',
    });
  });

  it('has the parameters KMS exposes as keys, and request tags', () => {
    expect(
      requestContext('ScheduleKeyDeletion', { KeyId: KEY }, alice, key, NOW)[
        'kms:ScheduleKeyDeletionPendingWindowInDays'
      ],
    ).toBe('30');
    expect(
      requestContext('EnableKeyRotation', { KeyId: KEY, RotationPeriodInDays: 180 }, alice, key, NOW)[
        'kms:RotationPeriodInDays'
      ],
    ).toBe('180');
    expect(
      requestContext('TagResource', { KeyId: KEY, Tags: [{ TagKey: 'cost', TagValue: 'x' }] }, alice, key, NOW),
    ).toMatchObject({ 'aws:RequestTag/cost': 'x', 'aws:TagKeys': ['cost'] });
    expect(
      requestContext(
        'CreateGrant',
        {
          KeyId: KEY,
          GranteePrincipal: 'arn:aws:iam::111122223333:role/app',
          Operations: ['Decrypt'],
          Constraints: { EncryptionContextSubset: { a: 'b' } },
        },
        alice,
        key,
        NOW,
      ),
    ).toMatchObject({
      'kms:GranteePrincipal': 'arn:aws:iam::111122223333:role/app',
      'kms:GrantOperations': ['Decrypt'],
      'kms:GrantConstraintType': 'EncryptionContextSubset',
      'kms:GrantIsForAWSResource': 'false',
    });
  });

  it('drives a TenantId condition end to end', () => {
    const policy = parsePolicy(
      keyPolicy({
        Effect: 'Allow',
        Principal: { AWS: ALICE },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { StringEquals: { 'kms:EncryptionContext:TenantId': 'acme' } },
      }),
      'key',
    );
    const ask = (EncryptionContext: object) =>
      decide({
        request: {
          principal: alice,
          action: 'kms:Decrypt',
          resource: KEY,
          context: requestContext('Decrypt', { EncryptionContext }, alice, key, NOW),
        },
        keyPolicy: policy,
        identityPolicies: [],
      }).allowed;
    expect(ask({ TenantId: 'acme' })).toBe(true);
    expect(ask({ TenantId: 'globex' })).toBe(false);
    expect(ask({})).toBe(false);
  });
});

describe('grantAllows', () => {
  const g: GrantRecord = {
    grantId: 'g',
    keyId: 'k',
    granteePrincipal: 'arn:aws:iam::111122223333:role/app',
    operations: ['Decrypt', 'GenerateDataKey', 'DescribeKey'],
  };
  const app = { arn: 'arn:aws:sts::111122223333:assumed-role/app/s1', roleArn: 'arn:aws:iam::111122223333:role/app' };

  it('allows the grantee the listed operations only', () => {
    expect(grantAllows(g, 'Decrypt', app, {})).toBe(true);
    expect(grantAllows(g, 'Encrypt', app, {})).toBe(false);
    expect(grantAllows(g, 'Decrypt', { arn: ALICE }, {})).toBe(false);
  });

  it('EncryptionContextSubset: the request may add pairs; EncryptionContextEquals: exactly these pairs', () => {
    const subset = { ...g, constraints: { EncryptionContextSubset: { Dept: 'IT' } } };
    expect(grantAllows(subset, 'Decrypt', app, { Dept: 'IT', Purpose: 'Test' })).toBe(true);
    expect(grantAllows(subset, 'Decrypt', app, { Dept: 'HR' })).toBe(false);
    expect(grantAllows(subset, 'Decrypt', app, undefined)).toBe(false);
    const equals = { ...g, constraints: { EncryptionContextEquals: { Dept: 'IT' } } };
    expect(grantAllows(equals, 'Decrypt', app, { Dept: 'IT' })).toBe(true);
    expect(grantAllows(equals, 'Decrypt', app, { Dept: 'IT', Purpose: 'Test' })).toBe(false);
  });

  it('constraints are not applied to operations without an encryption context (AWS: DescribeKey, RetireGrant)', () => {
    const constrained = {
      ...g,
      operations: ['Decrypt', 'DescribeKey'],
      constraints: { EncryptionContextSubset: { Dept: 'IT' } },
    };
    expect(grantAllows(constrained, 'DescribeKey', app, undefined)).toBe(true);
    expect(grantAllows(constrained, 'Decrypt', app, undefined)).toBe(false);
  });
});

describe('AWS service principals', () => {
  const S3 = 's3.amazonaws.com';
  const BUCKET = 'arn:aws:s3:::invoices';
  const s3: CallerFacts = { arn: S3, accountId: ACCT, type: 'AWSService', userId: S3, sourceArn: BUCKET };
  const svc = { arn: S3, service: true as const };
  const grant: GrantRecord = {
    grantId: 'g',
    keyId: 'k',
    granteePrincipal: S3,
    granteeServicePrincipal: S3,
    operations: ['Decrypt', 'RetireGrant'],
    constraints: { SourceArn: BUCKET },
  };

  it('requestContext has aws:PrincipalServiceName, aws:SourceArn and aws:SourceAccount, and no IAM principal keys', () => {
    const ctx = requestContext(
      'Decrypt',
      {},
      { ...s3, sourceArn: 'arn:aws:logs:us-east-1:444455556666:log-group:x' },
      key,
      NOW,
    );
    expect(ctx).toMatchObject({
      'aws:PrincipalServiceName': S3,
      'aws:SourceArn': 'arn:aws:logs:us-east-1:444455556666:log-group:x',
      'aws:SourceAccount': '444455556666',
      'kms:KeySpec': 'SYMMETRIC_DEFAULT',
    });
    for (const k of [
      'aws:PrincipalArn',
      'aws:PrincipalAccount',
      'aws:PrincipalType',
      'aws:userid',
      'kms:CallerAccount',
    ])
      expect(ctx[k], k).toBeUndefined();
    // An S3 bucket ARN has no account: no aws:SourceAccount.
    expect(requestContext('Decrypt', {}, s3, key, NOW)['aws:SourceAccount']).toBeUndefined();
  });

  it('a grant to a service principal allows only that service, with the SourceArn (except for RetireGrant)', () => {
    expect(grantAllows(grant, 'Decrypt', svc, undefined, BUCKET)).toBe(true);
    expect(grantAllows(grant, 'Decrypt', svc, undefined, 'arn:aws:s3:::other')).toBe(false);
    expect(grantAllows(grant, 'Decrypt', svc, undefined, undefined)).toBe(false);
    expect(grantAllows(grant, 'Decrypt', { arn: 'logs.amazonaws.com', service: true }, undefined, BUCKET)).toBe(false);
    // An IAM principal is never the grantee of a service grant, whatever its name.
    expect(grantAllows(grant, 'Decrypt', { arn: S3 }, undefined, BUCKET)).toBe(false);
    expect(grantAllows(grant, 'RetireGrant', svc, undefined, undefined)).toBe(true);
    // And a service is never the grantee of a grant to an IAM principal.
    const iam: GrantRecord = { grantId: 'i', keyId: 'k', granteePrincipal: ALICE, operations: ['Decrypt'] };
    expect(grantAllows(iam, 'Decrypt', { arn: ALICE }, undefined)).toBe(true);
    expect(grantAllows(iam, 'Decrypt', { arn: ALICE, service: true }, undefined)).toBe(false);
  });

  it('a key policy names a service in a Service principal; "*" names it too; an account principal does not', () => {
    const req = { principal: { ...svc, accountId: ACCT }, action: 'kms:Decrypt', resource: KEY, context: {} };
    const allow = (Principal: unknown) =>
      parsePolicy(
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal, Action: 'kms:*', Resource: '*' }],
        }),
        'key',
      );
    const verdict = (Principal: unknown) =>
      decide({ request: req, keyPolicy: allow(Principal), identityPolicies: [] }).allowed;
    expect(verdict({ Service: S3 })).toBe(true);
    expect(verdict({ Service: 'logs.amazonaws.com' })).toBe(false);
    expect(verdict('*')).toBe(true);
    expect(verdict({ AWS: ROOT })).toBe(false);
    expect(verdict({ AWS: `arn:aws:iam::${ACCT}:role/s3.amazonaws.com` })).toBe(false);
  });
});

describe('checkLockout', () => {
  const me = { arn: ALICE, accountId: ACCT };

  it('refuses a policy that takes PutKeyPolicy away from the caller, with AWS’s exception', () => {
    const narrow = parsePolicy(
      keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:Decrypt', Resource: '*' }),
      'key',
    );
    expect(() => checkLockout(narrow, me, KEY, [], {})).toThrow(MalformedPolicyDocumentException);
    expect(() => checkLockout(narrow, me, KEY, [], {})).toThrow(/will not allow you to update the key policy/);
  });

  it('accepts a policy that keeps PutKeyPolicy for the caller, directly or through IAM', () => {
    checkLockout(
      parsePolicy(
        keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:PutKeyPolicy', Resource: '*' }),
        'key',
      ),
      me,
      KEY,
      [],
      {},
    );
    const viaIam = [
      { name: 'admin', policy: parsePolicy(identity({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }), 'identity') },
    ];
    checkLockout(parsePolicy(rootKeyPolicy, 'key'), me, KEY, viaIam, {});
    checkLockout(parsePolicy(rootKeyPolicy, 'key'), { arn: ROOT, accountId: ACCT }, KEY, [], {});
  });
});
