// The service worker's record of which consoles hold passkey key stores connected (src/sw/store-consoles.ts,
// ADR 0016 "The endpoint"): only windows that announced a connected store are asked, a window that is gone is
// forgotten, and a restarted service worker (a fresh module) still knows the rest.
import { describe, expect, it, vi } from 'vitest';

const win = (id: string) => ({ id });
const fresh = async () => {
  vi.resetModules();
  return import('../../../src/sw/store-consoles');
};

describe('store consoles', () => {
  it('names only live windows that announced a connected store, forgets gone ones, and survives a restart', async () => {
    const sc = await fresh();
    const [a, b, plain] = [win('a'), win('b'), win('plain')];
    expect(await sc.storeConsoles([a, b, plain])).toEqual([]);
    await sc.noteStoreConsole('a', ['cks-1']);
    await sc.noteStoreConsole('b', ['cks-2']);
    expect(await sc.storeConsoles([a, b, plain])).toEqual([a, b]);
    await sc.noteStoreConsole('b', []); // disconnected
    expect(await sc.storeConsoles([a, b, plain])).toEqual([a]);
    // The worker stopped and started again: what was announced is read back from the settings database.
    const restarted = await fresh();
    expect(await restarted.storeConsoles([a, b, plain])).toEqual([a]);
    // 'a' closed: gone from the live windows, it is dropped for good, even if a window with its ID came back.
    expect(await restarted.storeConsoles([b, plain])).toEqual([]);
    // (Written after the answer, not before it: no request waits for the write.)
    await expect.poll(async () => (await fresh()).storeConsoles([a, b])).toEqual([]);
  });
});
