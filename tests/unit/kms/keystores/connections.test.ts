// One instance's passkey key store connections (src/kms/keystores/connections.ts, ADR 0016): what a watcher is
// told — the console passes it to the service worker, which forwards /kms only to a console holding a store.
import { describe, expect, it } from 'vitest';
import { StoreConnections } from '../../../../src/kms/keystores';
import { TestClock } from '../../helpers/kms';

const key = () => crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey']);

describe('StoreConnections watchers', () => {
  it('hear every connect and disconnect, the idle timeout and the keystore locking, and nothing else', async () => {
    const clock = new TestClock();
    const c = new StoreConnections(clock, () => undefined);
    const heard: string[][] = [];
    const stop = c.watch((ids) => heard.push(ids));
    c.beginConnect('cks-a');
    c.fail('cks-a', 'USER_NOT_FOUND');
    expect(heard).toEqual([]); // a failed attempt connects nothing
    c.disconnect('cks-a');
    c.beginConnect('cks-a');
    c.connected('cks-a', await key());
    c.beginConnect('cks-b');
    c.connected('cks-b', await key());
    expect(heard).toEqual([['cks-a'], ['cks-a', 'cks-b']]);
    clock.t += 16 * 60_000;
    expect(c.expire((id) => (id === 'cks-a' ? 15 : 0))).toEqual(['cks-a']);
    expect(heard.at(-1)).toEqual(['cks-b']);
    c.disconnectAll();
    expect(heard.at(-1)).toEqual([]);
    const before = heard.length;
    c.disconnectAll();
    c.disconnect('cks-b');
    expect(heard.length).toBe(before); // nothing changed, nothing told
    stop();
    c.connected('cks-a', await key());
    expect(heard.length).toBe(before);
  });
});
