// The prepare / confirm halves of every asymmetric and HMAC call (ADR 0004): a read that
// authorizes the call and checks the key, with the material from this instance's cache or that
// read; then the crypto, outside any transaction; then `withKey` re-resolves and re-checks the key
// in the transaction that records the call.

import type { OpContext } from '../context';
import { InvalidKeyUsageException, KMSInternalException } from '../errors';
import type { CachedPair } from '../material';
import type { KeyRecord, KeyUsage } from '../records';
import { confirmSeal, retryStale } from '../material';
import type { Tx } from '../ports';
import { sealAad } from './keygen';

function requireUsage(key: CachedPair['key'], usages: readonly KeyUsage[], op: string): void {
  if (key.keySpec === 'SYMMETRIC_DEFAULT') {
    throw new InvalidKeyUsageException(
      `${key.arn} is a symmetric encryption key; ${op} with these parameters needs a key with KeyUsage ${usages.join(' or ')} of another KeySpec.`,
    );
  }
  if (!usages.includes(key.keyUsage)) {
    throw new InvalidKeyUsageException(
      `${key.arn} has KeyUsage ${key.keyUsage} (KeySpec ${key.keySpec}); ${op} needs a key with KeyUsage ${usages.join(' or ')}.`,
    );
  }
}

/**
 * Finds the key `id` names, authorizes this call on it, checks its usage and state, and returns it
 * with its material. The key is read and authorized on every call, warm cache or not: a caller
 * without permission must learn nothing about the key (not its usage or spec) and no cryptography
 * may run for it. The cache saves only the material (unsealing and importing it).
 * @throws AccessDeniedException, NotFoundException, InvalidKeyUsageException, DisabledException, KMSInvalidStateException
 */
export async function prepareKey(
  c: OpContext,
  id: string,
  usages: readonly KeyUsage[],
  side?: 'destination',
): Promise<CachedPair> {
  const cache = c.env.cache;
  const found = await c.env.store.read(async (tx): Promise<CachedPair & { cached?: true }> => {
    const key = await c.resolve(tx, id, { side });
    requireUsage(key, usages, c.op);
    c.requireUsable(key);
    const cached = cache.pair(key.keyId);
    if (cached && cached.material.version === key.currentVersion) return { ...cached, cached: true };
    const material = await tx.getMaterial(key.keyId, key.currentVersion);
    if (!material || !material.kind) throw new KMSInternalException(`The key material of ${key.arn} is missing.`);
    return { key, material };
  });
  if (found.cached) return { key: found.key, material: found.material };
  // A keystore locked at rest stores only the sealed key: its WebCrypto keys are unwrapped now, after
  // the read (WebCrypto inside a transaction would let it commit).
  const p = {
    key: found.key,
    material: await c.env.custodian.pairKeys(found.material, found.key.keySpec, found.key.keyUsage),
  };
  cache.putPair(p);
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
  const gcm: AesGcmParams = {
    name: 'AES-GCM',
    iv: m.iv as Uint8Array<ArrayBuffer>,
    additionalData: sealAad(m.keyId, m.version) as Uint8Array<ArrayBuffer>,
  };
  return new Uint8Array(await crypto.subtle.decrypt(gcm, c.env.custodian.roots().wrappingKey, m.sealed));
}

/** Runs fn with the unsealed secret and zeroes it afterwards, whatever fn does. */
export async function withSecret<T>(
  c: OpContext,
  p: CachedPair,
  fn: (secret: Uint8Array) => T | Promise<T>,
): Promise<T> {
  const secret = await unsealSecret(c, p);
  try {
    return await fn(secret);
  } finally {
    secret.fill(0);
  }
}
