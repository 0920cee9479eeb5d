// Principals and access keys (src/kms/iam/iam.ts) and the policy simulator (src/kms/authz/simulate.ts).
import { describe, expect, it } from 'vitest';
import { ACCOUNT, rejectsWith, utf8 } from '../../helpers/kms';
import { policy, ROOT, roleArn, rootStatement, userArn, world } from '../authz/principals';

describe('users and roles', () => {
  it("creates, lists, tags and deletes users and roles with IAM's IDs and errors", async () => {
    const w = await world();
    const alice = await w.kms.iam.createPrincipal(w.owner, 'user', 'alice', [{ TagKey: 'team', TagValue: 'blue' }]);
    expect(alice).toMatchObject({
      arn: userArn('alice'),
      kind: 'user',
      name: 'alice',
      id: expect.stringMatching(/^AIDA[A-Z2-7]{17}$/),
      tags: [{ TagKey: 'team', TagValue: 'blue' }],
    });
    const role = await w.kms.iam.createPrincipal(w.owner, 'role', 'KeyUser');
    expect(role.id).toMatch(/^AROA[A-Z2-7]{17}$/);
    await rejectsWith(w.kms.iam.createPrincipal(w.owner, 'user', 'ALICE'), 'EntityAlreadyExistsException');
    await rejectsWith(w.kms.iam.createPrincipal(w.owner, 'user', 'no spaces'), 'ValidationException');
    await rejectsWith(w.kms.iam.createPrincipal(w.owner, 'user', 'x'.repeat(65)), 'ValidationException');
    await rejectsWith(w.kms.iam.tagPrincipal(w.owner, userArn('nobody'), []), 'NoSuchEntityException');
    const tagged = await w.kms.iam.tagPrincipal(w.owner, alice.arn, [
      { TagKey: 'Team', TagValue: 'red' },
      { TagKey: 'cost', TagValue: '7' },
    ]);
    expect(tagged.tags).toEqual([
      { TagKey: 'Team', TagValue: 'red' },
      { TagKey: 'cost', TagValue: '7' },
    ]);
    expect((await w.kms.iam.untagPrincipal(w.owner, alice.arn, ['COST'])).tags).toEqual([
      { TagKey: 'Team', TagValue: 'red' },
    ]);
    const list = await w.kms.iam.list();
    expect(list.map((p) => p.arn)).toEqual([ROOT, roleArn('KeyUser'), userArn('alice')]);
    await w.kms.iam.deletePrincipal(w.owner, alice.arn);
    await rejectsWith(w.kms.iam.deletePrincipal(w.owner, alice.arn), 'NoSuchEntityException');
    expect((await w.kms.iam.list()).map((p) => p.name)).toEqual(['root', 'KeyUser']);
  });

  it('validates identity policies and says where they are wrong', async () => {
    const w = await world();
    const bob = await w.kms.iam.createPrincipal(w.owner, 'user', 'bob');
    const e = await rejectsWith(
      w.kms.iam.putPolicy(
        w.owner,
        bob.arn,
        'p',
        policy({ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', Condition: { StringEqualz: { a: 'b' } } }),
      ),
      'MalformedPolicyDocumentException',
    );
    expect(e.message).toMatch(/Statement 1.*StringEqualz/);
    await rejectsWith(w.kms.iam.putPolicy(w.owner, bob.arn, 'p', '{'), 'MalformedPolicyDocumentException');
    const noResource = await rejectsWith(
      w.kms.iam.putPolicy(w.owner, bob.arn, 'p', policy({ Effect: 'Allow', Action: 'kms:*' })),
      'MalformedPolicyDocumentException',
    );
    expect(noResource.message).toMatch(/needs a Resource/);
    expect(noResource.message).not.toMatch(/key policy/);
    await rejectsWith(
      w.kms.iam.putPolicy(
        w.owner,
        bob.arn,
        'p',
        policy({ Effect: 'Allow', Action: 'kms:*', Resource: '*', Sid: 'x'.repeat(33_000) }),
      ),
      'MalformedPolicyDocumentException',
    );
    await rejectsWith(
      w.kms.iam.putPolicy(w.owner, bob.arn, 'bad name', policy({ Effect: 'Allow', Action: 'kms:*', Resource: '*' })),
      'ValidationException',
    );
    await w.kms.iam.putPolicy(w.owner, bob.arn, 'p', policy({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }));
    expect(Object.keys((await w.kms.iam.deletePolicy(w.owner, bob.arn, 'p')).policies)).toEqual([]);
    await rejectsWith(w.kms.iam.deletePolicy(w.owner, bob.arn, 'p'), 'NoSuchEntityException');
  });

  it('records every identity change as an IAM event in the audit trail', async () => {
    const w = await world();
    const u = await w.kms.iam.createPrincipal(w.owner, 'user', 'carol');
    await w.kms.iam.putPolicy(w.owner, u.arn, 'p', policy({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }));
    await rejectsWith(w.kms.iam.createPrincipal(w.owner, 'user', 'carol'), 'EntityAlreadyExistsException');
    const iam = (await w.audit()).filter((e) => e.record.eventSource === 'iam.amazonaws.com');
    expect(iam.map((e) => [e.eventName, e.errorCode])).toEqual([
      ['CreateUser', undefined],
      ['PutUserPolicy', undefined],
      ['CreateUser', 'EntityAlreadyExistsException'],
    ]);
    expect(iam[0]!.record).toMatchObject({
      readOnly: false,
      userIdentity: { type: 'Root', arn: ROOT },
      requestParameters: { userName: 'carol' },
    });
  });
});

describe('access keys', () => {
  it('shows the secret once, stores only a non-extractable HMAC key, and keeps it out of the audit trail', async () => {
    const w = await world();
    const u = await w.kms.iam.createPrincipal(w.owner, 'user', 'dave');
    const k = await w.kms.iam.createAccessKey(w.owner, u.arn);
    expect(k.AccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(k.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    const stored = await w.store.read((tx) => tx.getAccessKey(k.AccessKeyId));
    expect(stored!.secret).toBeInstanceOf(CryptoKey);
    expect(stored!.secret!.extractable).toBe(false);
    expect(JSON.stringify(stored)).not.toContain(k.SecretAccessKey);
    expect(JSON.stringify(await w.kms.iam.list())).not.toContain(k.SecretAccessKey);
    expect(JSON.stringify(await w.audit())).not.toContain(k.SecretAccessKey);
    // The stored key signs as SigV4's first step: HMAC-SHA256 with "AWS4" + secret.
    const expected = await crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(`AWS4${k.SecretAccessKey}`),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const msg = utf8('20261129');
    expect(new Uint8Array(await crypto.subtle.sign('HMAC', stored!.secret!, msg))).toEqual(
      new Uint8Array(await crypto.subtle.sign('HMAC', expected, msg)),
    );
  });

  it('allows two keys per principal, deactivates, deletes, and forgets them with their principal', async () => {
    const w = await world();
    const u = await w.kms.iam.createPrincipal(w.owner, 'user', 'erin');
    const a = await w.kms.iam.createAccessKey(w.owner, u.arn);
    await w.kms.iam.createAccessKey(w.owner, u.arn);
    await rejectsWith(w.kms.iam.createAccessKey(w.owner, u.arn), 'LimitExceededException');
    await rejectsWith(w.kms.iam.createAccessKey(w.owner, userArn('ghost')), 'NoSuchEntityException');
    expect((await w.kms.iam.authenticate(a.AccessKeyId, { userAgent: 't' }))?.caller).toMatchObject({
      type: 'IAMUser',
      arn: u.arn,
      accessKeyId: a.AccessKeyId,
    });
    await w.kms.iam.updateAccessKey(w.owner, a.AccessKeyId, 'Inactive');
    expect(await w.kms.iam.authenticate(a.AccessKeyId, { userAgent: 't' })).toBeUndefined();
    await w.kms.iam.updateAccessKey(w.owner, a.AccessKeyId, 'Active');
    expect(await w.kms.iam.authenticate(a.AccessKeyId, { userAgent: 't' })).toBeDefined();
    await w.kms.iam.deleteAccessKey(w.owner, a.AccessKeyId);
    expect(await w.kms.iam.authenticate(a.AccessKeyId, { userAgent: 't' })).toBeUndefined();
    await rejectsWith(w.kms.iam.deleteAccessKey(w.owner, a.AccessKeyId), 'NoSuchEntityException');
    await w.kms.iam.deletePrincipal(w.owner, u.arn);
    expect(await w.store.read((tx) => tx.listAccessKeys())).toEqual([]);
    const root = await w.kms.iam.createAccessKey(w.owner, ROOT);
    expect((await w.kms.iam.list())[0]!.accessKeys.map((x) => x.accessKeyId)).toEqual([root.AccessKeyId]);
  });

  it("gives a role's access key a role session caller", async () => {
    const w = await world();
    const r = await w.kms.iam.createPrincipal(w.owner, 'role', 'Batch');
    const caller = await w.kms.iam.callerFor(r.arn, {
      userAgent: 'sdk',
      accessKeyId: 'AKIAEXAMPLE',
      sessionName: 'AKIAEXAMPLE',
    });
    expect(caller).toMatchObject({
      type: 'AssumedRole',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Batch/AKIAEXAMPLE`,
      principalId: `${r.id}:AKIAEXAMPLE`,
      accessKeyId: 'AKIAEXAMPLE',
    });
    await rejectsWith(w.kms.iam.callerFor(roleArn('Nope'), { userAgent: 'sdk' }), 'NoSuchEntityException');
  });
});

describe('the policy simulator', () => {
  it('agrees with the real call and explains the failed condition', async () => {
    const w = await world();
    const user = await w.principal('role', 'KeyUser');
    const k = await w.createKey({
      Policy: policy(rootStatement, {
        Sid: 'TenantOnly',
        Effect: 'Allow',
        Principal: { AWS: roleArn('KeyUser') },
        Action: 'kms:Encrypt',
        Resource: '*',
        Condition: { StringEquals: { 'kms:EncryptionContext:TenantId': 'acme' } },
      }),
    });
    const ok = await w.kms.simulate(user.caller, {
      action: 'kms:Encrypt',
      keyId: k.KeyId,
      encryptionContext: { TenantId: 'acme' },
    });
    expect(ok).toMatchObject({ allowed: true, reason: 'AllowedByKeyPolicy', resource: k.Arn });
    await user.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x'), EncryptionContext: { TenantId: 'acme' } });
    const no = await w.kms.simulate(user.caller, {
      action: 'Encrypt',
      keyId: k.KeyId,
      encryptionContext: { TenantId: 'other' },
    });
    // The root statement delegates to IAM, so the missing piece is an identity policy.
    expect(no).toMatchObject({ allowed: false, reason: 'NoIdentityPolicyAllow' });
    expect(no.keyPolicy[1]).toMatchObject({
      sid: 'TenantOnly',
      applies: false,
      mismatch: 'condition',
      failedCondition: {
        operator: 'StringEquals',
        key: 'kms:EncryptionContext:TenantId',
        values: ['acme'],
        actual: 'other',
      },
    });
    const real = await rejectsWith(
      user.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x'), EncryptionContext: { TenantId: 'other' } }),
      'AccessDeniedException',
    );
    expect(real.message).toBe(no.message);
    expect(no.context['kms:EncryptionContext:TenantId']).toBe('other');
  });

  it('shows the grant that allows, and answers account-level actions from identity policies', async () => {
    const w = await world();
    const app = await w.principal('role', 'App');
    const k = await w.createKey();
    const g = await w.call('CreateGrant', {
      KeyId: k.KeyId,
      GranteePrincipal: roleArn('App'),
      Operations: ['ReEncryptFrom'],
    });
    const r = await w.kms.simulate(app.caller, { action: 'kms:ReEncryptFrom', keyId: k.KeyId });
    expect(r).toMatchObject({ allowed: true, reason: 'AllowedByGrant', grantId: g.GrantId });
    expect(r.grants).toEqual([{ grant: expect.objectContaining({ grantId: g.GrantId }), allows: true }]);
    expect(await w.kms.simulate(app.caller, { action: 'kms:CreateKey' })).toMatchObject({
      allowed: false,
      reason: 'NoIdentityPolicyAllow',
      resource: '*',
    });
    expect(await w.kms.simulate(w.owner, { action: 'kms:CreateKey' })).toMatchObject({
      allowed: true,
      reason: 'AllowedAsAccountRoot',
    });
    await rejectsWith(w.kms.simulate(app.caller, { action: 'kms:Decrypt' }), 'ValidationException');
    await rejectsWith(w.kms.simulate(app.caller, { action: 'kms:Decrypt', keyId: 'alias/none' }), 'NotFoundException');
  });
});
