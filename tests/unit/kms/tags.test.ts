// TagResource, UntagResource, ListResourceTags and AWS's tag rules (src/kms/ops/tags.ts).
import { describe, expect, it } from 'vitest';
import { freshKms, rejectsWith, walk } from '../helpers/kms';

const tag = (TagKey: string, TagValue = '') => ({ TagKey, TagValue });
const many = (n: number, prefix = 'k') =>
  Array.from({ length: n }, (_, i) => tag(`${prefix}${String(i).padStart(2, '0')}`, `v${i}`));

describe('TagResource / ListResourceTags', () => {
  it('adds tags, overwrites a repeated key, and lists them sorted by key', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey({ Tags: [tag('b', '1')] });
    expect(await call('TagResource', { KeyId: k.Arn, Tags: [tag('a', 'x'), tag('b', '2'), tag('c')] })).toEqual({});
    expect(await call('ListResourceTags', { KeyId: k.KeyId })).toEqual({
      Tags: [tag('a', 'x'), tag('b', '2'), tag('c')],
      Truncated: false,
    });
  });

  it.each([
    ['a missing Tags', {}, 'ValidationException'],
    ['Tags that is not a list', { Tags: { TagKey: 'a', TagValue: 'b' } }, 'ValidationException'],
    ['a null tag', { Tags: [null] }, 'ValidationException'],
    ['an empty TagKey', { Tags: [tag('')] }, 'ValidationException'],
    ['a TagKey of 129 characters', { Tags: [tag('k'.repeat(129))] }, 'ValidationException'],
    ['a TagValue of 257 characters', { Tags: [tag('k', 'v'.repeat(257))] }, 'ValidationException'],
    ['a missing TagValue', { Tags: [{ TagKey: 'k' }] }, 'ValidationException'],
    ['a numeric TagValue', { Tags: [{ TagKey: 'k', TagValue: 1 }] }, 'ValidationException'],
    ['an aws: TagKey', { Tags: [tag('aws:owner', 'me')] }, 'TagException'],
    ['an AWS: TagKey in another case', { Tags: [tag('AWS:owner', 'me')] }, 'TagException'],
  ])('rejects %s and changes nothing', async (_why, req, type) => {
    const { createKey, call } = await freshKms();
    const k = await createKey({ Tags: [tag('keep', 'me')] });
    await rejectsWith(call('TagResource', { KeyId: k.KeyId, ...req }), type);
    expect((await call('ListResourceTags', { KeyId: k.KeyId })).Tags).toEqual([tag('keep', 'me')]);
  });

  it('accepts the bounds: TagKey of 128, TagValue of 0 and 256 characters', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    await call('TagResource', { KeyId: k.KeyId, Tags: [tag('k'.repeat(128), 'v'.repeat(256)), tag('e', '')] });
    expect((await call('ListResourceTags', { KeyId: k.KeyId })).Tags).toHaveLength(2);
  });

  it('allows 50 tags and refuses a 51st, writing none of the batch (LimitExceededException)', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey({ Tags: many(49) });
    await rejectsWith(call('TagResource', { KeyId: k.KeyId, Tags: [tag('x'), tag('y')] }), 'LimitExceededException');
    expect((await call('ListResourceTags', { KeyId: k.KeyId })).Tags).toHaveLength(49);
    await call('TagResource', { KeyId: k.KeyId, Tags: [tag('x'), tag('k00', 'new')] }); // 50, one overwritten
    expect((await call('ListResourceTags', { KeyId: k.KeyId })).Tags).toHaveLength(50);
    await rejectsWith(call('TagResource', { KeyId: k.KeyId, Tags: [tag('z')] }), 'LimitExceededException');
  });

  it('takes a key ID or key ARN only, and refuses a key pending deletion', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey();
    await call('CreateAlias', { AliasName: 'alias/t', TargetKeyId: k.KeyId });
    await rejectsWith(call('TagResource', { KeyId: 'alias/t', Tags: [tag('a')] }), 'NotFoundException');
    await rejectsWith(call('ListResourceTags', { KeyId: 'alias/t' }), 'NotFoundException');
    await rejectsWith(
      call('TagResource', { KeyId: '1234abcd-12ab-44cd-96ef-1234567890ab', Tags: [tag('a')] }),
      'NotFoundException',
    );
    await call('ScheduleKeyDeletion', { KeyId: k.KeyId });
    await rejectsWith(call('TagResource', { KeyId: k.KeyId, Tags: [tag('a')] }), 'KMSInvalidStateException');
    await rejectsWith(call('UntagResource', { KeyId: k.KeyId, TagKeys: ['a'] }), 'KMSInvalidStateException');
    expect((await call('ListResourceTags', { KeyId: k.KeyId })).Tags).toEqual([]);
  });
});

describe('UntagResource', () => {
  it('removes the named keys and ignores keys that are not there', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey({ Tags: [tag('a'), tag('b'), tag('c')] });
    expect(await call('UntagResource', { KeyId: k.KeyId, TagKeys: ['a', 'c', 'zzz'] })).toEqual({});
    expect((await call('ListResourceTags', { KeyId: k.KeyId })).Tags).toEqual([tag('b')]);
  });

  it.each([
    ['missing TagKeys', {}],
    ['TagKeys as a string', { TagKeys: 'a' }],
    ['an empty key', { TagKeys: [''] }],
    ['a key of 129 characters', { TagKeys: ['k'.repeat(129)] }],
    ['51 keys', { TagKeys: Array.from({ length: 51 }, (_, i) => `k${i}`) }],
  ])('rejects %s (ValidationException)', async (_why, req) => {
    const { createKey, call } = await freshKms();
    const k = await createKey({ Tags: [tag('a')] });
    await rejectsWith(call('UntagResource', { KeyId: k.KeyId, ...req }), 'ValidationException');
    expect((await call('ListResourceTags', { KeyId: k.KeyId })).Tags).toEqual([tag('a')]);
  });
});

describe('ListResourceTags paging', () => {
  it('walks all 50 tags exactly once for every Limit', async () => {
    const { createKey, call } = await freshKms();
    const tags = many(50);
    const k = await createKey({ Tags: tags });
    for (const limit of [1, 7, 25, 50]) {
      const { items, pages } = await walk<{ TagKey: string }>(
        call,
        'ListResourceTags',
        { KeyId: k.KeyId, Limit: limit },
        'Tags',
      );
      expect(items).toEqual(tags);
      expect(pages).toBe(Math.ceil(50 / limit));
    }
  });

  it('pages over tag keys in any script', async () => {
    const { createKey, call } = await freshKms();
    const tags = [tag('é€1'), tag('日本'), tag('🔑'), tag('ascii')];
    const k = await createKey({ Tags: tags });
    const { items } = await walk<{ TagKey: string }>(call, 'ListResourceTags', { KeyId: k.KeyId, Limit: 1 }, 'Tags');
    expect(items.map((t) => t.TagKey).sort()).toEqual(tags.map((t) => t.TagKey).sort());
  });

  it('rejects Limit 51 and a garbage Marker', async () => {
    const { createKey, call } = await freshKms();
    const k = await createKey({ Tags: many(3) });
    await rejectsWith(call('ListResourceTags', { KeyId: k.KeyId, Limit: 51 }), 'ValidationException');
    await rejectsWith(call('ListResourceTags', { KeyId: k.KeyId, Marker: 'garbage' }), 'InvalidMarkerException');
  });
});
