// The check engine against a real core: each check kind passes only from state and the trail, says what
// is missing when it fails, and hints at the common errors from the audit trail.
import { describe, expect, it } from 'vitest';
import { invokedVia } from '../../../src/kms/ids';
import { utf8, rejectsWith } from '../helpers/kms';
import { bodyOf } from '../s3/fixtures';
import { labCore, labOf } from './fixtures';

const policyWith = (account: string, callerArn: string, actions: string[], sid = 'AllowCallerKeyUsageForLab') =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EnableRootPermissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
      { Sid: sid, Effect: 'Allow', Principal: { AWS: callerArn }, Action: actions, Resource: '*' },
    ],
  });

describe('keyExists', () => {
  it('passes for a key made in the lab with the alias and properties asked, and binds it', async () => {
    const c = await labCore();
    await c.createKey(); // before the lab: never counts
    const r = await c.run(
      labOf(
        { kind: 'keyExists', alias: 'alias/kms-lab-*', state: 'Enabled', keyUsage: 'ENCRYPT_DECRYPT', bind: 'labKey' },
        { kind: 'keyState', key: '$labKey', state: 'Disabled' },
      ),
    );
    let e = await r.evaluate();
    expect(e.steps[0]).toMatchObject({ done: false });
    expect(e.steps[0]!.missing[0]).toMatch(/no key was created since the lab started/);
    const k = await c.createKey();
    e = await r.evaluate();
    expect(e.steps[0]!.missing[0]).toMatch(/1 key\(s\) were created since the lab started, but none has such an alias/);
    await c.call('CreateAlias', { AliasName: 'alias/kms-lab-1', TargetKeyId: k.KeyId });
    await c.call('DisableKey', { KeyId: k.KeyId });
    e = await r.evaluate();
    expect(e.steps[0]!.missing[0]).toContain(`key ${k.KeyId} has state Disabled`);
    await c.call('EnableKey', { KeyId: k.KeyId });
    e = await r.evaluate();
    expect(e.steps[0]!.done).toBe(true);
    expect(r.progress.bindings.labKey).toEqual({ type: 'key', id: k.KeyId, arn: k.Arn, alias: 'alias/kms-lab-1' });
    // Done stays done; the binding serves later steps.
    await c.call('DisableKey', { KeyId: k.KeyId });
    e = await r.evaluate();
    expect(e.steps.map((s) => s.done)).toEqual([true, true, false]);
  });

  it('matches tags and says which differ', async () => {
    const c = await labCore();
    const r = await c.run(labOf({ kind: 'keyExists', tags: { Project: 'kms-lab' } }));
    await c.createKey({ Tags: [{ TagKey: 'Project', TagValue: 'other' }] });
    expect((await r.evaluate()).steps[0]!.missing[0]).toMatch(/has tag Project=other/);
    await c.createKey({ Tags: [{ TagKey: 'Project', TagValue: 'kms-lab' }] });
    expect((await r.evaluate()).steps[0]!.done).toBe(true);
  });
});

describe('keyState, aliasAbsent, bucketAbsent', () => {
  it('needs the bound key pending deletion, its alias gone and the bucket gone', async () => {
    const c = await labCore();
    const k = await c.createKey();
    await c.call('CreateAlias', { AliasName: 'alias/kms-lab-2', TargetKeyId: k.KeyId });
    await c.s3.createBucket(c.root, 'kms-lab-b');
    await c.s3.putObject(
      bodyOf('x', c.root),
      'kms-lab-b',
      'hello.txt',
      { sse: { algorithm: 'aws:kms', kmsKeyId: k.KeyId } },
      'r1',
    );
    const lab = labOf(
      { kind: 'keyExists', alias: 'alias/kms-lab-*', bind: 'labKey' },
      { kind: 'objectEncrypted', bucket: 'kms-lab-*', object: 'hello.txt', kmsKey: '$labKey', bind: 'labBucket' },
      {
        kind: 'all',
        checks: [
          { kind: 'bucketAbsent', bucket: '$labBucket' },
          { kind: 'aliasAbsent', alias: '$labKey.alias' },
          { kind: 'keyState', key: '$labKey', state: 'PendingDeletion', pendingWindowDays: 7 },
        ],
      },
    );
    // As if the lab had started before the key was made.
    const r = await c.run(lab);
    r.progress.startSeq = 0;
    let e = await r.evaluate();
    expect(e.steps.slice(0, 3).map((s) => s.done)).toEqual([true, true, false]);
    expect(e.steps[2]!.missing).toEqual([
      'bucket kms-lab-b still exists',
      `alias alias/kms-lab-2 still exists (it points to key ${k.KeyId})`,
      `key ${k.KeyId} is Enabled, not PendingDeletion`,
    ]);
    await c.s3.deleteObject(c.root, 'kms-lab-b', 'hello.txt');
    await c.s3.deleteBucket(c.root, 'kms-lab-b');
    await c.call('DeleteAlias', { AliasName: 'alias/kms-lab-2' });
    await c.call('ScheduleKeyDeletion', { KeyId: k.KeyId, PendingWindowInDays: 8 });
    e = await r.evaluate();
    expect(e.steps[2]!.missing).toEqual([`key ${k.KeyId} is to be deleted after 8 days, not 7`]);
    await c.call('CancelKeyDeletion', { KeyId: k.KeyId });
    await c.call('ScheduleKeyDeletion', { KeyId: k.KeyId, PendingWindowInDays: 7 });
    expect((await r.evaluate()).steps[2]!.done).toBe(true);
  });

  it('says a name is not known yet when no earlier step bound it', async () => {
    const c = await labCore();
    const r = await c.run(
      labOf(
        { kind: 'keyExists', alias: 'alias/x-*', bind: 'labKey' },
        { kind: 'keyState', key: '$labKey', state: 'Enabled' },
      ),
    );
    expect((await r.evaluate()).steps[1]!.missing).toEqual(['$labKey is not known yet: an earlier step finds it']);
  });
});

describe('keyRotation', () => {
  it('needs automatic rotation on with its period, and rotations that happened', async () => {
    const c = await labCore();
    const k = await c.createKey();
    const r = await c.run(
      labOf(
        { kind: 'keyRotation', key: k.KeyId, enabled: true, rotationPeriodInDays: 90 },
        { kind: 'keyRotation', key: k.KeyId, rotations: 1 },
      ),
    );
    let e = await r.evaluate();
    expect(e.steps[0]!.missing).toEqual([
      `automatic rotation of key ${k.KeyId} is off`,
      `key ${k.KeyId} has no rotation period of 90 days (rotation is off)`,
    ]);
    expect(e.steps[1]!.missing).toEqual([`key ${k.KeyId} has been rotated 0 time(s), not yet 1`]);
    await c.call('EnableKeyRotation', { KeyId: k.KeyId, RotationPeriodInDays: 100 });
    expect((await r.evaluate()).steps[0]!.missing).toEqual([`key ${k.KeyId} rotates every 100 days, not 90`]);
    await c.call('EnableKeyRotation', { KeyId: k.KeyId, RotationPeriodInDays: 90 });
    await c.call('RotateKeyOnDemand', { KeyId: k.KeyId });
    expect((await r.evaluate()).steps.slice(0, 2).map((s) => s.done)).toEqual([true, true]);
  });
});

describe('objectEncrypted', () => {
  it('tells SSE-S3 and another key apart from SSE-KMS under the lab key', async () => {
    const c = await labCore();
    const r = await c.run(
      labOf(
        { kind: 'keyExists', alias: 'alias/mine', bind: 'k' },
        { kind: 'objectEncrypted', bucket: 'lab-*', object: 'hello.txt', kmsKey: '$k' },
      ),
    );
    const mine = await c.createKey();
    const other = await c.createKey();
    await c.call('CreateAlias', { AliasName: 'alias/mine', TargetKeyId: mine.KeyId });
    expect((await r.evaluate()).steps[1]!.missing).toEqual(['no bucket named lab-* exists']);
    await c.s3.createBucket(c.root, 'lab-one');
    expect((await r.evaluate()).steps[1]!.missing).toEqual(['no object hello.txt in bucket lab-one']);
    await c.s3.putObject(bodyOf('x', c.root), 'lab-one', 'hello.txt', {}, 'r1');
    expect((await r.evaluate()).steps[1]!.missing).toEqual([
      'lab-one/hello.txt is encrypted with SSE-S3 (AES256), not SSE-KMS',
    ]);
    await c.s3.putObject(
      bodyOf('x', c.root),
      'lab-one',
      'hello.txt',
      { sse: { algorithm: 'aws:kms', kmsKeyId: other.KeyId } },
      'r2',
    );
    expect((await r.evaluate()).steps[1]!.missing[0]).toBe(
      `lab-one/hello.txt is SSE-KMS under ${other.Arn}, not key ${mine.KeyId}`,
    );
    await c.s3.putObject(
      bodyOf('x', c.root),
      'lab-one',
      'hello.txt',
      { sse: { algorithm: 'aws:kms', kmsKeyId: 'alias/mine' } },
      'r3',
    );
    expect((await r.evaluate()).steps[1]!.done).toBe(true);
  });
});

describe('keyPolicyAllows (the policy simulator decides)', () => {
  it('needs exactly the listed actions from the named statement, and says what is extra or missing', async () => {
    const c = await labCore();
    const user = await c.kms.iam.createPrincipal(c.root, 'user', 'attendee');
    const attendee = await c.kms.iam.callerFor(user.arn, { userAgent: 'vitest' });
    c.actAs(attendee);
    const k = await c.createKey();
    await c.call('CreateAlias', { AliasName: 'alias/p', TargetKeyId: k.KeyId });
    const four = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'];
    const r = await c.run(
      labOf(
        { kind: 'keyExists', alias: 'alias/p', bind: 'k' },
        {
          kind: 'keyPolicyAllows',
          key: '$k',
          principal: 'caller',
          sid: 'AllowCallerKeyUsageForLab',
          actions: four,
          exactly: true,
        },
        {
          kind: 'keyPolicyAllows',
          key: '$k',
          principal: 'root',
          actions: ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion'],
        },
      ),
    );
    r.progress.startSeq = 0;
    let e = await r.evaluate();
    expect(e.steps[1]!.missing).toEqual([
      `the policy of key ${k.KeyId} has no statement with Sid "AllowCallerKeyUsageForLab"`,
    ]);
    expect(e.steps[2]!.done).toBe(true); // the default policy lets the root do everything
    // A wildcard grants more than the four: the simulator sees through "kms:Encrypt*" and "kms:*Key".
    await c.call('PutKeyPolicy', {
      KeyId: k.KeyId,
      PolicyName: 'default',
      Policy: policyWith('111122223333', user.arn, [
        'kms:Encrypt*',
        'kms:Decrypt',
        'kms:GenerateDataKey*',
        'kms:DescribeKey',
      ]),
    });
    e = await r.evaluate();
    expect(e.steps[1]!.missing).toEqual([
      `statement "AllowCallerKeyUsageForLab" of key ${k.KeyId}'s policy also lets ${user.arn} kms:GenerateDataKeyPair, kms:GenerateDataKeyPairWithoutPlaintext, kms:GenerateDataKeyWithoutPlaintext (only kms:Encrypt, kms:Decrypt, kms:GenerateDataKey, kms:DescribeKey expected)`,
    ]);
    await c.call('PutKeyPolicy', {
      KeyId: k.KeyId,
      PolicyName: 'default',
      Policy: policyWith('111122223333', user.arn, ['kms:Encrypt', 'kms:Decrypt']),
    });
    e = await r.evaluate();
    expect(e.steps[1]!.missing).toEqual([
      `statement "AllowCallerKeyUsageForLab" of key ${k.KeyId}'s policy does not let ${user.arn} kms:GenerateDataKey, kms:DescribeKey`,
    ]);
    await c.call('PutKeyPolicy', {
      KeyId: k.KeyId,
      PolicyName: 'default',
      Policy: policyWith('111122223333', user.arn, four),
    });
    expect((await r.evaluate()).steps[1]!.done).toBe(true);
  });
});

describe('auditEvent', () => {
  it('needs a failed Decrypt with InvalidCiphertextException after a successful one, and hints at the context', async () => {
    const c = await labCore();
    const k = await c.createKey();
    await c.call('CreateAlias', { AliasName: 'alias/e', TargetKeyId: k.KeyId });
    const after = { eventName: 'Decrypt', key: '$k', succeeded: true };
    const r = await c.run(
      labOf(
        { kind: 'keyExists', alias: 'alias/e', bind: 'k' },
        { kind: 'auditEvent', eventName: 'Decrypt', key: '$k', errorCode: 'InvalidCiphertextException', after },
      ),
    );
    r.progress.startSeq = 0;
    const ec = { Purpose: 'Lab', App: 'kms-demo' };
    const { CiphertextBlob } = await c.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('s'), EncryptionContext: ec });
    // A failure before any success does not count.
    await rejectsWith(
      c.call('Decrypt', { CiphertextBlob, EncryptionContext: { ...ec, App: 'other' } }),
      'InvalidCiphertextException',
    );
    let e = await r.evaluate();
    expect(e.steps[1]!.missing).toEqual([
      `a Decrypt call on key ${k.KeyId} ($k) that succeeded: none since the lab started`,
    ]);
    expect(e.steps[1]!.hints[0]).toBe(
      'Decrypt failed with InvalidCiphertextException: Decrypt must be given the encryption context the ciphertext was made with. The Encrypt used Purpose=Lab,App=kms-demo; this Decrypt gave Purpose=Lab,App=other.',
    );
    await c.call('Decrypt', { CiphertextBlob, EncryptionContext: ec });
    e = await r.evaluate();
    expect(e.steps[1]!.missing).toEqual([
      `a Decrypt call on key ${k.KeyId} ($k) that failed with InvalidCiphertextException after a Decrypt call on key ${k.KeyId} ($k) that succeeded: none since the lab started`,
    ]);
    await rejectsWith(c.call('Decrypt', { CiphertextBlob }), 'InvalidCiphertextException');
    expect((await r.evaluate()).steps[1]!.done).toBe(true);
  });

  it('matches principal, encryption context and ignores records from before the lab', async () => {
    const c = await labCore();
    const k = await c.createKey();
    await c.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('s'), EncryptionContext: { a: '1' } });
    const r = await c.run(
      labOf({
        kind: 'auditEvent',
        eventName: 'Encrypt',
        key: k.KeyId,
        principal: 'caller',
        encryptionContext: { a: '1' },
      }),
    );
    expect((await r.evaluate()).steps[0]!.done).toBe(false);
    await c.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('s'), EncryptionContext: { a: '2' } });
    expect((await r.evaluate()).steps[0]!.done).toBe(false);
    await c.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('s'), EncryptionContext: { a: '1', b: '2' } });
    expect((await r.evaluate()).steps[0]!.done).toBe(true);
  });

  it("tells the terminal from the console by the record's user agent", async () => {
    const c = await labCore();
    const k = await c.createKey();
    const r = await c.run(
      labOf(
        { kind: 'auditEvent', eventName: 'Encrypt', key: k.KeyId, userAgent: 'aws-cli/*' },
        { kind: 'auditEvent', eventName: 'Encrypt', key: k.KeyId, userAgent: 'vitest' },
      ),
    );
    await c.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('s') });
    const e = await r.evaluate();
    expect(e.steps[0]!.missing).toEqual([`an Encrypt call on key ${k.KeyId} from aws-cli: none since the lab started`]);
    expect(e.steps[1]!.done).toBe(true);
  });

  it("counts a call S3 made on the caller's behalf (GenerateDataKey for SSE-KMS)", async () => {
    const c = await labCore();
    const k = await c.createKey();
    const r = await c.run(
      labOf({ kind: 'auditEvent', eventName: 'GenerateDataKey', key: k.KeyId, succeeded: true, principal: 'root' }),
    );
    await c.kms.call('GenerateDataKey', { KeyId: k.KeyId, KeySpec: 'AES_256' }, invokedVia(c.root, 's3', 'us-east-1'));
    expect((await r.evaluate()).steps[0]!.done).toBe(true);
  });
});

describe('all / any / not', () => {
  it('composes', async () => {
    const c = await labCore();
    const r = await c.run(
      labOf(
        {
          kind: 'any',
          checks: [
            { kind: 'keyExists', alias: 'alias/a' },
            { kind: 'keyExists', alias: 'alias/b' },
          ],
        },
        { kind: 'not', check: { kind: 'bucketAbsent', bucket: 'x-*' }, says: 'make a bucket named x-…' },
      ),
    );
    let e = await r.evaluate();
    expect(e.steps[0]!.missing[0]).toMatch(/^one of: a key made in this lab with alias alias\/a: .* — or — /);
    expect(e.steps[1]!.missing).toEqual(['make a bucket named x-…']);
    const k = await c.createKey();
    await c.call('CreateAlias', { AliasName: 'alias/b', TargetKeyId: k.KeyId });
    await c.s3.createBucket(c.root, 'x-1');
    e = await r.evaluate();
    expect(e.steps.slice(0, 2).map((s) => s.done)).toEqual([true, true]);
    expect(e.complete).toBe(false);
  });
});
