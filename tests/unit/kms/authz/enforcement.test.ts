// Authorization enforced on real calls (src/kms/authz/authorize.ts, context.ts): who may call what, as AWS
// KMS decides it — key policy, IAM delegation, explicit deny, conditions, account-level operations,
// ReEncrypt's two actions, the lockout check, and what the audit trail records.
import { describe, expect, it } from 'vitest';
import { ACCOUNT, rejectsWith, utf8 } from '../../helpers/kms';
import { policy, ROOT, roleArn, rootStatement, userArn, world } from './principals';

const allow = (Action: string | string[], extra: Record<string, unknown> = {}) => ({
  Effect: 'Allow',
  Action,
  Resource: '*',
  ...extra,
});

describe('the key policy and IAM', () => {
  it('the default key policy delegates to IAM: a user needs an identity policy', async () => {
    const w = await world();
    const k = await w.createKey();
    const alice = await w.principal('user', 'alice');
    const e = await rejectsWith(
      alice.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') }),
      'AccessDeniedException',
    );
    expect(e.message).toBe(
      `User: ${userArn('alice')} is not authorized to perform: kms:Encrypt on resource: ${k.Arn} because no identity-based policy allows the kms:Encrypt action`,
    );
    const bob = await w.principal('user', 'bob', { crypto: policy(allow(['kms:Encrypt', 'kms:Decrypt'])) });
    const { CiphertextBlob } = await bob.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') });
    expect((await bob.call('Decrypt', { CiphertextBlob })).KeyId).toBe(k.Arn);
    await rejectsWith(bob.call('DescribeKey', { KeyId: k.KeyId }), 'AccessDeniedException');
  });

  it('a key policy that names a role allows it without any identity policy; others are refused for want of a resource-based allow', async () => {
    const w = await w0();
    const app = await w.principal('role', 'App');
    const k = await w.createKey({
      Policy: policy(rootStatement, {
        Effect: 'Allow',
        Principal: { AWS: roleArn('App') },
        Action: 'kms:Encrypt',
        Resource: '*',
      }),
    });
    await app.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') });
    const other = await w.createKey({
      Policy: policy({ Effect: 'Allow', Principal: { AWS: roleArn('Other') }, Action: 'kms:*', Resource: '*' }),
      BypassPolicyLockoutSafetyCheck: true,
    });
    const e = await rejectsWith(
      app.call('Encrypt', { KeyId: other.KeyId, Plaintext: utf8('x') }),
      'AccessDeniedException',
    );
    expect(e.message).toMatch(/because no resource-based policy allows the kms:Encrypt action$/);
    expect(e.message).toContain(`arn:aws:sts::${ACCOUNT}:assumed-role/App/`);
    // Not even the root may use a key whose policy leaves the account out.
    await rejectsWith(w.call('DescribeKey', { KeyId: other.KeyId }), 'AccessDeniedException');
  });

  it('an explicit deny wins over any allow, in an identity policy or in the key policy', async () => {
    const w = await w0();
    const k = await w.createKey({
      Policy: policy(rootStatement, {
        Effect: 'Deny',
        Principal: { AWS: userArn('mallory') },
        Action: 'kms:Decrypt',
        Resource: '*',
      }),
    });
    const mallory = await w.principal('user', 'mallory', { all: policy(allow('kms:*')) });
    const { CiphertextBlob } = await mallory.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') });
    const e = await rejectsWith(mallory.call('Decrypt', { CiphertextBlob }), 'AccessDeniedException');
    expect(e.message).toMatch(/with an explicit deny in a resource-based policy$/);
    const eve = await w.principal('user', 'eve', {
      all: policy(allow('kms:*'), { Effect: 'Deny', Action: 'kms:Encrypt', Resource: '*' }),
    });
    expect(
      (await rejectsWith(eve.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') }), 'AccessDeniedException'))
        .message,
    ).toMatch(/explicit deny in an identity-based policy$/);
  });

  it('an encryption-context condition: TenantId must match, and a denied Decrypt releases nothing', async () => {
    const w = await w0();
    const user = await w.principal('role', 'KeyUser');
    const k = await w.createKey({
      Policy: policy(rootStatement, {
        Effect: 'Allow',
        Principal: { AWS: roleArn('KeyUser') },
        Action: ['kms:Encrypt', 'kms:Decrypt'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:EncryptionContext:TenantId': 'acme' } },
      }),
    });
    const good = await w.call('Encrypt', {
      KeyId: k.KeyId,
      Plaintext: utf8('acme data'),
      EncryptionContext: { TenantId: 'acme' },
    });
    const bad = await w.call('Encrypt', {
      KeyId: k.KeyId,
      Plaintext: utf8('other data'),
      EncryptionContext: { TenantId: 'other' },
    });
    expect(
      new TextDecoder().decode(
        (await user.call('Decrypt', { CiphertextBlob: good.CiphertextBlob, EncryptionContext: { TenantId: 'acme' } }))
          .Plaintext,
      ),
    ).toBe('acme data');
    const denied = await user
      .call('Decrypt', { CiphertextBlob: bad.CiphertextBlob, EncryptionContext: { TenantId: 'other' } })
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(denied).toMatchObject({ name: 'AccessDeniedException' });
    expect(JSON.stringify(denied)).not.toContain('other data');
    await rejectsWith(user.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') }), 'AccessDeniedException');
  });

  it('separation of duties: a key administrator manages the key but cannot use it', async () => {
    const w = await w0();
    const admin = await w.principal('role', 'KeyAdmin');
    const k = await w.createKey({
      Policy: policy(rootStatement, {
        Effect: 'Allow',
        Principal: { AWS: roleArn('KeyAdmin') },
        Resource: '*',
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
      }),
    });
    await admin.call('DisableKey', { KeyId: k.KeyId });
    await admin.call('EnableKey', { KeyId: k.KeyId });
    await admin.call('UpdateKeyDescription', { KeyId: k.KeyId, Description: 'managed' });
    await admin.call('EnableKeyRotation', { KeyId: k.KeyId });
    const { CiphertextBlob } = await w.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') });
    await rejectsWith(admin.call('Decrypt', { CiphertextBlob }), 'AccessDeniedException');
    await rejectsWith(admin.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') }), 'AccessDeniedException');
  });

  it('ReEncrypt needs kms:ReEncryptFrom on the source key and kms:ReEncryptTo on the destination', async () => {
    const w = await w0();
    const a = await w.createKey();
    const b = await w.createKey();
    const { CiphertextBlob } = await w.call('Encrypt', { KeyId: a.KeyId, Plaintext: utf8('x') });
    const from = await w.principal('user', 'from', { p: policy(allow('kms:ReEncryptFrom')) });
    const both = await w.principal('user', 'both', { p: policy(allow('kms:ReEncrypt*')) });
    const e = await rejectsWith(
      from.call('ReEncrypt', { CiphertextBlob, DestinationKeyId: b.KeyId }),
      'AccessDeniedException',
    );
    expect(e.message).toContain(`kms:ReEncryptTo on resource: ${b.Arn}`);
    expect((await both.call('ReEncrypt', { CiphertextBlob, DestinationKeyId: b.KeyId })).KeyId).toBe(b.Arn);
  });

  it("kms:ResourceAliases and aws:ResourceTag conditions see the key's aliases and tags", async () => {
    const w = await w0();
    const k = await w.createKey({ Tags: [{ TagKey: 'Project', TagValue: 'blue' }] });
    await w.call('CreateAlias', { AliasName: 'alias/finance-main', TargetKeyId: k.KeyId });
    const byAlias = await w.principal('user', 'byalias', {
      p: policy(
        allow('kms:Encrypt', { Condition: { 'ForAnyValue:StringLike': { 'kms:ResourceAliases': 'alias/finance-*' } } }),
      ),
    });
    const byTag = await w.principal('user', 'bytag', {
      p: policy(allow('kms:Encrypt', { Condition: { StringEquals: { 'aws:ResourceTag/Project': 'red' } } })),
    });
    await byAlias.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') });
    await rejectsWith(byTag.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') }), 'AccessDeniedException');
  });

  it('aliases: CreateAlias, UpdateAlias (on both keys) and DeleteAlias are authorized on the keys', async () => {
    const w = await w0();
    const mine = await w.createKey({ Tags: [{ TagKey: 'owner', TagValue: 'alice' }] });
    const theirs = await w.createKey();
    const alice = await w.principal('user', 'alice', {
      p: policy(allow('kms:*Alias', { Condition: { StringEquals: { 'aws:ResourceTag/owner': 'alice' } } })),
    });
    await alice.call('CreateAlias', { AliasName: 'alias/mine', TargetKeyId: mine.KeyId });
    await rejectsWith(
      alice.call('CreateAlias', { AliasName: 'alias/theirs', TargetKeyId: theirs.KeyId }),
      'AccessDeniedException',
    );
    await w.call('CreateAlias', { AliasName: 'alias/theirs', TargetKeyId: theirs.KeyId });
    await rejectsWith(
      alice.call('UpdateAlias', { AliasName: 'alias/theirs', TargetKeyId: mine.KeyId }),
      'AccessDeniedException',
    );
    await rejectsWith(alice.call('DeleteAlias', { AliasName: 'alias/theirs' }), 'AccessDeniedException');
    await alice.call('DeleteAlias', { AliasName: 'alias/mine' });
    expect((await w.call('ListAliases')).Aliases.map((a: any) => a.AliasName)).toEqual(['alias/theirs']);
  });

  it("aws:PrincipalArn of a role session is the role ARN, and aws:userid the session's ID", async () => {
    const w = await w0();
    const k = await w.createKey({
      Policy: policy(rootStatement, {
        Effect: 'Allow',
        Principal: '*',
        Action: 'kms:DescribeKey',
        Resource: '*',
        Condition: { ArnEquals: { 'aws:PrincipalArn': roleArn('Reader') } },
      }),
    });
    const reader = await w.principal('role', 'Reader');
    await reader.call('DescribeKey', { KeyId: k.KeyId });
    const sim = await w.kms.simulate(reader.caller, { action: 'kms:DescribeKey', keyId: k.KeyId });
    expect(sim.context['aws:PrincipalArn']).toBe(roleArn('Reader'));
    expect(sim.context['aws:userid']).toBe(`${reader.id}:console`);
    expect(sim.context['aws:PrincipalType']).toBe('AssumedRole');
  });

  it('a stored key policy that no longer parses fails closed: only the root may read or replace it', async () => {
    const w = await w0();
    const k = await w.createKey();
    const old = JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { NoSuchOperator: { a: 'b' } } },
      ],
    });
    await w.store.write(async (tx) => tx.putKey({ ...(await tx.getKey(k.KeyId))!, policy: old }));
    const everyone = await w.principal('user', 'everyone', { p: policy(allow('kms:*')) });
    await rejectsWith(w.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') }), 'AccessDeniedException');
    await rejectsWith(everyone.call('DescribeKey', { KeyId: k.KeyId }), 'AccessDeniedException');
    expect((await w.call('GetKeyPolicy', { KeyId: k.KeyId })).Policy).toBe(old);
    await w.call('PutKeyPolicy', { KeyId: k.KeyId, Policy: policy(rootStatement) });
    await w.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') });
  });

  it('a user deleted mid-session, or an invalid grant token, is refused', async () => {
    const w = await w0();
    const k = await w.createKey();
    const gone = await w.principal('user', 'gone', { p: policy(allow('kms:*')) });
    await w.kms.iam.deletePrincipal(w.owner, gone.arn);
    await rejectsWith(gone.call('DescribeKey', { KeyId: k.KeyId }), 'AccessDeniedException');
    await rejectsWith(
      w.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x'), GrantTokens: ['not-a-token'] }),
      'InvalidGrantTokenException',
    );
  });
});

describe('account-level operations: IAM policies alone decide', () => {
  it('CreateKey, ListKeys, ListAliases and GenerateRandom need an identity policy (the root needs none)', async () => {
    const w = await w0();
    const nobody = await w.principal('user', 'nobody');
    for (const [op, req] of [
      ['CreateKey', {}],
      ['ListKeys', {}],
      ['ListAliases', {}],
      ['GenerateRandom', { NumberOfBytes: 8 }],
    ] as const) {
      const e = await rejectsWith(nobody.call(op, req), 'AccessDeniedException');
      expect(e.message).toBe(
        `User: ${userArn('nobody')} is not authorized to perform: kms:${op} on resource: * because no identity-based policy allows the kms:${op} action`,
      );
      await w.call(op, req);
    }
    const creator = await w.principal('user', 'creator', { p: policy(allow(['kms:CreateKey', 'kms:ListKeys'])) });
    await creator.call('CreateKey', {});
    expect((await creator.call('ListKeys')).Keys.length).toBeGreaterThan(0);
  });
});

describe('the policy lockout safety check', () => {
  it('PutKeyPolicy and CreateKey refuse a policy that would stop the caller calling PutKeyPolicy, unless bypassed', async () => {
    const w = await w0();
    const k = await w.createKey();
    const narrow = policy({ Effect: 'Allow', Principal: { AWS: roleArn('App') }, Action: 'kms:*', Resource: '*' });
    const e = await rejectsWith(
      w.call('PutKeyPolicy', { KeyId: k.KeyId, Policy: narrow }),
      'MalformedPolicyDocumentException',
    );
    expect(e.message).toMatch(/will not allow you to update the key policy/);
    expect((await w.call('GetKeyPolicy', { KeyId: k.KeyId })).Policy).not.toBe(narrow);
    await rejectsWith(w.call('CreateKey', { Policy: narrow }), 'MalformedPolicyDocumentException');
    await w.call('PutKeyPolicy', { KeyId: k.KeyId, Policy: narrow, BypassPolicyLockoutSafetyCheck: true });
    await rejectsWith(w.call('GetKeyPolicy', { KeyId: k.KeyId }), 'AccessDeniedException');
  });

  it('a user who may PutKeyPolicy only through IAM keeps that when the new policy still delegates to the account', async () => {
    const w = await w0();
    const k = await w.createKey();
    const admin = await w.principal('user', 'admin', { p: policy(allow('kms:PutKeyPolicy')) });
    await admin.call('PutKeyPolicy', { KeyId: k.KeyId, Policy: policy(rootStatement) });
    await rejectsWith(
      admin.call('PutKeyPolicy', {
        KeyId: k.KeyId,
        Policy: policy({ ...rootStatement, Principal: { AWS: roleArn('Other') } }),
      }),
      'MalformedPolicyDocumentException',
    );
  });
});

describe('encryption-context keys that differ only in case', () => {
  // Condition key names are case-insensitive, so kms:EncryptionContext:tenant names both "tenant"
  // and "Tenant". Every colliding value is evaluated: an Allow needs its condition to hold for each,
  // a Deny applies when it holds for any. The order of the pairs must not matter.
  const orders = [
    ['victim first', { tenant: 'victim', Tenant: 'mallory' }],
    ['mallory first', { Tenant: 'mallory', tenant: 'victim' }],
  ] as const;

  it.each(orders)(
    'an Allow on tenant = mallory does not allow {tenant: victim, Tenant: mallory} (%s)',
    async (_, ctx) => {
      const w = await w0();
      const mallory = await w.principal('user', 'mallory');
      const k = await w.createKey({
        Policy: policy(rootStatement, {
          Effect: 'Allow',
          Principal: { AWS: userArn('mallory') },
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { StringEquals: { 'kms:EncryptionContext:tenant': 'mallory' } },
        }),
      });
      const own = await w.call('Encrypt', {
        KeyId: k.KeyId,
        Plaintext: utf8('mallory data'),
        EncryptionContext: { tenant: 'mallory', Tenant: 'mallory' },
      });
      await mallory.call('Decrypt', {
        CiphertextBlob: own.CiphertextBlob,
        EncryptionContext: { tenant: 'mallory', Tenant: 'mallory' },
      });
      const victim = await w.call('Encrypt', {
        KeyId: k.KeyId,
        Plaintext: utf8('victim data'),
        EncryptionContext: ctx,
      });
      await rejectsWith(
        mallory.call('Decrypt', { CiphertextBlob: victim.CiphertextBlob, EncryptionContext: ctx }),
        'AccessDeniedException',
      );
      // A negated operator is held to the same rule: "not victim" fails when one of the values is victim.
      await w.call('PutKeyPolicy', {
        KeyId: k.KeyId,
        PolicyName: 'default',
        Policy: policy(rootStatement, {
          Effect: 'Allow',
          Principal: { AWS: userArn('mallory') },
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { StringNotEquals: { 'kms:EncryptionContext:tenant': 'victim' } },
        }),
      });
      await rejectsWith(
        mallory.call('Decrypt', { CiphertextBlob: victim.CiphertextBlob, EncryptionContext: ctx }),
        'AccessDeniedException',
      );
    },
  );

  it.each(orders)('a Deny on tenant = victim applies to {tenant: victim, Tenant: mallory} (%s)', async (_, ctx) => {
    const w = await w0();
    const mallory = await w.principal('user', 'mallory');
    const k = await w.createKey({
      Policy: policy(
        rootStatement,
        { Effect: 'Allow', Principal: { AWS: userArn('mallory') }, Action: 'kms:Decrypt', Resource: '*' },
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { StringEquals: { 'kms:EncryptionContext:tenant': 'victim' } },
        },
      ),
    });
    const victim = await w.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('victim data'), EncryptionContext: ctx });
    const e = await rejectsWith(
      mallory.call('Decrypt', { CiphertextBlob: victim.CiphertextBlob, EncryptionContext: ctx }),
      'AccessDeniedException',
    );
    expect(e.message).toMatch(/explicit deny in a resource-based policy$/);
  });
});

describe('the audit trail names the real caller', () => {
  it("records a denied call with errorCode AccessDenied, AWS's message and the role session's identity", async () => {
    const w = await w0();
    const k = await w.createKey();
    const app = await w.principal('role', 'App');
    const e = await rejectsWith(app.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') }), 'AccessDeniedException');
    const last = (await w.audit()).at(-1)!;
    expect(last.errorCode).toBe('AccessDenied');
    expect(last.record).toMatchObject({
      eventName: 'Encrypt',
      errorCode: 'AccessDenied',
      errorMessage: e.message,
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/App/console`,
        accountId: ACCOUNT,
        principalId: expect.stringMatching(/^AROA[A-Z2-7]{17}:console$/),
        sessionContext: { sessionIssuer: { type: 'Role', arn: roleArn('App'), userName: 'App' } },
      },
    });
  });

  it("records a user's calls with type IAMUser and userName", async () => {
    const w = await w0();
    const k = await w.createKey();
    const bob = await w.principal('user', 'bob', { p: policy(allow('kms:DescribeKey')) });
    await bob.call('DescribeKey', { KeyId: k.KeyId });
    expect((await w.audit()).at(-1)!.record.userIdentity).toMatchObject({
      type: 'IAMUser',
      arn: userArn('bob'),
      userName: 'bob',
      principalId: expect.stringMatching(/^AIDA/),
    });
    expect((await w.audit()).find((e) => e.eventName === 'CreateKey')!.record.userIdentity).toMatchObject({
      type: 'Root',
      arn: ROOT,
    });
  });
});

/** A fresh world (named so each test reads as a story). */
const w0 = world;
