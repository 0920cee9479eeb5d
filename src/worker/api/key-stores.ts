// The passkey key stores' part of the worker API (ADR 0016): the three custom key store operations that take
// the console's additions (a passkey's credential ID and PRF-derived KEK, recovery, a spare passkey, the idle
// timeout), what the console needs for the WebAuthn prompt, and which stores this worker holds connected.
import type { KeyStoreExtras } from '../../kms/context';
import type { Kms } from '../../kms/kms';
import type { WorkerContext } from '../context';

export type { KeyStoreExtras };

/** The operations that take the console's additions; the others go through `call`. */
export type KeyStoreOperation = 'CreateCustomKeyStore' | 'ConnectCustomKeyStore' | 'UpdateCustomKeyStore';

export interface KeyStoreInfo {
  id: string;
  /** The store's passkeys (for allowCredentials and excludeCredentials). */
  credentialIds: Uint8Array[];
  /** The store key is also wrapped for the keystore's secret (chosen at creation). */
  recovery: boolean;
  idleMinutes: number;
}

export interface KeyStoresWorkerApi {
  /** Runs CreateCustomKeyStore, ConnectCustomKeyStore or UpdateCustomKeyStore as the console's caller with
   * `extras` (the passkey's KEK is a non-extractable CryptoKey, cloned across). Recorded like any call.
   * @throws the AWS KMS exception family */
  keyStoreCall(operation: KeyStoreOperation, request: object, extras: KeyStoreExtras): Promise<object>;
  keyStoreInfo(): Promise<KeyStoreInfo[]>;
  /** IDs of the stores this worker holds connected. */
  connectedKeyStores(): Promise<string[]>;
  /** Calls `onChange` (a Comlink proxy) with connectedKeyStores() now and each time a store connects or
   * disconnects in this worker (the console, its idle timeout, the keystore locking) or the keystore is switched:
   * the console passes it on to the service worker (src/ui/endpoint-relay.ts). */
  watchKeyStores(onChange: (connected: string[]) => void): Promise<void>;
}

export function keyStoresApi(ctx: WorkerContext): KeyStoresWorkerApi {
  return {
    async keyStoreCall(operation, request, extras) {
      const kms = await ctx.ready;
      return kms.call(operation, request, ctx.acting.current(kms), { keyStore: extras });
    },
    async keyStoreInfo() {
      return (await ctx.ready).keyStorePasskeys();
    },
    async connectedKeyStores() {
      return (await ctx.ready).connectedKeyStores();
    },
    async watchKeyStores(onChange) {
      const followed = new WeakSet<Kms>();
      // A change in a keystore no longer current still says "look again": the answer is the current one's.
      const announce = () =>
        void ctx.ready
          .then((kms) => {
            if (!followed.has(kms)) {
              followed.add(kms);
              kms.watchKeyStores(announce);
            }
            return onChange(kms.connectedKeyStores());
          })
          .catch(() => undefined);
      ctx.onSwitch(announce);
      announce();
    },
  };
}
