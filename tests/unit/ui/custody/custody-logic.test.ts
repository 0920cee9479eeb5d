// The console's custody state without runes (src/ui/custody/custody-logic.ts), driven with a plain
// status object and a fake worker: newest status wins, errors kept per action, a refusal because the
// worker locked itself re-checks the status, and the keystore is reopened after unlock, set-up, restore.
import { describe, expect, it, vi } from 'vitest';
import type { CustodyInfo, RestoreResult, SetUpResult } from '../../../../src/worker/api';
import { CustodyLogic, type CustodyApi, type CustodyStatus } from '../../../../src/ui/custody/custody-logic';

const LOCKED: CustodyInfo = { mode: 'secret', locked: true, keys: 2, autoLockMinutes: 15, secrets: ['passphrase'] };
const OPEN: CustodyInfo = { ...LOCKED, locked: false };
const err = (name: string) => Object.assign(new Error(name), { name });

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function setup(overrides: Partial<CustodyApi> = {}) {
  const status: CustodyStatus = { info: undefined, statusError: undefined, errors: {}, busy: {} };
  const api: CustodyApi = {
    custodyStatus: vi.fn(async () => LOCKED),
    unlock: vi.fn(async () => OPEN),
    lock: vi.fn(async () => LOCKED),
    setUpRecovery: vi.fn(async (): Promise<SetUpResult> => ({
      ...OPEN,
      accessKeysDeleted: ['AKIA1'],
      materialsRewrapped: 3,
    })),
    changeSecret: vi.fn(async () => OPEN),
    setAutoLock: vi.fn(async (m: number) => ({ ...OPEN, autoLockMinutes: m })),
    backup: vi.fn(async () => new Blob(['x'])),
    restore: vi.fn(async (): Promise<RestoreResult> => ({
      mode: 'merge',
      keysRestored: 1,
      skipped: [],
      auditRecords: 0,
    })),
    ...overrides,
  };
  const keystoreChanged = vi.fn(async () => {});
  return { status, api, keystoreChanged, logic: new CustodyLogic(status, api, { keystoreChanged }) };
}

describe('CustodyLogic', () => {
  it('applies only the newest status answer', async () => {
    const first = deferred<CustodyInfo>();
    const second = deferred<CustodyInfo>();
    const { status, logic } = setup({
      custodyStatus: vi.fn().mockReturnValueOnce(first.promise).mockReturnValueOnce(second.promise),
    });
    const a = logic.refresh();
    const b = logic.refresh();
    second.resolve(OPEN);
    await b;
    first.resolve(LOCKED);
    await a;
    expect(status.info).toEqual(OPEN);
  });

  it('keeps the status object when the poll reads the same status again', async () => {
    const { status, logic } = setup();
    await logic.refresh();
    const first = status.info;
    await logic.refresh();
    expect(status.info).toBe(first);
  });

  it('keeps a status error apart and clears it with the next answer', async () => {
    const { status, logic } = setup({
      custodyStatus: vi.fn().mockRejectedValueOnce(new TypeError('no method')).mockResolvedValueOnce(LOCKED),
    });
    await logic.refresh();
    expect(status.statusError).toBeInstanceOf(TypeError);
    await logic.refresh();
    expect(status.statusError).toBeUndefined();
    expect(status.info).toEqual(LOCKED);
  });

  it('unlocks with the passphrase, applies the answer and reopens the keystore', async () => {
    const { status, api, logic, keystoreChanged } = setup();
    expect(await logic.unlock('correct horse')).toEqual(OPEN);
    expect(api.unlock).toHaveBeenCalledWith({ passphrase: 'correct horse' });
    expect(status.info?.locked).toBe(false);
    expect(keystoreChanged).toHaveBeenCalledWith('unlock');
    expect(status.busy.unlock).toBe(false);
  });

  it('keeps a failed action’s error under that action only, and clears it when tried again', async () => {
    const unlock = vi.fn().mockRejectedValueOnce(err('IncorrectSecretException')).mockResolvedValueOnce(OPEN);
    const { status, logic } = setup({ unlock });
    status.info = LOCKED;
    expect(await logic.unlock('wrong passphrase')).toBeUndefined();
    expect(status.errors).toEqual({ unlock: expect.objectContaining({ name: 'IncorrectSecretException' }) });
    expect(status.info).toEqual(LOCKED);
    await logic.unlock('correct horse');
    expect(status.errors.unlock).toBeUndefined();
  });

  it('reads the status again when an action is refused because the worker locked itself', async () => {
    const { status, api, logic } = setup({ backup: vi.fn().mockRejectedValue(err('KMSInvalidStateException')) });
    status.info = OPEN;
    expect(await logic.backup()).toBeUndefined();
    await vi.waitFor(() => expect(status.info).toEqual(LOCKED));
    expect(api.custodyStatus).toHaveBeenCalledTimes(1);
  });

  it('keeps only the status fields of a set-up result and reopens the keystore', async () => {
    const { status, logic, keystoreChanged } = setup();
    const result = await logic.setUp('correct horse battery');
    expect(result?.accessKeysDeleted).toEqual(['AKIA1']);
    expect(status.info).toEqual(OPEN);
    expect(keystoreChanged).toHaveBeenCalledWith('setUp');
  });

  it('passes both secrets to changeSecret and the minutes to setAutoLock', async () => {
    const { status, api, logic } = setup();
    await logic.changePassphrase('old passphrase', 'new passphrase');
    expect(api.changeSecret).toHaveBeenCalledWith({ passphrase: 'old passphrase' }, { passphrase: 'new passphrase' });
    await logic.setAutoLock(60);
    expect(status.info?.autoLockMinutes).toBe(60);
  });

  it('reads the status after a backup (its time) and after a restore, which reopens the keystore', async () => {
    const { api, logic, keystoreChanged } = setup();
    const file = new Blob(['backup']);
    expect(await logic.backup()).toBeInstanceOf(Blob);
    expect(api.custodyStatus).toHaveBeenCalledTimes(1);
    expect((await logic.restore(file, 'backup passphrase', 'empty'))?.keysRestored).toBe(1);
    expect(api.restore).toHaveBeenCalledWith(file, { passphrase: 'backup passphrase', mode: 'empty' });
    expect(api.custodyStatus).toHaveBeenCalledTimes(2);
    expect(keystoreChanged).toHaveBeenCalledWith('restore');
  });
});
