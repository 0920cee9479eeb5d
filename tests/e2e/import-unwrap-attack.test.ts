// ADR 0012's unwrap claim, attacked in real Chromium: "RSAES_OAEP_* symmetric and HMAC material is unwrapped
// straight into WebCrypto; its bytes never reach JavaScript". An observer installed in the KMS worker's own
// realm (import-unwrap-probe.ts) watches every SubtleCrypto call's arguments and results and every message,
// while material the test made is imported through the console's client; IndexedDB is searched too. The
// controls prove the observer sees material that does reach JavaScript: RSA_AES_KEY_WRAP_* (opened by
// @noble/ciphers) and HMAC_224 (no SHA-224 in WebCrypto) pass through the worker's memory, as the ADR says.
import { constants, createCipheriv, createHmac, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import type { Worker } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useApp } from './harness';
import { installProbe, scanIndexedDb } from './import-unwrap-probe';

const env = useApp();
let worker: Worker;

beforeAll(async () => {
  const { page } = env.browser;
  await page.waitForFunction(() => (globalThis as any).pocketKms?.info !== undefined, null, { timeout: 30_000 });
  const found = () => page.workers().find((w) => /kms\.worker/.test(w.url()));
  for (let i = 0; i < 100 && !found(); i++) await new Promise((r) => setTimeout(r, 100));
  if (!found()) throw new Error('the KMS worker did not start');
  worker = found()!;
  await worker.evaluate(installProbe);
});

type Alg = 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_256';

function wrap(publicKey: number[], material: Buffer, alg: Alg): number[] {
  const oaep = (data: Buffer) =>
    publicEncrypt(
      {
        key: createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' }),
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: alg.endsWith('SHA_1') ? 'sha1' : 'sha256',
      },
      data,
    );
  if (alg.startsWith('RSAES')) return [...oaep(material)];
  const kek = randomBytes(32);
  const c = createCipheriv('id-aes256-wrap-pad', kek, Buffer.from('A65959A6', 'hex'));
  return [...Buffer.concat([oaep(kek), c.update(material), c.final()])];
}

/** Imports `material` into a new EXTERNAL key of `keySpec` through the console's client (the KMS worker),
 * with the observer watching for it, then uses the key once; returns where the material was seen. */
async function importWatched(keySpec: string, alg: Alg, material: Buffer) {
  const { page } = env.browser;
  const hex = material.toString('hex');
  await worker.evaluate((h) => (globalThis as any).__unwrapProbe.watch(h), hex);
  const usage = keySpec === 'SYMMETRIC_DEFAULT' ? 'ENCRYPT_DECRYPT' : 'GENERATE_VERIFY_MAC';
  const p = await page.evaluate(
    async ([KeySpec, KeyUsage, WrappingAlgorithm]) => {
      const k = (globalThis as any).pocketKms;
      const { KeyMetadata } = await k.call('CreateKey', { Origin: 'EXTERNAL', KeySpec, KeyUsage });
      const r = await k.call('GetParametersForImport', {
        KeyId: KeyMetadata.KeyId,
        WrappingAlgorithm,
        WrappingKeySpec: 'RSA_2048',
      });
      return { keyId: KeyMetadata.KeyId as string, publicKey: [...r.PublicKey], token: [...r.ImportToken] };
    },
    [keySpec, usage, alg] as const,
  );
  const used = await page.evaluate(
    async ([KeyId, token, encrypted, mac]) => {
      const k = (globalThis as any).pocketKms;
      await k.call('ImportKeyMaterial', {
        KeyId,
        ImportToken: new Uint8Array(token),
        EncryptedKeyMaterial: new Uint8Array(encrypted),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      });
      const Message = new TextEncoder().encode('used once');
      if (!mac) {
        const { CiphertextBlob } = await k.call('Encrypt', { KeyId, Plaintext: Message });
        return new TextDecoder().decode((await k.call('Decrypt', { CiphertextBlob })).Plaintext);
      }
      const { Mac } = await k.call('GenerateMac', { KeyId, Message, MacAlgorithm: mac });
      return [...Mac].map((b: number) => b.toString(16).padStart(2, '0')).join('');
    },
    [
      p.keyId,
      p.token,
      wrap(p.publicKey, material, alg),
      keySpec === 'SYMMETRIC_DEFAULT' ? '' : `HMAC_SHA_${keySpec.slice(5)}`,
    ] as const,
  );
  const inWorker = await worker.evaluate((h) => (globalThis as any).__unwrapProbe.sightings(h) as string[], hex);
  const inIndexedDb = await page.evaluate(scanIndexedDb, hex);
  return { used, seen: [...new Set([...inWorker, ...inIndexedDb])] };
}

describe('imported material and the KMS worker’s JavaScript', () => {
  it.each([
    ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_256'],
    ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1'],
    ['HMAC_256', 'RSAES_OAEP_SHA_256'],
    ['HMAC_512', 'RSAES_OAEP_SHA_1'],
  ] as const)('%s through %s: never seen in JavaScript, IndexedDB or a message', async (keySpec, alg) => {
    const material = randomBytes(keySpec === 'HMAC_512' ? 64 : 32);
    const { used, seen } = await importWatched(keySpec, alg, material);
    if (keySpec === 'SYMMETRIC_DEFAULT') expect(used).toBe('used once');
    else {
      expect(used).toBe(
        createHmac(`sha${keySpec.slice(5)}`, material)
          .update('used once')
          .digest('hex'),
      );
    }
    expect(seen).toEqual([]);
  });

  it('control: RSA_AES_KEY_WRAP_SHA_256 material does pass through JavaScript, and the observer sees it', async () => {
    const { used, seen } = await importWatched('SYMMETRIC_DEFAULT', 'RSA_AES_KEY_WRAP_SHA_256', randomBytes(32));
    expect(used).toBe('used once');
    expect(seen).toContain('subtle.importKey argument');
  });

  it('control: HMAC_224 material (no SHA-224 in WebCrypto) is seen too', async () => {
    const { seen } = await importWatched('HMAC_224', 'RSAES_OAEP_SHA_256', randomBytes(28));
    expect(seen).toContain('subtle.decrypt result');
  });
});
