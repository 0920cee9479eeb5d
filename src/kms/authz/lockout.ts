// The policy lockout safety check (AWS KMS API Reference, PutKeyPolicy / CreateKey,
// BypassPolicyLockoutSafetyCheck): a new key policy must still let the caller call PutKeyPolicy,
// unless the caller bypasses the check.

import { MalformedPolicyDocumentException } from '../errors';
import { decide, type IdentityPolicy } from './decide';
import type { RequestPrincipal } from './evaluate';
import type { Policy } from './policy-document';

/**
 * @throws MalformedPolicyDocumentException (AWS's error and wording) when the new policy would lock the caller out.
 */
export function checkLockout(
  newPolicy: Policy,
  caller: RequestPrincipal,
  keyArn: string,
  identityPolicies: IdentityPolicy[],
  context: Record<string, string | string[]>,
): void {
  const d = decide({
    request: { principal: caller, action: 'kms:PutKeyPolicy', resource: keyArn, context },
    keyPolicy: newPolicy,
    identityPolicies,
  });
  if (!d.allowed) {
    throw new MalformedPolicyDocumentException(
      'The new key policy will not allow you to update the key policy in the future. Give the caller kms:PutKeyPolicy in the policy, or set BypassPolicyLockoutSafetyCheck to true.',
    );
  }
}
