// Facilitator kits (issue 14): a keystore's teaching setup — IAM users and roles with their inline policies,
// keys with their policies, tags, aliases, rotation, state and grants, roles' trust policies, S3 buckets with
// their default encryption and objects (kit-objects.ts), and an optional lab — written as one JSON file, and loaded into another keystore (another
// browser profile, another account ID) as its root, every call audited, to give the same starting point.
// No key material travels: keys are created anew, so ciphertexts made under the facilitator's keys do not
// decrypt in an attendee's keystore.
import { rootCaller, type Caller } from '../kms/ids';
import type { Kms } from '../kms/kms';
import type { S3 } from '../s3';
import type { BucketEncryption } from '../s3/ports';
import { exportObjects, loadObjects, type KitObject } from './kit-objects';
import { DEMO_TAG } from '../kms/demo';

export type { KitObject } from './kit-objects';

export const KIT_FORMAT = 'pocket-kms-kit';

export interface KitPrincipal {
  kind: 'user' | 'role';
  name: string;
  tags: { Key: string; Value: string }[];
  /** Inline policies by name (JSON text; account IDs are the exporting keystore's). */
  policies: Record<string, string>;
  /** A role's trust policy (AssumeRolePolicyDocument), description and maximum session (seconds). */
  trustPolicy?: string;
  description?: string;
  maxSessionDuration?: number;
}

export interface KitGrant {
  name?: string;
  granteePrincipal: string;
  retiringPrincipal?: string;
  operations: string[];
  constraints?: Record<string, unknown>;
}

export interface KitKey {
  /** The key's ID in the exporting keystore: how policies, grants and buckets name it. */
  ref: string;
  description: string;
  keySpec: string;
  keyUsage: string;
  enabled: boolean;
  tags: { TagKey: string; TagValue: string }[];
  policy: string;
  aliases: string[];
  rotationPeriodInDays?: number;
  grants: KitGrant[];
}

export interface KitBucket {
  name: string;
  encryption?: BucketEncryption;
  /** The bucket's objects (absent in kits made before objects travelled). */
  objects?: KitObject[];
}

export interface Kit {
  format: typeof KIT_FORMAT;
  version: 1;
  /** The exporting keystore's account and region, replaced by the loading one's everywhere they appear. */
  accountId: string;
  region: string;
  principals: KitPrincipal[];
  keys: KitKey[];
  buckets: KitBucket[];
  /** A lab file's text (docs/LABS.md), to open once the kit is loaded. */
  lab?: string;
}

/** A kit this version cannot load: names what is wrong. */
export class KitFormatError extends Error {
  override readonly name = 'KitFormatError';
}

export interface KitParts {
  kms: Kms;
  s3: () => Promise<S3>;
}

const UA = 'pocket-kms-kit';

/** Every customer key that is not pending deletion, every IAM user and role, every bucket. */
export async function exportKit({ kms, s3 }: KitParts, lab?: string): Promise<Kit> {
  const root = rootCaller(kms.keystore, { userAgent: UA });
  const call = <T = Record<string, any>>(op: string, req: unknown) =>
    kms.call(op, req, root) as Promise<T & Record<string, any>>;
  // Users before roles: a role's trust policy may name a user of the kit.
  const records = await kms.iam.read((tx) => tx.listPrincipals());
  const principals: KitPrincipal[] = records
    .filter((p) => p.kind === 'user' || p.kind === 'role')
    .sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'user' ? -1 : 1))
    .map((p) => ({
      kind: p.kind as 'user' | 'role',
      name: p.name,
      tags: p.tags.map((t) => ({ Key: t.TagKey, Value: t.TagValue })),
      policies: { ...p.policies },
      ...(p.assumeRolePolicy ? { trustPolicy: p.assumeRolePolicy } : {}),
      ...(p.description ? { description: p.description } : {}),
      ...(p.maxSessionDuration ? { maxSessionDuration: p.maxSessionDuration } : {}),
    }));
  const aliases = (await call('ListAliases', { Limit: 100 })).Aliases as { AliasName: string; TargetKeyId?: string }[];
  const keys: KitKey[] = [];
  for (const { KeyId } of (await call('ListKeys', { Limit: 1000 })).Keys as { KeyId: string }[]) {
    const m = (await call('DescribeKey', { KeyId })).KeyMetadata;
    if (m.KeyManager !== 'CUSTOMER' || m.KeyState === 'PendingDeletion' || m.KeyState === 'PendingImport') continue;
    const rotation = m.KeySpec === 'SYMMETRIC_DEFAULT' ? await call('GetKeyRotationStatus', { KeyId }) : undefined;
    const grants = (await call('ListGrants', { KeyId, Limit: 100 })).Grants as Record<string, any>[];
    keys.push({
      ref: KeyId,
      description: m.Description ?? '',
      keySpec: m.KeySpec,
      keyUsage: m.KeyUsage,
      enabled: m.KeyState === 'Enabled',
      tags: (await call('ListResourceTags', { KeyId })).Tags,
      policy: (await call('GetKeyPolicy', { KeyId, PolicyName: 'default' })).Policy,
      aliases: aliases.filter((a) => a.TargetKeyId === KeyId).map((a) => a.AliasName),
      ...(rotation?.KeyRotationEnabled ? { rotationPeriodInDays: rotation.RotationPeriodInDays } : {}),
      grants: grants.map((g) => ({
        ...(g.Name ? { name: g.Name } : {}),
        granteePrincipal: g.GranteePrincipal,
        ...(g.RetiringPrincipal ? { retiringPrincipal: g.RetiringPrincipal } : {}),
        operations: g.Operations,
        ...(g.Constraints ? { constraints: g.Constraints } : {}),
      })),
    });
  }
  const store = await s3();
  const buckets: KitBucket[] = [];
  for (const b of await store.listBuckets(root))
    buckets.push({
      name: b.name,
      ...(b.encryption ? { encryption: b.encryption } : {}),
      objects: await exportObjects(store, root, b.name, crypto.randomUUID()),
    });
  const { accountId, region } = kms.keystore;
  return { format: KIT_FORMAT, version: 1, accountId, region, principals, keys, buckets, ...(lab ? { lab } : {}) };
}

export interface KitLoadResult {
  principals: string[];
  /** Old key ID → new key ID. */
  keys: Record<string, string>;
  buckets: string[];
  /** Objects put, as `bucket/key`. */
  objects: string[];
  /** Objects the kit named but did not carry (larger than 1 MiB), as `bucket/key`. */
  omitted: string[];
}

/** Recreates a kit's setup in this keystore as its root.
 * @throws KitFormatError for what is not a kit; the KMS, IAM or S3 error of a call that fails (what was
 * made before it stays) */
export async function loadKit({ kms, s3 }: KitParts, data: unknown): Promise<KitLoadResult> {
  const kit = checkKit(data);
  const root: Caller = rootCaller(kms.keystore, { userAgent: UA });
  const call = <T = Record<string, any>>(op: string, req: unknown) =>
    kms.call(op, req, root) as Promise<T & Record<string, any>>;
  const { accountId, region } = kms.keystore;
  const out: KitLoadResult = { principals: [], keys: {}, buckets: [], objects: [], omitted: [] };
  // The exporting account's ID and region become this keystore's; old key IDs become the new ones.
  const rewrite = (text: string) => {
    let t = text.split(`:${kit.accountId}:`).join(`:${accountId}:`);
    t = t.split(`arn:aws:kms:${kit.region}:`).join(`arn:aws:kms:${region}:`);
    for (const [from, to] of Object.entries(out.keys)) t = t.split(from).join(to);
    return t;
  };
  for (const p of kit.principals) {
    const made = await kms.iam.createPrincipal(
      root,
      p.kind,
      p.name,
      p.tags.map((t) => ({ TagKey: t.Key, TagValue: t.Value })),
      p.kind === 'role'
        ? {
            ...(p.trustPolicy ? { AssumeRolePolicyDocument: rewrite(p.trustPolicy) } : {}),
            ...(p.description ? { Description: p.description } : {}),
            ...(p.maxSessionDuration ? { MaxSessionDuration: p.maxSessionDuration } : {}),
          }
        : {},
    );
    for (const [name, doc] of Object.entries(p.policies)) await kms.iam.putPolicy(root, made.arn, name, rewrite(doc));
    out.principals.push(made.arn);
  }
  // A kit with demo keys (tag pocket-kms:demo-key, ADR 0018): loading it is the person's consent to demo mode.
  if (kit.keys.some((k) => k.tags.some((t) => t.TagKey === DEMO_TAG))) await kms.demo.setMode(true);
  for (const k of kit.keys) {
    const m = (
      await call('CreateKey', {
        Description: k.description,
        KeySpec: k.keySpec,
        KeyUsage: k.keyUsage,
        ...(k.tags.length ? { Tags: k.tags } : {}),
      })
    ).KeyMetadata;
    out.keys[k.ref] = m.KeyId;
  }
  // Policies and grants after every key exists: one may name another.
  for (const k of kit.keys) {
    const KeyId = out.keys[k.ref]!;
    // The policy as the facilitator had it, even one that would not let this root change it again.
    await call('PutKeyPolicy', {
      KeyId,
      PolicyName: 'default',
      Policy: rewrite(k.policy),
      BypassPolicyLockoutSafetyCheck: true,
    });
    for (const a of k.aliases) await call('CreateAlias', { AliasName: a, TargetKeyId: KeyId });
    if (k.rotationPeriodInDays)
      await call('EnableKeyRotation', { KeyId, RotationPeriodInDays: k.rotationPeriodInDays });
    for (const g of k.grants)
      await call('CreateGrant', {
        KeyId,
        GranteePrincipal: rewrite(g.granteePrincipal),
        Operations: g.operations,
        ...(g.name ? { Name: g.name } : {}),
        ...(g.retiringPrincipal ? { RetiringPrincipal: rewrite(g.retiringPrincipal) } : {}),
        ...(g.constraints ? { Constraints: JSON.parse(rewrite(JSON.stringify(g.constraints))) } : {}),
      });
    if (!k.enabled) await call('DisableKey', { KeyId });
  }
  const store = await s3();
  for (const b of kit.buckets) {
    await store.createBucket(root, b.name, region === 'us-east-1' ? undefined : region);
    if (b.encryption)
      await store.putBucketEncryption(root, b.name, {
        ...b.encryption,
        ...(b.encryption.kmsKeyId ? { kmsKeyId: rewrite(b.encryption.kmsKeyId) } : {}),
      });
    out.buckets.push(b.name);
    const objects = b.objects ?? [];
    const left = await loadObjects(store, root, b.name, objects, rewrite, () => crypto.randomUUID());
    for (const o of objects) (left.includes(o.key) ? out.omitted : out.objects).push(`${b.name}/${o.key}`);
  }
  return out;
}

function checkKit(data: unknown): Kit {
  const k = data as Partial<Kit> | null;
  if (typeof k !== 'object' || k === null || k.format !== KIT_FORMAT)
    throw new KitFormatError(`expected a Pocket KMS kit ("format": "${KIT_FORMAT}")`);
  if (k.version !== 1) throw new KitFormatError(`"version" expected 1, got ${JSON.stringify(k.version)}`);
  if (typeof k.accountId !== 'string' || !/^\d{12}$/.test(k.accountId))
    throw new KitFormatError(`"accountId" expected 12 digits, got ${JSON.stringify(k.accountId)}`);
  if (typeof k.region !== 'string' || !k.region)
    throw new KitFormatError(`"region" expected a region name, got ${JSON.stringify(k.region)}`);
  for (const f of ['principals', 'keys', 'buckets'] as const)
    if (!Array.isArray(k[f])) throw new KitFormatError(`"${f}" expected a list`);
  k.buckets!.forEach((b, i) => {
    if (b.objects === undefined) return;
    if (!Array.isArray(b.objects)) throw new KitFormatError(`"buckets[${i}].objects" expected a list`);
    b.objects.forEach((o, j) => {
      if (typeof o?.key !== 'string' || (o.body !== undefined && typeof o.body !== 'string'))
        throw new KitFormatError(`"buckets[${i}].objects[${j}]" expected { key, body (base64), … }`);
    });
  });
  return k as Kit;
}
