// One instance's connections to its passkey key stores (ADR 0016): the unwrapped store keys, held in this
// instance's memory only (never stored, never shared), the last failure of each store, and the idle timeout.
// A connection is this instance's: a closed tab or a restarted worker is disconnected, as AWS's
// ConnectionState is the connection of KMS to the backing store.

import { KMSInvalidStateException } from '../errors';
import type { Clock } from '../ports';
import type { SymmetricMaterialRecord } from '../records';
import { unwrapMaterial } from './store-key';

export type ConnectionState = 'CONNECTED' | 'CONNECTING' | 'DISCONNECTED' | 'FAILED';
/** AWS's ConnectionErrorCode values that mean something here (ADR 0016 maps each). */
export type ConnectionErrorCode = 'INVALID_CREDENTIALS' | 'USER_NOT_FOUND' | 'INTERNAL_ERROR';

interface Open {
  key: CryptoKey;
  lastUse: number;
}

export class StoreConnections {
  private readonly open = new Map<string, Open>();
  private readonly failed = new Map<string, ConnectionErrorCode>();
  private readonly connecting = new Set<string>();
  private readonly watchers = new Set<(connected: string[]) => void>();

  /** `onDisconnect` drops every usable key made from a store key (the material cache). */
  constructor(
    private readonly clock: Clock,
    private readonly onDisconnect: () => void,
  ) {}

  state(id: string): { state: ConnectionState; error?: ConnectionErrorCode } {
    if (this.open.has(id)) return { state: 'CONNECTED' };
    if (this.connecting.has(id)) return { state: 'CONNECTING' };
    const error = this.failed.get(id);
    return error ? { state: 'FAILED', error } : { state: 'DISCONNECTED' };
  }

  /** Stores connected here (the console tells the service worker it can answer for them). */
  connectedIds(): string[] {
    return [...this.open.keys()];
  }

  /** Calls `fn` with the connected stores' IDs whenever a store connects or disconnects here (the console tells
   * the service worker, so /kms is forwarded only where a store is connected). Returns the unsubscribe. */
  watch(fn: (connected: string[]) => void): () => void {
    this.watchers.add(fn);
    return () => void this.watchers.delete(fn);
  }

  private changed(): void {
    const ids = this.connectedIds();
    for (const fn of this.watchers) fn(ids);
  }

  isConnected(id: string): boolean {
    return this.open.has(id);
  }

  beginConnect(id: string): void {
    this.failed.delete(id);
    this.connecting.add(id);
  }

  connected(id: string, key: CryptoKey): void {
    this.connecting.delete(id);
    this.open.set(id, { key, lastUse: this.clock.now() });
    this.changed();
  }

  fail(id: string, code: ConnectionErrorCode): void {
    this.connecting.delete(id);
    this.failed.set(id, code);
  }

  /** Drops the store key and every key made from it; forgets a failure (AWS: disconnect, then connect again). */
  disconnect(id: string): void {
    this.connecting.delete(id);
    this.failed.delete(id);
    if (this.open.delete(id)) {
      this.onDisconnect();
      this.changed();
    }
  }

  /** Every store disconnected at once (the keystore locked: nothing usable outlives its lock). */
  disconnectAll(): void {
    const had = this.open.size > 0;
    this.open.clear();
    this.connecting.clear();
    this.failed.clear();
    if (had) {
      this.onDisconnect();
      this.changed();
    }
  }

  /** The store key of a connected store; its idle clock starts again.
   * @throws KMSInvalidStateException (the store is not connected here) */
  storeKey(id: string, what: string): CryptoKey {
    const o = this.open.get(id);
    if (!o) throw disconnectedError(id, what);
    o.lastUse = this.clock.now();
    return o.key;
  }

  /** A store key's material version, usable (non-extractable) while its store is connected. */
  materialKey(m: SymmetricMaterialRecord & { customKeyStoreId: string }): Promise<CryptoKey> {
    return unwrapMaterial(m.wrapped, this.storeKey(m.customKeyStoreId, `Key ${m.keyId}`));
  }

  /** Disconnects stores idle for their timeout; returns their IDs. */
  expire(idleMinutes: (id: string) => number | undefined): string[] {
    const now = this.clock.now();
    const gone: string[] = [];
    for (const [id, o] of this.open) {
      const m = idleMinutes(id);
      if (m === undefined || (m > 0 && now - o.lastUse >= m * 60_000)) gone.push(id);
    }
    for (const id of gone) this.disconnect(id);
    return gone;
  }
}

/** The error of every cryptographic use of a key of a store that is not connected (AWS: KMSInvalidStateException). */
export function disconnectedError(id: string, what: string) {
  return new KMSInvalidStateException(
    `${what} is in custom key store ${id}, which is not connected: connect it with its passkey in the Pocket KMS console (Key stores) and try again.`,
  );
}
