// IAM's rules for what a call gives it: names, tags, a role's settings and its trust policy, checked
// as IAM checks them (IAM API Reference: CreateUser, CreateRole, TagUser), with IAM's exception names.
import { parsedPolicy } from '../authz';
import { LimitExceededException, ValidationException } from '../errors';
import type { PrincipalRecord, Tag } from '../records';

export const NAME = /^[\w+=,.@-]{1,64}$/;
export const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
export function tagsFrom(tags: Tag[] | undefined): Tag[] {
  const list = tags ?? [];
  if (list.length > 50) throw new LimitExceededException('A principal can have at most 50 tags.');
  for (const t of list) {
    if (typeof t?.TagKey !== 'string' || !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(t.TagKey))
      throw new ValidationException(
        `Tag key '${String(t?.TagKey)}' must be 1–128 letters, digits, spaces or _.:/=+-@.`,
      );
    if (typeof t.TagValue !== 'string' || t.TagValue.length > 256)
      throw new ValidationException(`The value of tag '${t.TagKey}' must be a string of at most 256 characters.`);
  }
  if (new Set(list.map((t) => t.TagKey.toLowerCase())).size !== list.length)
    throw new ValidationException('Tag keys must be unique (IAM compares them without case).');
  return list.map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue }));
}

/** What CreateRole sets besides the name and tags (IAM's members, checked as IAM checks them). */
export interface RoleSettings {
  AssumeRolePolicyDocument?: string;
  Description?: string;
  MaxSessionDuration?: number;
}

/** IAM: a role's maximum session is 1 to 12 hours (default 1). */
const SESSION_SECONDS = { min: 3600, max: 43_200 };

export function roleSettings(
  r: RoleSettings,
): Pick<PrincipalRecord, 'assumeRolePolicy' | 'description' | 'maxSessionDuration'> {
  const out: Pick<PrincipalRecord, 'assumeRolePolicy' | 'description' | 'maxSessionDuration'> = {};
  if (r.AssumeRolePolicyDocument !== undefined) out.assumeRolePolicy = trustPolicy(r.AssumeRolePolicyDocument);
  if (r.Description !== undefined) {
    if (typeof r.Description !== 'string' || r.Description.length > 1000)
      throw new ValidationException('Description must be a string of at most 1000 characters.');
    out.description = r.Description;
  }
  if (r.MaxSessionDuration !== undefined) {
    const d = r.MaxSessionDuration;
    if (!Number.isInteger(d) || d < SESSION_SECONDS.min || d > SESSION_SECONDS.max)
      throw new ValidationException(
        `The requested MaxSessionDuration ${d} is not within the range ${SESSION_SECONDS.min} to ${SESSION_SECONDS.max} seconds.`,
      );
    out.maxSessionDuration = d;
  }
  return out;
}

/** A trust policy, validated (a Principal in every statement, no Resource).
 * @throws MalformedPolicyDocumentException */
export function trustPolicy(document: unknown): string {
  if (typeof document !== 'string') throw new ValidationException('AssumeRolePolicyDocument must be a JSON string.');
  parsedPolicy(document, 'trust');
  return document;
}
