// The check engine's world (src/labs/world.ts) over a keystore: keys and aliases read from the store
// (read-only, not audited: a check must not add records to the trail it reads), the audit trail
// through Kms.audit, the policy simulator through Kms.simulate, and S3 objects as the account root.
import type { LabEvent, LabGrant, LabKey, LabSimulation, LabWorld } from '../labs/world';
import { rootCaller, type Caller } from '../kms/ids';
import { aliasOf } from '../kms/account-keys';
import type { Kms } from '../kms/kms';
import { OPERATIONS } from '../kms/operations';
import type { Store } from '../kms/ports';
import type { AuditEntry } from '../kms/records';
import type { S3 } from '../s3';

const USER_AGENT = 'pocket-kms-labs';
const MAX_EVENTS = 10_000;

const KEY_ACTIONS: readonly string[] = OPERATIONS.filter((o) => o.scope === 'key' && o.status !== 'not yet').flatMap(
  (o) => o.actions.map((a) => `kms:${a.name}`),
);

export interface LabWorldParts {
  kms: Kms;
  /** The keystore's store, read only. */
  store: Store;
  s3: () => Promise<S3>;
  /** Who console and terminal calls run as now ("Acting as"). */
  caller: () => Caller;
}

export function labWorld({ kms, store, s3, caller }: LabWorldParts): LabWorld {
  const { region, accountId } = kms.keystore;
  const root = () => rootCaller(kms.keystore, { userAgent: USER_AGENT });
  const callerOf = async (arn: string): Promise<Caller> => {
    const now = caller();
    if (now.arn === arn) return now;
    if (arn === root().arn) return root();
    return kms.iam.callerFor(arn, { userAgent: USER_AGENT });
  };
  return {
    region,
    accountId,
    async callerArn() {
      return caller().arn;
    },
    async keys() {
      const [keys, aliases] = await store.read((tx) => Promise.all([tx.allKeys(), tx.listAliases()]));
      return keys.map((k): LabKey => ({
        keyId: k.keyId,
        arn: k.arn,
        state: k.state,
        keySpec: k.keySpec,
        keyUsage: k.keyUsage,
        description: k.description,
        tags: Object.fromEntries(k.tags.map((t) => [t.TagKey, t.TagValue])),
        createdAt: k.createdAt,
        // An alias of another account is stored under a prefixed name: a lab sees its alias name.
        aliases: aliases.filter((a) => a.keyId === k.keyId).map((a) => aliasOf(kms.keystore, a).name),
        ...(k.pendingWindowDays !== undefined ? { pendingWindowDays: k.pendingWindowDays } : {}),
        rotationEnabled: k.rotationEnabled,
        ...(k.rotationPeriodDays !== undefined ? { rotationPeriodDays: k.rotationPeriodDays } : {}),
        rotations: Math.max(0, k.currentVersion - 1),
      }));
    },
    async auditHead() {
      return (await kms.audit.head())?.seq ?? 0;
    },
    async eventsAfter(seq) {
      const entries = await kms.audit.query({ ascending: true, afterSeq: seq, limit: MAX_EVENTS });
      return entries.map(labEvent);
    },
    keyActions: () => KEY_ACTIONS,
    async simulate(principalArn, action, keyId, encryptionContext): Promise<LabSimulation> {
      const s = await kms.simulate(await callerOf(principalArn), {
        action,
        ...(keyId ? { keyId } : {}),
        ...(encryptionContext ? { encryptionContext } : {}),
      });
      return {
        allowed: s.allowed,
        reason: s.reason,
        ...(s.message ? { message: s.message } : {}),
        ...(s.grantId ? { grantId: s.grantId } : {}),
        keyPolicy: s.keyPolicy.map((st) => ({
          index: st.index,
          ...(st.sid ? { sid: st.sid } : {}),
          effect: st.effect,
          applies: st.applies,
          ...(st.principalMatch ? { principalMatch: st.principalMatch } : {}),
          ...(st.mismatch ? { mismatch: st.mismatch } : {}),
          ...(st.failedCondition
            ? {
                failedCondition: {
                  operator: st.failedCondition.operator,
                  key: st.failedCondition.key,
                  values: st.failedCondition.values,
                  ...(st.failedCondition.actual !== undefined ? { actual: st.failedCondition.actual } : {}),
                },
              }
            : {}),
        })),
        identity: s.identityPolicies.flatMap((p) =>
          p.statements
            .filter((st) => st.applies)
            .map((st) => ({ policy: p.name, index: st.index, effect: st.effect, ...(st.sid ? { sid: st.sid } : {}) })),
        ),
      };
    },
    async principals() {
      return (await kms.iam.list())
        .filter((p) => p.kind !== 'root')
        .map((p) => ({
          arn: p.arn,
          kind: p.kind as 'user' | 'role',
          name: p.name,
          createdAt: p.createdAt ?? 0,
          policies: Object.keys(p.policies),
          accessKeys: p.accessKeys.length,
        }));
    },
    async grants() {
      return store.read(async (tx) => {
        const out: LabGrant[] = [];
        for (const k of await tx.allKeys())
          for (const g of await tx.listGrants({ keyId: k.keyId }))
            out.push({
              grantId: g.grantId,
              keyId: g.keyId,
              ...(g.name ? { name: g.name } : {}),
              granteePrincipal: g.granteePrincipal,
              operations: g.operations,
              ...(g.constraints?.EncryptionContextEquals
                ? { encryptionContextEquals: g.constraints.EncryptionContextEquals }
                : {}),
              ...(g.constraints?.EncryptionContextSubset
                ? { encryptionContextSubset: g.constraints.EncryptionContextSubset }
                : {}),
            });
        return out;
      });
    },
    async exportedThrough() {
      return (await kms.audit.planTrim()).exportedThrough;
    },
    async buckets() {
      return (await (await s3()).listBuckets(root())).map((b) => b.name);
    },
    async object(bucket, key) {
      try {
        const o = await (await s3()).headObject(root(), bucket, key);
        return { sse: o.sse.algorithm, ...(o.sse.kmsKeyArn ? { kmsKeyArn: o.sse.kmsKeyArn } : {}) };
      } catch (e) {
        if ((e as { name?: string }).name === 'NoSuchKey' || (e as { name?: string }).name === 'NoSuchBucket')
          return undefined;
        throw e;
      }
    },
  };
}

function labEvent(e: AuditEntry): LabEvent {
  const r = e.record;
  const ec = (r.requestParameters as { encryptionContext?: unknown } | null)?.encryptionContext;
  return {
    seq: e.seq!,
    eventName: e.eventName,
    eventTime: e.eventTime,
    ...(e.errorCode ? { errorCode: e.errorCode } : {}),
    ...(r.errorMessage ? { errorMessage: r.errorMessage } : {}),
    keyIds: e.keyIds,
    principalArn: String((r.userIdentity as { arn?: unknown }).arn ?? ''),
    userAgent: r.userAgent,
    region: r.awsRegion,
    ...(ec && typeof ec === 'object' ? { encryptionContext: ec as Record<string, string> } : {}),
  };
}
