// CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant (AWS KMS Developer Guide,
// "Grants in AWS KMS"). A grant takes effect at once here, so its token is usable in GrantTokens
// immediately; tokens are still checked (grant-ids.ts).

import { evaluateKeyAccess, enforce } from '../authz';
import { type OpContext } from '../context';
import { page, readPaging } from './paging';
import {
  AccessDeniedException,
  LimitExceededException,
  NotFoundException,
  UnsupportedOperationException,
  ValidationException,
} from '../errors';
import { checkGrantId, grantToken, newGrantId, parseGrantToken } from '../authz';
import { rootArn } from '../ids';
import { OPERATIONS, type GrantFacts, type KeyUsage } from '../operations';
import type { KeyRecord, StoredGrant } from '../records';
import { optBool, optContext, optString, optStringList, reqString, type Req } from '../validate';

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
const PRINCIPAL =
  /^arn:aws:(iam::\d{12}:(root|user\/[\w+=,.@-]+|role\/[\w+=,.@-]+)|sts::\d{12}:assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+)$/;

/** AWS's grants may name an AWS service principal instead of an IAM one; Pocket KMS models no AWS
 * service, so such a grant or filter is refused rather than silently made or ignored. */
function refuseServicePrincipals(req: Req, fields: readonly string[]): void {
  for (const f of fields)
    if (req[f] !== undefined && req[f] !== null)
      throw new UnsupportedOperationException(
        `${f} is not supported by Pocket KMS: it models no AWS service principals.`,
      );
}

function principalField(req: Req, field: string, required: boolean): string | undefined {
  const v = required ? reqString(req, field, 1, 256) : optString(req, field, 1, 256);
  if (v !== undefined && !PRINCIPAL.test(v)) {
    throw new ValidationException(
      `${field} '${v}' is not a principal ARN: use arn:aws:iam::<account>:user/<name>, …:role/<name> or …:root.`,
    );
  }
  return v;
}

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

function readConstraints(req: Req): StoredGrant['constraints'] | undefined {
  const c = req.Constraints;
  if (c === undefined || c === null) return undefined;
  if (typeof c !== 'object' || Array.isArray(c))
    throw new ValidationException(
      'Constraints must be an object with EncryptionContextSubset or EncryptionContextEquals.',
    );
  const r = c as Req;
  // A member of GrantConstraints, but it constrains AWS service principals, which Pocket KMS has none of.
  if (r.SourceArn != null) throw new UnsupportedOperationException('SourceArn grant constraints are not supported.');
  for (const k of Object.keys(r))
    if (k !== 'EncryptionContextSubset' && k !== 'EncryptionContextEquals')
      throw new ValidationException(`Constraints has an unknown member '${k}'.`);
  const subset = r.EncryptionContextSubset === undefined ? undefined : optContext(r, 'EncryptionContextSubset');
  const equals = r.EncryptionContextEquals === undefined ? undefined : optContext(r, 'EncryptionContextEquals');
  if (subset && equals)
    throw new ValidationException('A grant can have EncryptionContextSubset or EncryptionContextEquals, not both.');
  if (!subset && !equals) return undefined;
  return subset ? { EncryptionContextSubset: subset } : { EncryptionContextEquals: equals! };
}

const sameMap = (a?: Record<string, string>, b?: Record<string, string>) =>
  JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b ?? {}).sort());

function sameGrant(g: StoredGrant, n: Omit<StoredGrant, 'grantId' | 'createdAt' | 'issuer'>): boolean {
  return (
    g.granteePrincipal === n.granteePrincipal &&
    g.retiringPrincipal === n.retiringPrincipal &&
    [...g.operations].sort().join() === [...n.operations].sort().join() &&
    sameMap(g.constraints?.EncryptionContextEquals, n.constraints?.EncryptionContextEquals) &&
    sameMap(g.constraints?.EncryptionContextSubset, n.constraints?.EncryptionContextSubset)
  );
}

/** A grantee allowed to CreateGrant only by a grant may pass on no more than that grant gives. */
function withinParent(parent: StoredGrant, n: Pick<StoredGrant, 'operations' | 'constraints'>): boolean {
  if (!n.operations.every((o) => parent.operations.includes(o))) return false;
  const p = parent.constraints;
  if (!p) return true;
  return (
    sameMap(p.EncryptionContextEquals, n.constraints?.EncryptionContextEquals) &&
    sameMap(p.EncryptionContextSubset, n.constraints?.EncryptionContextSubset)
  );
}

function refuseDryRun(req: Req): void {
  if (optBool(req, 'DryRun')) throw new UnsupportedOperationException('DryRun is not supported by Pocket KMS yet.');
}

export async function createGrant(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  refuseServicePrincipals(req, ['GranteeServicePrincipal', 'RetiringServicePrincipal']);
  const grantee = principalField(req, 'GranteePrincipal', true)!;
  const retiring = principalField(req, 'RetiringPrincipal', false);
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
  refuseDryRun(req);
  if (constraints) {
    const bad = operations.filter((o) => !CONTEXT_OPERATIONS.has(o));
    if (bad.length)
      throw new ValidationException(
        `Encryption context constraints apply only to operations that take an encryption context; remove ${bad.join(', ')} or the constraint.`,
      );
  }
  const fresh = {
    keyId: '',
    granteePrincipal: grantee,
    operations: [...new Set(operations)],
    ...(retiring ? { retiringPrincipal: retiring } : {}),
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
    if (constraints && key.keySpec !== 'SYMMETRIC_DEFAULT')
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
    if (existing.filter((g) => g.granteePrincipal === grantee).length >= MAX_GRANTS_PER_PRINCIPAL) {
      throw new LimitExceededException(
        `${grantee} already has ${MAX_GRANTS_PER_PRINCIPAL} grants on ${key.arn}, the most one principal can have on a key.`,
      );
    }
    const grant: StoredGrant = {
      ...candidate,
      grantId: candidateId,
      createdAt: c.now,
      issuer: caller?.arn ?? rootArn(c.ks),
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
    IssuingAccount: rootArn(c.ks),
    Operations: g.operations,
    ...(g.constraints ? { Constraints: g.constraints } : {}),
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
  refuseServicePrincipals(req, ['GranteeServicePrincipal']);
  const grantee = principalField(req, 'GranteePrincipal', false);
  const grants = await c.write(async (tx) => {
    const key = await c.resolve(tx, id, { aliases: false });
    return (await tx.listGrants({ keyId: key.keyId })).filter(
      (g) =>
        (grantId === undefined || g.grantId === grantId) && (grantee === undefined || g.granteePrincipal === grantee),
    );
  });
  return grantPage(c, grants, limit, after);
}

export async function listRetirableGrants(c: OpContext, req: Req) {
  const retiring = principalField(req, 'RetiringPrincipal', true)!;
  const { limit, after } = readPaging(req, 100, 50);
  const grants = await c.write(async (tx) => {
    await c.authorizeAccount(tx);
    for (const g of await tx.listGrants({ retiringPrincipal: retiring })) c.keyIds.add(g.keyId);
    return tx.listGrants({ retiringPrincipal: retiring });
  });
  return grantPage(c, grants, limit, after);
}

export async function retireGrant(c: OpContext, req: Req) {
  const token = optString(req, 'GrantToken', 1, 8192);
  const id = optString(req, 'KeyId');
  const grantIdParam = optString(req, 'GrantId', 1, 128);
  optStringList(req, 'GrantTokens', 10);
  refuseDryRun(req);
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
    c.keyIds.add(grant.keyId);
    if (c.caller !== 'service') {
      // Retiring is decided by the grant, not by policies: its retiring principal, its grantee when it
      // lists RetireGrant, or the account (root) may retire it.
      const me = c.caller;
      const names = new Set([
        me.arn,
        ...(me.type === 'AssumedRole' ? [(await c.identity(tx)).principal.roleArn!] : []),
      ]);
      const ok =
        me.type === 'Root' ||
        (grant.retiringPrincipal !== undefined && names.has(grant.retiringPrincipal)) ||
        (names.has(grant.granteePrincipal) && grant.operations.includes('RetireGrant'));
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
  refuseDryRun(req);
  return c.write(async (tx) => {
    const key = await c.resolve(tx, id, { aliases: false });
    const grant = await tx.getGrant(grantId);
    if (!grant || grant.keyId !== key.keyId)
      throw new NotFoundException(`Grant ID ${grantId} not found on ${key.arn}.`);
    await tx.deleteGrant(grantId);
    return {};
  });
}
