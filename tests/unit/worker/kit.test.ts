// Facilitator kits (src/worker/kit.ts): a setup exported from one keystore loads into a fresh one with
// another account ID and gives the same starting point — users and their policies, keys with their
// policies, tags, aliases, rotation, state and grants, buckets with SSE-KMS under the matching key — and
// the policies decide the same way there (the simulator asked in both).
import { describe, expect, it } from 'vitest';
import { rootCaller } from '../../../src/kms/ids';
import { Kms } from '../../../src/kms/kms';
import { LocalLocks, systemRandom } from '../../../src/kms/ports';
import { S3 } from '../../../src/s3';
import { IdbS3Meta } from '../../../src/store/s3-idb';
import { IdbStore } from '../../../src/store/idb-store';
import { exportKit, KitFormatError, loadKit } from '../../../src/worker/kit';
import { TestClock } from '../helpers/kms';
import { bodyOf, MemoryBytes, readAll } from '../s3/fixtures';

let n = 0;

async function keystore(accountId: string) {
  const clock = new TestClock();
  const store = await IdbStore.open(`kit-${Date.now()}-${n++}`);
  const kms = await Kms.open({
    store,
    clock,
    random: systemRandom,
    locks: new LocalLocks(),
    region: 'us-east-1',
    accountId,
  });
  const meta = await IdbS3Meta.open(`kit-s3-${Date.now()}-${n++}`);
  const s3 = new S3({ kms, meta, bytes: new MemoryBytes(), now: () => clock.t });
  const root = rootCaller(kms.keystore, { userAgent: 'vitest' });
  const call = (op: string, req: unknown) => kms.call(op, req, root) as Promise<Record<string, any>>;
  return { kms, s3, root, call, parts: { kms, s3: async () => s3 } };
}

const policyFor = (account: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Root',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'TenantBlue',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:user/kms-user` },
        Action: ['kms:Encrypt', 'kms:Decrypt'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:EncryptionContext:tenant': 'blue' } },
      },
    ],
  });

describe('facilitator kits', () => {
  it('reproduces the setup in a fresh keystore of another account', async () => {
    const a = await keystore('111122223333');
    const user = await a.kms.iam.createPrincipal(a.root, 'user', 'kms-user', [{ TagKey: 'team', TagValue: 'app' }]);
    await a.kms.iam.putPolicy(
      a.root,
      user.arn,
      'lookup',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'kms:DescribeKey', Resource: '*' }],
      }),
    );
    const k = (await a.call('CreateKey', { Description: 'tenant data', Tags: [{ TagKey: 'lab', TagValue: 'sod' }] }))
      .KeyMetadata;
    await a.call('PutKeyPolicy', { KeyId: k.KeyId, PolicyName: 'default', Policy: policyFor('111122223333') });
    await a.call('CreateAlias', { AliasName: 'alias/sod-lab', TargetKeyId: k.KeyId });
    await a.call('EnableKeyRotation', { KeyId: k.KeyId, RotationPeriodInDays: 90 });
    await a.call('CreateGrant', {
      KeyId: k.KeyId,
      GranteePrincipal: user.arn,
      Operations: ['Encrypt'],
      Constraints: { EncryptionContextEquals: { tenant: 'green' } },
      Name: 'green',
    });
    const off = (await a.call('CreateKey', { Description: 'retired' })).KeyMetadata;
    await a.call('DisableKey', { KeyId: off.KeyId });
    await a.s3.createBucket(a.root, 'kit-bucket');
    await a.s3.putBucketEncryption(a.root, 'kit-bucket', {
      algorithm: 'aws:kms',
      kmsKeyId: k.Arn,
      bucketKeyEnabled: false,
    });

    // The file a facilitator hands out: plain JSON.
    const file = JSON.stringify(await exportKit(a.parts, 'id: lab\n'));
    const b = await keystore('444455556666');
    const loaded = await loadKit(b.parts, JSON.parse(file));
    expect(loaded.principals).toEqual(['arn:aws:iam::444455556666:user/kms-user']);
    expect(loaded.buckets).toEqual(['kit-bucket']);

    const [, bUser] = await b.kms.iam.list();
    expect(bUser).toMatchObject({ name: 'kms-user', tags: [{ TagKey: 'team', TagValue: 'app' }] });
    expect(Object.keys(bUser!.policies)).toEqual(['lookup']);
    const newKey = loaded.keys[k.KeyId]!;
    const m = (await b.call('DescribeKey', { KeyId: 'alias/sod-lab' })).KeyMetadata;
    expect(m).toMatchObject({ KeyId: newKey, Description: 'tenant data', KeyState: 'Enabled' });
    expect(m.Arn).toBe(`arn:aws:kms:us-east-1:444455556666:key/${newKey}`);
    expect((await b.call('ListResourceTags', { KeyId: newKey })).Tags).toEqual([{ TagKey: 'lab', TagValue: 'sod' }]);
    expect(JSON.parse((await b.call('GetKeyPolicy', { KeyId: newKey, PolicyName: 'default' })).Policy)).toEqual(
      JSON.parse(policyFor('444455556666')),
    );
    expect(await b.call('GetKeyRotationStatus', { KeyId: newKey })).toMatchObject({
      KeyRotationEnabled: true,
      RotationPeriodInDays: 90,
    });
    const grants = (await b.call('ListGrants', { KeyId: newKey })).Grants;
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({
      Name: 'green',
      GranteePrincipal: 'arn:aws:iam::444455556666:user/kms-user',
      Operations: ['Encrypt'],
      Constraints: { EncryptionContextEquals: { tenant: 'green' } },
    });
    expect((await b.call('DescribeKey', { KeyId: loaded.keys[off.KeyId]! })).KeyMetadata.KeyState).toBe('Disabled');
    expect(await b.s3.getBucketEncryption(b.root, 'kit-bucket')).toEqual({
      algorithm: 'aws:kms',
      kmsKeyId: m.Arn,
      bucketKeyEnabled: false,
    });

    // The policies decide the same way in both keystores.
    for (const [ks, keyId, arn] of [
      [a, k.KeyId, user.arn],
      [b, newKey, bUser!.arn],
    ] as const) {
      const who = await ks.kms.iam.callerFor(arn, { userAgent: 'vitest' });
      const ask = (tenant: string) =>
        ks.kms.simulate(who, { action: 'kms:Encrypt', keyId, encryptionContext: { tenant } }).then((s) => s.reason);
      expect([await ask('blue'), await ask('green'), await ask('red')]).toEqual([
        'AllowedByKeyPolicy',
        'AllowedByGrant',
        'NoIdentityPolicyAllow',
      ]);
    }
  });

  it('carries roles’ trust policies and buckets’ objects, under the loading keystore’s keys', async () => {
    const a = await keystore('111122223333');
    const user = await a.kms.iam.createPrincipal(a.root, 'user', 'kms-user');
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: user.arn }, Action: 'sts:AssumeRole' }],
    });
    await a.kms.iam.createPrincipal(a.root, 'role', 'auditor', [], {
      AssumeRolePolicyDocument: trust,
      Description: 'reads the trail',
      MaxSessionDuration: 7200,
    });
    const k = (await a.call('CreateKey', { Description: 'objects' })).KeyMetadata;
    await a.s3.createBucket(a.root, 'kit-objects');
    const put = (key: string, body: Uint8Array | string, sse: Record<string, unknown>) =>
      a.s3.putObject(
        bodyOf(body, a.root),
        'kit-objects',
        key,
        { contentType: 'text/plain', metadata: { owner: 'ada' }, sse },
        'req',
      );
    await put('notes/kms.txt', 'under the key', { algorithm: 'aws:kms', kmsKeyId: k.KeyId, context: { room: '12' } });
    await put('notes/s3.txt', 'under S3', { algorithm: 'AES256' });
    await put('big.bin', new Uint8Array(1024 * 1024 + 1), { algorithm: 'AES256' });
    // An object under a key that is disabled by export time cannot be read: named, not carried, and the rest exports.
    const off = (await a.call('CreateKey', { Description: 'off' })).KeyMetadata;
    await put('old.txt', 'under a key now disabled', { algorithm: 'aws:kms', kmsKeyId: off.KeyId });
    await a.call('DisableKey', { KeyId: off.KeyId });

    const kit = JSON.parse(JSON.stringify(await exportKit(a.parts)));
    // The object's bytes travel, not its data key or segments.
    expect(JSON.stringify(kit)).not.toMatch(/encryptedDataKey|segments/);
    const b = await keystore('444455556666');
    const loaded = await loadKit(b.parts, kit);
    expect(loaded.objects).toEqual(['kit-objects/notes/kms.txt', 'kit-objects/notes/s3.txt']);
    expect(loaded.omitted).toEqual(['kit-objects/big.bin', 'kit-objects/old.txt']);
    const omitted = kit.buckets[0].objects.filter((o: { omitted?: string }) => o.omitted);
    expect(omitted.map((o: { key: string; omitted: string }) => [o.key, o.omitted.split(':')[0]])).toEqual([
      ['big.bin', 'larger than 1048576 bytes'],
      ['old.txt', 'KMS.DisabledException'],
    ]);

    const role = (await b.kms.iam.read((tx) => tx.listPrincipals())).find((p) => p.name === 'auditor')!;
    expect(JSON.parse(role.assumeRolePolicy!)).toEqual(JSON.parse(trust.replaceAll('111122223333', '444455556666')));
    expect(role).toMatchObject({ description: 'reads the trail', maxSessionDuration: 7200 });

    const get = async (key: string) => {
      const r = await b.s3.getObject(b.root, 'kit-objects', key, undefined, 'req');
      return { text: new TextDecoder().decode(await readAll(r.body)), object: r.object };
    };
    const kms = await get('notes/kms.txt');
    expect(kms.text).toBe('under the key');
    expect(kms.object).toMatchObject({ contentType: 'text/plain', metadata: { owner: 'ada' } });
    expect(kms.object.sse).toMatchObject({
      algorithm: 'aws:kms',
      kmsKeyArn: `arn:aws:kms:us-east-1:444455556666:key/${loaded.keys[k.KeyId]}`,
      encryptionContext: { room: '12', 'aws:s3:arn': 'arn:aws:s3:::kit-objects/notes/kms.txt' },
    });
    expect((await get('notes/s3.txt')).object.sse.algorithm).toBe('AES256');
    await expect(b.s3.headObject(b.root, 'kit-objects', 'big.bin')).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('refuses what is not a kit, naming the field', async () => {
    const b = await keystore('444455556666');
    await expect(loadKit(b.parts, { format: 'other' })).rejects.toThrow(KitFormatError);
    await expect(loadKit(b.parts, { format: 'pocket-kms-kit', version: 2 })).rejects.toThrow(
      '"version" expected 1, got 2',
    );
    await expect(
      loadKit(b.parts, { format: 'pocket-kms-kit', version: 1, accountId: '1', region: 'us-east-1' }),
    ).rejects.toThrow('"accountId" expected 12 digits, got "1"');
  });
});
