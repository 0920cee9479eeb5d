// Every alias error of CreateAlias, UpdateAlias, DeleteAlias, ListAliases and the alias forms of KeyId
// (src/kms/ops/aliases.ts, src/kms/ids.ts), each against AWS's documented answer (docs/API.md "Alias errors").
// A refused call changes nothing: each test compares ListAliases before and after.
import { describe, expect, it } from 'vitest';
import { ACCOUNT, freshKms, REGION, rejectsWith, utf8, type Fresh } from '../helpers/kms';

const PATTERN_ERROR = (name: string) =>
  `1 validation error detected: Value '${name}' at 'aliasName' failed to satisfy constraint: ` +
  'Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$';
const PREFIX_ERROR =
  'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html';

/** A keystore with two symmetric keys and alias/app on the first. */
async function withAlias() {
  const f = await freshKms();
  const [a, b] = [await f.createKey(), await f.createKey()];
  await f.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: a.KeyId });
  return { ...f, a, b, before: await aliases(f) };
}

const aliases = async (f: Pick<Fresh, 'call'>) => (await f.call('ListAliases', { Limit: 100 })).Aliases;

/** The three operations that take an AliasName, each with a valid target. */
const byOp = (b: Record<string, any>) =>
  [
    ['CreateAlias', (AliasName: unknown) => ({ AliasName, TargetKeyId: b.KeyId })],
    ['UpdateAlias', (AliasName: unknown) => ({ AliasName, TargetKeyId: b.KeyId })],
    ['DeleteAlias', (AliasName: unknown) => ({ AliasName })],
  ] as const;

describe('AliasName refused by the service model (ValidationException, "1 validation error detected")', () => {
  it.each([
    ['a dot', 'alias/my.app'],
    ['a space', 'alias/my app'],
    ['non-ASCII', 'alias/clé'],
    ['an asterisk', 'alias/*'],
  ])('%s: the message quotes the model pattern ^[a-zA-Z0-9:/_-]+$, on every alias operation', async (_why, name) => {
    const f = await withAlias();
    for (const [op, req] of byOp(f.b)) {
      const e = await rejectsWith(f.call(op, req(name)), 'ValidationException');
      expect(e.message, op).toBe(PATTERN_ERROR(name));
    }
    expect(await aliases(f)).toEqual(f.before);
  });

  it.each([
    ['empty', ''],
    ['257 characters', `alias/${'a'.repeat(251)}`],
  ])('%s: length 1–256', async (_why, name) => {
    const f = await withAlias();
    for (const [op, req] of byOp(f.b)) {
      const e = await rejectsWith(f.call(op, req(name)), 'ValidationException');
      expect(e.message, op).toMatch(
        /^1 validation error detected: Value at 'aliasName' failed to satisfy constraint: /,
      );
    }
    expect(await aliases(f)).toEqual(f.before);
  });

  it('accepts 256 characters', async () => {
    const f = await withAlias();
    const name = `alias/${'a'.repeat(250)}`;
    await f.call('CreateAlias', { AliasName: name, TargetKeyId: f.a.KeyId });
    expect((await f.call('DescribeKey', { KeyId: name })).KeyMetadata.KeyId).toBe(f.a.KeyId);
  });
});

describe('AliasName the model admits but KMS refuses', () => {
  it('a colon (in the model pattern, not in an alias name): "<name> contains invalid characters for an alias"', async () => {
    const f = await withAlias();
    for (const [op, req] of byOp(f.b)) {
      const e = await rejectsWith(f.call(op, req('alias/Service:Test')), 'ValidationException');
      expect(e.message, op).toBe('alias/Service:Test contains invalid characters for an alias');
    }
    expect(await aliases(f)).toEqual(f.before);
  });

  it.each([
    ['no alias/ prefix', 'app'],
    ['only the prefix', 'alias/'],
    ['the prefix in another case', 'Alias/app'],
    ['an alias ARN instead of the name', `arn:aws:kms:${REGION}:${ACCOUNT}:alias/app`],
  ])('%s: the prefix message', async (_why, name) => {
    const f = await withAlias();
    for (const [op, req] of byOp(f.b)) {
      const e = await rejectsWith(f.call(op, req(name)), 'ValidationException');
      expect(e.message, op).toBe(PREFIX_ERROR);
    }
    expect(await aliases(f)).toEqual(f.before);
  });

  it('alias/aws/ is reserved (NotAuthorizedException) on every alias operation', async () => {
    const f = await withAlias();
    for (const [op, req] of byOp(f.b)) await rejectsWith(f.call(op, req('alias/aws/s3')), 'NotAuthorizedException');
    expect(await aliases(f)).toEqual(f.before);
  });

  it('alias/AWS/ and alias/Aws/ are ordinary names (AWS reserves alias/aws/ as spelled)', async () => {
    const f = await withAlias();
    for (const name of ['alias/AWS/s3', 'alias/Aws/s3']) {
      await f.call('CreateAlias', { AliasName: name, TargetKeyId: f.a.KeyId });
      expect((await f.call('DescribeKey', { KeyId: name })).KeyMetadata.KeyId).toBe(f.a.KeyId);
    }
    await rejectsWith(f.call('DescribeKey', { KeyId: 'alias/aws/s3' }), 'NotFoundException');
  });

  it('a trailing slash makes another name: alias/app/ is not alias/app', async () => {
    const f = await withAlias();
    await rejectsWith(f.call('DescribeKey', { KeyId: 'alias/app/' }), 'NotFoundException');
    await rejectsWith(f.call('DeleteAlias', { AliasName: 'alias/app/' }), 'NotFoundException');
    await f.call('CreateAlias', { AliasName: 'alias/app/', TargetKeyId: f.b.KeyId });
    expect((await f.call('DescribeKey', { KeyId: 'alias/app/' })).KeyMetadata.KeyId).toBe(f.b.KeyId);
    expect((await f.call('DescribeKey', { KeyId: 'alias/app' })).KeyMetadata.KeyId).toBe(f.a.KeyId);
  });

  it('a name that is not a string is a ValidationException', async () => {
    const f = await withAlias();
    for (const [op, req] of byOp(f.b)) await rejectsWith(f.call(op, req(42)), 'ValidationException');
    expect(await aliases(f)).toEqual(f.before);
  });
});

describe('existence', () => {
  it('CreateAlias of a name that exists: AlreadyExistsException naming the alias ARN', async () => {
    const f = await withAlias();
    const e = await rejectsWith(
      f.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: f.b.KeyId }),
      'AlreadyExistsException',
    );
    expect(e.message).toContain(`arn:aws:kms:${REGION}:${ACCOUNT}:alias/app`);
    expect(await aliases(f)).toEqual(f.before);
  });

  it('UpdateAlias and DeleteAlias of a missing alias: NotFoundException', async () => {
    const f = await withAlias();
    await rejectsWith(f.call('UpdateAlias', { AliasName: 'alias/none', TargetKeyId: f.b.KeyId }), 'NotFoundException');
    await rejectsWith(f.call('DeleteAlias', { AliasName: 'alias/none' }), 'NotFoundException');
    expect(await aliases(f)).toEqual(f.before);
  });
});

describe('TargetKeyId (key ID or key ARN only)', () => {
  it.each([
    ['an alias name', () => 'alias/app'],
    ['an alias ARN', () => `arn:aws:kms:${REGION}:${ACCOUNT}:alias/app`],
    ['a key ARN of another region', (id: string) => `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${id}`],
    ['a key ARN of another account', (id: string) => `arn:aws:kms:${REGION}:444455556666:key/${id}`],
    ['not a key identifier', () => 'not-a-key'],
  ])('%s: NotFoundException on CreateAlias and UpdateAlias', async (_why, target) => {
    const f = await withAlias();
    const TargetKeyId = target(f.b.KeyId);
    await rejectsWith(f.call('CreateAlias', { AliasName: 'alias/two', TargetKeyId }), 'NotFoundException');
    await rejectsWith(f.call('UpdateAlias', { AliasName: 'alias/app', TargetKeyId }), 'NotFoundException');
    expect(await aliases(f)).toEqual(f.before);
  });

  it('a key pending deletion: KMSInvalidStateException on CreateAlias and UpdateAlias', async () => {
    const f = await withAlias();
    await f.call('ScheduleKeyDeletion', { KeyId: f.b.KeyId, PendingWindowInDays: 7 });
    await rejectsWith(
      f.call('CreateAlias', { AliasName: 'alias/two', TargetKeyId: f.b.KeyId }),
      'KMSInvalidStateException',
    );
    await rejectsWith(
      f.call('UpdateAlias', { AliasName: 'alias/app', TargetKeyId: f.b.Arn }),
      'KMSInvalidStateException',
    );
    expect(await aliases(f)).toEqual(f.before);
  });
});

describe('UpdateAlias: the new key must be of the same type (symmetric, asymmetric, HMAC) and key usage', () => {
  const spec = (KeySpec: string, KeyUsage: string) => ({ KeySpec, KeyUsage });

  it.each([
    ['RSA_2048 → RSA_3072, SIGN_VERIFY', spec('RSA_2048', 'SIGN_VERIFY'), spec('RSA_3072', 'SIGN_VERIFY')],
    ['ECC_NIST_P256 → RSA_2048, SIGN_VERIFY', spec('ECC_NIST_P256', 'SIGN_VERIFY'), spec('RSA_2048', 'SIGN_VERIFY')],
    ['HMAC_256 → HMAC_512', spec('HMAC_256', 'GENERATE_VERIFY_MAC'), spec('HMAC_512', 'GENERATE_VERIFY_MAC')],
  ])('accepts %s (both of one type, same usage)', async (_why, from, to) => {
    const { createKey, call } = await freshKms();
    const [a, b] = [await createKey(from), await createKey(to)];
    await call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: a.KeyId });
    expect(await call('UpdateAlias', { AliasName: 'alias/app', TargetKeyId: b.KeyId })).toEqual({});
    expect((await call('DescribeKey', { KeyId: 'alias/app' })).KeyMetadata.KeyId).toBe(b.KeyId);
  });

  it.each([
    [
      'symmetric → asymmetric, both ENCRYPT_DECRYPT',
      spec('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT'),
      spec('RSA_2048', 'ENCRYPT_DECRYPT'),
    ],
    [
      'RSA_2048 ENCRYPT_DECRYPT → RSA_2048 SIGN_VERIFY',
      spec('RSA_2048', 'ENCRYPT_DECRYPT'),
      spec('RSA_2048', 'SIGN_VERIFY'),
    ],
    ['symmetric → HMAC', spec('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT'), spec('HMAC_256', 'GENERATE_VERIFY_MAC')],
  ])('refuses %s and leaves the alias where it was', async (_why, from, to) => {
    const f = await freshKms();
    const [a, b] = [await f.createKey(from), await f.createKey(to)];
    await f.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: a.KeyId });
    const before = await aliases(f);
    const e = await rejectsWith(
      f.call('UpdateAlias', { AliasName: 'alias/app', TargetKeyId: b.KeyId }),
      'KMSInvalidStateException',
    );
    expect(e.message).toContain(b.Arn);
    expect(await aliases(f)).toEqual(before);
  });
});

describe('KeyId given as an alias', () => {
  it.each([
    ['an alias ARN of another region', `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/app`],
    ['an alias ARN of another account', `arn:aws:kms:${REGION}:444455556666:alias/app`],
    ['an unknown alias', 'alias/none'],
    ['alias/ alone', 'alias/'],
    ['a name AliasName would refuse', 'alias/my.app'],
  ])('%s: NotFoundException from DescribeKey, Encrypt and GenerateDataKey', async (_why, KeyId) => {
    const f = await withAlias();
    await rejectsWith(f.call('DescribeKey', { KeyId }), 'NotFoundException');
    await rejectsWith(f.call('Encrypt', { KeyId, Plaintext: utf8('x') }), 'NotFoundException');
    await rejectsWith(f.call('GenerateDataKey', { KeyId, KeySpec: 'AES_256' }), 'NotFoundException');
    expect(await aliases(f)).toEqual(f.before);
  });

  it('an alias of a key pending deletion: DescribeKey answers, Encrypt is KMSInvalidStateException', async () => {
    const f = await withAlias();
    await f.call('ScheduleKeyDeletion', { KeyId: f.a.KeyId, PendingWindowInDays: 7 });
    expect((await f.call('DescribeKey', { KeyId: 'alias/app' })).KeyMetadata.KeyState).toBe('PendingDeletion');
    await rejectsWith(f.call('Encrypt', { KeyId: 'alias/app', Plaintext: utf8('x') }), 'KMSInvalidStateException');
  });

  it('ListAliases KeyId takes a key ID or key ARN: an alias name or alias ARN is NotFoundException', async () => {
    const f = await withAlias();
    await rejectsWith(f.call('ListAliases', { KeyId: 'alias/app' }), 'NotFoundException');
    await rejectsWith(
      f.call('ListAliases', { KeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:alias/app` }),
      'NotFoundException',
    );
    await rejectsWith(f.call('ListAliases', { KeyId: '' }), 'ValidationException');
    expect((await f.call('ListAliases', { KeyId: f.a.Arn })).Aliases).toEqual(f.before);
  });
});
