// CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant (AWS KMS Developer Guide,
// "Grants in AWS KMS"; KMS API reference). A grantee is an IAM principal or an AWS service principal
// (GranteeServicePrincipal, with a SourceArn constraint). A grant takes effect at once here, so its
// token is usable in GrantTokens immediately; tokens are still checked (grant-ids.ts).

import { evaluateKeyAccess, enforce, isGrantee } from '../authz';
import { type OpContext } from '../context';
import { page, readPaging } from './paging';
import { AccessDeniedException, LimitExceededException, NotFoundException, ValidationException } from '../errors';
import { checkGrantId, grantToken, newGrantId, parseGrantToken } from '../authz';
import { rootArn } from '../ids';
import { accountOfKeyArn, accountView, keyAccount } from '../account-keys';
import { OPERATIONS, type GrantFacts, type KeyUsage } from '../operations';
import type { KeyRecord, StoredGrant } from '../records';
import { optString, optStringList, reqString, type Req } from '../validate';
import { eitherPrincipal, hasContextConstraint, readConstraints, sameGrant, withinParent } from './grant-fields';

/** AWS's quotas: grants per KMS key, and grants for one principal on one key. */
export const MAX_GRANTS_PER_KEY = 50_000;
export const MAX_GRANTS_PER_PRINCIPAL = 500;

/** The grant operations (AWS: "Grant operations"), in the catalogue's order. */
const GRANT_ACTIONS = OPERATIONS.flatMap((o) => o.actions).filter((a) => a.grant);
const ALL_OPERATIONS = new Set(GRANT_ACTIONS.map((a) => a.name));
/** Constraints are allowed only on operations that take an encryption context, and on the management
 * ones every key allows (where AWS does not apply them). */
const CONTEXT_OPERATIONS = new Set(
  GRANT_ACTIONS.filter((a) => a.contextField || a.grant!.usages === 'any').map((a) => a.name),
);
/** The operations a grant on a key of this usage and spec may list: its cryptographic operations,
 * then the management ones every key allows (the console's CreateGrant form offers exactly these). */
export function grantOperations(keyUsage: string, keySpec: string): { crypto: string[]; management: string[] } {
  // An HMAC key counts as asymmetric here; its usage already rules out data keys and GetPublicKey.
  const kind = keySpec === 'SYMMETRIC_DEFAULT' ? 'symmetric' : 'asymmetric';
  const fits = (g: GrantFacts) =>
    g.usages !== 'any' && g.usages.includes(keyUsage as KeyUsage) && (g.keys ?? kind) === kind;
  const crypto = GRANT_ACTIONS.filter((a) => fits(a.grant!)).map((a) => a.name);
  return { crypto, management: GRANT_ACTIONS.filter((a) => a.grant!.usages === 'any').map((a) => a.name) };
}

function validOperations(key: KeyRecord): Set<string> {
  const { crypto, management } = grantOperations(key.keyUsage, key.keySpec);
  return new Set([...management, ...crypto]);
}

/** @throws ValidationException, NotFoundException, AccessDeniedException, KMSInvalidStateException,
 * LimitExceededException, DryRunOperationException (a dry run that would have succeeded) */
export async function createGrant(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const grantee = eitherPrincipal(req, 'GranteePrincipal', 'GranteeServicePrincipal', true);
  const retiring = eitherPrincipal(req, 'RetiringPrincipal', 'RetiringServicePrincipal', false);
  const operations = optStringList(req, 'Operations', 100, 64);
  if (!operations || operations.length === 0)
    throw new ValidationException(
      "1 validation error detected: Value at 'operations' failed to satisfy constraint: Member must not be null or empty",
    );
  for (const o of operations)
    if (!ALL_OPERATIONS.has(o)) throw new ValidationException(`'${o}' is not a grant operation.`);
  const constraints = readConstraints(req);
  const name = optString(req, 'Name', 1, 256);
  if (name !== undefined && !/^[a-zA-Z0-9:/_-]+$/.test(name))
    throw new ValidationException(`Name '${name}' must match [a-zA-Z0-9:/_-]+.`);
  optStringList(req, 'GrantTokens', 10);
  if (grantee.service !== undefined) {
    // AWS: a service principal grantee needs a SourceArn constraint and a retiring principal.
    if (constraints?.SourceArn === undefined)
      throw new ValidationException('A grant with GranteeServicePrincipal needs a SourceArn grant constraint.');
    if (retiring.principal === undefined && retiring.service === undefined)
      throw new ValidationException(
        'A grant with GranteeServicePrincipal needs a RetiringPrincipal or a RetiringServicePrincipal.',
      );
  }
  if (hasContextConstraint(constraints)) {
    const bad = operations.filter((o) => !CONTEXT_OPERATIONS.has(o));
    if (bad.length)
      throw new ValidationException(
        `Encryption context constraints apply only to operations that take an encryption context; remove ${bad.join(', ')} or the constraint.`,
      );
  }
  // A service grantee is also stored as granteePrincipal: AWS's GrantListEntry names it there too.
  const granteeName = (grantee.principal ?? grantee.service)!;
  const fresh = {
    keyId: '',
    granteePrincipal: granteeName,
    ...(grantee.service !== undefined ? { granteeServicePrincipal: grantee.service } : {}),
    operations: [...new Set(operations)],
    ...(retiring.principal !== undefined ? { retiringPrincipal: retiring.principal } : {}),
    ...(retiring.service !== undefined ? { retiringServicePrincipal: retiring.service } : {}),
    ...(constraints ? { constraints } : {}),
    ...(name ? { name } : {}),
  };
  const tokenNonce = c.env.random.bytes(16);
  const candidateId = newGrantId(c.env.random.bytes(32));
  const caller = c.caller === 'service' ? undefined : c.caller;
  return c.write(async (tx) => {
    const key = await c.resolve(tx, id, { aliases: false, action: false });
    if (caller) {
      const ev = await evaluateKeyAccess(
        c as OpContext & { caller: typeof caller },
        await c.identity(tx),
        tx,
        key,
        'kms:CreateGrant',
      );
      enforce(ev);
      const parent = ev.grants.find((g) => g.grant.grantId === ev.decision.grantId)?.grant;
      if (parent && !withinParent(parent, fresh)) {
        throw new AccessDeniedException(
          `User: ${caller.arn} is not authorized to perform: kms:CreateGrant on resource: ${key.arn}: the grant that allows it permits only grants with operations ${parent.operations.join(', ')}${parent.constraints ? ' and the same constraints' : ''}.`,
        );
      }
    }
    c.requireNotPendingDeletion(key);
    if (hasContextConstraint(constraints) && key.keySpec !== 'SYMMETRIC_DEFAULT')
      throw new ValidationException(
        `Encryption context constraints apply only to symmetric encryption keys; ${key.arn} is ${key.keySpec}.`,
      );
    const valid = validOperations(key);
    const invalid = fresh.operations.filter((o) => !valid.has(o));
    if (invalid.length)
      throw new ValidationException(
        `${invalid.join(', ')} ${invalid.length > 1 ? 'are' : 'is'} not valid for ${key.arn}, a ${key.keySpec} key with KeyUsage ${key.keyUsage}.`,
      );
    const existing = await tx.listGrants({ keyId: key.keyId });
    const candidate = { ...fresh, keyId: key.keyId };
    const same = name !== undefined ? existing.find((g) => g.name === name && sameGrant(g, candidate)) : undefined;
    if (same) return { GrantToken: grantToken(same.grantId, tokenNonce), GrantId: same.grantId };
    if (existing.length >= MAX_GRANTS_PER_KEY)
      throw new LimitExceededException(`${key.arn} already has ${MAX_GRANTS_PER_KEY} grants, the most a key can have.`);
    if (existing.filter((g) => g.granteePrincipal === granteeName).length >= MAX_GRANTS_PER_PRINCIPAL) {
      throw new LimitExceededException(
        `${granteeName} already has ${MAX_GRANTS_PER_PRINCIPAL} grants on ${key.arn}, the most one principal can have on a key.`,
      );
    }
    const grant: StoredGrant = {
      ...candidate,
      grantId: candidateId,
      createdAt: c.now,
      issuer: caller?.arn ?? rootArn(accountView(c.ks, keyAccount(c.ks, key))),
    };
    await tx.putGrant(grant);
    return { GrantToken: grantToken(grant.grantId, tokenNonce), GrantId: grant.grantId };
  });
}

/** AWS's GrantListEntry. */
export function grantEntry(c: OpContext, g: StoredGrant) {
  return {
    KeyId: c.arn(g.keyId),
    GrantId: g.grantId,
    ...(g.name ? { Name: g.name } : {}),
    CreationDate: new Date(g.createdAt),
    GranteePrincipal: g.granteePrincipal,
    ...(g.retiringPrincipal ? { RetiringPrincipal: g.retiringPrincipal } : {}),
    // The account of the grant's key, under which the grant exists.
    IssuingAccount: rootArn(accountView(c.ks, accountOfKeyArn(c.arn(g.keyId)) ?? c.ks.accountId)),
    Operations: g.operations,
    ...(g.constraints ? { Constraints: g.constraints } : {}),
    ...(g.granteeServicePrincipal ? { GranteeServicePrincipal: g.granteeServicePrincipal } : {}),
    ...(g.retiringServicePrincipal ? { RetiringServicePrincipal: g.retiringServicePrincipal } : {}),
  };
}

const grantOrder = (g: StoredGrant) => `${String(g.createdAt).padStart(15, '0')}|${g.grantId}`;

function grantPage(c: OpContext, grants: StoredGrant[], limit: number, after?: string) {
  const p = page(
    grants.sort((a, b) => (grantOrder(a) < grantOrder(b) ? -1 : 1)),
    grantOrder,
    limit,
    after,
  );
  return {
    Grants: p.items.map((g) => grantEntry(c, g)),
    ...(p.next ? { NextMarker: p.next } : {}),
    Truncated: p.next !== undefined,
  };
}

export async function listGrants(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const { limit, after } = readPaging(req, 100, 50);
  const grantId = optString(req, 'GrantId', 1, 128);
  if (grantId !== undefined) checkGrantId(grantId);
  const grantee = eitherPrincipal(req, 'GranteePrincipal', 'GranteeServicePrincipal', false);
  if (grantee.service !== undefined) serviceCallersOnly(c, 'GranteeServicePrincipal');
  const grants = await c.write(async (tx) => {
    const key = await c.resolve(tx, id, { aliases: false });
    return (await tx.listGrants({ keyId: key.keyId })).filter(
      (g) =>
        (grantId === undefined || g.grantId === grantId) &&
        (grantee.principal === undefined || (g.granteePrincipal === grantee.principal && !g.granteeServicePrincipal)) &&
        (grantee.service === undefined || g.granteeServicePrincipal === grantee.service),
    );
  });
  return grantPage(c, grants, limit, after);
}

/** AWS: the service principal filters of ListGrants and ListRetirableGrants are "only usable by
 * callers in a service principal". */
function serviceCallersOnly(c: OpContext, field: string): void {
  const who = c.caller === 'service' ? undefined : c.caller;
  if (who && who.type !== 'AWSService')
    throw new ValidationException(`${field} can be used only by AWS service principals; ${who.arn} is not one.`);
}

export async function listRetirableGrants(c: OpContext, req: Req) {
  const retiring = eitherPrincipal(req, 'RetiringPrincipal', 'RetiringServicePrincipal', false);
  if (retiring.principal === undefined && retiring.service === undefined)
    throw new ValidationException('Specify RetiringPrincipal or RetiringServicePrincipal.');
  if (retiring.service !== undefined) serviceCallersOnly(c, 'RetiringServicePrincipal');
  const { limit, after } = readPaging(req, 100, 50);
  const grants = await c.write(async (tx) => {
    let found: StoredGrant[];
    if (retiring.service !== undefined) {
      // A service principal lists the grants it may retire, and no other's: it has no IAM policies.
      if (c.caller !== 'service' && c.caller.arn !== retiring.service)
        throw new AccessDeniedException(
          `User: ${c.caller.arn} is not authorized to perform: kms:ListRetirableGrants on resource: * for ${retiring.service}`,
        );
      // Not indexed (service grants are rare): every key's grants are read.
      found = [];
      for (const k of await tx.allKeys())
        found.push(
          ...(await tx.listGrants({ keyId: k.keyId })).filter((g) => g.retiringServicePrincipal === retiring.service),
        );
    } else {
      await c.authorizeAccount(tx);
      found = await tx.listGrants({ retiringPrincipal: retiring.principal! });
    }
    // A retiring principal may be of another account than the grant's key: each entry names its key's own ARN.
    for (const g of found) {
      const k = await tx.getKey(g.keyId);
      if (k) c.noteKey(k);
      else c.keyIds.add(g.keyId);
    }
    return found;
  });
  return grantPage(c, grants, limit, after);
}

export async function retireGrant(c: OpContext, req: Req) {
  const token = optString(req, 'GrantToken', 1, 8192);
  const id = optString(req, 'KeyId');
  const grantIdParam = optString(req, 'GrantId', 1, 128);
  optStringList(req, 'GrantTokens', 10);
  let grantId: string;
  if (token !== undefined) grantId = parseGrantToken(token);
  else if (id !== undefined && grantIdParam !== undefined) {
    checkGrantId(grantIdParam);
    grantId = grantIdParam;
  } else throw new ValidationException('Specify GrantToken, or both KeyId and GrantId.');
  return c.write(async (tx) => {
    const grant = await tx.getGrant(grantId);
    const key = id !== undefined ? await c.resolve(tx, id, { aliases: false, action: false }) : undefined;
    if (!grant || (key && grant.keyId !== key.keyId))
      throw new NotFoundException(`Grant ID ${grantId} not found${key ? ` on ${key.arn}` : ''}.`);
    const owner = key ?? (await tx.getKey(grant.keyId));
    if (owner) c.noteKey(owner);
    else c.keyIds.add(grant.keyId);
    if (c.caller !== 'service') {
      // Retiring is decided by the grant, not by policies: its retiring principal (or retiring service
      // principal), its grantee when it lists RetireGrant, or the account (root) may retire it.
      const me = c.caller;
      const principal = (await c.identity(tx)).principal;
      const retirer =
        me.type === 'AWSService'
          ? grant.retiringServicePrincipal === me.arn
          : grant.retiringPrincipal !== undefined &&
            (grant.retiringPrincipal === me.arn || grant.retiringPrincipal === principal.roleArn);
      const ok =
        // The root of the key's account: another account's root retires only as retiring principal or grantee.
        (me.type === 'Root' && me.accountId === (owner ? keyAccount(c.ks, owner) : c.ks.accountId)) ||
        retirer ||
        (isGrantee(grant, principal) && grant.operations.includes('RetireGrant'));
      if (!ok)
        throw new AccessDeniedException(
          `User: ${me.arn} is not authorized to perform: kms:RetireGrant on resource: ${c.arn(grant.keyId)} because it is neither the grant's retiring principal nor a grantee allowed to retire it`,
        );
    }
    await tx.deleteGrant(grant.grantId);
    return {};
  });
}

export async function revokeGrant(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const grantId = reqString(req, 'GrantId', 1, 128);
  checkGrantId(grantId);
  return c.write(async (tx) => {
    const key = await c.resolve(tx, id, { aliases: false });
    const grant = await tx.getGrant(grantId);
    if (!grant || grant.keyId !== key.keyId)
      throw new NotFoundException(`Grant ID ${grantId} not found on ${key.arn}.`);
    await tx.deleteGrant(grantId);
    return {};
  });
}
