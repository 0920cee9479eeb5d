// Bundled for the page by bench/relay.js: sequential (or `concurrency` callers of) Encrypt of a small plaintext
// from the page, either with the unmodified @aws-sdk/client-kms against the service worker's /kms or through
// the console's own client (pocketKms.call, page → Comlink → worker), timed with the same loop as Node's.
import { EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { timedCalls } from './relay-timing.js';

/** `n` Encrypt calls after `warm` unmeasured ones; returns { ms, times } (timedCalls). */
async function encrypt({ via, origin, region, credentials, keyId, bytes, n, warm, concurrency }) {
  const Plaintext = crypto.getRandomValues(new Uint8Array(bytes));
  const EncryptionContext = { purpose: 'bench' };
  let call;
  if (via === 'sdk') {
    const kms = new KMSClient({ endpoint: `${origin}/kms`, region, credentials, maxAttempts: 1 });
    call = () => kms.send(new EncryptCommand({ KeyId: keyId, Plaintext, EncryptionContext }));
  } else {
    call = () => globalThis.pocketKms.call('Encrypt', { KeyId: keyId, Plaintext, EncryptionContext });
  }
  const first = await call();
  if (!(first.CiphertextBlob?.length > bytes)) throw new Error(`Encrypt via ${via} answered no ciphertext`);
  return timedCalls(call, { n, warm, concurrency, now: () => performance.now() });
}

globalThis.relayBench = { encrypt };
