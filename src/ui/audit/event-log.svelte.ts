// The event history: audit records newest first, filtered in the worker, paged with beforeSeq.
import { kms } from '../kms-client.svelte';
import { Loader } from '../shared/loader.svelte';
import type { AuditRow, SupportedOperation } from '../../worker/api';

export const PAGE_SIZE = 50;

/** Every operation the console can call; `satisfies` fails to compile when the core gains one. */
const OPERATIONS = {
  CancelKeyDeletion: true,
  CreateAlias: true,
  CreateKey: true,
  Decrypt: true,
  DeleteAlias: true,
  DescribeKey: true,
  DisableKey: true,
  DisableKeyRotation: true,
  EnableKey: true,
  EnableKeyRotation: true,
  Encrypt: true,
  GenerateDataKey: true,
  GenerateDataKeyWithoutPlaintext: true,
  GenerateRandom: true,
  GetKeyLastUsage: true,
  GetKeyPolicy: true,
  GetKeyRotationStatus: true,
  ListAliases: true,
  ListKeyPolicies: true,
  ListKeyRotations: true,
  ListKeys: true,
  ListResourceTags: true,
  PutKeyPolicy: true,
  ReEncrypt: true,
  RotateKeyOnDemand: true,
  ScheduleKeyDeletion: true,
  TagResource: true,
  UntagResource: true,
  UpdateAlias: true,
  UpdateKeyDescription: true,
  Sign: true,
  Verify: true,
  GetPublicKey: true,
  GenerateMac: true,
  VerifyMac: true,
  GenerateDataKeyPair: true,
  GenerateDataKeyPairWithoutPlaintext: true,
  DeriveSharedSecret: true,
  Encapsulate: true,
  Decapsulate: true,
  CreateGrant: true,
  ListGrants: true,
  ListRetirableGrants: true,
  RetireGrant: true,
  RevokeGrant: true,
  GetParametersForImport: true,
  ImportKeyMaterial: true,
  DeleteImportedKeyMaterial: true,
  ReplicateKey: true,
  UpdatePrimaryRegion: true,
  CreateCustomKeyStore: true,
  DescribeCustomKeyStores: true,
  ConnectCustomKeyStore: true,
  DisconnectCustomKeyStore: true,
  UpdateCustomKeyStore: true,
  DeleteCustomKeyStore: true,
} as const satisfies Record<SupportedOperation, true>;

/** Events KMS itself records: deletion at the end of the waiting period, automatic rotation, expiry of
 * imported key material. */
const SERVICE_EVENTS = ['DeleteKey', 'RotateKey', 'DeleteExpiredKeyMaterial'];

export const EVENT_NAMES: readonly string[] = [...Object.keys(OPERATIONS), ...SERVICE_EVENTS].sort();

/** A key ID from a key ID or key ARN as typed. */
export function keyIdFrom(input: string): string {
  const t = input.trim();
  const m = /^arn:aws:kms:[^:]+:\d{12}:key\/(.+)$/.exec(t);
  return m ? m[1]! : t;
}

export class EventLog {
  rows = $state<AuditRow[]>([]);
  eventName = $state('');
  keyId = $state('');
  errorsOnly = $state(false);
  /** The console itself makes many Describe/Get/List calls; hidden by default so Encrypt and changes stand out. */
  hideReads = $state(true);
  hasMore = $state(false);
  readonly #loader = new Loader();

  get loading(): boolean {
    return this.#loader.loading;
  }

  /** A page has come in (the table can show). */
  get loaded(): boolean {
    return this.#loader.loaded;
  }

  get error(): unknown {
    return this.#loader.error;
  }

  #filter() {
    const keyId = keyIdFrom(this.keyId);
    return {
      limit: PAGE_SIZE,
      ...(this.eventName ? { eventName: this.eventName } : {}),
      ...(keyId ? { keyId } : {}),
      ...(this.errorsOnly ? { errorsOnly: true } : {}),
      ...(this.hideReads && !this.eventName ? { hideReads: true } : {}),
    };
  }

  async reload(): Promise<void> {
    await this.#fetch(false);
  }

  async more(): Promise<void> {
    await this.#fetch(true);
  }

  async #fetch(append: boolean): Promise<void> {
    const last = this.rows.at(-1);
    const filter = append && last ? { ...this.#filter(), beforeSeq: last.seq } : this.#filter();
    await this.#loader.run(
      () => kms.api.auditEvents(filter),
      (page) => {
        this.rows = append ? [...this.rows, ...page] : page;
        this.hasMore = page.length === PAGE_SIZE;
      },
    );
  }
}
