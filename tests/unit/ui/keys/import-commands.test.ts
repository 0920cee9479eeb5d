// The console's import walk-through shows OpenSSL commands (src/ui/keys/import-commands.ts): run exactly as
// shown, in bash with the real `openssl`, against a wrapping public key from GetParametersForImport, they make
// material the keystore imports and then uses. The choices offered are exactly those the core accepts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  algorithmsFor,
  encryptCommands,
  FILES,
  generateCommand,
  WRAPPING_ALGORITHMS,
  wrappingSpecsFor,
  type WrappingAlgorithm,
} from '../../../../src/ui/keys/import-commands';
import { freshKms, rejectsWith, text, utf8 } from '../../helpers/kms';

const hasOpenssl = (() => {
  try {
    execFileSync('bash', ['-c', 'openssl version && xxd -v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Runs the page's commands in a fresh directory holding the downloaded public key; returns the upload. */
function runShown(publicKey: Uint8Array, keySpec: string, alg: WrappingAlgorithm): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'pocket-kms-import-ui-'));
  dirs.push(dir);
  writeFileSync(join(dir, FILES.publicKey), publicKey);
  const script = `set -euo pipefail\n${generateCommand(keySpec)}\n${encryptCommands(alg)}\n`;
  execFileSync('bash', ['-c', script], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Uint8Array(readFileSync(join(dir, FILES.encrypted)));
}

describe.skipIf(!hasOpenssl)('the OpenSSL commands the console shows, run as shown', () => {
  it.each([
    ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_256'],
    ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1'],
    ['SYMMETRIC_DEFAULT', 'RSA_AES_KEY_WRAP_SHA_256'],
    ['SYMMETRIC_DEFAULT', 'RSA_AES_KEY_WRAP_SHA_1'],
    ['HMAC_384', 'RSAES_OAEP_SHA_256'],
    ['ECC_NIST_P256', 'RSA_AES_KEY_WRAP_SHA_256'],
    ['RSA_2048', 'RSA_AES_KEY_WRAP_SHA_1'],
    ['ECC_NIST_EDWARDS25519', 'RSAES_OAEP_SHA_1'],
  ] as const)(
    '%s wrapped with %s imports and works',
    async (keySpec, alg) => {
      const f = await freshKms();
      const usage = keySpec.startsWith('HMAC')
        ? 'GENERATE_VERIFY_MAC'
        : keySpec === 'SYMMETRIC_DEFAULT'
          ? 'ENCRYPT_DECRYPT'
          : 'SIGN_VERIFY';
      const k = await f.createKey({ Origin: 'EXTERNAL', KeySpec: keySpec, KeyUsage: usage });
      const p = await f.call('GetParametersForImport', {
        KeyId: k.KeyId,
        WrappingAlgorithm: alg,
        WrappingKeySpec: 'RSA_2048',
      });
      const EncryptedKeyMaterial = runShown(p.PublicKey, keySpec, alg);
      await f.call('ImportKeyMaterial', {
        KeyId: k.KeyId,
        ImportToken: p.ImportToken,
        EncryptedKeyMaterial,
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      });
      expect((await f.call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.KeyState).toBe('Enabled');
      const Message = utf8('imported from the console');
      if (usage === 'ENCRYPT_DECRYPT') {
        const { CiphertextBlob } = await f.call('Encrypt', { KeyId: k.KeyId, Plaintext: Message });
        expect(text((await f.call('Decrypt', { CiphertextBlob })).Plaintext)).toBe('imported from the console');
      } else if (usage === 'GENERATE_VERIFY_MAC') {
        const { Mac } = await f.call('GenerateMac', { KeyId: k.KeyId, Message, MacAlgorithm: 'HMAC_SHA_384' });
        const v = await f.call('VerifyMac', { KeyId: k.KeyId, Message, Mac, MacAlgorithm: 'HMAC_SHA_384' });
        expect(v.MacValid).toBe(true);
      } else {
        const SigningAlgorithm =
          keySpec === 'RSA_2048'
            ? 'RSASSA_PSS_SHA_256'
            : keySpec === 'ECC_NIST_EDWARDS25519'
              ? 'ED25519_SHA_512'
              : 'ECDSA_SHA_256';
        const MessageType = 'RAW';
        const { Signature } = await f.call('Sign', { KeyId: k.KeyId, Message, MessageType, SigningAlgorithm });
        const v = await f.call('Verify', { KeyId: k.KeyId, Message, MessageType, Signature, SigningAlgorithm });
        expect(v.SignatureValid).toBe(true);
      }
    },
    60_000,
  );
});

describe('the choices offered are those GetParametersForImport accepts', () => {
  it.each(['SYMMETRIC_DEFAULT', 'RSA_3072', 'ECC_NIST_P521'] as const)(
    '%s',
    async (keySpec) => {
      const f = await freshKms();
      const usage = keySpec === 'SYMMETRIC_DEFAULT' ? 'ENCRYPT_DECRYPT' : 'SIGN_VERIFY';
      const k = await f.createKey({ Origin: 'EXTERNAL', KeySpec: keySpec, KeyUsage: usage });
      for (const alg of WRAPPING_ALGORITHMS) {
        const call = f.call('GetParametersForImport', {
          KeyId: k.KeyId,
          WrappingAlgorithm: alg,
          WrappingKeySpec: 'RSA_2048',
        });
        const offered = algorithmsFor(keySpec).includes(alg) && wrappingSpecsFor(keySpec, alg).includes('RSA_2048');
        if (offered) await call;
        else await rejectsWith(call, 'UnsupportedOperationException');
      }
    },
    60_000,
  );
});
