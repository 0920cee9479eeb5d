// Enforces AWS KMS's authorization on every call (docs/AUTHORIZATION.md). Inside the call's own
// transaction it loads the caller's identity policies, builds the request's condition keys, and
// decides with authz/decide.ts; grants are read only when the policies alone do not allow.

import { roleOfSession, type AnyCaller } from '../ids';
import { decide, type Decision, type IdentityPolicy } from './decide';
import { evaluatePolicy, type AuthzRequest, type RequestPrincipal, type StatementResult } from './evaluate';
import { grantAllows } from './grants';
import { parsePolicy, type Policy, type PolicyKind } from './policy-document';
import { requestContext, type CallerFacts } from './request-context';
import { AccessDeniedException, MalformedPolicyDocumentException } from '../errors';
import { organizationId } from '../accounts';
import { aliasOf, keyAccount } from '../account-keys';
import { attachedDocuments } from '../managed-policies';
import { actionOf } from '../operations';
import type { Keystore } from '../ids';
import type { Tx } from '../ports';
import type { KeyRecord, StoredGrant } from '../records';

/** What authorization needs of a call (OpContext provides it). */
export interface AuthzCall {
  readonly op: string;
  readonly request: unknown;
  readonly now: number;
  readonly ks: Keystore;
  readonly caller: AnyCaller;
}

export interface Identity {
  principal: RequestPrincipal;
  facts: CallerFacts;
  policies: IdentityPolicy[];
  root: boolean;
  /** The inline policy of an STS session: what the session may do is also bounded by it. */
  sessionPolicy?: Policy;
}

export interface GrantExplanation {
  grant: StoredGrant;
  allows: boolean;
}

export interface Evaluation {
  decision: Decision;
  /** The key's grants, when they were consulted. */
  grants: GrantExplanation[];
  context: Record<string, string | string[]>;
}

const parsed = new Map<string, Policy>();
/** Whether a policy's text names kms:ResourceAliases (reading a key's aliases costs a request). */
const readsAliases = new WeakMap<Policy, boolean>();

/** Policies are parsed once per text (a call evaluates the same few documents again and again). */
export function parsedPolicy(text: string, kind: PolicyKind): Policy {
  const k = `${kind}\u0000${text}`;
  let p = parsed.get(k);
  if (!p) {
    p = parsePolicy(text, kind);
    readsAliases.set(p, /resourcealiases/i.test(text));
    if (parsed.size >= 256) parsed.delete(parsed.keys().next().value!);
    parsed.set(k, p);
  }
  return p;
}

/** A stored key policy that no longer parses (written before policies were fully validated) fails
 * closed: only the account root may read or replace it. */
function keyPolicyOf(key: KeyRecord, ks: Keystore): Policy {
  const account = keyAccount(ks, key);
  try {
    return parsedPolicy(key.policy, 'key');
  } catch (e) {
    if (!(e instanceof MalformedPolicyDocumentException)) throw e;
    return parsedPolicy(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${account}:root` },
            Action: ['kms:PutKeyPolicy', 'kms:GetKeyPolicy', 'kms:DescribeKey'],
            Resource: '*',
            // The account principal would also delegate to IAM: this one is for the root user alone.
            Condition: { StringEquals: { 'aws:PrincipalType': 'Root' } },
          },
        ],
      }),
      'key',
    );
  }
}

/** The caller's identity: who it is for Principal elements and condition keys, and its policies.
 * @throws AccessDeniedException when the user or role no longer exists. */
export async function loadIdentity(tx: Tx, caller: AnyCaller): Promise<Identity> {
  if (caller.type === 'AWSService') {
    // No IAM identity and no identity policies: Service principals in key policies, and grants, decide.
    const facts: CallerFacts = { arn: caller.arn, accountId: caller.accountId, type: 'AWSService', userId: caller.arn };
    if (caller.sourceArn !== undefined) facts.sourceArn = caller.sourceArn;
    return {
      principal: { arn: caller.arn, accountId: caller.accountId, service: true },
      facts,
      policies: [],
      root: false,
    };
  }
  if (caller.type === 'Root') {
    return {
      principal: { arn: caller.arn, accountId: caller.accountId },
      facts: {
        arn: caller.arn,
        accountId: caller.accountId,
        type: 'Root',
        userId: caller.accountId,
        ...viaFacts(caller),
        ...issueFacts(caller),
      },
      policies: [],
      root: true,
      ...sessionOf(caller),
    };
  }
  const role = caller.type === 'AssumedRole' ? roleOfSession(caller.arn) : undefined;
  if (caller.type === 'AssumedRole' && !role)
    throw new AccessDeniedException(`${caller.arn} is not a role session ARN.`);
  const roleArn = role?.roleArn;
  const rec = await tx.getPrincipal(roleArn ?? caller.arn);
  if (!rec)
    throw new AccessDeniedException(
      `User: ${caller.arn} is not authorized to perform this call: the ${roleArn ? 'role' : 'user'} no longer exists in this keystore.`,
    );
  const facts: CallerFacts = {
    // aws:PrincipalArn of a role session is the role's ARN, as in AWS.
    arn: roleArn ?? caller.arn,
    accountId: caller.accountId,
    type: caller.type,
    userId: caller.principalId,
    // A session's tags override the role's (or user's) tags of the same key, as AWS's session tags do.
    tags: {
      ...Object.fromEntries(rec.tags.map((t) => [t.TagKey, t.TagValue])),
      ...caller.session?.tags,
    },
    ...viaFacts(caller),
    ...issueFacts(caller),
  };
  if (caller.type === 'IAMUser') facts.userName = rec.name;
  // Attached managed policies count exactly as inline ones (their default version), named by ARN.
  const attached = await attachedDocuments(tx, rec.attached);
  return {
    principal: { arn: caller.arn, accountId: caller.accountId, ...(roleArn ? { roleArn } : {}) },
    facts,
    policies: [
      ...Object.entries(rec.policies).map(([name, text]) => ({ name, policy: parsedPolicy(text, 'identity') })),
      ...attached.map((a) => ({ name: a.arn, policy: parsedPolicy(a.document, 'identity') })),
    ],
    root: false,
    ...sessionOf(caller),
  };
}

const sessionOf = (caller: AnyCaller): Pick<Identity, 'sessionPolicy'> =>
  caller.type !== 'AWSService' && caller.session?.policy !== undefined
    ? { sessionPolicy: parsedPolicy(caller.session.policy, 'identity') }
    : {};

/**
 * A session policy bounds what an allowed call may do (IAM User Guide, "Session policies"): an explicit
 * deny in it denies, and it must allow the action too. Decisions that already deny stay as they are.
 */
function withinSession(decision: Decision, identity: Identity, req: AuthzRequest): Decision {
  if (!identity.sessionPolicy || !decision.allowed) return decision;
  const statements = evaluatePolicy(identity.sessionPolicy, req, 'identity');
  const who = `User: ${req.principal.arn} is not authorized to perform: ${req.action} on resource: ${req.resource}`;
  if (statements.some((s) => s.applies && s.effect === 'Deny'))
    return {
      ...decision,
      allowed: false,
      reason: 'ExplicitDenyInSessionPolicy',
      message: `${who} with an explicit deny in a session policy`,
    };
  if (!statements.some((s) => s.applies && s.effect === 'Allow'))
    return {
      ...decision,
      allowed: false,
      reason: 'NoSessionPolicyAllow',
      message: `${who} because no session policy allows the ${req.action} action`,
    };
  return decision;
}

const str = (v: string | string[] | undefined) => (typeof v === 'string' ? v : undefined);
/** kms:ViaService of a call an AWS service makes on the caller's behalf (S3's SSE-KMS calls). */
const viaFacts = (caller: AnyCaller): Pick<CallerFacts, 'viaService'> =>
  caller.invokedBy ? { viaService: caller.invokedBy.viaService } : {};

/** aws:PrincipalOrgID: every account of the keystore is in its one organization (accounts.ts). */
export function withOrganization(context: Record<string, string | string[]>, identity: Identity, ks: Keystore): void {
  if (!identity.principal.service) context['aws:PrincipalOrgID'] = organizationId(ks);
}

/** aws:TokenIssueTime of temporary credentials (what the console's "revoke active sessions" policy tests). */
const issueFacts = (caller: AnyCaller): Pick<CallerFacts, 'tokenIssueTime'> =>
  caller.type !== 'AWSService' && caller.session ? { tokenIssueTime: caller.session.createdAt } : {};

/** The grant operation an action stands for (`kms:ReEncryptFrom` → `ReEncryptFrom`). */
const grantOperation = (action: string) => action.slice(action.indexOf(':') + 1);

/** The encryption context grant constraints check: the one of the action's side (catalogue). */
function contextOf(
  request: Record<string, unknown>,
  op: string,
  side?: 'source' | 'destination',
): Record<string, string> | undefined {
  const field = actionOf(op, side)?.contextField;
  const v = field ? request[field] : undefined;
  return v && typeof v === 'object' ? (v as Record<string, string>) : undefined;
}

/** Evaluates a call on a key without throwing: the decision, the grants consulted and the request's condition keys. */
export async function evaluateKeyAccess(
  call: AuthzCall,
  identity: Identity,
  tx: Tx,
  key: KeyRecord,
  action: string,
  side?: 'source' | 'destination',
): Promise<Evaluation> {
  const request = (call.request && typeof call.request === 'object' ? call.request : {}) as Record<string, unknown>;
  const keyPolicy = keyPolicyOf(key, call.ks);
  // kms:ResourceAliases costs a read; only policies that mention it need it.
  const aliases = [keyPolicy, ...identity.policies.map((p) => p.policy)].some((p) => readsAliases.get(p))
    ? (await tx.listAliases(key.keyId)).map((a) => aliasOf(call.ks, a).name)
    : [];
  const context = requestContext(
    call.op,
    request,
    identity.facts,
    { arn: key.arn, keySpec: key.keySpec, keyUsage: key.keyUsage, origin: key.origin, tags: key.tags, aliases },
    call.now,
    side,
  );
  withOrganization(context, identity, call.ks);
  const authzRequest = { principal: identity.principal, action, resource: key.arn, context };
  // The key's account: a caller of another account of the keystore needs its own account to allow too.
  const across = { resourceAccount: keyAccount(call.ks, key), callerIsRoot: identity.root };
  let decision = decide({ request: authzRequest, keyPolicy, identityPolicies: identity.policies, ...across });
  let grants: GrantExplanation[] = [];
  if (!decision.allowed && !decision.reason.startsWith('ExplicitDeny')) {
    const ec = contextOf(request, call.op, side);
    grants = (await tx.listGrants({ keyId: key.keyId })).map((g) => ({
      grant: g,
      allows: grantAllows(g, grantOperation(action), identity.principal, ec, str(context['aws:SourceArn'])),
    }));
    if (grants.length)
      decision = decide({
        request: authzRequest,
        keyPolicy,
        identityPolicies: identity.policies,
        grants: grants.map((g) => ({ grantId: g.grant.grantId, allows: g.allows })),
        ...across,
      });
  }
  return { decision: withinSession(decision, identity, authzRequest), grants, context };
}

/** Evaluates an account-level call (no key: CreateKey, ListKeys, ListAliases, GenerateRandom,
 * ListRetirableGrants), or with `resource` an action on another service's resource (S3's, ADR 0011):
 * IAM policies alone decide, and the account root is always allowed. */
export function evaluateAccountAccess(call: AuthzCall, identity: Identity, action: string, resource = '*'): Evaluation {
  const request = (call.request && typeof call.request === 'object' ? call.request : {}) as Record<string, unknown>;
  const context = requestContext(call.op, request, identity.facts, undefined, call.now);
  withOrganization(context, identity, call.ks);
  const authzRequest = { principal: identity.principal, action, resource, context };
  const identityPolicies = identity.policies.map((p) => ({
    name: p.name,
    statements: evaluatePolicy(p.policy, authzRequest, 'identity'),
  }));
  const who = `User: ${identity.principal.arn} is not authorized to perform: ${action} on resource: ${resource}`;
  const base = { keyPolicy: [] as StatementResult[], identityPolicies };
  const hit = (effect: 'Allow' | 'Deny') =>
    identityPolicies.some((p) => p.statements.some((s) => s.applies && s.effect === effect));
  let decision: Decision;
  if (hit('Deny'))
    decision = {
      ...base,
      allowed: false,
      reason: 'ExplicitDenyInIdentityPolicy',
      message: `${who} with an explicit deny in an identity-based policy`,
    };
  else if (identity.root) decision = { ...base, allowed: true, reason: 'AllowedAsAccountRoot' };
  else if (hit('Allow')) decision = { ...base, allowed: true, reason: 'AllowedByIdentityPolicy' };
  else
    decision = {
      ...base,
      allowed: false,
      reason: 'NoIdentityPolicyAllow',
      message: `${who} because no identity-based policy allows the ${action} action`,
    };
  return { decision: withinSession(decision, identity, authzRequest), grants: [], context };
}

/** @throws AccessDeniedException with AWS's message when the evaluation denies. */
export function enforce(e: Evaluation): void {
  if (!e.decision.allowed) throw new AccessDeniedException(e.decision.message!);
}
