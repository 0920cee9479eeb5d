// GetKeyPolicy, PutKeyPolicy, ListKeyPolicies (src/kms/ops/policies.ts) and the policy document
// rules (src/kms/authz/key-policy.ts).
import { describe, expect, it } from 'vitest';
import { MalformedPolicyDocumentException } from '../../../src/kms/errors';
import { checkPolicyDocument, defaultKeyPolicy, MAX_POLICY_LENGTH } from '../../../src/kms/authz/key-policy';
import { ACCOUNT, freshKms, REGION, rejectsWith } from '../helpers/kms';

const statement = (extra: Record<string, unknown> = {}) => ({
  Sid: 's',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  Action: 'kms:*',
  Resource: '*',
  ...extra,
});
const doc = (...statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

describe('default key policy', () => {
  it("lets the account root do everything, as AWS's default policy does", async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    const r = await call('GetKeyPolicy', { KeyId: k.KeyId });
    expect(r.PolicyName).toBe('default');
    const p = JSON.parse(r.Policy);
    expect(p).toMatchObject({ Version: '2012-10-17', Id: 'key-default-1' });
    expect(p.Statement).toEqual([
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ]);
    expect(r.Policy).toBe(defaultKeyPolicy({ region: REGION, accountId: ACCOUNT }));
  });

  it('is replaced by the Policy given to CreateKey', async () => {
    const { createKey, call } = await freshKms();
    const policy = doc(statement({ Sid: 'mine' }));
    const k = await createKey({ Policy: policy });
    expect((await call('GetKeyPolicy', { KeyId: k.Arn, PolicyName: 'default' })).Policy).toBe(policy);
  });
});

describe('GetKeyPolicy', () => {
  it('takes a key ID or key ARN only: alias names and ARNs are NotFoundException', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    await call('CreateAlias', { AliasName: 'alias/p', TargetKeyId: k.KeyId });
    await rejectsWith(call('GetKeyPolicy', { KeyId: 'alias/p' }), 'NotFoundException');
    await rejectsWith(call('GetKeyPolicy', { KeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:alias/p` }), 'NotFoundException');
    await rejectsWith(call('PutKeyPolicy', { KeyId: 'alias/p', Policy: doc(statement()) }), 'NotFoundException');
    await rejectsWith(call('ListKeyPolicies', { KeyId: 'alias/p' }), 'NotFoundException');
  });

  it('knows only the policy named "default"', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    await rejectsWith(call('GetKeyPolicy', { KeyId: k.KeyId, PolicyName: 'other' }), 'NotFoundException');
    await rejectsWith(call('GetKeyPolicy', { KeyId: k.KeyId, PolicyName: 'bad name!' }), 'ValidationException');
    await rejectsWith(call('GetKeyPolicy', { KeyId: k.KeyId, PolicyName: 'p'.repeat(129) }), 'ValidationException');
    await rejectsWith(call('GetKeyPolicy', {}), 'ValidationException');
  });
});

describe('PutKeyPolicy', () => {
  it('stores the document as given and returns an empty response', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    const policy = doc(statement(), statement({ Sid: 'deny', Effect: 'Deny', Action: 'kms:ScheduleKeyDeletion' }));
    expect(
      await call('PutKeyPolicy', {
        KeyId: k.KeyId,
        Policy: policy,
        PolicyName: 'default',
        BypassPolicyLockoutSafetyCheck: false,
      }),
    ).toEqual({});
    expect((await call('GetKeyPolicy', { KeyId: k.KeyId })).Policy).toBe(policy);
  });

  it.each([
    ['not JSON', '{"Statement": ['],
    ['a JSON array', '[]'],
    ['a JSON string', '"policy"'],
    ['no Statement', JSON.stringify({ Version: '2012-10-17' })],
    ['an empty Statement list', doc()],
    ['a Statement that is not an object', doc('allow all')],
    ['Effect "Maybe"', doc(statement({ Effect: 'Maybe' }))],
    ['Effect in lower case', doc(statement({ Effect: 'allow' }))],
    ['no Effect', JSON.stringify({ Statement: [{ Principal: '*', Action: 'kms:*' }] })],
    ['no Principal', JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'kms:*' }] })],
    ['no Action', JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*' }] })],
    ['over 32768 characters', doc(statement({ Sid: 'x'.repeat(MAX_POLICY_LENGTH) }))],
  ])('rejects a document with %s (MalformedPolicyDocumentException) and keeps the old one', async (_why, policy) => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    const before = (await call('GetKeyPolicy', { KeyId: k.KeyId })).Policy;
    await rejectsWith(call('PutKeyPolicy', { KeyId: k.KeyId, Policy: policy }), 'MalformedPolicyDocumentException');
    await rejectsWith(call('CreateKey', { Policy: policy }), 'MalformedPolicyDocumentException');
    expect((await call('GetKeyPolicy', { KeyId: k.KeyId })).Policy).toBe(before);
    expect((await call('ListKeys')).Keys).toHaveLength(1);
  });

  it('accepts a single Statement object, NotPrincipal and NotAction, and exactly 32768 characters', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    const single = JSON.stringify({
      Statement: {
        Effect: 'Allow',
        NotPrincipal: { AWS: 'arn:aws:iam::111122223333:user/nobody' },
        NotAction: 'kms:Decrypt',
        Resource: '*',
      },
    });
    await call('PutKeyPolicy', { KeyId: k.KeyId, Policy: single });
    const base = doc(statement({ Sid: '' }));
    const exact = doc(statement({ Sid: 'x'.repeat(MAX_POLICY_LENGTH - base.length) }));
    expect(exact.length).toBe(MAX_POLICY_LENGTH);
    await call('PutKeyPolicy', { KeyId: k.KeyId, Policy: exact });
    expect((await call('GetKeyPolicy', { KeyId: k.KeyId })).Policy).toBe(exact);
  });

  it("rejects a Policy over the model's 131072 characters or missing (ValidationException)", async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    await rejectsWith(call('PutKeyPolicy', { KeyId: k.KeyId, Policy: 'x'.repeat(131073) }), 'ValidationException');
    await rejectsWith(call('PutKeyPolicy', { KeyId: k.KeyId }), 'ValidationException');
    await rejectsWith(
      call('PutKeyPolicy', { KeyId: k.KeyId, Policy: doc(statement()), PolicyName: 'other' }),
      'NotFoundException',
    );
  });
});

describe('ListKeyPolicies', () => {
  it('lists the one policy name', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    expect(await call('ListKeyPolicies', { KeyId: k.Arn })).toEqual({ PolicyNames: ['default'], Truncated: false });
    expect(await call('ListKeyPolicies', { KeyId: k.KeyId, Limit: 1 })).toEqual({
      PolicyNames: ['default'],
      Truncated: false,
    });
    await rejectsWith(call('ListKeyPolicies', { KeyId: k.KeyId, Limit: 1001 }), 'ValidationException');
    await rejectsWith(call('ListKeyPolicies', { KeyId: k.KeyId, Marker: 'garbage' }), 'InvalidMarkerException');
  });
});

describe('checkPolicyDocument', () => {
  it('names what is wrong in a MalformedPolicyDocumentException', () => {
    expect(() => checkPolicyDocument(doc(statement(), statement({ Effect: 'Nope' })))).toThrow(
      MalformedPolicyDocumentException,
    );
    expect(() => checkPolicyDocument(doc(statement(), statement({ Effect: 'Nope' })))).toThrow(/Statement 2/);
  });
});
