// IAM managed policies as the keystore keeps them (IAM User Guide, "Managed policies and inline policies"):
// customer managed policies with up to five versions, one of them the default, stored in one `meta` record
// (so backups carry them without a new object store), and the AWS managed policies a lab needs
// (aws-managed-policies.ts). Authorization reads the default version of each policy attached to a principal.

import { AWS_MANAGED } from './aws-managed-policies';
import type { Tx } from './ports';
import type { Tag } from './records';

export { AWS_MANAGED };

export interface PolicyVersionRecord {
  /** v1, v2, … (IAM never reuses a number). */
  versionId: string;
  /** The JSON text as given. */
  document: string;
  createdAt: number;
}

export interface ManagedPolicyRecord {
  arn: string;
  name: string;
  /** ANPA… */
  id: string;
  description?: string;
  createdAt: number;
  updatedAt: number;
  defaultVersionId: string;
  /** Oldest first; at most 5. */
  versions: PolicyVersionRecord[];
  /** The number the next version gets. */
  nextVersion: number;
  tags: Tag[];
  /** AWS managed (arn:aws:iam::aws:policy/…): read-only, in every account. */
  awsManaged?: boolean;
}

/** The meta record holding the customer managed policies, by ARN. */
export const MANAGED_POLICIES_META = 'iam.managedPolicies';

export type ManagedPolicyMap = Record<string, ManagedPolicyRecord>;

/** The customer managed policies of the keystore, by ARN. */
export async function customerPolicies(tx: Tx): Promise<ManagedPolicyMap> {
  return (await tx.getMeta<ManagedPolicyMap>(MANAGED_POLICIES_META)) ?? {};
}

export async function putCustomerPolicies(tx: Tx, map: ManagedPolicyMap): Promise<void> {
  await tx.putMeta(MANAGED_POLICIES_META, map);
}

/** A policy by ARN: AWS managed, or one of the keystore's own. */
export async function managedPolicy(tx: Tx, arn: string): Promise<ManagedPolicyRecord | undefined> {
  if (Object.hasOwn(AWS_MANAGED, arn)) return AWS_MANAGED[arn];
  const mine = await customerPolicies(tx);
  return Object.hasOwn(mine, arn) ? mine[arn] : undefined;
}

/** The default version's document of each attached policy (a policy that no longer exists is skipped). */
export async function attachedDocuments(
  tx: Tx,
  arns: readonly string[] | undefined,
): Promise<{ arn: string; name: string; document: string }[]> {
  if (!arns?.length) return [];
  const mine = arns.some((a) => !Object.hasOwn(AWS_MANAGED, a)) ? await customerPolicies(tx) : {};
  const out: { arn: string; name: string; document: string }[] = [];
  for (const arn of arns) {
    const p = Object.hasOwn(AWS_MANAGED, arn) ? AWS_MANAGED[arn] : Object.hasOwn(mine, arn) ? mine[arn] : undefined;
    const v = p?.versions.find((x) => x.versionId === p.defaultVersionId);
    if (p && v) out.push({ arn, name: p.name, document: v.document });
  }
  return out;
}
