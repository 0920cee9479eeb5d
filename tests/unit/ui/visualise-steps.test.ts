// The visualiser's steps (src/ui/visualise/steps.ts) told from a real run (src/worker/api/visualise.ts):
// encrypt, decrypt and the tampered decrypt in order, each frame's state as the run recorded it, and the
// data key shown only masked.
import { describe, expect, it } from 'vitest';
import { stepsOf } from '../../../src/ui/visualise/steps';
import { visualiseApi } from '../../../src/worker/api/visualise';
import { ActingAs, type WorkerContext } from '../../../src/worker/context';
import { freshKms } from '../helpers/kms';

describe('visualiser steps', () => {
  it('tells a signed run of 3 frames with frame 2 flipped', async () => {
    const f = await freshKms();
    const key = await f.createKey();
    const ctx = { ready: Promise.resolve(f.kms), acting: new ActingAs('vitest') } as unknown as WorkerContext;
    const trace = await visualiseApi(ctx).visualise(new Blob(['x'.repeat(40)]), {
      keyId: key.KeyId,
      frameLength: 16,
      suiteId: 0x0578,
      flipFrame: 2,
    });
    const steps = stepsOf(trace);
    expect(steps.map((s) => `${s.phase}: ${s.title} [${s.state}]`)).toEqual([
      'Encrypt: GenerateDataKey [done]',
      'Encrypt: Key derivation and commitment [done]',
      'Encrypt: Header written [done]',
      'Encrypt: Frame 1 sealed [done]',
      'Encrypt: Frame 2 sealed [done]',
      'Encrypt: Frame 3 (final) sealed [done]',
      'Encrypt: Footer signed [done]',
      'Decrypt: Header read, data key decrypted [done]',
      'Decrypt: Frame 1 opened [released]',
      'Decrypt: Frame 2 opened [released]',
      'Decrypt: Frame 3 opened [released]',
      'Tampered: One bit flipped in frame 2 [done]',
      'Tampered: Frame 1: released [released]',
      'Tampered: Frame 2: tag fails [failed]',
      'Tampered: Frame 3: never released [withheld]',
    ]);
    const gdk = Object.fromEntries(steps[0]!.rows);
    expect(gdk['KMS key']).toBe(key.Arn);
    expect(gdk['Plaintext data key']).toMatch(/^•+ \(32 bytes, masked/);
    expect(Object.fromEntries(steps[1]!.rows)['Key commitment']).toMatch(/^[0-9a-f]{64}$/);
    expect(steps[13]!.text).toMatch(/^AuthenticationError: Frame 2 does not authenticate/);
  });
});
