// AWS KMS's decision (src/kms/authz/decide.ts): explicit deny wins, the key policy must allow
// (directly or by delegating to IAM in the account), grants, and AWS's AccessDenied wording.
import { describe, expect, it } from 'vitest';
import { decide } from '../../../../src/kms/authz/decide';
import { parsePolicy } from '../../../../src/kms/authz/policy-document';
import { ACCT, ALICE, identity, KEY, keyPolicy, request, ROOT, rootKeyPolicy } from './helpers';

const kp = (s: string) => parsePolicy(s, 'key');
const ip = (name: string, s: string) => ({ name, policy: parsePolicy(s, 'identity') });
const allowDecrypt = identity({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' });

describe('the key policy must allow', () => {
  it('a key policy naming the user allows without any IAM policy', () => {
    const d = decide({
      request: request(),
      keyPolicy: kp(keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:Decrypt', Resource: '*' })),
      identityPolicies: [],
    });
    expect(d).toMatchObject({ allowed: true, reason: 'AllowedByKeyPolicy' });
  });

  it('the default key policy delegates to IAM: an identity policy is then needed', () => {
    expect(decide({ request: request(), keyPolicy: kp(rootKeyPolicy), identityPolicies: [] })).toMatchObject({
      allowed: false,
      reason: 'NoIdentityPolicyAllow',
      message: `User: ${ALICE} is not authorized to perform: kms:Decrypt on resource: ${KEY} because no identity-based policy allows the kms:Decrypt action`,
    });
    expect(
      decide({ request: request(), keyPolicy: kp(rootKeyPolicy), identityPolicies: [ip('p', allowDecrypt)] }),
    ).toMatchObject({ allowed: true, reason: 'AllowedByKeyPolicyAndIdentityPolicy' });
  });

  it('an account ID principal delegates like the root ARN', () => {
    const d = decide({
      request: request(),
      keyPolicy: kp(keyPolicy({ Effect: 'Allow', Principal: { AWS: ACCT }, Action: 'kms:*', Resource: '*' })),
      identityPolicies: [ip('p', allowDecrypt)],
    });
    expect(d.allowed).toBe(true);
  });

  it('an IAM policy alone is not enough when the key policy does not allow the account', () => {
    const onlyBob = kp(
      keyPolicy({
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCT}:user/bob` },
        Action: 'kms:*',
        Resource: '*',
      }),
    );
    expect(decide({ request: request(), keyPolicy: onlyBob, identityPolicies: [ip('p', allowDecrypt)] })).toMatchObject(
      {
        allowed: false,
        reason: 'NoKeyPolicyAllow',
        message: expect.stringContaining('because no resource-based policy allows the kms:Decrypt action'),
      },
    );
  });

  it('the root user is allowed by the default key policy on its own', () => {
    const d = decide({
      request: request({ principal: { arn: ROOT, accountId: ACCT } }),
      keyPolicy: kp(rootKeyPolicy),
      identityPolicies: [],
    });
    expect(d).toMatchObject({ allowed: true, reason: 'AllowedByKeyPolicy' });
  });

  it('a role session matches a key policy that names the role', () => {
    const policy = kp(
      keyPolicy({
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCT}:role/KeyUser` },
        Action: 'kms:Decrypt',
        Resource: '*',
      }),
    );
    const session = {
      arn: `arn:aws:sts::${ACCT}:assumed-role/KeyUser/workshop`,
      accountId: ACCT,
      roleArn: `arn:aws:iam::${ACCT}:role/KeyUser`,
    };
    expect(decide({ request: request({ principal: session }), keyPolicy: policy, identityPolicies: [] }).allowed).toBe(
      true,
    );
  });
});

describe('explicit deny wins', () => {
  it('a Deny in the key policy overrides every allow, with AWS wording', () => {
    const policy = kp(
      keyPolicy(
        { Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*' },
        {
          Sid: 'NoDecryptWithoutTenant',
          Effect: 'Deny',
          Principal: '*',
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { Null: { 'kms:EncryptionContext:TenantId': 'true' } },
        },
      ),
    );
    const d = decide({
      request: request(),
      keyPolicy: policy,
      identityPolicies: [],
      grants: [{ grantId: 'g', allows: true }],
    });
    expect(d).toMatchObject({
      allowed: false,
      reason: 'ExplicitDenyInKeyPolicy',
      message: expect.stringMatching(/with an explicit deny in a resource-based policy$/),
    });
    expect(
      decide({
        request: request({ context: { 'kms:EncryptionContext:TenantId': 'acme' } }),
        keyPolicy: policy,
        identityPolicies: [],
      }).allowed,
    ).toBe(true);
  });

  it('a Deny in an identity policy overrides the key policy', () => {
    const d = decide({
      request: request(),
      keyPolicy: kp(keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*' })),
      identityPolicies: [ip('deny', identity({ Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' }))],
    });
    expect(d).toMatchObject({ allowed: false, reason: 'ExplicitDenyInIdentityPolicy' });
  });
});

describe('grants', () => {
  it('a grant allows when no policy does, and says which grant', () => {
    const d = decide({
      request: request(),
      keyPolicy: kp(rootKeyPolicy),
      identityPolicies: [],
      grants: [
        { grantId: 'g1', allows: false },
        { grantId: 'g2', allows: true },
      ],
    });
    expect(d).toMatchObject({ allowed: true, reason: 'AllowedByGrant', grantId: 'g2' });
  });
});

describe('separation of duties (the workshop example)', () => {
  const policy = kp(
    keyPolicy(
      {
        Sid: 'Admins',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCT}:role/KeyAdmin` },
        Action: [
          'kms:Create*',
          'kms:Describe*',
          'kms:Enable*',
          'kms:List*',
          'kms:Put*',
          'kms:Update*',
          'kms:Revoke*',
          'kms:Disable*',
          'kms:Get*',
          'kms:Delete*',
          'kms:ScheduleKeyDeletion',
          'kms:CancelKeyDeletion',
        ],
        Resource: '*',
      },
      {
        Sid: 'Users',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCT}:role/KeyUser` },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:EncryptionContext:TenantId': 'acme' } },
      },
    ),
  );
  const as = (role: string) => ({
    arn: `arn:aws:sts::${ACCT}:assumed-role/${role}/s`,
    accountId: ACCT,
    roleArn: `arn:aws:iam::${ACCT}:role/${role}`,
  });

  it('the admin manages but cannot decrypt; the user decrypts only with the right tenant', () => {
    expect(
      decide({
        request: request({ principal: as('KeyAdmin'), action: 'kms:PutKeyPolicy' }),
        keyPolicy: policy,
        identityPolicies: [],
      }).allowed,
    ).toBe(true);
    expect(
      decide({ request: request({ principal: as('KeyAdmin') }), keyPolicy: policy, identityPolicies: [] }).allowed,
    ).toBe(false);
    const right = decide({
      request: request({ principal: as('KeyUser'), context: { 'kms:EncryptionContext:TenantId': 'acme' } }),
      keyPolicy: policy,
      identityPolicies: [],
    });
    expect(right.allowed).toBe(true);
    const wrong = decide({
      request: request({ principal: as('KeyUser'), context: { 'kms:EncryptionContext:TenantId': 'other' } }),
      keyPolicy: policy,
      identityPolicies: [],
    });
    expect(wrong.allowed).toBe(false);
    // The simulator can say why: the Users statement failed on its condition.
    expect(wrong.keyPolicy[1]).toMatchObject({
      sid: 'Users',
      applies: false,
      mismatch: 'condition',
      failedCondition: { key: 'kms:EncryptionContext:TenantId', actual: 'other' },
    });
  });
});

describe('actions and resources', () => {
  it.each([
    ['kms:*', true],
    ['KMS:decrypt', true],
    ['kms:De*', true],
    ['kms:Encrypt', false],
    ['*', true],
    ['kms:Decrypt?', false],
  ])('Action %s → %s', (action, want) => {
    const d = decide({
      request: request(),
      keyPolicy: kp(keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: action, Resource: '*' })),
      identityPolicies: [],
    });
    expect(d.allowed).toBe(want);
  });

  it('NotAction and NotResource invert the match', () => {
    const notEncrypt = kp(
      keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, NotAction: 'kms:Encrypt', Resource: '*' }),
    );
    expect(decide({ request: request(), keyPolicy: notEncrypt, identityPolicies: [] }).allowed).toBe(true);
    const other = identity({ Effect: 'Allow', Action: 'kms:Decrypt', NotResource: KEY });
    expect(
      decide({ request: request(), keyPolicy: kp(rootKeyPolicy), identityPolicies: [ip('p', other)] }).allowed,
    ).toBe(false);
  });

  it('identity policy resources match the key ARN with wildcards and variables', () => {
    const byPattern = identity({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: `arn:aws:kms:*:${ACCT}:key/*` });
    expect(
      decide({ request: request(), keyPolicy: kp(rootKeyPolicy), identityPolicies: [ip('p', byPattern)] }).allowed,
    ).toBe(true);
    const byVar = identity({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: `arn:aws:kms:us-east-1:\${aws:PrincipalAccount}:key/*`,
    });
    expect(
      decide({
        request: request({ context: { 'aws:PrincipalAccount': ACCT } }),
        keyPolicy: kp(rootKeyPolicy),
        identityPolicies: [ip('p', byVar)],
      }).allowed,
    ).toBe(true);
  });
});
