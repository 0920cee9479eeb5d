// The logic of the console's Loader (src/ui/shared/loader.svelte.ts). The unit project has no Svelte
// plugin, so runes do not compile here: Loader keeps its fields in $state and hands itself to
// LatestLoad (src/ui/shared/latest-load.ts), which these tests drive with a plain object instead.
import { describe, expect, it } from 'vitest';
import { LatestLoad, type LoadStatus } from '../../../src/ui/shared/latest-load';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

function setup() {
  const status: LoadStatus = { loading: false, loaded: false, settled: false, error: undefined };
  return { status, latest: new LatestLoad(status) };
}

describe('LatestLoad', () => {
  it('is loading while the load is in flight, then applies the answer', async () => {
    const { status, latest } = setup();
    const answer = deferred<string>();
    const applied: string[] = [];
    const done = latest.run(
      () => answer.promise,
      (v) => applied.push(v),
    );
    expect(status).toEqual({ loading: true, loaded: false, settled: false, error: undefined });
    answer.resolve('a');
    await expect(done).resolves.toBe(true);
    expect(applied).toEqual(['a']);
    expect(status).toEqual({ loading: false, loaded: true, settled: true, error: undefined });
  });

  it('drops the answer of a load a newer one overtook, and stays loading until the newest ends', async () => {
    const { status, latest } = setup();
    const older = deferred<string>();
    const newer = deferred<string>();
    const applied: string[] = [];
    const first = latest.run(
      () => older.promise,
      (v) => applied.push(v),
    );
    const second = latest.run(
      () => newer.promise,
      (v) => applied.push(v),
    );
    older.resolve('old');
    await expect(first).resolves.toBe(false);
    expect(applied).toEqual([]);
    expect(status.loading).toBe(true);
    expect(status.settled).toBe(false);
    newer.resolve('new');
    await expect(second).resolves.toBe(true);
    expect(applied).toEqual(['new']);
    expect(status.loading).toBe(false);
  });

  it('drops the stale answer also when it arrives after the newest', async () => {
    const { latest } = setup();
    const older = deferred<string>();
    const applied: string[] = [];
    const first = latest.run(
      () => older.promise,
      (v) => applied.push(v),
    );
    await latest.run(
      async () => 'new',
      (v) => applied.push(v),
    );
    older.resolve('old');
    await first;
    expect(applied).toEqual(['new']);
  });

  it('keeps the error of a failed load, with the earlier answer, and hands it to `failed`', async () => {
    const { status, latest } = setup();
    await latest.run(
      async () => 'a',
      () => undefined,
    );
    const failure = new Error('AccessDeniedException');
    const seen: unknown[] = [];
    await expect(
      latest.run(
        () => Promise.reject(failure),
        () => expect.unreachable(),
        (e) => seen.push(e),
      ),
    ).resolves.toBe(false);
    expect(status).toEqual({ loading: false, loaded: true, settled: true, error: failure });
    expect(seen).toEqual([failure]);
  });

  it('settles without loaded when the first load fails', async () => {
    const { status, latest } = setup();
    const failure = new Error('boom');
    await latest.run(
      () => Promise.reject(failure),
      () => undefined,
    );
    expect(status).toEqual({ loading: false, loaded: false, settled: true, error: failure });
  });

  it('clears the error when a later load succeeds', async () => {
    const { status, latest } = setup();
    await latest.run(
      () => Promise.reject(new Error('boom')),
      () => undefined,
    );
    await latest.run(
      async () => 1,
      () => undefined,
    );
    expect(status.error).toBeUndefined();
  });

  it('ignores the error of a stale load', async () => {
    const { status, latest } = setup();
    const older = deferred<string>();
    const seen: unknown[] = [];
    const first = latest.run(
      () => older.promise,
      () => undefined,
      (e) => seen.push(e),
    );
    await latest.run(
      async () => 'new',
      () => undefined,
    );
    older.reject(new Error('late'));
    await expect(first).resolves.toBe(false);
    expect(status.error).toBeUndefined();
    expect(seen).toEqual([]);
  });

  it('fail() drops the load in flight and shows its own error, no longer loading', async () => {
    const { status, latest } = setup();
    const inFlight = deferred<string>();
    const applied: string[] = [];
    const run = latest.run(
      () => inFlight.promise,
      (v) => applied.push(v),
    );
    latest.fail('Choose a principal.');
    expect(status.loading).toBe(false);
    expect(status.error).toBe('Choose a principal.');
    inFlight.resolve('late');
    await expect(run).resolves.toBe(false);
    expect(applied).toEqual([]);
    expect(status.error).toBe('Choose a principal.');
  });
});
