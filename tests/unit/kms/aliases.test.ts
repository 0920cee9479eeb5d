// CreateAlias, UpdateAlias, DeleteAlias, ListAliases (src/kms/ops/aliases.ts).
import { describe, expect, it } from 'vitest';
import { ACCOUNT, freshKms, REGION, rejectsWith, utf8, walk } from '../helpers/kms';

const aliasArn = (name: string) => `arn:aws:kms:${REGION}:${ACCOUNT}:${name}`;

describe('CreateAlias', () => {
  it('creates an alias that ListAliases shows in AWS shape', async () => {
    const { createKey, call, clock } = await freshKms();
    const k = await createKey();
    expect(await call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: k.Arn })).toEqual({});
    expect(await call('ListAliases')).toEqual({
      Aliases: [
        {
          AliasName: 'alias/app',
          AliasArn: aliasArn('alias/app'),
          TargetKeyId: k.KeyId,
          CreationDate: new Date(clock.now()),
          LastUpdatedDate: new Date(clock.now()),
        },
      ],
      Truncated: false,
    });
  });

  it.each([
    ['no alias/ prefix', 'app', 'ValidationException'],
    ['only the prefix', 'alias/', 'ValidationException'],
    ['the reserved alias/aws/ prefix', 'alias/aws/app', 'NotAuthorizedException'],
    ['a forbidden character', 'alias/my app', 'ValidationException'],
    ['257 characters', `alias/${'a'.repeat(251)}`, 'ValidationException'],
    ['an empty name', '', 'ValidationException'],
    ['a number', 42, 'ValidationException'],
  ])('rejects a name with %s', async (_why, name, type) => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    await rejectsWith(call('CreateAlias', { AliasName: name, TargetKeyId: k.KeyId }), type);
    expect((await call('ListAliases')).Aliases).toEqual([]);
  });

  it('rejects a name that exists (AlreadyExistsException), even for another key', async () => {
    const { createKey, call } = await freshKms();
    const [a, b] = [await createKey(), await createKey()];
    await call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: a.KeyId });
    await rejectsWith(call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: b.KeyId }), 'AlreadyExistsException');
    expect((await call('ListAliases')).Aliases.map((x: { TargetKeyId: string }) => x.TargetKeyId)).toEqual([a.KeyId]);
  });

  it('rejects a target that is an alias, unknown, or missing', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    await call('CreateAlias', { AliasName: 'alias/one', TargetKeyId: k.KeyId });
    await rejectsWith(call('CreateAlias', { AliasName: 'alias/two', TargetKeyId: 'alias/one' }), 'NotFoundException');
    await rejectsWith(
      call('CreateAlias', { AliasName: 'alias/two', TargetKeyId: aliasArn('alias/one') }),
      'NotFoundException',
    );
    await rejectsWith(
      call('CreateAlias', { AliasName: 'alias/two', TargetKeyId: '1234abcd-12ab-44cd-96ef-1234567890ab' }),
      'NotFoundException',
    );
    await rejectsWith(call('CreateAlias', { AliasName: 'alias/two' }), 'ValidationException');
    expect((await call('ListAliases')).Aliases).toHaveLength(1);
  });

  it('refuses a key pending deletion and writes nothing (KMSInvalidStateException)', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    await call('ScheduleKeyDeletion', { KeyId: k.KeyId, PendingWindowInDays: 7 });
    await rejectsWith(
      call('CreateAlias', { AliasName: 'alias/late', TargetKeyId: k.KeyId }),
      'KMSInvalidStateException',
    );
    expect((await call('ListAliases')).Aliases).toEqual([]);
  });

  it('allows 50 aliases per key and refuses the 51st (LimitExceededException)', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    for (let i = 0; i < 50; i++) await call('CreateAlias', { AliasName: `alias/a${i}`, TargetKeyId: k.KeyId });
    await rejectsWith(call('CreateAlias', { AliasName: 'alias/a50', TargetKeyId: k.KeyId }), 'LimitExceededException');
    expect((await call('ListAliases', { KeyId: k.KeyId, Limit: 100 })).Aliases).toHaveLength(50);
  });
});

describe('UpdateAlias', () => {
  it('points an alias at another key; Encrypt through the alias then uses that key', async () => {
    const { createKey, call, clock } = await freshKms();
    const [a, b] = [await createKey(), await createKey()];
    await call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: a.KeyId });
    const created = clock.now();
    clock.advanceDays(1);
    expect(await call('UpdateAlias', { AliasName: 'alias/app', TargetKeyId: b.Arn })).toEqual({});
    const [entry] = (await call('ListAliases')).Aliases;
    expect(entry).toMatchObject({
      TargetKeyId: b.KeyId,
      CreationDate: new Date(created),
      LastUpdatedDate: new Date(clock.now()),
    });
    expect((await call('Encrypt', { KeyId: 'alias/app', Plaintext: utf8('x') })).KeyId).toBe(b.Arn);
  });

  it('rejects an unknown alias, an unknown or aliased target, and a target pending deletion', async () => {
    const { createKey, call } = await freshKms();
    const [a, b] = [await createKey(), await createKey()];
    await call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: a.KeyId });
    await rejectsWith(call('UpdateAlias', { AliasName: 'alias/none', TargetKeyId: b.KeyId }), 'NotFoundException');
    await rejectsWith(call('UpdateAlias', { AliasName: 'alias/app', TargetKeyId: 'alias/app' }), 'NotFoundException');
    await rejectsWith(call('UpdateAlias', { AliasName: 'app', TargetKeyId: b.KeyId }), 'ValidationException');
    await call('ScheduleKeyDeletion', { KeyId: b.KeyId, PendingWindowInDays: 7 });
    await rejectsWith(
      call('UpdateAlias', { AliasName: 'alias/app', TargetKeyId: b.KeyId }),
      'KMSInvalidStateException',
    );
    expect((await call('ListAliases')).Aliases[0].TargetKeyId).toBe(a.KeyId);
  });
});

describe('DeleteAlias', () => {
  it('deletes an alias; the key stays and the alias no longer resolves', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    await call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: k.KeyId });
    expect(await call('DeleteAlias', { AliasName: 'alias/app' })).toEqual({});
    expect((await call('ListAliases')).Aliases).toEqual([]);
    await rejectsWith(call('DescribeKey', { KeyId: 'alias/app' }), 'NotFoundException');
    expect((await call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.KeyState).toBe('Enabled');
    await rejectsWith(call('DeleteAlias', { AliasName: 'alias/app' }), 'NotFoundException');
    await rejectsWith(call('DeleteAlias', { AliasName: 'app' }), 'ValidationException');
    await rejectsWith(call('DeleteAlias', {}), 'ValidationException');
  });

  it('deletes the alias of a key pending deletion', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    await call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: k.KeyId });
    await call('ScheduleKeyDeletion', { KeyId: k.KeyId });
    expect(await call('DeleteAlias', { AliasName: 'alias/app' })).toEqual({});
  });
});

describe('ListAliases', () => {
  it('walks every alias exactly once, sorted by name, with Limit and Marker', async () => {
    const { createKey, call } = await freshKms();
    const [a, b] = [await createKey(), await createKey()];
    const names = Array.from({ length: 9 }, (_, i) => `alias/n${i}`);
    for (const [i, n] of names.entries())
      await call('CreateAlias', { AliasName: n, TargetKeyId: i % 2 ? a.KeyId : b.KeyId });
    for (const limit of [1, 2, 4, 9, 100]) {
      const { items, pages } = await walk<{ AliasName: string }>(call, 'ListAliases', { Limit: limit }, 'Aliases');
      expect(items.map((x) => x.AliasName)).toEqual(names);
      expect(pages).toBe(Math.ceil(9 / limit));
    }
    const onlyA = await walk<{ AliasName: string; TargetKeyId: string }>(
      call,
      'ListAliases',
      { KeyId: a.Arn, Limit: 2 },
      'Aliases',
    );
    expect(onlyA.items.map((x) => x.AliasName)).toEqual(names.filter((_, i) => i % 2));
    expect(onlyA.items.every((x) => x.TargetKeyId === a.KeyId)).toBe(true);
  });

  it('rejects a garbage Marker, a bad Limit, and an unknown KeyId', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    await call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: k.KeyId });
    await rejectsWith(call('ListAliases', { Marker: 'garbage' }), 'InvalidMarkerException');
    await rejectsWith(call('ListAliases', { Limit: 101 }), 'ValidationException');
    await rejectsWith(call('ListAliases', { Limit: 0 }), 'ValidationException');
    await rejectsWith(call('ListAliases', { KeyId: '1234abcd-12ab-44cd-96ef-1234567890ab' }), 'NotFoundException');
    await rejectsWith(call('ListAliases', { KeyId: 'alias/app' }), 'NotFoundException');
  });

  it('continues right after the item its NextMarker names', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    for (const n of ['alias/a', 'alias/b', 'alias/c'])
      await call('CreateAlias', { AliasName: n, TargetKeyId: k.KeyId });
    const first = await call('ListAliases', { Limit: 1 });
    const second = await call('ListAliases', { Limit: 1, Marker: first.NextMarker });
    expect(second.Aliases[0].AliasName).toBe('alias/b');
  });
});
