// ReplicateKey and UpdatePrimaryRegion (AWS KMS API reference), across this browser's Regions (ADR 0015).
// Each acts in two keystores: the Region called and the other one, each recording its side as AWS does
// (ReplicateKey here and CreateKey in the replica's Region; UpdatePrimaryRegion in both).

import { checkPolicyDocument, defaultKeyPolicy } from '../authz';
import { OpContext, type KmsEnv } from '../context';
import {
  AlreadyExistsException,
  DisabledException,
  KMSInvalidStateException,
  NotFoundException,
  UnsupportedOperationException,
  ValidationException,
} from '../errors';
import { keyArn } from '../ids';
import type { Kms } from '../kms';
import { checkRegion, layout, requirePrimary } from '../multi-region/config';
import { importedForReplica, materialsFor, requireCustodyAtLeast, syncReplicas } from '../multi-region/sync';
import type { Tx } from '../ports';
import type { KeyRecord } from '../records';
import { optBool, optString, reqString, type Req } from '../validate';
import { keyMetadata } from './metadata';
import { lockoutCheck } from './policies';
import { mergeTags, readTags } from './tags';

/** AWS's state rules for acting on a multi-Region key: Disabled → DisabledException, else not usable →
 * KMSInvalidStateException. */
function requireEnabled(key: KeyRecord): void {
  if (key.state === 'Disabled') throw new DisabledException(`${key.arn} is disabled.`);
  if (key.state !== 'Enabled') throw new KMSInvalidStateException(`${key.arn} is ${key.state}.`);
}

async function otherRegion(c: OpContext, region: string, create: boolean): Promise<Kms | undefined> {
  const regions = c.env.regions;
  if (!regions) throw new UnsupportedOperationException('This keystore was opened without its other Regions.');
  if (!create) return regions.get(region);
  const self = await regions.get(c.ks.region);
  if (!self) throw new UnsupportedOperationException('This keystore was opened without its other Regions.');
  return regions.create(region, self);
}

/**
 * ReplicateKey: a replica of a multi-Region primary key in another Region (made on demand in this
 * browser), with its own policy, description and tags, and the primary's material versions (imported material:
 * none, the replica is PendingImport until the same material is imported into it).
 * @throws UnsupportedOperationException (not a multi-Region primary), AlreadyExistsException
 * (a replica, or the primary, is in that Region), InvalidArnException (not a Region ID), DisabledException,
 * KMSInvalidStateException, MalformedPolicyDocumentException, TagException, NotFoundException, AccessDeniedException
 */
export async function replicateKey(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const region = checkRegion(reqString(req, 'ReplicaRegion'), 'ReplicaRegion');
  const policy = optString(req, 'Policy', 1, 131072);
  optBool(req, 'BypassPolicyLockoutSafetyCheck');
  const description = optString(req, 'Description', 0, 8192) ?? '';
  const tags = mergeTags([], readTags(req) ?? [], 'The replica key');
  if (policy !== undefined) checkPolicyDocument(policy);

  const { key, materials } = await c.env.store.read(async (tx) => {
    const key = await c.resolve(tx, id, { aliases: false });
    return { key, materials: await tx.listMaterials(key.keyId) };
  });
  const m = requirePrimary(key, 'ReplicateKey');
  // Imported material is never copied (AWS: "you must import the same key material into related primary and
  // replica keys"): the replica starts PendingImport and takes the same material by ImportKeyMaterial.
  const external = key.origin === 'EXTERNAL';
  requireEnabled(key);
  if (region === c.ks.region || m.replicaRegions.includes(region))
    throw new AlreadyExistsException(
      `${key.keyId} already exists in ${region}: a replica's Region must be new to the set.`,
    );

  // Every check that can refuse runs before anything is made: against the replica's Region as it is, or, for
  // a Region not yet in use here, as it would be made (a sibling of this one with a copy of its IAM and its
  // custody, and no keys: seedSibling). A refused call leaves no new Region behind.
  const existing = await otherRegion(c, region, false);
  const target = existing ? existing.peerEnv() : wouldBeSibling(c.env, region);
  const check = (env: KmsEnv) => {
    const replica = replicaOf(c, env, key, region, { description, tags, policy });
    const ctx = new OpContext(env, c.caller, 'CreateKey', createRequest(replica), c.requestId);
    ctx.keyIds.add(key.keyId);
    return { replica, ctx };
  };
  const refusals = async ({ replica, ctx }: ReturnType<typeof check>, tx: Tx, fresh: boolean) => {
    if (!fresh && (await tx.getKey(key.keyId))) throw new AlreadyExistsException(`${replica.arn} already exists.`);
    await ctx.authorizeAccount(tx, 'kms:CreateKey');
    if (policy !== undefined) await lockoutCheck(ctx, tx, replica, req);
  };
  if (!external) requireCustodyAtLeast(c.env, target);
  // A would-be Region's IAM is this one's copy: read here (the store `target` names is this Region's).
  await target.store.read((tx) => refusals(check(target), tx, !existing));
  c.stopIfDryRun();

  const peer = existing ?? (await otherRegion(c, region, true))!;
  const dst = peer.peerEnv();
  if (!external) requireCustodyAtLeast(c.env, dst);
  const copies = external ? [] : await materialsFor(c.env, dst, key, materials);
  const planned = check(dst);
  const { replica, ctx: created } = planned;
  // The replica's Region records the CreateKey that ReplicateKey results in (CloudTrail "ReplicateKey").
  // The checks run again in its transaction: another call may have changed the Region or IAM meanwhile.
  await created.writeDurable(async (tx) => {
    await refusals(planned, tx, false);
    await dst.custodian.requireCurrent(tx);
    for (const x of copies) await tx.putMaterial(dst.custodian.forStorage(x));
    await tx.putKey(replica);
    return { KeyMetadata: keyMetadata(dst.keystore, replica) };
  });

  const response = {
    ReplicaKeyMetadata: keyMetadata(dst.keystore, replica),
    ReplicaPolicy: replica.policy,
    ReplicaTags: replica.tags,
  };
  await c.write(async (tx) => {
    const cur = (await tx.getKey(key.keyId))!;
    const set = cur.multiRegion ?? m;
    await tx.putKey({ ...cur, multiRegion: layout('PRIMARY', c.ks.region, [...set.replicaRegions, region]) });
    return response;
  });
  // The other replicas learn of the new one (or at maintenance, when one cannot be reached now).
  await syncReplicas(c.env, key.keyId).catch(() => undefined);
  return response;
}

/** The env of `region`'s keystore as seedSibling would make it from `env`'s: the same store content that
 * checks read (IAM, custody), under the new Region's name. Only for reading, before the Region exists. */
function wouldBeSibling(env: KmsEnv, region: string): KmsEnv {
  return { ...env, keystore: { ...env.keystore, region } };
}

/** The replica record ReplicateKey writes in `dst`'s Region. */
function replicaOf(
  c: OpContext,
  dst: KmsEnv,
  key: KeyRecord,
  region: string,
  own: { description: string; tags: KeyRecord['tags']; policy: string | undefined },
): KeyRecord {
  const m = key.multiRegion!;
  const external = key.origin === 'EXTERNAL';
  const imported = external ? importedForReplica(key) : undefined;
  return {
    keyId: key.keyId,
    arn: keyArn(dst.keystore, key.keyId),
    createdAt: c.now,
    description: own.description,
    keyUsage: key.keyUsage,
    keySpec: key.keySpec,
    origin: key.origin,
    state: external ? 'PendingImport' : 'Enabled',
    ...(imported ? { imported, ...(key.lastVersion !== undefined ? { lastVersion: key.lastVersion } : {}) } : {}),
    tags: own.tags,
    policy: own.policy ?? defaultKeyPolicy(dst.keystore),
    rotationEnabled: key.rotationEnabled,
    ...(key.rotationPeriodDays !== undefined ? { rotationPeriodDays: key.rotationPeriodDays } : {}),
    ...(key.nextRotationAt !== undefined ? { nextRotationAt: key.nextRotationAt } : {}),
    currentVersion: key.currentVersion,
    currentMaterialId: key.currentMaterialId,
    multiRegion: layout('REPLICA', c.ks.region, [...m.replicaRegions, region]),
  };
}

function createRequest(k: KeyRecord) {
  return {
    Description: k.description,
    KeyUsage: k.keyUsage,
    KeySpec: k.keySpec,
    Origin: k.origin,
    MultiRegion: true,
    ...(k.tags.length ? { Tags: k.tags } : {}),
  };
}

/**
 * UpdatePrimaryRegion: the replica in PrimaryRegion becomes the primary and this key a replica; every
 * other replica learns of it. Both Regions record the call.
 * @throws UnsupportedOperationException (not a multi-Region primary), NotFoundException (no replica there),
 * InvalidArnException (not a Region ID), DisabledException, KMSInvalidStateException, AccessDeniedException
 */
export async function updatePrimaryRegion(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const region = checkRegion(reqString(req, 'PrimaryRegion'), 'PrimaryRegion');
  const key = await c.env.store.read((tx) => c.resolve(tx, id, { aliases: false }));
  const m = requirePrimary(key, 'UpdatePrimaryRegion');
  requireEnabled(key);
  if (region === c.ks.region) throw new ValidationException(`${key.arn} is already the primary key, in ${region}.`);
  const peer = m.replicaRegions.includes(region) ? await otherRegion(c, region, false) : undefined;
  if (!peer) throw new NotFoundException(`${key.keyId} has no replica key in ${region}.`);
  const dst = peer.peerEnv();
  if (dst.custodian.status().locked)
    throw new KMSInvalidStateException(`The keystore of ${region} is locked: unlock it in the console first.`);
  const replicas = [...m.replicaRegions.filter((r) => r !== region), c.ks.region];

  const there = new OpContext(dst, c.caller, 'UpdatePrimaryRegion', c.request, c.requestId);
  await there.write(async (tx) => {
    const rk = await there.resolve(tx, key.keyId, { aliases: false });
    if (rk.multiRegion?.type !== 'REPLICA') throw new NotFoundException(`${rk.arn} is not a replica of ${key.arn}.`);
    requireEnabled(rk);
    const { rotationPeriodDays: _p, nextRotationAt: _n, ...rest } = rk;
    await tx.putKey({
      ...rest,
      rotationEnabled: key.rotationEnabled,
      ...(key.rotationPeriodDays !== undefined ? { rotationPeriodDays: key.rotationPeriodDays } : {}),
      ...(key.nextRotationAt !== undefined ? { nextRotationAt: key.nextRotationAt } : {}),
      multiRegion: layout('PRIMARY', region, replicas),
    });
    return {};
  });
  await c.write(async (tx) => {
    const cur = (await tx.getKey(key.keyId))!;
    await tx.putKey({ ...cur, multiRegion: layout('REPLICA', region, replicas) });
    return {};
  });
  await syncReplicas(dst, key.keyId).catch(() => undefined);
  return {};
}
