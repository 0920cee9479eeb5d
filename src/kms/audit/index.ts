// The audit wing's one door (docs/AUDIT.md): CloudTrail records, the hash chain, LookupEvents, exports
// with signed digests, validation and retention. The core builds records through it; the worker and the
// service worker reach the trail only through `Kms.audit` (an `Audit`), never the store beneath it.

import type { KmsEnv } from '../context';
import type { Caller } from '../ids';
import type { AuditQuery, Tx } from '../ports';
import type { AuditEntry } from '../records';
import { AUDIT_HEAD, verifyChain, type ChainPoint, type ChainReport } from './chain';
import { lookupEvents, type LookupEventsRequest } from './cloudtrail';
import { fromPem, toPem } from '../../format/bytes';
import { getSigningKey, newSealedSigningKey, SIGNING_KEY_META, type SigningKey } from './digest';
import {
  exportCloudTrailTar,
  exportCsv,
  exportFileName,
  exportJsonLines,
  type ExportFormat,
  type ExportOptions,
} from './export';
import {
  checkPolicy,
  getPolicy,
  markExported,
  planTrim,
  setPolicy,
  trimTrail,
  type RetentionPolicy,
  type TrimPlan,
  type TrimResult,
} from './retention';
import { readTar } from './tar';
import { validateExport, type ValidationReport } from './validate';

export { buildRecord, toTrail } from './record';
export { inAccountTrail } from './cloudtrail';
export { AUDIT_HEAD, chainEntry, type ChainPoint, type ChainReport } from './chain';
export { checkPolicy } from './retention';
export type {
  LookupEventsRequest,
  ExportFormat,
  ExportOptions,
  RetentionPolicy,
  TrimPlan,
  TrimResult,
  ValidationReport,
};

export interface AuditPublicKeyInfo {
  pem: string;
  der: Uint8Array;
  fingerprint: string;
  createdAt: number;
}

/** The keystore's audit trail, as the console and the endpoints use it. */
export class Audit {
  constructor(private readonly env: KmsEnv) {}

  /** Stored records, newest first unless `q.ascending` (Event history). */
  query(q: AuditQuery): Promise<AuditEntry[]> {
    return this.env.store.queryAudit(q);
  }

  /** CloudTrail LookupEvents over the trail (no authorization: `Kms.lookupEvents` is the audited call). */
  lookupEvents(request: LookupEventsRequest, account?: string): ReturnType<typeof lookupEvents> {
    return lookupEvents(this.env.store, request, account);
  }

  /** Walks the whole hash chain and says where it breaks. */
  verifyChain(opts?: { pageSize?: number; maxFindings?: number }): Promise<ChainReport> {
    return verifyChain(this.env.store, opts);
  }

  /** The newest record's place in the chain, or undefined for an empty trail. */
  head(): Promise<ChainPoint | undefined> {
    return this.env.store.read((tx) => tx.getMeta<ChainPoint>(AUDIT_HEAD));
  }

  /** An export as a stream of byte chunks, and the file name and type it is saved under. */
  async export(o: ExportOptions): Promise<{ chunks: AsyncGenerator<Uint8Array>; name: string; type: string }> {
    const { store, keystore, clock } = this.env;
    const chunks =
      o.format === 'cloudtrail'
        ? exportCloudTrailTar(store, keystore, await this.signingKey(), o)
        : o.format === 'jsonl'
          ? exportJsonLines(store, o)
          : exportCsv(store, o);
    return { chunks, ...exportFileName(keystore, o.format, clock.now()) };
  }

  /** Records that every record up to `seq` has been exported (retention trims only those). */
  markExported(seq: number): Promise<void> {
    return markExported(this.env.store, seq, this.env.clock.now());
  }

  /** Signs `data` with the keystore's signing key (ECDSA P-256, SHA-256; IEEE P1363 signature), for files that
   * must say which keystore made them (replica packages, ADR 0015). */
  async signBytes(data: Uint8Array): Promise<{ signature: Uint8Array; spki: Uint8Array; fingerprint: string }> {
    const k = await this.signingKey();
    const sig = await crypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      k.privateKey,
      data as Uint8Array<ArrayBuffer>,
    );
    return { signature: new Uint8Array(sig), spki: k.spki.slice(), fingerprint: k.fingerprint };
  }

  /** The public half of the digest signing key (created on first use). */
  async publicKey(): Promise<AuditPublicKeyInfo> {
    const k = await this.signingKey();
    return { pem: toPem(k.spki), der: k.spki.slice(), fingerprint: k.fingerprint, createdAt: k.createdAt };
  }

  /** Validates an exported archive's digests and log files against this keystore's key, or `publicKeyPem`. */
  async validate(chunks: AsyncIterable<Uint8Array>, publicKeyPem?: string): Promise<ValidationReport> {
    const spki = publicKeyPem ? fromPem(publicKeyPem) : (await this.signingKey()).spki;
    return validateExport(readTar(chunks), spki);
  }

  retentionPolicy(): Promise<RetentionPolicy> {
    return getPolicy(this.env.store);
  }

  /** What the retention policy (or `policy`) would trim now. */
  planTrim(policy?: RetentionPolicy): Promise<TrimPlan> {
    return planTrim(this.env, policy);
  }

  /** @throws ValidationException for a malformed policy. */
  async setRetention(policy: unknown): Promise<TrimPlan> {
    await setPolicy(this.env.store, checkPolicy(policy));
    return planTrim(this.env);
  }

  /** Trims what the policy says, as `caller`; unexported records only with `confirmUnexported`. */
  trim(
    caller: Caller | 'service',
    opts: { confirmUnexported?: boolean; policy?: RetentionPolicy } = {},
  ): Promise<TrimResult> {
    return trimTrail(this.env, caller, opts);
  }

  /** For a keystore moving to a secret (ADR 0009): a new signing key sealed under the new wrapping key,
   * and the step that stores it (replacing the old one) inside the custody change's transaction. */
  async resealSigningKey(wrappingKey: CryptoKey): Promise<(tx: Tx) => Promise<string>> {
    const next = await newSealedSigningKey(wrappingKey, (n) => this.env.random.bytes(n), this.env.clock.now());
    return async (tx) => {
      await tx.putMeta(SIGNING_KEY_META, next);
      return next.fingerprint;
    };
  }

  private signingKey(): Promise<SigningKey> {
    const { custodian, random } = this.env;
    const seal =
      custodian.mode === 'secret'
        ? { wrappingKey: () => custodian.roots().wrappingKey, random: (n: number) => random.bytes(n) }
        : undefined;
    return getSigningKey(this.env.store, this.env.clock.now(), seal);
  }
}
