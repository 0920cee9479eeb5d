// A per-instance cache of key material and of which material an identifier last resolved to.
// Material versions never change once written, so caching their CryptoKeys is safe; the cache is
// never authoritative: every use is re-checked against storage in the transaction that records the
// call, and an entry is dropped when that check finds the key gone, or after a few minutes.

import type { Clock } from '../ports';
import type { KeyPairMaterialRecord, KeyRecord } from '../records';

/** An asymmetric or HMAC key's immutable facts (spec, usage) and its only material version. */
export interface CachedPair {
  key: Pick<KeyRecord, 'keyId' | 'arn' | 'keySpec' | 'keyUsage'>;
  material: KeyPairMaterialRecord;
}

export interface CachedMaterial {
  keyId: string;
  version: number;
  materialId: string;
  key: CryptoKey;
  /** A demo key's name (ADR 0018): its blobs' nonces are derived, not random. */
  demo?: string;
}

interface Hint {
  keyId: string;
  version: number;
}

const TTL_MS = 5 * 60_000;

export class MaterialCache {
  private readonly materials = new Map<string, { m: CachedMaterial; at: number }>();
  private readonly hints = new Map<string, Hint>();
  private readonly pairs = new Map<string, { p: CachedPair; at: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly max = 256,
  ) {}

  material(keyId: string, version: number): CachedMaterial | undefined {
    const k = `${keyId}#${version}`;
    const e = this.materials.get(k);
    if (!e) return undefined;
    if (this.clock.now() - e.at > TTL_MS) {
      this.materials.delete(k);
      return undefined;
    }
    return e.m;
  }

  putMaterial(m: CachedMaterial): void {
    const k = `${m.keyId}#${m.version}`;
    this.materials.delete(k);
    this.materials.set(k, {
      m: {
        keyId: m.keyId,
        version: m.version,
        materialId: m.materialId,
        key: m.key,
        ...(m.demo ? { demo: m.demo } : {}),
      },
      at: this.clock.now(),
    });
    // Map keeps insertion order: the first entry is the least recently stored.
    while (this.materials.size > this.max) this.materials.delete(this.materials.keys().next().value!);
  }

  pair(keyId: string): CachedPair | undefined {
    const e = this.pairs.get(keyId);
    if (!e) return undefined;
    if (this.clock.now() - e.at > TTL_MS) {
      this.pairs.delete(keyId);
      return undefined;
    }
    return e.p;
  }

  putPair(p: CachedPair): void {
    const { keyId, arn, keySpec, keyUsage } = p.key;
    this.pairs.delete(keyId);
    this.pairs.set(keyId, {
      p: { key: { keyId, arn, keySpec, keyUsage }, material: p.material },
      at: this.clock.now(),
    });
    while (this.pairs.size > this.max) this.pairs.delete(this.pairs.keys().next().value!);
  }

  /** The key and material version `id` (as the caller spelled it) resolved to last time. */
  hint(id: string): Hint | undefined {
    return this.hints.get(id);
  }

  setHint(id: string, keyId: string, version: number): void {
    if (this.hints.size >= this.max) this.hints.clear();
    this.hints.set(id, { keyId, version });
  }

  dropHint(id: string): void {
    this.hints.delete(id);
  }

  /** Forgets everything (the keystore was locked: no usable key may outlive its root keys). */
  clear(): void {
    this.materials.clear();
    this.pairs.clear();
    this.hints.clear();
  }

  /** Forgets everything about a key (it was deleted, or is not found). */
  forgetKey(keyId: string): void {
    for (const [k, e] of this.materials) if (e.m.keyId === keyId) this.materials.delete(k);
    this.pairs.delete(keyId);
    for (const [id, h] of this.hints) if (h.keyId === keyId) this.hints.delete(id);
  }
}
