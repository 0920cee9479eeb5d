// Bundled by bench/files.js: the official @aws-crypto/client-browser with its defaults (suite
// 0x0578, 4096-byte frames), a raw AES keyring so no network is involved, on one in-memory buffer.
import './esdk-browser-polyfill.js';
import {
  buildClient,
  CommitmentPolicy,
  RawAesKeyringWebCrypto,
  RawAesWrappingSuiteIdentifier,
} from '@aws-crypto/client-browser';

globalThis.esdkBrowserBench = async (bytes) => {
  const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const wrappingSuite = RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING;
  const masterKey = await RawAesKeyringWebCrypto.importCryptoKey(
    crypto.getRandomValues(new Uint8Array(32)),
    wrappingSuite,
  );
  const keyring = new RawAesKeyringWebCrypto({ keyName: 'bench', keyNamespace: 'bench', wrappingSuite, masterKey });
  const plaintext = new Uint8Array(bytes);
  for (let o = 0; o < bytes; o += 65536) crypto.getRandomValues(plaintext.subarray(o, Math.min(bytes, o + 65536)));
  const t0 = performance.now();
  const { result } = await encrypt(keyring, plaintext, { encryptionContext: { bench: 'yes' } });
  const t1 = performance.now();
  const { plaintext: back } = await decrypt(keyring, result);
  const t2 = performance.now();
  if (back.length !== bytes) throw new Error('client-browser round trip lost bytes');
  return { encryptMs: t1 - t0, decryptMs: t2 - t1 };
};
