// The checks of who may do what (src/labs/iam-checks.ts) against a real core: IAM users made in the lab,
// the policy simulator's decision and the statement that made it (encryption-context conditions
// included), grants and their revoke; and the AccessDenied hint naming the condition that failed.
import { describe, expect, it } from 'vitest';
import { utf8 } from '../helpers/kms';
import { labCore, labOf } from './fixtures';

const ACCOUNT = '111122223333';
const arn = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;

/** A key policy: IAM policies count, kms-user may use the key for tenant blue, kms-admin may never use it. */
const sodPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'EnableIamPolicies',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
    {
      Sid: 'KeyUserTenantBlue',
      Effect: 'Allow',
      Principal: { AWS: arn('kms-user') },
      Action: ['kms:Encrypt', 'kms:Decrypt'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionContext:tenant': 'blue' } },
    },
    {
      Sid: 'DenyAdministratorsCryptoUse',
      Effect: 'Deny',
      Principal: { AWS: arn('kms-admin') },
      Action: ['kms:Encrypt', 'kms:Decrypt'],
      Resource: '*',
    },
  ],
});

const manage = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['kms:CreateKey', 'kms:DescribeKey'], Resource: '*' }],
});

async function users(c: Awaited<ReturnType<typeof labCore>>) {
  const admin = await c.kms.iam.createPrincipal(c.root, 'user', 'kms-admin');
  const user = await c.kms.iam.createPrincipal(c.root, 'user', 'kms-user');
  return { admin, user };
}

describe('principalExists / principalAbsent', () => {
  it('needs a user made since the lab started, with its inline policy and an access key, then gone', async () => {
    const c = await labCore();
    await c.kms.iam.createPrincipal(c.root, 'user', 'old-user');
    c.clock.t += 1000;
    const r = await c.run(
      labOf(
        { kind: 'principalExists', principal: 'user/old-user' },
        { kind: 'principalExists', principal: 'user/kms-admin', policies: ['key-administration'], accessKeys: 1 },
      ),
    );
    let e = await r.evaluate();
    expect(e.steps[0]!.missing).toEqual([
      'user old-user was made before the lab started (delete it, or reset the lab)',
    ]);
    expect(e.steps[1]!.missing).toEqual([`no user ${arn('kms-admin')} was created since the lab started`]);
    const { admin } = await users(c);
    await c.kms.iam.putPolicy(c.root, admin.arn, 'other', manage);
    e = await r.evaluate();
    expect(e.steps[1]!.missing).toEqual([
      'user kms-admin has no inline policy "key-administration" (it has "other")',
      'user kms-admin has 0 access key(s), not yet 1',
    ]);
    await c.kms.iam.putPolicy(c.root, admin.arn, 'key-administration', manage);
    await c.kms.iam.createAccessKey(c.root, admin.arn);
    e = await r.evaluate();
    expect(e.steps[1]!.done).toBe(true);
    const cleanup = await c.run(labOf({ kind: 'principalAbsent', principal: 'user/kms-*' }));
    expect((await cleanup.evaluate()).steps[0]!.missing).toEqual([
      'user kms-admin still exists (delete its 2 inline policy(ies) and 1 access key(s) first)',
      'user kms-user still exists',
    ]);
    await c.kms.iam.deletePrincipal(c.root, admin.arn);
    await c.kms.iam.deletePrincipal(c.root, arn('kms-user'));
    expect((await cleanup.evaluate()).steps[0]!.done).toBe(true);
  });
});

describe('decision (the policy simulator, encryption context included)', () => {
  it('says which statement decided, and which condition failed when it is not the one expected', async () => {
    const c = await labCore();
    const { admin, user } = await users(c);
    await c.kms.iam.putPolicy(c.root, admin.arn, 'manage', manage);
    const k = await c.createKey();
    const r = await c.run(
      labOf(
        { kind: 'keyExists', bind: 'k' },
        {
          kind: 'decision',
          principal: 'user/kms-user',
          key: '$k',
          actions: ['Encrypt'],
          encryptionContext: { tenant: 'blue' },
          allowed: true,
          statement: 'KeyUserTenantBlue',
        },
        {
          kind: 'decision',
          principal: 'user/kms-admin',
          key: '$k',
          actions: ['kms:Decrypt'],
          allowed: false,
          reason: 'ExplicitDenyInKeyPolicy',
          statement: 'DenyAdministratorsCryptoUse',
        },
        { kind: 'decision', principal: 'user/kms-admin', actions: ['CreateKey'], allowed: true },
      ),
    );
    r.progress.startSeq = 0;
    let e = await r.evaluate();
    expect(e.steps[1]!.missing).toEqual([
      `the policy simulator denies ${user.arn} kms:Encrypt on key ${k.KeyId} with encryption context tenant=blue (allowed expected): the key policy leaves it to IAM (statement "Enable IAM User Permissions"), and no identity policy of ${user.arn} allows kms:Encrypt`,
    ]);
    expect(e.steps[2]!.missing[0]).toMatch(
      /^the policy simulator denies .* for NoIdentityPolicyAllow, not ExplicitDenyInKeyPolicy/,
    );
    expect(e.steps[3]!.done).toBe(true); // CreateKey: the admin's identity policy
    await c.call('PutKeyPolicy', { KeyId: k.KeyId, PolicyName: 'default', Policy: sodPolicy });
    e = await r.evaluate();
    expect(e.steps[1]!.missing).toEqual([]);
    expect(e.steps.slice(0, 3).map((s) => s.done)).toEqual([true, true, true]);

    // The same decision for tenant green: denied, and the statement's condition is named.
    const green = await c.run(
      labOf({
        kind: 'decision',
        principal: `${user.arn}`,
        key: k.KeyId,
        actions: ['Encrypt'],
        encryptionContext: { tenant: 'green' },
        allowed: true,
      }),
    );
    expect((await green.evaluate()).steps[0]!.missing).toEqual([
      `the policy simulator denies ${user.arn} kms:Encrypt on key ${k.KeyId} with encryption context tenant=green (allowed expected): the key policy leaves it to IAM (statement "EnableIamPolicies"), and no identity policy of ${user.arn} allows kms:Encrypt; statement "KeyUserTenantBlue" would allow it, but its condition StringEquals kms:EncryptionContext:tenant blue does not hold (the request had green)`,
    ]);
  });

  it("hints at an AccessDenied with the simulator run on the call's own encryption context", async () => {
    const c = await labCore();
    const { user } = await users(c);
    const k = await c.createKey();
    await c.call('PutKeyPolicy', { KeyId: k.KeyId, PolicyName: 'default', Policy: sodPolicy });
    const r = await c.run(
      labOf({ kind: 'auditEvent', eventName: 'Encrypt', key: k.KeyId, succeeded: true, principal: 'user/kms-user' }),
    );
    c.actAs(await c.kms.iam.callerFor(user.arn, { userAgent: 'vitest' }));
    await expect(
      c.as('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x'), EncryptionContext: { tenant: 'green' } }),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const e = await r.evaluate();
    expect(e.steps[0]!.hints).toEqual([
      `Encrypt failed with AccessDenied: the key policy leaves it to IAM (statement "EnableIamPolicies"), and no identity policy of ${user.arn} allows kms:Encrypt; statement "KeyUserTenantBlue" would allow it, but its condition StringEquals kms:EncryptionContext:tenant blue does not hold (the request had green) (policy simulator, key ${k.KeyId}).`,
    ]);
    await c.as('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x'), EncryptionContext: { tenant: 'blue' } });
    expect((await r.evaluate()).steps[0]!.done).toBe(true);
  });
});

describe('grantExists / grantAbsent', () => {
  it('needs the grant with its operations and context constraint, then its revoke', async () => {
    const c = await labCore();
    const { user } = await users(c);
    const k = await c.createKey();
    const r = await c.run(
      labOf({
        kind: 'grantExists',
        key: k.KeyId,
        grantee: 'user/kms-user',
        name: 'green-migration',
        operations: ['Encrypt', 'Decrypt'],
        encryptionContextEquals: { tenant: 'green' },
      }),
    );
    let e = await r.evaluate();
    expect(e.steps[0]!.missing).toEqual([`key ${k.KeyId} has no grant named "green-migration" for ${user.arn}`]);
    const loose = await c.call('CreateGrant', {
      KeyId: k.KeyId,
      GranteePrincipal: user.arn,
      Operations: ['Encrypt'],
      Constraints: { EncryptionContextSubset: { tenant: 'green' } },
      Name: 'green-migration',
    });
    e = await r.evaluate();
    expect(e.steps[0]!.missing).toEqual([
      `grant ${loose.GrantId} ("green-migration") for ${user.arn}: Encrypt, context includes tenant=green: it does not allow Decrypt, its context constraint is not EncryptionContextEquals tenant=green`,
    ]);
    await c.call('RevokeGrant', { KeyId: k.KeyId, GrantId: loose.GrantId });
    const g = await c.call('CreateGrant', {
      KeyId: k.KeyId,
      GranteePrincipal: user.arn,
      Operations: ['Encrypt', 'Decrypt'],
      Constraints: { EncryptionContextEquals: { tenant: 'green' } },
      Name: 'green-migration',
    });
    e = await r.evaluate();
    expect(e.steps[0]!.done).toBe(true);
    const revoked = await c.run(labOf({ kind: 'grantAbsent', key: k.KeyId, grantee: 'user/kms-user' }));
    expect((await revoked.evaluate()).steps[0]!.missing).toEqual([
      `grant ${g.GrantId} ("green-migration") for ${user.arn}: Encrypt, Decrypt, context equals tenant=green is still in effect on key ${k.KeyId}`,
    ]);
    await c.call('RevokeGrant', { KeyId: k.KeyId, GrantId: g.GrantId });
    expect((await revoked.evaluate()).steps[0]!.done).toBe(true);
  });
});

describe('trailExported', () => {
  it('needs a whole export of the trail that covers the record it names', async () => {
    const c = await labCore();
    const k = await c.createKey();
    await c.kms.audit.markExported((await c.kms.audit.head())!.seq); // an export before the lab
    const r = await c.run(labOf({ kind: 'trailExported', after: { eventName: 'DisableKey', key: k.KeyId } }));
    let e = await r.evaluate();
    expect(e.steps[0]!.missing).toEqual([`a DisableKey call on key ${k.KeyId}: none since the lab started`]);
    await c.call('DisableKey', { KeyId: k.KeyId });
    const disabled = (await c.kms.audit.head())!.seq;
    e = await r.evaluate();
    expect(e.steps[0]!.missing[0]).toMatch(
      new RegExp(`^the last whole export of the trail ends at record ${disabled - 1}, before a DisableKey call`),
    );
    await c.kms.audit.markExported(disabled);
    expect((await r.evaluate()).steps[0]!.done).toBe(true);
  });
});
