// IAM and STS are global, as in AWS (ADR 0017): each Region's keystore keeps a copy of the account's IAM
// (principals, access keys and STS credentials, managed policies, accounts), and every IAM or STS change
// made in one Region goes to the others' stores after it commits, stamped with a revision so that a
// Region that missed it (closed, failed, or locked with other root keys) catches up from the newest.

import { ACCOUNTS_META } from '../accounts';
import type { KmsEnv } from '../context';
import { MANAGED_POLICIES_META } from '../managed-policies';
import { CUSTODY_META, equalRoots, type SecretCustody } from '../material';
import type { Tx } from '../ports';
import type { AccessKeyRecord, PrincipalRecord } from '../records';
import { resealSecret } from './access-key-secret';

/** The revision of a Region's copy of IAM: the number of the last global IAM change it holds. */
export const IAM_REVISION_META = 'iam.revision';
/** Serializes IAM changes across the browser's Regions, tabs and workers (Web Locks). */
const IAM_LOCK = 'pocket-kms:iam';
/** The meta records that are IAM's, hence global (the rest of meta is the Region's own). */
const GLOBAL_META = [ACCOUNTS_META, MANAGED_POLICIES_META];

type SecretForm = Pick<AccessKeyRecord, 'secret' | 'sealedSecret' | 'iv'>;

/** One Region's copy of IAM, read in one transaction. */
export interface IamCopy {
  /** Undefined: this copy never took part in a global change (a keystore older than ADR 0017, or new). */
  revision: number | undefined;
  principals: PrincipalRecord[];
  accessKeys: AccessKeyRecord[];
  meta: Record<string, unknown>;
  /** How its access-key secrets are stored: sealed under these root keys, or (undefined) as device keys. */
  custody: SecretCustody | undefined;
}

export async function readIam(tx: Tx): Promise<IamCopy> {
  const meta: Record<string, unknown> = {};
  for (const name of GLOBAL_META) meta[name] = await tx.getMeta(name);
  return {
    revision: await tx.getMeta<number>(IAM_REVISION_META),
    principals: await tx.listPrincipals(),
    accessKeys: await tx.listAccessKeys(),
    meta,
    custody: await tx.getMeta<SecretCustody>(CUSTODY_META),
  };
}

const hasSecret = (k: AccessKeyRecord | undefined) => !!k && (!!k.secret || !!k.sealedSecret);
const secretOf = (k: AccessKeyRecord): SecretForm =>
  k.secret ? { secret: k.secret } : k.sealedSecret && k.iv ? { sealedSecret: k.sealedSecret, iv: k.iv } : {};
function withoutSecret(k: AccessKeyRecord): AccessKeyRecord {
  const { secret: _s, sealedSecret: _c, iv: _i, ...rest } = k;
  return rest;
}

/** Whether a secret stored by `from`'s custody opens as stored under `to`'s: both device keystores (the
 * non-extractable HMAC key itself), or both locked at rest under the same root keys (ADR 0015 siblings). */
function carriesAsStored(from: SecretCustody | undefined, to: SecretCustody | undefined): boolean {
  if (!from || !to) return !from && !to;
  return equalRoots(from, to);
}

/**
 * Writes `from` into the copy `tx` holds:
 * - a newer revision replaces principals, access keys and IAM's meta records (deletions included);
 * - a copy that never took part (no revision) is merged: what it alone holds stays (nothing made before
 *   ADR 0017 is lost), what `from` holds wins;
 * - the same revision only fills in secrets the copy lacks (a Region that was locked with other roots);
 * - an older one changes nothing.
 * An access key's secret is carried only in a form the destination's custody stores (as stored, or
 * `resealed`); otherwise the destination keeps its own form, or the key is there without a secret (known,
 * listed, but unable to sign until a catch-up brings it). Returns whether anything was written.
 */
export async function applyIam(tx: Tx, from: IamCopy, resealed?: Map<string, SecretForm>): Promise<boolean> {
  const have = await tx.getMeta<number>(IAM_REVISION_META);
  const theirs = from.revision ?? 0;
  if (have !== undefined && have > theirs) return false;
  const asStored = carriesAsStored(from.custody, await tx.getMeta<SecretCustody>(CUSTODY_META));
  const old = new Map((await tx.listAccessKeys()).map((k) => [k.accessKeyId, k]));
  const carried = (k: AccessKeyRecord): AccessKeyRecord => {
    if (asStored) return k;
    const form = resealed?.get(k.accessKeyId) ?? secretOfOld(old.get(k.accessKeyId));
    return { ...withoutSecret(k), ...form };
  };
  if (have === theirs) {
    let wrote = false;
    for (const k of from.accessKeys) {
      const mine = old.get(k.accessKeyId);
      if (!mine || hasSecret(mine) || !hasSecret(k)) continue;
      const next = carried(k);
      if (!hasSecret(next)) continue;
      await tx.putAccessKey({ ...mine, ...secretOf(next) });
      wrote = true;
    }
    return wrote;
  }
  const merge = have === undefined;
  const principals = new Set(from.principals.map((p) => p.arn));
  const keys = new Set(from.accessKeys.map((k) => k.accessKeyId));
  if (!merge) {
    for (const p of await tx.listPrincipals()) if (!principals.has(p.arn)) await tx.deletePrincipal(p.arn);
    for (const id of old.keys()) if (!keys.has(id)) await tx.deleteAccessKey(id);
  }
  for (const p of from.principals) await tx.putPrincipal(p);
  for (const k of from.accessKeys) await tx.putAccessKey(carried(k));
  for (const name of GLOBAL_META) {
    const v = merge ? mergedMeta(name, await tx.getMeta(name), from.meta[name]) : from.meta[name];
    if (v === undefined) await tx.deleteMeta(name);
    else await tx.putMeta(name, v);
  }
  await tx.putMeta(IAM_REVISION_META, theirs);
  return true;
}

function secretOfOld(k: AccessKeyRecord | undefined): SecretForm {
  return k ? secretOf(k) : {};
}

/** A never-synchronized copy's accounts (a list by ID) or managed policies (a map by ARN), with `from`'s. */
function mergedMeta(name: string, mine: unknown, theirs: unknown): unknown {
  if (mine === undefined) return theirs;
  if (theirs === undefined) return mine;
  if (name === ACCOUNTS_META) {
    const list = theirs as { accountId: string }[];
    const ids = new Set(list.map((a) => a.accountId));
    return [...list, ...(mine as { accountId: string }[]).filter((a) => !ids.has(a.accountId))];
  }
  return { ...(mine as object), ...(theirs as object) };
}

/** `from`'s sealed secrets re-sealed for `to` when their roots differ and both are unlocked (else none). */
async function resealFor(from: KmsEnv, to: KmsEnv, copy: IamCopy, toCustody: SecretCustody | undefined) {
  if (carriesAsStored(copy.custody, toCustody)) return undefined;
  // A device keystore never receives a secret sealed at rest elsewhere (it would store it readable off the
  // disk), and a device key's non-extractable secret cannot be sealed: both stay where they are.
  if (!copy.custody || !toCustody || from.custodian.mode !== 'secret' || to.custodian.mode !== 'secret') return;
  if (from.custodian.status().locked || to.custodian.status().locked) return;
  const out = new Map<string, SecretForm>();
  const [a, b] = [from.custodian.roots().wrappingKey, to.custodian.roots().wrappingKey];
  for (const k of copy.accessKeys) if (k.sealedSecret) out.set(k.accessKeyId, await resealSecret(a, b, to.random, k));
  return out;
}

/** Copies `from`'s IAM into `to`'s store (applyIam says what is written). */
export async function syncIam(from: KmsEnv, to: KmsEnv): Promise<boolean> {
  const mine = await to.store.read(async (tx) => ({
    revision: await tx.getMeta<number>(IAM_REVISION_META),
    custody: await tx.getMeta<SecretCustody>(CUSTODY_META),
    lacking: (await tx.listAccessKeys()).some((k) => !hasSecret(k)),
  }));
  const theirs = (await from.store.read((tx) => tx.getMeta<number>(IAM_REVISION_META))) ?? 0;
  // Most runs (maintenance) find the copy in step: no write transaction then.
  if (mine.revision !== undefined && (mine.revision > theirs || (mine.revision === theirs && !mine.lacking)))
    return false;
  const copy = await from.store.read(readIam);
  const resealed = await resealFor(from, to, copy, mine.custody);
  return to.store.write((tx) => applyIam(tx, copy, resealed));
}

/** The other Regions' keystores of this account in this browser (none without a RegionSet), with their
 * revisions, newest first. */
async function peersOf(env: KmsEnv): Promise<{ env: KmsEnv; revision: number }[]> {
  if (!env.regions) return [];
  const out: { env: KmsEnv; revision: number }[] = [];
  for (const region of await env.regions.inUse()) {
    if (region === env.keystore.region) continue;
    const peer = await env.regions.get(region).catch(() => undefined);
    if (!peer) continue;
    const p = peer.peerEnv();
    // A database holding another account's keystore (a restore from elsewhere) shares no IAM with this one.
    if (p.keystore.accountId !== env.keystore.accountId) continue;
    const revision = await p.store.read((tx) => tx.getMeta<number>(IAM_REVISION_META)).catch(() => undefined);
    out.push({ env: p, revision: revision ?? 0 });
  }
  return out.sort((a, b) => b.revision - a.revision);
}

/** Brings `env`'s copy of IAM up to the newest Region's (and fills in secrets it could not take before).
 * Safe anywhere, lock or not: a copy only ever moves to a newer revision. */
export async function catchUpIam(env: KmsEnv): Promise<void> {
  for (const peer of await peersOf(env)) await syncIam(peer.env, env).catch(() => false);
}

/**
 * Runs one IAM or STS change of `env`'s Region as a global one: under the browser-wide IAM lock, this copy
 * first catches up, then `change` runs with `stamp`, which it calls inside its transaction so the change
 * and its new revision commit together; then the change goes to every other Region (a failure there is
 * left to that Region's catch-up: the call has committed and is answered). Nothing is recorded in the
 * other Regions: the call's one audit record is the one `change` writes (CloudTrail records IAM once).
 */
export async function globalIamChange<T>(env: KmsEnv, change: (stamp: (tx: Tx) => Promise<void>) => Promise<T>) {
  return env.locks.withLock(IAM_LOCK, async () => {
    const peers = await peersOf(env);
    for (const peer of peers) await syncIam(peer.env, env).catch(() => false);
    const top = Math.max(0, ...peers.map((p) => p.revision));
    const result = await change(async (tx) => {
      const own = (await tx.getMeta<number>(IAM_REVISION_META)) ?? 0;
      await tx.putMeta(IAM_REVISION_META, Math.max(own, top) + 1);
    });
    for (const peer of peers) await syncIam(env, peer.env).catch(() => false);
    return result;
  });
}
