// CreateAlias, UpdateAlias, DeleteAlias, ListAliases with AWS's alias rules. Alias names are per account (AWS: per
// account and Region): each call works in the caller's account (account-keys.ts aliasStoreName).

import { isPastDeletion, type OpContext } from '../context';
import { page, readPaging } from './paging';
import { AlreadyExistsException, KMSInvalidStateException, LimitExceededException, NotFoundException } from '../errors';
import { aliasArn, checkAliasName, parseKeyRef } from '../ids';
import type { AliasRecord, KeyRecord, KeySpec } from '../records';
import { aliasOf, aliasStoreName } from '../account-keys';
import { optString, reqString, type Req } from '../validate';

export const MAX_ALIASES_PER_KEY = 50;

function requireTarget(key: KeyRecord): void {
  if (key.state === 'PendingDeletion' || key.state === 'PendingReplicaDeletion')
    throw new KMSInvalidStateException(`${key.arn} is pending deletion; an alias cannot point to it.`);
}

/** UpdateAlias's kinds of key: AWS requires the old and new key to be of one (and of one key usage), not of one spec. */
function keyType(spec: KeySpec): 'symmetric' | 'HMAC' | 'asymmetric' {
  if (spec === 'SYMMETRIC_DEFAULT') return 'symmetric';
  return spec.startsWith('HMAC_') ? 'HMAC' : 'asymmetric';
}

export async function createAlias(c: OpContext, req: Req) {
  const name = reqString(req, 'AliasName', 1, 256);
  const target = reqString(req, 'TargetKeyId');
  checkAliasName(name);
  return c.write(async (tx) => {
    const key = await c.resolve(tx, target, { aliases: false });
    requireTarget(key);
    // An alias of a key whose deletion date has passed is gone for callers, even before maintenance removes it.
    const stored = aliasStoreName(c.ks, c.callerAccount, name);
    const existing = await tx.getAlias(stored);
    const owner = existing && (await tx.getKey(existing.keyId));
    if (owner && !isPastDeletion(owner, c.now))
      throw new AlreadyExistsException(`An alias with the name ${aliasArn(c.home, name)} already exists`);
    const count = (await tx.listAliases(key.keyId)).length;
    if (count >= MAX_ALIASES_PER_KEY)
      throw new LimitExceededException(`${key.arn} already has ${count} aliases; the limit is ${MAX_ALIASES_PER_KEY}.`);
    await tx.putAlias({ name: stored, keyId: key.keyId, createdAt: c.now, updatedAt: c.now });
    return {};
  });
}

export async function updateAlias(c: OpContext, req: Req) {
  const name = reqString(req, 'AliasName', 1, 256);
  const target = reqString(req, 'TargetKeyId');
  checkAliasName(name);
  return c.write(async (tx) => {
    const alias = await tx.getAlias(aliasStoreName(c.ks, c.callerAccount, name));
    if (!alias) throw new NotFoundException(`Alias ${aliasArn(c.home, name)} is not found.`);
    const key = await c.resolve(tx, target, { aliases: false });
    requireTarget(key);
    const old = await tx.getKey(alias.keyId);
    if (old) {
      c.keyIds.add(old.keyId);
      // AWS: kms:UpdateAlias on the key the alias leaves as well as on the one it moves to.
      await c.authorize(tx, old, 'kms:UpdateAlias');
      // AWS documents the rule, not its exception: the KMSInvalidStateException kept here is Pocket KMS's (docs/API.md).
      if (old.keyUsage !== key.keyUsage || keyType(old.keySpec) !== keyType(key.keySpec)) {
        throw new KMSInvalidStateException(
          `${key.arn} is a ${keyType(key.keySpec)} ${key.keyUsage} key; ${name} points to a ${keyType(old.keySpec)} ` +
            `${old.keyUsage} key, and UpdateAlias keeps an alias on keys of one type and key usage.`,
        );
      }
    }
    const others = (await tx.listAliases(key.keyId)).filter((a) => a.name !== alias.name).length;
    if (others >= MAX_ALIASES_PER_KEY)
      throw new LimitExceededException(
        `${key.arn} already has ${others} aliases; the limit is ${MAX_ALIASES_PER_KEY}.`,
      );
    await tx.putAlias({ ...alias, keyId: key.keyId, updatedAt: c.now });
    return {};
  });
}

export async function deleteAlias(c: OpContext, req: Req) {
  const name = reqString(req, 'AliasName', 1, 256);
  checkAliasName(name);
  return c.write(async (tx) => {
    const alias = await tx.getAlias(aliasStoreName(c.ks, c.callerAccount, name));
    if (!alias) throw new NotFoundException(`Alias ${aliasArn(c.home, name)} is not found.`);
    c.keyIds.add(alias.keyId);
    const key = await tx.getKey(alias.keyId);
    if (key) await c.authorize(tx, key, 'kms:DeleteAlias');
    await tx.deleteAlias(alias.name);
    return {};
  });
}

export async function listAliases(c: OpContext, req: Req) {
  const id = optString(req, 'KeyId');
  const { limit, after } = readPaging(req, 100, 50);
  const aliases = await c.write(async (tx) => {
    // AWS authorizes ListAliases by IAM policy alone, with or without KeyId.
    await c.authorizeAccount(tx);
    // The caller's account's aliases only (aliases never work across accounts).
    const mine = (a: AliasRecord) => aliasOf(c.ks, a).accountId === c.callerAccount;
    if (id === undefined) {
      // Aliases of keys whose deletion date has passed are not listed, as those keys no longer exist.
      const live = new Set((await tx.allKeys()).filter((k) => !isPastDeletion(k, c.now)).map((k) => k.keyId));
      return (await tx.listAliases()).filter((a) => live.has(a.keyId) && mine(a));
    }
    // AWS takes a key ID or key ARN here (of the caller's account); an alias is not found rather than followed.
    const ref = parseKeyRef(c.home, id, { aliases: false });
    if (ref.kind !== 'key') return [];
    const key = await c.resolve(tx, ref.keyId, { aliases: false, action: false });
    return (await tx.listAliases(key.keyId)).filter(mine);
  });
  // Ordered by alias name, as AWS lists them (stored names of another account carry its prefix).
  const named = aliases.map((a) => ({ ...a, name: aliasOf(c.ks, a).name })).sort((x, y) => (x.name < y.name ? -1 : 1));
  const p = page(named, (a) => a.name, limit, after);
  return {
    Aliases: p.items.map((a) => ({
      AliasName: a.name,
      AliasArn: aliasArn(c.home, a.name),
      TargetKeyId: a.keyId,
      CreationDate: new Date(a.createdAt),
      LastUpdatedDate: new Date(a.updatedAt),
    })),
    ...(p.next ? { NextMarker: p.next } : {}),
    Truncated: p.next !== undefined,
  };
}
