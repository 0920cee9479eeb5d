// Bundled for the page by bench/endpoint.js: Encrypt of a small plaintext through the service worker's /kms,
// signed as the AWS SDK signs (its own SigV4 signer, @smithy/signature-v4), by one caller or `concurrency`
// callers, timed with the loop bench/relay.js uses (relay-timing.js). `via: 'sdk'` uses the whole unmodified
// @aws-sdk/client-kms instead (its middleware stack runs in the page, on the same two cores as the endpoint).
import { EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { SignatureV4 } from '@smithy/signature-v4';
import { timedCalls } from './relay-timing.js';

/** The signer's hash (sha256, or HMAC-SHA256 with a secret), synchronous: the SDK's WebCrypto one awaits per call. */
class Sha256 {
  constructor(secret) {
    const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
    this.h = key === undefined ? sha256.create() : hmac.create(sha256, key);
  }
  update(data) {
    this.h.update(typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data));
  }
  async digest() {
    return this.h.digest();
  }
  reset() {}
}

const base64 = (bytes) => btoa(String.fromCharCode(...bytes));

/** One signed fetch of Encrypt, as the SDK sends it (Host and Content-Length are the browser's). */
function signedEncrypt({ origin, region, credentials, keyId, bytes }) {
  const url = new URL('/kms/', origin);
  const signer = new SignatureV4({ service: 'kms', region, credentials, sha256: Sha256 });
  const Plaintext = crypto.getRandomValues(new Uint8Array(bytes));
  const body = JSON.stringify({ KeyId: keyId, Plaintext: base64(Plaintext), EncryptionContext: { purpose: 'bench' } });
  const headers = {
    host: url.host,
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'TrentService.Encrypt',
  };
  return async () => {
    // As the SDK: a fresh invocation ID per call is signed, so two calls with the same body signed in the same
    // second differ (the endpoint derives the request ID from the signature).
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: {},
      headers: { ...headers, 'amz-sdk-invocation-id': crypto.randomUUID(), 'amz-sdk-request': 'attempt=1; max=1' },
      body,
    });
    const h = { ...signed.headers };
    delete h.host;
    const res = await fetch(url, { method: 'POST', headers: h, body });
    const out = await res.json();
    if (res.status !== 200) throw new Error(`Encrypt answered ${res.status} ${out.__type}: ${out.message}`);
    return out;
  };
}

/** `n` Encrypt calls by `concurrency` callers after `warm` unmeasured ones; returns { ms, times }. */
async function encrypt({ via, origin, region, credentials, keyId, bytes, n, warm, concurrency }) {
  let call;
  if (via === 'sdk') {
    const kms = new KMSClient({ endpoint: `${origin}/kms`, region, credentials, maxAttempts: 1 });
    const Plaintext = crypto.getRandomValues(new Uint8Array(bytes));
    call = () => kms.send(new EncryptCommand({ KeyId: keyId, Plaintext, EncryptionContext: { purpose: 'bench' } }));
  } else if (via === 'floor') {
    // The endpoint's floor: a request through the service worker refused before any call (no signature).
    call = async () => {
      const res = await fetch(new URL('/kms/', origin), {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.Encrypt' },
        body: '{}',
      });
      const out = await res.json();
      if (out.__type !== 'MissingAuthenticationTokenException') throw new Error(`the floor answered ${out.__type}`);
      return { CiphertextBlob: 'none' };
    };
  } else call = signedEncrypt({ origin, region, credentials, keyId, bytes });
  const first = await call();
  if (!first.CiphertextBlob) throw new Error(`Encrypt via ${via} answered no ciphertext`);
  return timedCalls(call, { n, warm, concurrency, now: () => performance.now() });
}

globalThis.endpointBench = { encrypt };
