// Grants (src/kms/ops/grants.ts): CreateGrant, ListGrants, ListRetirableGrants, RetireGrant,
// RevokeGrant, AWS's rules for who may retire, constraints, idempotency by Name, and the errors.
import { describe, expect, it } from 'vitest';
import { rejectsWith, utf8, walk } from '../helpers/kms';
import { policy, ROOT, roleArn, rootStatement, userArn, world } from './authz/principals';
import { grantOperations } from '../../../src/kms/ops/grants';
import { serviceCaller } from '../../../src/kms/ids';

const APP = roleArn('App');

async function setup() {
  const w = await world();
  const k = await w.createKey();
  const app = await w.principal('role', 'App');
  return { ...w, k, app };
}

describe('CreateGrant', () => {
  it('gives the grantee the listed operations at once, and revoking takes them away', async () => {
    const { call, k, app } = await setup();
    await rejectsWith(app.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') }), 'AccessDeniedException');
    const g = await call('CreateGrant', { KeyId: k.KeyId, GranteePrincipal: APP, Operations: ['Encrypt', 'Decrypt'] });
    expect(g.GrantId).toMatch(/^[0-9a-f]{64}$/);
    const { CiphertextBlob } = await app.call('Encrypt', {
      KeyId: k.KeyId,
      Plaintext: utf8('x'),
      GrantTokens: [g.GrantToken],
    });
    await app.call('Decrypt', { CiphertextBlob });
    // Not an operation the grant lists.
    await rejectsWith(app.call('GenerateDataKey', { KeyId: k.KeyId, KeySpec: 'AES_256' }), 'AccessDeniedException');
    await call('RevokeGrant', { KeyId: k.KeyId, GrantId: g.GrantId });
    const e = await rejectsWith(app.call('Decrypt', { CiphertextBlob }), 'AccessDeniedException');
    expect(e.message).toContain('kms:Decrypt');
  });

  it('EncryptionContextSubset and EncryptionContextEquals constrain the context; DescribeKey is not constrained', async () => {
    const { call, k, app } = await setup();
    await call('CreateGrant', {
      KeyId: k.KeyId,
      GranteePrincipal: APP,
      Operations: ['Encrypt', 'DescribeKey'],
      Constraints: { EncryptionContextSubset: { TenantId: 'acme' } },
    });
    await app.call('Encrypt', {
      KeyId: k.KeyId,
      Plaintext: utf8('x'),
      EncryptionContext: { TenantId: 'acme', Purpose: 'test' },
    });
    await rejectsWith(
      app.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x'), EncryptionContext: { TenantId: 'other' } }),
      'AccessDeniedException',
    );
    await rejectsWith(app.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') }), 'AccessDeniedException');
    await app.call('DescribeKey', { KeyId: k.KeyId });
    const eq = await setup();
    await eq.call('CreateGrant', {
      KeyId: eq.k.KeyId,
      GranteePrincipal: APP,
      Operations: ['Encrypt'],
      Constraints: { EncryptionContextEquals: { TenantId: 'acme' } },
    });
    await eq.app.call('Encrypt', { KeyId: eq.k.KeyId, Plaintext: utf8('x'), EncryptionContext: { TenantId: 'acme' } });
    await rejectsWith(
      eq.app.call('Encrypt', {
        KeyId: eq.k.KeyId,
        Plaintext: utf8('x'),
        EncryptionContext: { TenantId: 'acme', More: '1' },
      }),
      'AccessDeniedException',
    );
  });

  it('accepts exactly the operations grantOperations lists for the key (the console offers that list)', async () => {
    const { call } = await setup();
    for (const [KeySpec, KeyUsage, expected] of [
      [
        'SYMMETRIC_DEFAULT',
        'ENCRYPT_DECRYPT',
        [
          'Decrypt',
          'Encrypt',
          'GenerateDataKey',
          'GenerateDataKeyWithoutPlaintext',
          'ReEncryptFrom',
          'ReEncryptTo',
          'GenerateDataKeyPair',
          'GenerateDataKeyPairWithoutPlaintext',
        ],
      ],
      ['ECC_NIST_P256', 'SIGN_VERIFY', ['Sign', 'Verify', 'GetPublicKey']],
      ['HMAC_256', 'GENERATE_VERIFY_MAC', ['GenerateMac', 'VerifyMac']],
      ['RSA_2048', 'ENCRYPT_DECRYPT', ['Decrypt', 'Encrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GetPublicKey']],
    ] as const) {
      const ops = grantOperations(KeyUsage, KeySpec);
      expect(ops.crypto).toEqual(expected);
      expect(ops.management).toEqual(['CreateGrant', 'RetireGrant', 'DescribeKey']);
      const { KeyMetadata } = await call('CreateKey', { KeySpec, KeyUsage });
      await call('CreateGrant', {
        KeyId: KeyMetadata.KeyId,
        GranteePrincipal: APP,
        Operations: [...ops.crypto, ...ops.management],
      });
      const other = KeyUsage === 'SIGN_VERIFY' ? 'Decrypt' : 'Sign';
      await rejectsWith(
        call('CreateGrant', { KeyId: KeyMetadata.KeyId, GranteePrincipal: APP, Operations: [other] }),
        'ValidationException',
      );
    }
  });

  it('is idempotent by Name with identical parameters (new token, same grant); other parameters make a new grant', async () => {
    const { call, k } = await setup();
    const req = { KeyId: k.KeyId, GranteePrincipal: APP, Operations: ['Encrypt'], Name: 'nightly-backup' };
    const a = await call('CreateGrant', req);
    const b = await call('CreateGrant', { ...req, Operations: ['Encrypt'] });
    expect(b.GrantId).toBe(a.GrantId);
    expect(b.GrantToken).not.toBe(a.GrantToken);
    const c = await call('CreateGrant', { ...req, Operations: ['Decrypt'] });
    expect(c.GrantId).not.toBe(a.GrantId);
    expect((await call('ListGrants', { KeyId: k.KeyId })).Grants).toHaveLength(2);
  });

  it("refuses bad input with AWS's exceptions and changes nothing", async () => {
    const { call, k, createKey } = await setup();
    const base = { KeyId: k.KeyId, GranteePrincipal: APP, Operations: ['Encrypt'] };
    await rejectsWith(call('CreateGrant', { ...base, Operations: [] }), 'ValidationException');
    await rejectsWith(call('CreateGrant', { ...base, Operations: ['Brew'] }), 'ValidationException');
    await rejectsWith(call('CreateGrant', { ...base, Operations: ['Sign'] }), 'ValidationException');
    await rejectsWith(call('CreateGrant', { ...base, GranteePrincipal: 'alice' }), 'ValidationException');
    await rejectsWith(call('CreateGrant', { ...base, Name: 'has spaces' }), 'ValidationException');
    await rejectsWith(
      call('CreateGrant', {
        ...base,
        Constraints: { EncryptionContextSubset: { a: '1' }, EncryptionContextEquals: { a: '1' } },
      }),
      'ValidationException',
    );
    await rejectsWith(call('CreateGrant', { ...base, Operations: ['GetPublicKey'] }), 'ValidationException');
    await rejectsWith(call('CreateGrant', { ...base, KeyId: 'alias/x' }), 'NotFoundException');
    const signer = await createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    await call('CreateGrant', { ...base, KeyId: signer.KeyId, Operations: ['Sign', 'GetPublicKey'] });
    await rejectsWith(
      call('CreateGrant', {
        ...base,
        KeyId: signer.KeyId,
        Operations: ['Sign'],
        Constraints: { EncryptionContextSubset: { a: '1' } },
      }),
      'ValidationException',
    );
    await rejectsWith(
      call('CreateGrant', { ...base, KeyId: signer.KeyId, Operations: ['Encrypt'] }),
      'ValidationException',
    );
    expect((await call('ListGrants', { KeyId: k.KeyId })).Grants).toEqual([]);
    await call('ScheduleKeyDeletion', { KeyId: k.KeyId, PendingWindowInDays: 7 });
    await rejectsWith(call('CreateGrant', base), 'KMSInvalidStateException');
  });

  it('a grantee allowed to CreateGrant by a grant passes on no more than its grant gives', async () => {
    const { call, k, app } = await setup();
    await call('CreateGrant', {
      KeyId: k.KeyId,
      GranteePrincipal: APP,
      Operations: ['Encrypt', 'Decrypt', 'CreateGrant'],
    });
    await app.call('CreateGrant', { KeyId: k.KeyId, GranteePrincipal: roleArn('Worker'), Operations: ['Decrypt'] });
    await rejectsWith(
      app.call('CreateGrant', { KeyId: k.KeyId, GranteePrincipal: roleArn('Worker'), Operations: ['GenerateDataKey'] }),
      'AccessDeniedException',
    );
  });

  it("stops at AWS's per-principal quota with LimitExceededException", { timeout: 60_000 }, async () => {
    const { call, k } = await setup();
    const grants = [];
    for (let i = 0; i < 500; i++)
      grants.push(call('CreateGrant', { KeyId: k.KeyId, GranteePrincipal: APP, Operations: ['Encrypt'] }));
    await Promise.all(grants);
    await rejectsWith(
      call('CreateGrant', { KeyId: k.KeyId, GranteePrincipal: APP, Operations: ['Encrypt'] }),
      'LimitExceededException',
    );
    const { items, pages } = await walk(call, 'ListGrants', { KeyId: k.KeyId, Limit: 100 }, 'Grants');
    expect(items).toHaveLength(500);
    expect(new Set(items.map((g: any) => g.GrantId)).size).toBe(500);
    expect(pages).toBe(5);
  });
});

describe('ListGrants and ListRetirableGrants', () => {
  it("list AWS's GrantListEntry shape, filter by GrantId and GranteePrincipal, and refuse a malformed GrantId", async () => {
    const { call, k } = await setup();
    const g = await call('CreateGrant', {
      KeyId: k.KeyId,
      GranteePrincipal: APP,
      RetiringPrincipal: userArn('ops'),
      Operations: ['Decrypt'],
      Name: 'n1',
      Constraints: { EncryptionContextEquals: { a: '1' } },
    });
    await call('CreateGrant', { KeyId: k.KeyId, GranteePrincipal: roleArn('Other'), Operations: ['Encrypt'] });
    const one = (await call('ListGrants', { KeyId: k.Arn, GrantId: g.GrantId })).Grants;
    expect(one).toEqual([
      {
        KeyId: k.Arn,
        GrantId: g.GrantId,
        Name: 'n1',
        CreationDate: expect.any(Date),
        GranteePrincipal: APP,
        RetiringPrincipal: userArn('ops'),
        IssuingAccount: ROOT,
        Operations: ['Decrypt'],
        Constraints: { EncryptionContextEquals: { a: '1' } },
      },
    ]);
    expect((await call('ListGrants', { KeyId: k.KeyId, GranteePrincipal: roleArn('Other') })).Grants).toHaveLength(1);
    await rejectsWith(call('ListGrants', { KeyId: k.KeyId, GrantId: 'xyz' }), 'InvalidGrantIdException');
    expect(
      (await call('ListRetirableGrants', { RetiringPrincipal: userArn('ops') })).Grants.map((x: any) => x.GrantId),
    ).toEqual([g.GrantId]);
    await rejectsWith(call('ListRetirableGrants', {}), 'ValidationException');
  });
});

describe('RetireGrant and RevokeGrant', () => {
  it('the retiring principal retires by token; a grantee only when the grant lists RetireGrant; the root always', async () => {
    const w = await setup();
    const ops = await w.principal('user', 'ops');
    const g1 = await w.call('CreateGrant', {
      KeyId: w.k.KeyId,
      GranteePrincipal: APP,
      RetiringPrincipal: ops.arn,
      Operations: ['Encrypt'],
    });
    const e = await rejectsWith(w.app.call('RetireGrant', { GrantToken: g1.GrantToken }), 'AccessDeniedException');
    expect(e.message).toContain('kms:RetireGrant');
    await ops.call('RetireGrant', { GrantToken: g1.GrantToken });
    await rejectsWith(ops.call('RetireGrant', { GrantToken: g1.GrantToken }), 'NotFoundException');
    const g2 = await w.call('CreateGrant', {
      KeyId: w.k.KeyId,
      GranteePrincipal: APP,
      Operations: ['Encrypt', 'RetireGrant'],
    });
    await w.app.call('RetireGrant', { KeyId: w.k.Arn, GrantId: g2.GrantId });
    const g3 = await w.call('CreateGrant', { KeyId: w.k.KeyId, GranteePrincipal: APP, Operations: ['Encrypt'] });
    await w.call('RetireGrant', { KeyId: w.k.KeyId, GrantId: g3.GrantId });
    expect((await w.call('ListGrants', { KeyId: w.k.KeyId })).Grants).toEqual([]);
  });

  it('names what is wrong: bad token, bad grant ID, unknown grant, a grant of another key, nothing given', async () => {
    const { call, k, createKey } = await setup();
    const other = await createKey();
    const g = await call('CreateGrant', { KeyId: k.KeyId, GranteePrincipal: APP, Operations: ['Encrypt'] });
    await rejectsWith(call('RetireGrant', { GrantToken: 'nope' }), 'InvalidGrantTokenException');
    await rejectsWith(call('RetireGrant', { KeyId: k.KeyId, GrantId: 'nope' }), 'InvalidGrantIdException');
    await rejectsWith(call('RetireGrant', {}), 'ValidationException');
    await rejectsWith(call('RetireGrant', { KeyId: other.KeyId, GrantId: g.GrantId }), 'NotFoundException');
    await rejectsWith(call('RevokeGrant', { KeyId: other.KeyId, GrantId: g.GrantId }), 'NotFoundException');
    await rejectsWith(call('RevokeGrant', { KeyId: k.KeyId, GrantId: '0'.repeat(64) }), 'NotFoundException');
    await rejectsWith(call('RevokeGrant', { KeyId: k.KeyId, GrantId: 'G' }), 'InvalidGrantIdException');
    expect((await call('ListGrants', { KeyId: k.KeyId })).Grants).toHaveLength(1);
  });

  it('RevokeGrant needs kms:RevokeGrant on the key', async () => {
    const w = await setup();
    const g = await w.call('CreateGrant', { KeyId: w.k.KeyId, GranteePrincipal: APP, Operations: ['Encrypt'] });
    await rejectsWith(w.app.call('RevokeGrant', { KeyId: w.k.KeyId, GrantId: g.GrantId }), 'AccessDeniedException');
  });

  it('a key destroyed by maintenance takes its grants with it', async () => {
    const w = await setup();
    const g = await w.call('CreateGrant', {
      KeyId: w.k.KeyId,
      GranteePrincipal: APP,
      RetiringPrincipal: userArn('ops'),
      Operations: ['Encrypt'],
    });
    await w.call('ScheduleKeyDeletion', { KeyId: w.k.KeyId, PendingWindowInDays: 7 });
    w.clock.advanceDays(8);
    await w.kms.maintain();
    expect(await w.store.read((tx) => tx.getGrant(g.GrantId))).toBeUndefined();
    expect((await w.call('ListRetirableGrants', { RetiringPrincipal: userArn('ops') })).Grants).toEqual([]);
  });
});

describe('audit of grant calls', () => {
  it('records CreateGrant with its grant ID but never the grant token', async () => {
    const { call, k, audit } = await setup();
    const g = await call('CreateGrant', { KeyId: k.KeyId, GranteePrincipal: APP, Operations: ['Encrypt'] });
    await call('RetireGrant', { GrantToken: g.GrantToken });
    const trail = JSON.stringify(await audit());
    expect(trail).toContain(g.GrantId);
    expect(trail).not.toContain(g.GrantToken);
  });
});

describe('grants to AWS service principals (GranteeServicePrincipal, RetiringServicePrincipal, SourceArn)', () => {
  const S3 = 's3.amazonaws.com';
  const BUCKET = 'arn:aws:s3:::invoices';

  async function serviceSetup() {
    const s = await setup();
    const as = (service: string, sourceArn?: string) => {
      const caller = serviceCaller(s.kms.keystore, service, sourceArn);
      return <T = Record<string, any>>(op: string, req: unknown = {}) =>
        s.kms.call(op, req, caller) as Promise<T & Record<string, any>>;
    };
    const grant = {
      KeyId: s.k.KeyId,
      GranteeServicePrincipal: S3,
      RetiringServicePrincipal: S3,
      Operations: ['Encrypt', 'Decrypt'],
      Constraints: { SourceArn: BUCKET },
    };
    return { ...s, as, grant };
  }

  it('CreateGrant needs exactly one grantee, and for a service a SourceArn and a retiring principal', async () => {
    const { call, grant } = await serviceSetup();
    const { GranteeServicePrincipal: _, ...noGrantee } = grant;
    await rejectsWith(call('CreateGrant', noGrantee), 'ValidationException');
    await rejectsWith(call('CreateGrant', { ...grant, GranteePrincipal: APP }), 'ValidationException');
    await rejectsWith(call('CreateGrant', { ...grant, Constraints: undefined }), 'ValidationException');
    await rejectsWith(call('CreateGrant', { ...grant, RetiringServicePrincipal: undefined }), 'ValidationException');
    await rejectsWith(call('CreateGrant', { ...grant, RetiringPrincipal: ROOT }), 'ValidationException');
    await rejectsWith(call('CreateGrant', { ...grant, GranteeServicePrincipal: 'S3' }), 'ValidationException');
    await rejectsWith(call('CreateGrant', { ...grant, Constraints: { SourceArn: 'bucket' } }), 'ValidationException');
    expect((await call('ListGrants', { KeyId: grant.KeyId })).Grants).toEqual([]);
    await call('CreateGrant', { ...grant, RetiringServicePrincipal: undefined, RetiringPrincipal: ROOT });
  });

  it('lists the service grantee as AWS does, in GranteePrincipal and GranteeServicePrincipal', async () => {
    const { call, k, grant } = await serviceSetup();
    const { GrantId } = await call('CreateGrant', grant);
    expect((await call('ListGrants', { KeyId: k.KeyId })).Grants).toEqual([
      {
        KeyId: k.Arn,
        GrantId,
        CreationDate: expect.any(Date),
        GranteePrincipal: S3,
        GranteeServicePrincipal: S3,
        RetiringServicePrincipal: S3,
        IssuingAccount: ROOT,
        Operations: ['Encrypt', 'Decrypt'],
        Constraints: { SourceArn: BUCKET },
      },
    ]);
  });

  it('applies only to that service, on behalf of the SourceArn resource', async () => {
    const { call, as, k, grant, app } = await serviceSetup();
    await rejectsWith(as(S3, BUCKET)('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') }), 'AccessDeniedException');
    await call('CreateGrant', grant);
    const { CiphertextBlob } = await as(S3, BUCKET)('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') });
    await as(S3, BUCKET)('Decrypt', { CiphertextBlob });
    await rejectsWith(as(S3, 'arn:aws:s3:::other')('Decrypt', { CiphertextBlob }), 'AccessDeniedException');
    await rejectsWith(as(S3)('Decrypt', { CiphertextBlob }), 'AccessDeniedException');
    await rejectsWith(as('logs.amazonaws.com', BUCKET)('Decrypt', { CiphertextBlob }), 'AccessDeniedException');
    await rejectsWith(
      as(S3, BUCKET)('GenerateDataKey', { KeyId: k.KeyId, KeySpec: 'AES_256' }),
      'AccessDeniedException',
    );
    await rejectsWith(app.call('Decrypt', { CiphertextBlob }), 'AccessDeniedException');
  });

  it('a SourceArn constraint on a grant to an IAM principal needs a request made for that resource', async () => {
    const { call, k, app } = await serviceSetup();
    await call('CreateGrant', {
      KeyId: k.KeyId,
      GranteePrincipal: APP,
      Operations: ['Encrypt', 'DescribeKey'],
      Constraints: { SourceArn: BUCKET },
    });
    await rejectsWith(app.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') }), 'AccessDeniedException');
    await rejectsWith(app.call('DescribeKey', { KeyId: k.KeyId }), 'AccessDeniedException');
  });

  it('a key policy Service principal names the service and no IAM principal', async () => {
    const { createKey, as, principal } = await serviceSetup();
    const statement = { Effect: 'Allow', Principal: { Service: S3 }, Action: 'kms:DescribeKey', Resource: '*' };
    const k2 = await createKey({ Policy: policy(rootStatement, statement) });
    await as(S3, BUCKET)('DescribeKey', { KeyId: k2.KeyId });
    await rejectsWith(as('logs.amazonaws.com')('DescribeKey', { KeyId: k2.KeyId }), 'AccessDeniedException');
    const user = await principal('user', 'Alice', {
      p: policy({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }),
    });
    // The account principal in the default statement delegates to IAM for users, never to a service.
    await user.call('DescribeKey', { KeyId: k2.KeyId });
    const k3 = await createKey({ Policy: policy(rootStatement) });
    await rejectsWith(as(S3, BUCKET)('DescribeKey', { KeyId: k3.KeyId }), 'AccessDeniedException');
  });

  it('the service filters of ListGrants and ListRetirableGrants are for service principals only', async () => {
    const { call, as, createKey, k, grant } = await serviceSetup();
    const { GrantId } = await call('CreateGrant', grant);
    await call('CreateGrant', {
      KeyId: k.KeyId,
      GranteePrincipal: APP,
      RetiringPrincipal: ROOT,
      Operations: ['Encrypt'],
    });
    await rejectsWith(call('ListGrants', { KeyId: k.KeyId, GranteeServicePrincipal: S3 }), 'ValidationException');
    await rejectsWith(call('ListRetirableGrants', { RetiringServicePrincipal: S3 }), 'ValidationException');
    await rejectsWith(
      call('ListRetirableGrants', { RetiringPrincipal: ROOT, RetiringServicePrincipal: S3 }),
      'ValidationException',
    );
    // An IAM filter does not list the service's grant.
    expect((await call('ListGrants', { KeyId: k.KeyId, GranteePrincipal: APP })).Grants).toHaveLength(1);
    expect((await call('ListRetirableGrants', { RetiringPrincipal: ROOT })).Grants).toHaveLength(1);
    const listing = { Effect: 'Allow', Principal: { Service: S3 }, Action: 'kms:ListGrants', Resource: '*' };
    await call('PutKeyPolicy', { KeyId: k.KeyId, Policy: policy(rootStatement, listing) });
    const s3 = as(S3, BUCKET);
    const mine = await s3('ListGrants', { KeyId: k.KeyId, GranteeServicePrincipal: S3 });
    expect(mine.Grants.map((g: { GrantId: string }) => g.GrantId)).toEqual([GrantId]);
    const other = await createKey();
    await call('CreateGrant', { ...grant, KeyId: other.KeyId });
    expect((await s3('ListRetirableGrants', { RetiringServicePrincipal: S3 })).Grants).toHaveLength(2);
    await rejectsWith(
      as('logs.amazonaws.com')('ListRetirableGrants', { RetiringServicePrincipal: S3 }),
      'AccessDeniedException',
    );
  });

  it('the retiring service retires; the grantee service only when the grant lists RetireGrant, whatever its SourceArn', async () => {
    const { call, as, k, grant } = await serviceSetup();
    const a = await call('CreateGrant', grant);
    await rejectsWith(as('logs.amazonaws.com')('RetireGrant', { GrantToken: a.GrantToken }), 'AccessDeniedException');
    await as(S3)('RetireGrant', { GrantToken: a.GrantToken });
    const b = await call('CreateGrant', {
      ...grant,
      GranteeServicePrincipal: 'logs.amazonaws.com',
      Operations: ['Encrypt', 'RetireGrant'],
    });
    const c = await call('CreateGrant', { ...grant, GranteeServicePrincipal: 'logs.amazonaws.com' });
    const logs = as('logs.amazonaws.com', 'arn:aws:logs:us-east-1:111122223333:log-group:x');
    await rejectsWith(logs('RetireGrant', { GrantToken: c.GrantToken }), 'AccessDeniedException');
    await logs('RetireGrant', { GrantToken: b.GrantToken });
    expect((await call('ListGrants', { KeyId: k.KeyId })).Grants.map((g: { GrantId: string }) => g.GrantId)).toEqual([
      c.GrantId,
    ]);
    await call('RevokeGrant', { KeyId: k.KeyId, GrantId: c.GrantId });
  });

  it('a service allowed to CreateGrant by its grant passes on only grants with the same SourceArn', async () => {
    const { call, as, k, grant } = await serviceSetup();
    await call('CreateGrant', { ...grant, Operations: ['Decrypt', 'CreateGrant'] });
    const s3 = as(S3, BUCKET);
    const child = { KeyId: k.KeyId, GranteePrincipal: APP, Operations: ['Decrypt'] };
    await rejectsWith(s3('CreateGrant', child), 'AccessDeniedException');
    await rejectsWith(
      s3('CreateGrant', { ...child, Constraints: { SourceArn: 'arn:aws:s3:::other' } }),
      'AccessDeniedException',
    );
    await s3('CreateGrant', { ...child, Constraints: { SourceArn: BUCKET } });
  });

  it('records a service caller as CloudTrail does: userIdentity AWSService, invokedBy the service', async () => {
    const { call, as, k, grant, audit } = await serviceSetup();
    await call('CreateGrant', grant);
    await as(S3, BUCKET)('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x') });
    const last = (await audit()).at(-1)!;
    expect(last.record).toMatchObject({
      eventName: 'Encrypt',
      userIdentity: { type: 'AWSService', invokedBy: S3 },
      sourceIPAddress: S3,
      userAgent: S3,
    });
  });
});

describe('Encapsulate as a grant operation (KMS model GrantOperation)', () => {
  it('is offered for ML-KEM keys and lets the grantee encapsulate', async () => {
    const { call, createKey, app } = await setup();
    const kem = await createKey({ KeySpec: 'ML_KEM_768', KeyUsage: 'ENCAPSULATE_DECAPSULATE' });
    expect(grantOperations('ENCAPSULATE_DECAPSULATE', 'ML_KEM_768').crypto).toEqual([
      'Decapsulate',
      'GetPublicKey',
      'Encapsulate',
    ]);
    const req = { KeyId: kem.KeyId, EncapsulationAlgorithm: 'ML_KEM' };
    await rejectsWith(app.call('Encapsulate', req), 'AccessDeniedException');
    await call('CreateGrant', { KeyId: kem.KeyId, GranteePrincipal: APP, Operations: ['Encapsulate'] });
    expect((await app.call('Encapsulate', req)).SharedSecretCiphertextBlob).toBeInstanceOf(Uint8Array);
    await rejectsWith(
      call('CreateGrant', { KeyId: (await createKey()).KeyId, GranteePrincipal: APP, Operations: ['Encapsulate'] }),
      'ValidationException',
    );
  });
});
