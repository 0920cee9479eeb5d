// How grants are shown: principals in short form and constraints in words. (Which operations a key
// accepts comes from the core, through the worker API's grantOperations.)
import type { KmsResponses } from '../../worker/api';

export type GrantEntry = KmsResponses['ListGrants']['Grants'][number];

/** "arn:aws:iam::111122223333:role/App" → "role/App"; the root → "root". */
export function shortPrincipal(arn: string): string {
  const m = /^arn:aws:(?:iam|sts)::\d{12}:(.+)$/.exec(arn);
  return m ? m[1]! : arn;
}

/** Context pairs as `TenantId=acme, stage=prod`. */
export function pairs(map: Record<string, string> | undefined): string {
  return Object.entries(map ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** A grant's constraint in words, or undefined for none. */
export function constraintText(c: GrantEntry['Constraints'] | undefined): string | undefined {
  if (c?.EncryptionContextEquals) return `Context equals ${pairs(c.EncryptionContextEquals)}`;
  if (c?.EncryptionContextSubset) return `Context includes ${pairs(c.EncryptionContextSubset)}`;
  return undefined;
}
