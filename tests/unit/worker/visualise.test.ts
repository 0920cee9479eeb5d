// The visualiser's run (src/worker/api/visualise.ts): a real GenerateDataKey and real frames, a real
// decrypt that releases every frame, and one with a flipped byte that releases only the frames before
// the damaged one; the plaintext data key is never in what the page gets.
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../src/format/bytes';
import { visualiseApi } from '../../../src/worker/api/visualise';
import { ActingAs, type WorkerContext } from '../../../src/worker/context';
import { freshKms } from '../helpers/kms';

async function setup() {
  const f = await freshKms();
  const key = await f.createKey();
  await f.call('CreateAlias', { AliasName: 'alias/visual', TargetKeyId: key.KeyId });
  const ctx = { ready: Promise.resolve(f.kms), acting: new ActingAs('vitest') } as unknown as WorkerContext;
  return { ...f, key, api: visualiseApi(ctx) };
}

const input = (n: number) => new Blob([new Uint8Array(n).map((_, i) => 97 + (i % 26))]);

describe('visualise', () => {
  it('encrypts for real, decrypts every frame, and stops at the flipped one', async () => {
    const { api, key, call, audit } = await setup();
    const t = await api.visualise(input(300), {
      keyId: 'alias/visual',
      frameLength: 64,
      encryptionContext: { a: 'b' },
    });
    expect(t.dataKey.keyArn).toBe(key.Arn);
    expect(t.dataKey.plaintextLength).toBe(32);
    expect(t.dataKey.blob).toMatchObject({ kind: 'kms-blob', keyId: key.KeyId, materialVersion: 1 });
    expect(t.message.problem).toBeUndefined();
    expect(t.message.suite!.id).toBe('0x0478');
    expect(t.message.encryptedDataKeys[0]!.keyArn).toBe(key.Arn);
    expect(t.message.encryptionContext).toEqual([{ key: 'a', value: 'b' }]);
    expect(t.frames.map((f) => [f.seq, f.final, f.contentLength])).toEqual([
      [1, false, 64],
      [2, false, 64],
      [3, false, 64],
      [4, false, 64],
      [5, true, 44],
    ]);
    expect(t.frames.every((f) => f.tag.length === 32)).toBe(true);
    expect(t.decrypt).toEqual({ releasedBytes: 300, releasedFrames: 5 });
    expect(t.tampered.frame).toBe(3);
    expect(t.tampered.error?.name).toBe('AuthenticationError');
    expect(t.tampered.releasedFrames).toBe(2);
    expect(t.tampered.releasedBytes).toBe(128);
    // The data key the blob stands for appears nowhere in what the page receives.
    const { Plaintext } = await call('Decrypt', {
      CiphertextBlob: fromHex(t.dataKey.ciphertextBlob)!,
      EncryptionContext: { a: 'b' },
    });
    expect(JSON.stringify(t)).not.toContain(toHex(Plaintext));
    const ops = (await audit()).map((r) => (r as { eventName: string }).eventName);
    expect(ops.filter((o) => o === 'GenerateDataKey')).toHaveLength(1);
    expect(ops.filter((o) => o === 'Decrypt').length).toBeGreaterThanOrEqual(2);
  });

  it('signs with 0x0578 and flips a chosen frame', async () => {
    const { api } = await setup();
    const t = await api.visualise(input(100), {
      keyId: 'alias/visual',
      frameLength: 32,
      suiteId: 0x0578,
      flipFrame: 1,
    });
    expect(t.message.suite!.signed).toBe(true);
    expect(t.message.footer!.signatureLength).toBeGreaterThan(90);
    expect(t.decrypt.error).toBeUndefined();
    expect(t.tampered).toMatchObject({ frame: 1, releasedFrames: 0, releasedBytes: 0 });
  });

  it('refuses an input that would make more than 64 frames', async () => {
    const { api } = await setup();
    await expect(api.visualise(input(65 * 8), { keyId: 'alias/visual', frameLength: 8 })).rejects.toThrow(RangeError);
  });
});
