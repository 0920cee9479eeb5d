// The prepare / confirm halves of every asymmetric and HMAC call (ADR 0004): the key and its
// material come from this instance's cache or one read; the crypto runs outside any transaction;
// `finish` re-resolves and re-checks the key in the transaction that records the call.

import type { OpContext } from '../context';
import { InvalidKeyUsageException, KMSInternalException } from '../errors';
import type { CachedPair } from '../material';
import type { KeyRecord, KeyUsage } from '../records';
import { confirmSeal, retryStale } from '../material';
import type { Tx } from '../ports';
import { sealAad } from './keygen';

function requireUsage(key: CachedPair['key'], usages: readonly KeyUsage[], op: string): void {
  if (key.keySpec === 'SYMMETRIC_DEFAULT') {
    throw new InvalidKeyUsageException(`${key.arn} is a symmetric encryption key; ${op} with these parameters needs a key with KeyUsage ${usages.join(' or ')} of another KeySpec.`);
  }
  if (!usages.includes(key.keyUsage)) {
    throw new InvalidKeyUsageException(`${key.arn} has KeyUsage ${key.keyUsage} (KeySpec ${key.keySpec}); ${op} needs a key with KeyUsage ${usages.join(' or ')}.`);
  }
}

/** Finds the key `id` names, checks its usage, and returns it with its material. */
export async function prepareKey(c: OpContext, id: string, usages: readonly KeyUsage[], side?: 'destination'): Promise<CachedPair> {
  const cache = c.env.cache;
  const hint = cache.hint(id);
  let p = hint && cache.pair(hint.keyId);
  if (!p) {
    p = await c.env.store.read(async (tx) => {
      const key = await c.resolve(tx, id, { side });
      requireUsage(key, usages, c.op);
      c.requireUsable(key);
      const material = await tx.getMaterial(key.keyId, key.currentVersion);
      if (!material || !material.kind) throw new KMSInternalException(`The key material of ${key.arn} is missing.`);
      return { key, material };
    });
    cache.putPair(p);
    cache.setHint(id, p.key.keyId, p.material.version);
  }
  c.keyIds.add(p.key.keyId);
  requireUsage(p.key, usages, c.op);
  return p;
}

/**
 * Runs `work` with the key, then records the call in one transaction that re-checks the key
 * (exists, usable, still what `id` names) and builds the response from it.
 */
export async function withKey<W, R>(
  c: OpContext,
  id: string,
  usages: readonly KeyUsage[],
  work: (p: CachedPair) => Promise<W>,
  respond: (key: KeyRecord, w: W, tx: Tx) => R | Promise<R>,
): Promise<R> {
  return retryStale(async () => {
    const p = await prepareKey(c, id, usages);
    const w = await work(p);
    return c.write(async (tx) => {
      const key = await confirmSeal(c, tx, { id, keyId: p.key.keyId, version: p.material.version });
      return respond(key, w, tx);
    });
  });
}

/** Decrypts a sealed secret for one operation. The caller zeroes the result when done. */
export async function unsealSecret(c: OpContext, p: CachedPair): Promise<Uint8Array> {
  const m = p.material;
  const gcm: AesGcmParams = { name: 'AES-GCM', iv: m.iv as Uint8Array<ArrayBuffer>, additionalData: sealAad(m.keyId, m.version) as Uint8Array<ArrayBuffer> };
  return new Uint8Array(await crypto.subtle.decrypt(gcm, c.env.wrappingKey, m.sealed));
}

/** Runs fn with the unsealed secret and zeroes it afterwards, whatever fn does. */
export async function withSecret<T>(c: OpContext, p: CachedPair, fn: (secret: Uint8Array) => T | Promise<T>): Promise<T> {
  const secret = await unsealSecret(c, p);
  try {
    return await fn(secret);
  } finally {
    secret.fill(0);
  }
}
