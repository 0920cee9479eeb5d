// A frame worker of the file pool (frame-pool.ts): AES-GCM on one body frame per message, with the
// message key it was sent once (a non-extractable CryptoKey, structured-cloned). The result and the
// request's buffer (for the pool to reuse) are transferred back.
import type { FrameRequest, FrameResult } from './frame-pool';

declare const self: DedicatedWorkerGlobalScope;

/** Keys by the pool's ID: a pool serves one job, so this holds one or a few. */
const keys = new Map<number, CryptoKey>();

self.onmessage = async (e: MessageEvent<FrameRequest>) => {
  const { id, op, keyId, key, buf, ivLength, aadLength, dataLength } = e.data;
  if (key) keys.set(keyId, key);
  const iv = new Uint8Array(buf, 0, ivLength);
  const aad = new Uint8Array(buf, ivLength, aadLength);
  const data = new Uint8Array(buf, ivLength + aadLength, dataLength);
  const params: AesGcmParams = { name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 };
  const k = keys.get(keyId)!;
  let result: FrameResult;
  try {
    result = {
      id,
      ok: true,
      data: await (op === 'seal' ? crypto.subtle.encrypt(params, k, data) : crypto.subtle.decrypt(params, k, data)),
      buf,
    };
  } catch {
    // Open: the tag did not verify. Seal cannot fail with a valid key; the pool reports both alike.
    result = { id, ok: false, buf };
  }
  self.postMessage(result, result.ok ? [result.data, buf] : [buf]);
};
