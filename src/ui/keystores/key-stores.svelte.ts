// The Key stores page's state (ADR 0016): the passkey key stores as DescribeCustomKeyStores lists them, with
// their passkeys and idle timeouts, and the actions that need a passkey prompt (create, connect, add a spare),
// each a WebAuthn call in this page (WebAuthn is not available in workers) whose PRF output becomes a
// non-extractable KEK here (store-kek.ts) before the worker sees anything.
import { browserCredentials, createPasskey, passkeyPrf } from '../custody/passkey';
import { kms } from '../kms-client.svelte';
import type { KeyStoreExtras, KeyStoreInfo, KeyStoreOperation } from '../../worker/api';
import { storeKek, storePrfInput } from './store-kek';
import { describeError, type Problem } from '../shared/errors';

/** A connection that did not come up: its ConnectionErrorCode in words. */
export class StoreConnectionError extends Error {
  override name = 'StoreConnectionError';
}

/** The page's errors in the person's words: WebAuthn's, a failed connection, else the AWS exception's. */
export function describeStoreError(e: unknown): Problem {
  const name = (e as { name?: unknown } | null)?.name;
  if (name === 'NotAllowedError')
    return {
      summary: 'The passkey prompt was cancelled or timed out, or none of this store’s passkeys is on this device.',
      name,
    };
  if (name === 'InvalidStateError') return { summary: 'That passkey is already one of this store’s.', name };
  if (name === 'PrfUnsupportedError' || name === 'StoreConnectionError' || name === 'NotSupportedError')
    return { summary: (e as Error).message, name };
  return describeError(e);
}

export interface StoreRow {
  CustomKeyStoreId: string;
  CustomKeyStoreName: string;
  ConnectionState: string;
  ConnectionErrorCode?: string;
  CreationDate: Date;
  info?: KeyStoreInfo | undefined;
}

/** Whether this browser offers WebAuthn's PRF extension: 'unknown' when it cannot say before a prompt. */
export type PrfSupport = 'yes' | 'no' | 'unknown';

export async function prfSupport(): Promise<PrfSupport> {
  if (typeof PublicKeyCredential === 'undefined' || !navigator.credentials) return 'no';
  // WebAuthn Level 3 getClientCapabilities (Chromium 133+): 'extension:prf'.
  const caps = (PublicKeyCredential as unknown as { getClientCapabilities?: () => Promise<Record<string, boolean>> })
    .getClientCapabilities;
  if (!caps) return 'unknown';
  const c = await caps.call(PublicKeyCredential).catch(() => undefined);
  if (!c || !('extension:prf' in c)) return 'unknown';
  return c['extension:prf'] ? 'yes' : 'no';
}

/** What a failed connection means, in the person's words (ConnectionErrorCode). */
export const CONNECTION_ERRORS: Record<string, string> = {
  USER_NOT_FOUND: 'That passkey is not one of this store’s.',
  INVALID_CREDENTIALS: 'The passkey answered, but its key does not open this store.',
  INTERNAL_ERROR: 'The connection failed inside Pocket KMS. Try again.',
};

export class KeyStoresState {
  stores = $state<StoreRow[]>([]);
  support = $state<PrfSupport>('unknown');
  /** Which action runs: 'create', or `<action>:<store id>`. */
  busy = $state<string | undefined>(undefined);
  error = $state<unknown>(undefined);
  done = $state<string | undefined>(undefined);

  async load(): Promise<void> {
    this.support = await prfSupport();
    await this.refresh();
  }

  async refresh(): Promise<void> {
    const [d, infos] = await Promise.all([kms.call('DescribeCustomKeyStores', {}), kms.api.keyStoreInfo()]);
    this.stores = ((d.CustomKeyStores ?? []) as StoreRow[]).map((s) => ({
      ...s,
      info: infos.find((i) => i.id === s.CustomKeyStoreId),
    }));
  }

  private async run(busy: string, fn: () => Promise<string | undefined>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = busy;
    this.error = undefined;
    this.done = undefined;
    try {
      this.done = await fn();
      return true;
    } catch (e) {
      this.error = e;
      return false;
    } finally {
      this.busy = undefined;
      await this.refresh().catch(() => undefined);
    }
  }

  private call(op: KeyStoreOperation, request: object, extras: KeyStoreExtras) {
    return kms.api.keyStoreCall(op, request, extras);
  }

  /** The passkey prompt for one of `allow`; its PRF output becomes the store KEK at once. */
  private async present(allow: Uint8Array[]) {
    const got = await passkeyPrf(browserCredentials(), allow, await storePrfInput());
    return { credentialId: got.credentialId, kek: await storeKek(got.prf) };
  }

  private async register(name: string, exclude: Uint8Array[] = []) {
    const made = await createPasskey(browserCredentials(), exclude, {
      prfInput: await storePrfInput(),
      name: `Pocket KMS key store ${name}`,
    });
    return { credentialId: made.credentialId, kek: await storeKek(made.prf) };
  }

  create(name: string, recovery: boolean, idleMinutes: number): Promise<boolean> {
    return this.run('create', async () => {
      const passkey = await this.register(name);
      const extras = { passkey, idleMinutes, ...(recovery ? { recovery: true } : {}) };
      await this.call('CreateCustomKeyStore', { CustomKeyStoreName: name }, extras);
      return `Key store ${name} created. Connect it with its passkey to create and use keys in it.`;
    });
  }

  connect(s: StoreRow, withRecovery = false): Promise<boolean> {
    return this.run(`connect:${s.CustomKeyStoreId}`, async () => {
      const id = s.CustomKeyStoreId;
      // AWS: a store whose connection failed is disconnected before it is connected again.
      if (s.ConnectionState === 'FAILED') await kms.call('DisconnectCustomKeyStore', { CustomKeyStoreId: id });
      const extras = withRecovery ? { recovery: true } : { passkey: await this.present(s.info?.credentialIds ?? []) };
      await this.call('ConnectCustomKeyStore', { CustomKeyStoreId: id }, extras);
      const d = await kms.call('DescribeCustomKeyStores', { CustomKeyStoreId: id });
      const now = d.CustomKeyStores?.[0];
      if (now?.ConnectionState !== 'CONNECTED')
        throw new StoreConnectionError(
          `${CONNECTION_ERRORS[now?.ConnectionErrorCode ?? ''] ?? 'The store did not connect.'} (${now?.ConnectionErrorCode ?? now?.ConnectionState})`,
        );
      return `${s.CustomKeyStoreName} is connected in this tab until you disconnect it, close the last tab or leave it idle.`;
    });
  }

  disconnect(s: StoreRow): Promise<boolean> {
    return this.run(`disconnect:${s.CustomKeyStoreId}`, async () => {
      await kms.call('DisconnectCustomKeyStore', { CustomKeyStoreId: s.CustomKeyStoreId });
      return `${s.CustomKeyStoreName} is disconnected: its keys are unusable until it is connected again.`;
    });
  }

  /** Adding a spare passkey, between its two prompts: the store's passkey has answered (its KEK, held here
   * non-extractable until the spare is registered or the person cancels). */
  spare = $state.raw<{ storeId: string; passkey: { credentialId: Uint8Array; kek: CryptoKey } } | undefined>(undefined);

  /** Step 1 of 2, one prompt per click: one of the store's passkeys opens the store key for the spare. */
  beginSpare(s: StoreRow): Promise<boolean> {
    return this.run(`add:${s.CustomKeyStoreId}`, async () => {
      this.spare = { storeId: s.CustomKeyStoreId, passkey: await this.present(s.info?.credentialIds ?? []) };
      return 'Now choose “Register the spare passkey” and use the new passkey or security key.';
    });
  }

  /** Step 2 of 2: the new passkey is registered and gets a slot holding the same store key. */
  finishSpare(s: StoreRow): Promise<boolean> {
    return this.run(`add:${s.CustomKeyStoreId}`, async () => {
      const pending = this.spare;
      if (pending?.storeId !== s.CustomKeyStoreId) throw new Error('Start again with “Add a spare passkey”.');
      try {
        const spare = await this.register(s.CustomKeyStoreName, s.info?.credentialIds ?? []);
        await this.call(
          'UpdateCustomKeyStore',
          { CustomKeyStoreId: s.CustomKeyStoreId },
          { passkey: pending.passkey, addPasskey: spare },
        );
      } finally {
        this.spare = undefined;
      }
      return `Spare passkey added to ${s.CustomKeyStoreName}.`;
    });
  }

  cancelSpare(): void {
    this.spare = undefined;
  }

  setIdle(s: StoreRow, minutes: number): Promise<boolean> {
    return this.run(`idle:${s.CustomKeyStoreId}`, async () => {
      await this.call('UpdateCustomKeyStore', { CustomKeyStoreId: s.CustomKeyStoreId }, { idleMinutes: minutes });
      return minutes === 0
        ? `${s.CustomKeyStoreName} stays connected until you disconnect it or close the last tab.`
        : `${s.CustomKeyStoreName} disconnects after ${minutes} idle minutes.`;
    });
  }

  createKey(s: StoreRow, description: string): Promise<boolean> {
    return this.run(`key:${s.CustomKeyStoreId}`, async () => {
      const r = await kms.call('CreateKey', {
        Origin: 'AWS_CLOUDHSM',
        CustomKeyStoreId: s.CustomKeyStoreId,
        Description: description,
      });
      return `Key ${r.KeyMetadata!.KeyId} created in ${s.CustomKeyStoreName}.`;
    });
  }

  remove(s: StoreRow): Promise<boolean> {
    return this.run(`delete:${s.CustomKeyStoreId}`, async () => {
      await kms.call('DeleteCustomKeyStore', { CustomKeyStoreId: s.CustomKeyStoreId });
      return `Key store ${s.CustomKeyStoreName} deleted.`;
    });
  }
}
