// Streaming file digests (src/kms/asymmetric/file-digest.ts): chunked SHA-2 equals one-shot SHA-2, and
// the streamed ML-DSA μ signs (EXTERNAL_MU) to a signature that verifies over the whole file (RAW).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digestStream } from '../../../../src/kms/asymmetric/file-digest';
import { freshKms } from '../../helpers/kms';

const chunked = (data: Uint8Array, size: number) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < data.length; i += size) c.enqueue(data.subarray(i, i + size));
      c.close();
    },
  });

describe('digestStream', () => {
  it.each([
    ['SHA-256', 'sha256'],
    ['SHA-384', 'sha384'],
    ['SHA-512', 'sha512'],
  ] as const)('%s, chunked any way, equals node:crypto', async (kind, node) => {
    const data = new Uint8Array(70_001).map((_, i) => (i * 131 + 7) & 0xff);
    const want = new Uint8Array(createHash(node).update(data).digest());
    for (const size of [1, 4096, 65_536, 100_000]) {
      if (size === 1) {
        expect(await digestStream(chunked(data.subarray(0, 999), 1), kind)).toEqual(
          new Uint8Array(createHash(node).update(data.subarray(0, 999)).digest()),
        );
        continue;
      }
      expect(await digestStream(chunked(data, size), kind)).toEqual(want);
    }
  });

  it('ML-DSA μ of a file: Sign with EXTERNAL_MU verifies as RAW over the same bytes', async () => {
    const { call, createKey } = await freshKms();
    const k = await createKey({ KeySpec: 'ML_DSA_65', KeyUsage: 'SIGN_VERIFY' });
    const { PublicKey } = await call('GetPublicKey', { KeyId: k.KeyId });
    const data = crypto.getRandomValues(new Uint8Array(3000));
    const mu = await digestStream(chunked(data, 700), 'ML-DSA-MU', PublicKey);
    expect(mu).toHaveLength(64);
    const { Signature } = await call('Sign', {
      KeyId: k.KeyId,
      Message: mu,
      MessageType: 'EXTERNAL_MU',
      SigningAlgorithm: 'ML_DSA_SHAKE_256',
    });
    await call('Verify', { KeyId: k.KeyId, Message: data, SigningAlgorithm: 'ML_DSA_SHAKE_256', Signature });
  });

  it('ML-DSA μ needs the public key', async () => {
    await expect(digestStream(chunked(new Uint8Array(3), 1), 'ML-DSA-MU')).rejects.toThrow('publicKey');
  });
});
