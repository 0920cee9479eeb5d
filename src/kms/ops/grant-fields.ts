// CreateGrant's request fields and the comparisons of grants (KMS API reference, CreateGrant and
// GrantConstraints): IAM principal ARNs, AWS service principals, constraints (encryption context,
// SourceArn), and whether two grants are the same or one is within another.

import { ValidationException } from '../errors';
import type { StoredGrant } from '../records';
import { optContext, optString, reqString, type Req } from '../validate';

export type Constraints = NonNullable<StoredGrant['constraints']>;

const PRINCIPAL =
  /^arn:aws:(iam::\d{12}:(root|user\/[\w+=,.@-]+|role\/[\w+=,.@-]+)|sts::\d{12}:assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+)$/;
/** An AWS service principal name (IAM User Guide, "AWS service principals"): `<service>.amazonaws.com`,
 * some with a Region (`logs.us-east-1.amazonaws.com`) or the China partition's `.amazonaws.com.cn`. */
const SERVICE_PRINCIPAL =
  /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.amazonaws\.com(?:\.cn)?$/;
/** An ARN (AWS General Reference, "Amazon Resource Names"): arn:partition:service:region:account:resource. */
const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$/;

export function principalField(req: Req, field: string, required: boolean): string | undefined {
  const v = required ? reqString(req, field, 1, 256) : optString(req, field, 1, 256);
  if (v !== undefined && !PRINCIPAL.test(v)) {
    throw new ValidationException(
      `${field} '${v}' is not a principal ARN: use arn:aws:iam::<account>:user/<name>, …:role/<name> or …:root.`,
    );
  }
  return v;
}

export function servicePrincipalField(req: Req, field: string): string | undefined {
  const v = optString(req, field, 1, 256);
  if (v !== undefined && !SERVICE_PRINCIPAL.test(v))
    throw new ValidationException(`${field} '${v}' is not an AWS service principal such as s3.amazonaws.com.`);
  return v;
}

/** Exactly one of an IAM principal field and its service principal twin, or at most one when optional. */
export function eitherPrincipal(
  req: Req,
  field: string,
  serviceField: string,
  required: boolean,
): { principal?: string; service?: string } {
  const service = servicePrincipalField(req, serviceField);
  const principal = principalField(req, field, required && service === undefined);
  if (principal !== undefined && service !== undefined)
    throw new ValidationException(`Specify ${field} or ${serviceField}, but not both.`);
  return { ...(principal !== undefined ? { principal } : {}), ...(service !== undefined ? { service } : {}) };
}

export function readConstraints(req: Req): Constraints | undefined {
  const c = req.Constraints;
  if (c === undefined || c === null) return undefined;
  if (typeof c !== 'object' || Array.isArray(c))
    throw new ValidationException(
      'Constraints must be an object with EncryptionContextSubset, EncryptionContextEquals or SourceArn.',
    );
  const r = c as Req;
  for (const k of Object.keys(r))
    if (k !== 'EncryptionContextSubset' && k !== 'EncryptionContextEquals' && k !== 'SourceArn')
      throw new ValidationException(`Constraints has an unknown member '${k}'.`);
  const subset = r.EncryptionContextSubset == null ? undefined : optContext(r, 'EncryptionContextSubset');
  const equals = r.EncryptionContextEquals == null ? undefined : optContext(r, 'EncryptionContextEquals');
  if (subset && equals)
    throw new ValidationException('A grant can have EncryptionContextSubset or EncryptionContextEquals, not both.');
  const sourceArn = optString(r, 'SourceArn', 1, 2048);
  if (sourceArn !== undefined && !ARN.test(sourceArn))
    throw new ValidationException(
      `SourceArn '${sourceArn}' is not an ARN (arn:aws:<service>:<region>:<account>:<resource>).`,
    );
  const out: Constraints = {
    ...(subset ? { EncryptionContextSubset: subset } : {}),
    ...(equals ? { EncryptionContextEquals: equals } : {}),
    ...(sourceArn !== undefined ? { SourceArn: sourceArn } : {}),
  };
  return Object.keys(out).length ? out : undefined;
}

export const hasContextConstraint = (c?: Constraints) =>
  c?.EncryptionContextEquals !== undefined || c?.EncryptionContextSubset !== undefined;

const sameMap = (a?: Record<string, string>, b?: Record<string, string>) =>
  JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b ?? {}).sort());

type Comparable = Pick<
  StoredGrant,
  | 'granteePrincipal'
  | 'granteeServicePrincipal'
  | 'retiringPrincipal'
  | 'retiringServicePrincipal'
  | 'operations'
  | 'constraints'
>;

/** A retried CreateGrant with the same Name: every parameter equal. */
export function sameGrant(g: Comparable, n: Comparable): boolean {
  return (
    g.granteePrincipal === n.granteePrincipal &&
    g.granteeServicePrincipal === n.granteeServicePrincipal &&
    g.retiringPrincipal === n.retiringPrincipal &&
    g.retiringServicePrincipal === n.retiringServicePrincipal &&
    [...g.operations].sort().join() === [...n.operations].sort().join() &&
    g.constraints?.SourceArn === n.constraints?.SourceArn &&
    sameMap(g.constraints?.EncryptionContextEquals, n.constraints?.EncryptionContextEquals) &&
    sameMap(g.constraints?.EncryptionContextSubset, n.constraints?.EncryptionContextSubset)
  );
}

/** A grantee allowed to CreateGrant only by a grant may pass on no more than that grant gives: its
 * operations, and its constraints (the same SourceArn, the same encryption context constraint). */
export function withinParent(parent: StoredGrant, n: Pick<StoredGrant, 'operations' | 'constraints'>): boolean {
  if (!n.operations.every((o) => parent.operations.includes(o))) return false;
  const p = parent.constraints;
  if (!p) return true;
  if (p.SourceArn !== undefined && n.constraints?.SourceArn !== p.SourceArn) return false;
  if (!hasContextConstraint(p)) return true;
  return (
    sameMap(p.EncryptionContextEquals, n.constraints?.EncryptionContextEquals) &&
    sameMap(p.EncryptionContextSubset, n.constraints?.EncryptionContextSubset)
  );
}
