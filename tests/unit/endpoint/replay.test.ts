// A request the browser sends again (src/endpoint/wire.ts WireOptions.startedAt, src/kms/records.ts
// SignedRequest): Chromium re-dispatches a request in flight when the service worker answering it stops, to
// the restarted worker, byte for byte. Found by tests/e2e/crash.test.ts: a CreateKey then ran twice (two keys,
// two records, one answer). Such a copy now runs only if its first sending did not commit, and its request ID
// (derived from the signature) names the first sending's record.
import { describe, expect, it } from 'vitest';
import { toBase64 } from '../../../src/format/bytes';
import { handleKms } from '../../../src/endpoint/wire';
import { utf8 } from '../helpers/kms';
import { freshEndpoint } from '../helpers/sign';

async function answer(res: Response) {
  return { status: res.status, requestId: res.headers.get('x-amzn-requestid')!, body: (await res.json()) as any };
}

/** The same signed request twice, as the browser would send it: to the instance that was stopped, then again. */
async function twice(target: string, body: unknown) {
  const f = await freshEndpoint();
  const first = await f.post(target, body);
  const again = first.clone();
  const signedAt = f.clock.t;
  // The first instance started a minute before the request was signed; the second, after.
  const before = { ...f.wire, startedAt: signedAt - 60_000 };
  const after = { ...f.wire, startedAt: signedAt + 500 };
  return { f, first, again, before, after };
}

const records = async (f: Awaited<ReturnType<typeof freshEndpoint>>, requestId: string) =>
  (await f.audit()).filter((e) => e.record.requestID === requestId);

describe('a signed request the browser sends again after the service worker restarted', () => {
  it('is not run twice: one key, one record, and the copy is answered KMSInternalException naming the first', async () => {
    const { f, first, again, before, after } = await twice('TrentService.CreateKey', { Description: 'once' });
    const ok = await answer(await handleKms(f.kms, first, before));
    expect(ok.status).toBe(200);
    const copy = await answer(await handleKms(f.kms, again, after));
    expect(copy).toMatchObject({ status: 500, requestId: ok.requestId, body: { __type: 'KMSInternalException' } });
    expect(copy.body.message).toContain(`Request ${ok.requestId} was already run`);
    expect((await f.call('ListKeys')).Keys).toHaveLength(1);
    expect(await records(f, ok.requestId)).toHaveLength(1);
  });

  it('refuses the copy of a read-only call and of a failed one too: each keeps its one record', async () => {
    const f = await freshEndpoint();
    const key = await f.createKey();
    for (const [target, body, status] of [
      ['TrentService.Encrypt', { KeyId: key.KeyId, Plaintext: toBase64(utf8('x')) }, 200],
      ['TrentService.DescribeKey', { KeyId: 'alias/none' }, 400],
    ] as const) {
      const first = await f.post(target, body);
      const again = first.clone();
      const a = await answer(await handleKms(f.kms, first, { ...f.wire, startedAt: f.clock.t - 1 }));
      expect(a.status).toBe(status);
      const b = await answer(await handleKms(f.kms, again, { ...f.wire, startedAt: f.clock.t + 1 }));
      expect(b).toMatchObject({ status: 500, requestId: a.requestId, body: { __type: 'KMSInternalException' } });
      expect(await records(f, a.requestId)).toHaveLength(1);
      f.clock.t += 1000;
    }
  });

  it('runs the copy when its first sending never committed', async () => {
    const { f, again, after } = await twice('TrentService.CreateKey', { Description: 'lost' });
    const r = await answer(await handleKms(f.kms, again, after));
    expect(r.status).toBe(200);
    expect((await f.call('ListKeys')).Keys).toHaveLength(1);
    expect(await records(f, r.requestId)).toHaveLength(1);
  });

  it('runs identical requests both when signed while the instance was running (a signer without a nonce)', async () => {
    const { f, first, again, before } = await twice('TrentService.CreateKey', { Description: 'same bytes' });
    expect((await answer(await handleKms(f.kms, first, before))).status).toBe(200);
    expect((await answer(await handleKms(f.kms, again, before))).status).toBe(200);
    expect((await f.call('ListKeys')).Keys).toHaveLength(2);
  });

  it('keeps the marks of signed requests for an hour, then drops them', async () => {
    const { f, first, before } = await twice('TrentService.ListKeys', {});
    await handleKms(f.kms, first, before);
    const marks = async () =>
      ((await f.store.snapshot()).stores.meta as [string, unknown][]).filter(([k]) => k.startsWith('signed-request:'));
    expect(await marks()).toHaveLength(1);
    f.clock.t += 61 * 60_000;
    await handleKms(f.kms, await f.post('TrentService.ListKeys', {}), f.wire);
    expect((await marks()).map(([, at]) => at)).toEqual([f.clock.t]);
  });
});
