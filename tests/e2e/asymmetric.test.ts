// User story: a CI pipeline signs release artifacts, a service checks HMACs, an app encrypts to an RSA
// public key, two parties agree on secrets — all with the unmodified @aws-sdk/client-kms against /kms.
import { describe, expect, it } from 'vitest';
import { createAccessKey, useApp } from './harness';

const env = useApp({
  bundle: { entry: 'tests/e2e/asymmetric-entry.ts', dir: '__e2e_asymmetric__', name: 'asymmetric' },
});

describe('asymmetric and HMAC keys through the AWS SDK against /kms', () => {
  it('signs and verifies, reads public keys, makes MACs, encrypts with RSA, derives and encapsulates secrets', async () => {
    const { page } = env.browser;
    await page.addScriptTag({ url: '/__e2e_asymmetric__/asymmetric.js', type: 'module' });
    await page.waitForFunction(() => 'asymmetricWalk' in globalThis);
    const credentials = await createAccessKey(page);
    const r = (await page.evaluate(([origin, c]) => (globalThis as any).asymmetricWalk(origin, c), [
      env.app.url,
      credentials,
    ] as const)) as Record<string, any>;
    for (const spec of ['ECC_NIST_P256', 'RSA_2048', 'ECC_SECG_P256K1', 'ECC_NIST_EDWARDS25519', 'ML_DSA_44']) {
      expect(r.signing[spec], spec).toMatchObject({ valid: true, tampered: 'KMSInvalidSignatureException' });
    }
    expect(r.signing.ECC_NIST_EDWARDS25519.algorithms).toEqual(['ED25519_SHA_512', 'ED25519_PH_SHA_512']);
    expect(r.publicKey).toEqual({ spec: 'RSA_3072', usage: 'SIGN_VERIFY', algorithms: 6, webCryptoVerifies: true });
    expect(r.mac).toEqual({
      length: 32,
      valid: true,
      wrongMessage: 'KMSInvalidMacException',
      wrongUsage: 'InvalidKeyUsageException',
    });
    expect(r.rsa).toEqual({
      ciphertextLength: 256,
      roundTrip: 'oaep secret',
      fromPage: 'from the page',
      encryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'],
      noKeyId: 'ValidationException',
    });
    expect(r.agreement).toEqual({ ecdhEqual: true, kemCiphertext: 1088, kemEqual: true });
  });

  it('every key spec and algorithm round-trips in Chromium, and tampering is refused with the AWS exception', async () => {
    const { page } = env.browser;
    await page.waitForFunction(() => 'everySpec' in globalThis);
    const credentials = await createAccessKey(page);
    const r = (await page.evaluate(([origin, c]) => (globalThis as any).everySpec(origin, c), [
      env.app.url,
      credentials,
    ] as const)) as { problems: string[]; checked: string[] };
    expect(r.problems).toEqual([]);
    // 11 signing specs (33 spec / algorithm / message-type cases), 4 HMAC, 6 RSA-OAEP, 3 ECDH, 3 ML-KEM.
    expect(r.checked).toHaveLength(49);
  });
});
