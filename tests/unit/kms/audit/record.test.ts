// CloudTrail records (src/kms/audit/record.ts; DESIGN.md contract 2): one per call, success or failure,
// in CloudTrail's shape, written in the same transaction as the change, and never holding secrets.
import { describe, expect, it } from 'vitest';
import { buildRecord, cloudTrailTime, SECRET_FIELDS, toTrail } from '../../../../src/kms/audit/record';
import { rootCaller } from '../../../../src/kms/ids';
import { SUPPORTED_OPERATIONS } from '../../../../src/kms/kms';
import { extrasOf, VALID, world, type World } from '../../helpers/corpus';
import { ACCOUNT, b64, freshKms, hex, REGION, rejectsWith, utf8, type Fresh } from '../../helpers/kms';

/** An invalid request for each: missing KeyId, or an out-of-range Limit where nothing is required. */
const invalid = (op: string) =>
  ['ListKeys', 'ListAliases', 'DescribeCustomKeyStores'].includes(op)
    ? { Limit: 0 }
    : op === 'CreateKey'
      ? { KeySpec: 'ECC_NIST_P256' }
      : {};

/** Everything but the audit log, to show a failed call changed nothing. */
const dump = (f: Fresh) =>
  f.store.read(async (tx) => {
    const keys = await tx.allKeys();
    const materials = [];
    for (const k of keys)
      materials.push(...(await tx.listMaterials(k.keyId)).map((m) => [m.keyId, m.version, m.materialId]));
    return { keys, aliases: await tx.listAliases(), materials };
  });

describe('one record per call', () => {
  it('covers every implemented operation', () => {
    expect(Object.keys(VALID).sort()).toEqual([...SUPPORTED_OPERATIONS].sort());
  });

  it('appends exactly one record for each successful call, in CloudTrail shape', async () => {
    const f = await freshKms();
    const w = await world(f);
    for (const op of Object.keys(VALID)) {
      const before = (await f.audit()).length;
      await f.call(op, VALID[op]!(w), await extrasOf(op, w));
      const entries = await f.audit();
      expect(entries.length, op).toBe(before + 1);
      const e = entries.at(-1)!;
      expect(e.eventName).toBe(op);
      expect(e.errorCode).toBeUndefined();
      expect(e.record).toMatchObject({
        eventVersion: '1.11',
        eventSource: 'kms.amazonaws.com',
        eventName: op,
        awsRegion: REGION,
        eventType: 'AwsApiCall',
        managementEvent: true,
        eventCategory: 'Management',
        recipientAccountId: ACCOUNT,
        sourceIPAddress: '127.0.0.1',
        userAgent: 'vitest',
        userIdentity: { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT },
        eventTime: cloudTrailTime(f.clock.now()),
      });
      expect(e.record.requestID).toMatch(/^[0-9a-f-]{36}$/);
      expect(e.record.eventID).toMatch(/^[0-9a-f-]{36}$/);
      expect(e.record.eventID).toBe(e.eventId);
      expect(e.record).not.toHaveProperty('errorCode');
      expect(typeof e.record.readOnly).toBe('boolean');
      const keyOps = !['ListKeys', 'ListAliases', 'GenerateRandom'].includes(op) && !op.includes('CustomKeyStore');
      if (keyOps) expect(e.record.resources!.length, op).toBeGreaterThan(0);
      for (const r of e.record.resources ?? [])
        expect(r).toEqual({
          accountId: ACCOUNT,
          type: 'AWS::KMS::Key',
          ARN: expect.stringMatching(/^arn:aws:kms:us-east-1:111122223333:key\//),
        });
    }
  });

  it('appends exactly one record with errorCode and errorMessage for each failed call', async () => {
    const f = await freshKms();
    await world(f);
    for (const op of [...SUPPORTED_OPERATIONS, 'Sign', 'ImportKeyMaterial']) {
      const before = (await f.audit()).length;
      const err = await f.call(op, invalid(op)).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err, op).toBeDefined();
      const entries = await f.audit();
      expect(entries.length, op).toBe(before + 1);
      const e = entries.at(-1)!;
      expect(e.errorCode).toBe(err!.name);
      expect(e.record).toMatchObject({
        eventName: op,
        errorCode: err!.name,
        errorMessage: err!.message,
        eventType: 'AwsApiCall',
      });
    }
  });

  it('writes no record for a name that is not an AWS KMS operation (CloudTrail never sees one)', async () => {
    const f = await freshKms();
    await rejectsWith(f.call('NoSuchOp', {}), 'UnknownOperationException');
    expect(await f.audit()).toEqual([]);
  });

  it('marks readOnly as AWS does, and logs response elements only for changes', async () => {
    const f = await freshKms();
    const w = await world(f);
    const entries = await f.audit();
    const create = entries.find((e) => e.eventName === 'CreateKey')!;
    expect(create.record.readOnly).toBe(false);
    expect(create.record.responseElements).toMatchObject({
      keyMetadata: { keyId: w.k.KeyId, arn: w.k.Arn, creationDate: expect.any(String) },
    });
    const enc = entries.find((e) => e.eventName === 'Encrypt')!;
    expect(enc.record).toMatchObject({
      readOnly: true,
      responseElements: null,
      requestParameters: { keyId: w.k.KeyId },
    });
    expect(enc.usedKeyIds).toEqual([w.k.KeyId]);
  });
});

describe('no secrets in records', () => {
  it('holds no plaintext, data key or ciphertext blob, in any encoding', async () => {
    const f = await freshKms();
    const k = await f.createKey();
    const other = await f.createKey();
    const secrets: Uint8Array[] = [];
    const pt = utf8('TOP-SECRET-plaintext-7f3a9c-do-not-log');
    secrets.push(pt);
    const enc = await f.call('Encrypt', { KeyId: k.KeyId, Plaintext: pt, EncryptionContext: { ctx: 'visible' } });
    secrets.push(enc.CiphertextBlob);
    await f.call('Decrypt', { CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { ctx: 'visible' } });
    await f.call('Decrypt', { CiphertextBlob: enc.CiphertextBlob }).catch(() => undefined);
    const re = await f.call('ReEncrypt', {
      CiphertextBlob: enc.CiphertextBlob,
      SourceEncryptionContext: { ctx: 'visible' },
      DestinationKeyId: other.KeyId,
    });
    secrets.push(re.CiphertextBlob);
    const dk = await f.call('GenerateDataKey', { KeyId: k.KeyId, NumberOfBytes: 64 });
    secrets.push(dk.Plaintext, dk.CiphertextBlob);
    const dk2 = await f.call('GenerateDataKeyWithoutPlaintext', { KeyId: k.KeyId, NumberOfBytes: 64 });
    secrets.push(dk2.CiphertextBlob);
    secrets.push((await f.call('GenerateRandom', { NumberOfBytes: 64 })).Plaintext);
    // A secret given where a string is expected is still not logged.
    await f.call('Encrypt', { KeyId: k.KeyId, Plaintext: 'TOP-SECRET-as-a-string' }).catch(() => undefined);

    const all = JSON.stringify(await f.audit());
    const forms = (b: Uint8Array) => [
      b64(b),
      Buffer.from(b).toString('base64url'),
      hex(b),
      hex(b).toUpperCase(),
      JSON.stringify([...b]).slice(1, -1),
    ];
    for (const s of secrets) for (const form of forms(s)) expect(all.includes(form), form.slice(0, 40)).toBe(false);
    expect(all).not.toContain('TOP-SECRET');
    expect(all).toContain('visible'); // encryption context is logged, as in AWS
  });
});

describe('atomicity: a failed change writes only its audit record', () => {
  type Make = (w: World) => [op: string, req: Record<string, unknown>, error: string];
  const cases: [string, Make][] = [
    [
      'CreateAlias to a key pending deletion',
      (w) => ['CreateAlias', { AliasName: 'alias/late', TargetKeyId: w.other.KeyId }, 'KMSInvalidStateException'],
    ],
    [
      'TagResource over 50 tags',
      (w) => [
        'TagResource',
        { KeyId: w.k.KeyId, Tags: Array.from({ length: 51 }, (_, i) => ({ TagKey: `t${i}`, TagValue: '' })) },
        'LimitExceededException',
      ],
    ],
    [
      'PutKeyPolicy with a malformed policy',
      (w) => [
        'PutKeyPolicy',
        { KeyId: w.k.KeyId, Policy: '{"Statement":[{"Effect":"Maybe"}]}' },
        'MalformedPolicyDocumentException',
      ],
    ],
    [
      'RotateKeyOnDemand of a key pending deletion',
      (w) => ['RotateKeyOnDemand', { KeyId: w.other.KeyId }, 'KMSInvalidStateException'],
    ],
    ['CreateKey with an aws: tag', () => ['CreateKey', { Tags: [{ TagKey: 'aws:x', TagValue: '' }] }, 'TagException']],
    [
      'UpdateAlias of an unknown alias',
      (w) => ['UpdateAlias', { AliasName: 'alias/none', TargetKeyId: w.k.KeyId }, 'NotFoundException'],
    ],
  ];
  it.each(cases)('%s', async (_why, make) => {
    const f = await freshKms();
    const w = await world(f);
    await f.call('ScheduleKeyDeletion', { KeyId: w.other.KeyId });
    const before = await dump(f);
    const count = (await f.audit()).length;
    const [op, req, error] = make(w);
    await rejectsWith(f.call(op, req), error);
    expect(await dump(f)).toEqual(before);
    expect((await f.audit()).length).toBe(count + 1);
  });
});

describe('toTrail and buildRecord', () => {
  it('camel-cases fields, keeps map keys, drops blobs and secret fields, writes dates as ISO', () => {
    expect(
      toTrail({
        KeyId: 'k',
        Plaintext: 'x',
        CiphertextBlob: new Uint8Array(1),
        EncryptionContext: { MyKey: 'V', Plaintext: 'ctx' },
        When: new Date(0),
        Tags: [{ TagKey: 'a', TagValue: 'b' }],
        Raw: new ArrayBuffer(2),
      }),
    ).toEqual({
      keyId: 'k',
      encryptionContext: { MyKey: 'V', Plaintext: 'ctx' },
      when: '1970-01-01T00:00:00.000Z',
      tags: [{ tagKey: 'a', tagValue: 'b' }],
    });
  });

  it('survives values no JSON or IndexedDB can hold: functions, symbols, bigints, cycles, deep nesting', () => {
    const cyc: Record<string, unknown> = { KeyId: 'k' };
    cyc.Self = cyc;
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 10_000; i++) deep = (deep.Next = {}) as Record<string, unknown>;
    const t = toTrail({ A: () => 1, B: Symbol('s'), C: 10n, D: cyc, E: root }) as Record<string, unknown>;
    expect(() => structuredClone(t)).not.toThrow();
    expect(() => JSON.stringify(t)).not.toThrow();
    expect(t).toMatchObject({ c: '10', d: { keyId: 'k' } });
  });

  it('writes whole-second times and null for empty parameters', () => {
    expect(cloudTrailTime(Date.UTC(2026, 3, 27, 17, 11, 6, 789))).toBe('2026-04-27T17:11:06Z');
    const ks = { region: REGION, accountId: ACCOUNT };
    const input = (k: typeof ks) => ({
      ks: k,
      eventName: 'ListKeys',
      eventTime: 0,
      eventId: 'e',
      requestId: 'r',
      caller: rootCaller(k, { userAgent: 'ua', accessKeyId: 'AKIAEXAMPLE' }),
      readOnly: true,
      request: {} as unknown,
      response: { Keys: [] },
      keyArns: [] as string[],
    });
    const r = buildRecord(input(ks));
    expect(r).toMatchObject({
      requestParameters: null,
      responseElements: null,
      resources: [],
      userIdentity: { accessKeyId: 'AKIAEXAMPLE' },
    });
    for (const request of ['a string', [1, 2], 42, null])
      expect(buildRecord({ ...input(ks), request }).requestParameters).toBeNull();
  });
});

describe('only members of the operation reach a record', () => {
  const variants = (name: string) => [
    name.toLowerCase(),
    name.toUpperCase(),
    name[0]!.toLowerCase() + name.slice(1),
    name.replace(/([a-z])([A-Z])/g, (_, a: string, b: string) => a + b.toLowerCase()),
    name.replace(/Text|Blob|Key|Token/g, (s) => s[0] + s.slice(1).toUpperCase()),
    ` ${name}`,
  ];

  it.each([...SECRET_FIELDS].map((s) => [s]))(
    'records no value of an oddly-cased %s given to Encrypt',
    async (secret) => {
      const f = await freshKms();
      const k = await f.createKey();
      const req: Record<string, unknown> = { KeyId: k.KeyId, Plaintext: utf8('x') };
      for (const v of variants(secret)) if (v !== secret) req[v] = `MARKER-${v}`;
      await f.call('Encrypt', req);
      const last = JSON.stringify((await f.audit()).at(-1)!.record);
      expect(last).toContain('"eventName":"Encrypt"');
      expect(last).not.toContain('MARKER');
    },
  );

  it('keeps a 10 MB junk field and nested junk out, and the record small', async () => {
    const f = await freshKms();
    const k = await f.createKey();
    await f.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x'), Junk: 'J'.repeat(10_000_000) });
    const r = (await f.audit()).at(-1)!.record as Record<string, any>;
    expect(JSON.stringify(r).length).toBeLessThan(8_192);
    expect(r.requestParameters).toEqual({ keyId: k.KeyId });
    await f.call('TagResource', { KeyId: k.KeyId, Tags: [{ TagKey: 't', TagValue: 'v', Junk: 'MARKER-tag' }] });
    const t = (await f.audit()).at(-1)!.record as Record<string, any>;
    expect(t.requestParameters).toEqual({ keyId: k.KeyId, tags: [{ tagKey: 't', tagValue: 'v' }] });
  });

  it('drops unknown members at every level of buildRecord, whatever the operation', () => {
    const ks = { region: REGION, accountId: ACCOUNT };
    const r = buildRecord({
      ks,
      eventName: 'CreateGrant',
      eventTime: 0,
      eventId: 'e',
      requestId: 'r',
      caller: rootCaller(ks, { userAgent: 'ua' }),
      readOnly: false,
      request: {
        KeyId: 'k',
        GranteePrincipal: 'arn:aws:iam::111122223333:user/bob',
        Operations: ['Decrypt'],
        Constraints: { EncryptionContextSubset: { a: 'b' }, Junk: 'MARKER-1' },
        junk: { deeper: 'MARKER-2' },
        grantTokens: ['MARKER-3'],
      },
      response: undefined,
      keyArns: [],
    });
    expect(JSON.stringify(r)).not.toContain('MARKER');
    expect(r.requestParameters).toMatchObject({ constraints: { encryptionContextSubset: { a: 'b' } } });
  });

  it('cuts every recorded string at 1,024 characters and says so', async () => {
    const f = await freshKms();
    await f.call('CreateKey', { Description: 'D'.repeat(8_192) });
    const d = ((await f.audit()).at(-1)!.record as Record<string, any>).requestParameters.description as string;
    expect(d.startsWith('D'.repeat(1_024))).toBe(true);
    expect(d.length).toBeLessThan(1_100);
    expect(d).toContain('truncated');
  });
});
