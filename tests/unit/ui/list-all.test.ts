// listAll (src/ui/shared/list-all.ts): follows NextMarker while Truncated, and surfaces a failed page.
// The console's client owns a Web Worker, so kms.call is replaced by a scripted one.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const call = vi.fn();
vi.mock('../../../src/ui/kms-client.svelte', () => ({ kms: { call } }));
const { listAll } = await import('../../../src/ui/shared/list-all');

const key = (n: number) => ({ KeyId: `k${n}`, KeyArn: `arn:aws:kms:us-east-1:111122223333:key/k${n}` });

beforeEach(() => call.mockReset());

describe('listAll', () => {
  it('makes one call when the first page is not Truncated', async () => {
    call.mockResolvedValueOnce({ Keys: [key(1), key(2)], Truncated: false });
    await expect(listAll('ListKeys', { Limit: 1000 }, 'Keys')).resolves.toEqual([key(1), key(2)]);
    expect(call.mock.calls).toEqual([['ListKeys', { Limit: 1000 }]]);
  });

  it('follows NextMarker page after page, keeping the request, and returns the items in order', async () => {
    call
      .mockResolvedValueOnce({ Aliases: [{ AliasName: 'alias/a' }], NextMarker: 'm1', Truncated: true })
      .mockResolvedValueOnce({ Aliases: [{ AliasName: 'alias/b' }], NextMarker: 'm2', Truncated: true })
      .mockResolvedValueOnce({ Aliases: [{ AliasName: 'alias/c' }], Truncated: false });
    const all = await listAll('ListAliases', { KeyId: 'k1', Limit: 100 }, 'Aliases');
    expect(all.map((a) => a.AliasName)).toEqual(['alias/a', 'alias/b', 'alias/c']);
    expect(call.mock.calls).toEqual([
      ['ListAliases', { KeyId: 'k1', Limit: 100 }],
      ['ListAliases', { KeyId: 'k1', Limit: 100, Marker: 'm1' }],
      ['ListAliases', { KeyId: 'k1', Limit: 100, Marker: 'm2' }],
    ]);
  });

  it('stops when Truncated is false, even if a NextMarker came with it', async () => {
    call.mockResolvedValueOnce({ Grants: [{ GrantId: 'g1' }], NextMarker: 'stray', Truncated: false });
    await expect(listAll('ListGrants', { KeyId: 'k1' }, 'Grants')).resolves.toEqual([{ GrantId: 'g1' }]);
    expect(call).toHaveBeenCalledTimes(1);
  });

  it('stops when a Truncated page has no NextMarker to go on (rather than start over)', async () => {
    call.mockResolvedValueOnce({ Tags: [{ TagKey: 'a', TagValue: '1' }], Truncated: true });
    await expect(listAll('ListResourceTags', { KeyId: 'k1' }, 'Tags')).resolves.toHaveLength(1);
    expect(call).toHaveBeenCalledTimes(1);
  });

  it('surfaces the error of a page after the first, and stops there', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform kms:ListKeys'), {
      name: 'AccessDeniedException',
    });
    call.mockResolvedValueOnce({ Keys: [key(1)], NextMarker: 'm1', Truncated: true }).mockRejectedValueOnce(denied);
    await expect(listAll('ListKeys', { Limit: 1 }, 'Keys')).rejects.toBe(denied);
    expect(call).toHaveBeenCalledTimes(2);
  });
});
