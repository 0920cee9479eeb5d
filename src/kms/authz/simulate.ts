// The policy simulator (console): the decision a real call would get, with every statement of every
// policy and every grant explained, without making the call. It runs the enforcing code path
// (authorize.ts) on a request built from the simulator's inputs, so the two cannot disagree.

import type { Caller } from '../ids';
import { evaluateAccountAccess, evaluateKeyAccess, loadIdentity, type Evaluation } from './authorize';
import type { Decision } from './decide';
import type { KmsEnv } from '../context';
import { OpContext } from '../context';
import { ValidationException } from '../errors';
import { findAction } from '../operations';
import type { StoredGrant } from '../records';

export interface SimulationRequest {
  /** `kms:Decrypt`, or the operation name alone. ReEncryptFrom / ReEncryptTo name the two sides of ReEncrypt. */
  action: string;
  /** Required unless the action is account-level. */
  keyId?: string;
  encryptionContext?: Record<string, string>;
  /** Other request members that condition keys read (e.g. SigningAlgorithm, GranteePrincipal). */
  request?: Record<string, unknown>;
}

export interface SimulationResult {
  allowed: boolean;
  reason: Decision['reason'];
  /** AWS's AccessDeniedException message when denied. */
  message?: string;
  action: string;
  resource: string;
  callerArn: string;
  keyPolicy: Decision['keyPolicy'];
  identityPolicies: Decision['identityPolicies'];
  grants: { grant: StoredGrant; allows: boolean }[];
  grantId?: string;
  /** The request's condition keys, as policies saw them. */
  context: Record<string, string | string[]>;
  /** A caller of another account: what the key's side (key policy) and the caller's side (its identity
   * policies) each said; both must allow. */
  crossAccount?: Decision['crossAccount'];
}

export async function simulate(env: KmsEnv, caller: Caller, s: SimulationRequest): Promise<SimulationResult> {
  if (typeof s?.action !== 'string' || !/^(kms:)?[A-Za-z]+$/.test(s.action))
    throw new ValidationException('Choose an action such as kms:Decrypt.');
  const action = s.action.startsWith('kms:') ? s.action : `kms:${s.action}`;
  const name = action.slice(4);
  // The catalogue knows which operation an action belongs to (ReEncryptFrom → ReEncrypt) and where its context goes.
  const found = findAction(name);
  const side = found?.action.side;
  const op = found?.operation.name ?? name;
  const ecField = found?.action.contextField ?? 'EncryptionContext';
  const request: Record<string, unknown> = {
    ...(s.request ?? {}),
    ...(s.keyId ? { KeyId: s.keyId } : {}),
    ...(s.encryptionContext ? { [ecField]: s.encryptionContext } : {}),
  };
  const c = new OpContext(env, caller, op, request);
  const call = { op, request, now: c.now, ks: env.keystore, caller };
  const evaluation: Evaluation & { resource: string } = await env.store.read(async (tx) => {
    const identity = await loadIdentity(tx, caller);
    if (found?.operation.scope === 'account')
      return { ...evaluateAccountAccess(call, identity, action), resource: '*' };
    if (!s.keyId) throw new ValidationException(`${action} acts on a key: choose one.`);
    const key = await c.resolve(tx, s.keyId, { action: false });
    return { ...(await evaluateKeyAccess(call, identity, tx, key, action, side)), resource: key.arn };
  });
  const d = evaluation.decision;
  return {
    allowed: d.allowed,
    reason: d.reason,
    ...(d.message ? { message: d.message } : {}),
    action,
    resource: evaluation.resource,
    callerArn: caller.arn,
    keyPolicy: d.keyPolicy,
    identityPolicies: d.identityPolicies,
    grants: evaluation.grants,
    ...(d.grantId ? { grantId: d.grantId } : {}),
    context: evaluation.context,
    ...(d.crossAccount ? { crossAccount: d.crossAccount } : {}),
  };
}
