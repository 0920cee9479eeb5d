// A frame worker of the file pool (frame-pool.ts): AES-GCM on one body frame per message, with the
// message key it is sent (a non-extractable CryptoKey, structured-cloned). Results are transferred.
import type { FrameRequest, FrameResult } from './frame-pool';

declare const self: DedicatedWorkerGlobalScope;

self.onmessage = async (e: MessageEvent<FrameRequest>) => {
  const { id, op, key, iv, aad, data } = e.data;
  const params: AesGcmParams = { name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 };
  let result: FrameResult;
  try {
    result = {
      id,
      ok: true,
      data: await (op === 'seal' ? crypto.subtle.encrypt(params, key, data) : crypto.subtle.decrypt(params, key, data)),
    };
  } catch {
    // Open: the tag did not verify. Seal cannot fail with a valid key; the pool reports both alike.
    result = { id, ok: false };
  }
  self.postMessage(result, result.ok ? [result.data] : []);
};
