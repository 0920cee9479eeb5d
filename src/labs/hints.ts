// Hints for a failing check from what the audit trail shows went wrong since the lab started
// (docs/LABS.md "Hints"): AccessDenied with the statement that decided (the policy simulator), an
// InvalidCiphertextException beside the context the ciphertext was made with, a disabled or deleted
// key, a call made in another region.
import type { Env, Outcome } from './engine';
import { explainSimulation } from './explain';
import type { LabEvent } from './world';

const MAX_HINTS = 3;

/** Hints from the newest failed calls about the check's keys or events (any failed call when it names none). */
export async function hintsFor(env: Env, related: Outcome['related']): Promise<string[]> {
  const events = await env.events();
  const failed = events
    .filter((e) => e.errorCode !== undefined)
    .filter(
      (e) =>
        (related.keyIds.size === 0 && related.eventNames.size === 0) ||
        e.keyIds.some((k) => related.keyIds.has(k)) ||
        related.eventNames.has(e.eventName),
    )
    .reverse();
  const out: string[] = [];
  const seen = new Set<string>();
  for (const e of failed) {
    const id = `${e.eventName}/${e.errorCode}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const h = await hintFor(env, e, events);
    if (h) out.push(h);
    if (out.length >= MAX_HINTS) break;
  }
  return out;
}

async function hintFor(env: Env, e: LabEvent, events: LabEvent[]): Promise<string | undefined> {
  const what = `${e.eventName} failed with ${e.errorCode}`;
  const keyId = e.keyIds[0];
  if (e.region !== env.world.region)
    return `${what} in region ${e.region}: this keystore's keys are in ${env.world.region} (aws configure set region ${env.world.region}).`;
  switch (e.errorCode) {
    // CloudTrail records KMS's AccessDeniedException as errorCode AccessDenied.
    case 'AccessDenied':
    case 'AccessDeniedException': {
      if (!keyId) return `${what}: ${e.errorMessage ?? 'no policy allows it'}.`;
      const action = e.eventName === 'ReEncrypt' ? 'kms:ReEncryptFrom' : `kms:${e.eventName}`;
      // The same request as the call: its encryption context is what kms:EncryptionContext:… conditions read.
      const s = await env.world.simulate(e.principalArn, action, keyId, e.encryptionContext).catch(() => undefined);
      if (!s) return `${what}: ${e.errorMessage ?? ''}`;
      if (s.allowed) return `${what} then, but the policies allow it now: run it again.`;
      return `${what}: ${explainSimulation(s, e.principalArn, action)} (policy simulator, key ${keyId}).`;
    }
    case 'InvalidCiphertextException': {
      if (e.eventName !== 'Decrypt' && e.eventName !== 'ReEncrypt')
        return `${what}: the ciphertext is not one this key made, or it was changed.`;
      const made = [...events]
        .reverse()
        .find(
          (x) =>
            x.seq < e.seq &&
            x.errorCode === undefined &&
            (x.eventName === 'Encrypt' || x.eventName.startsWith('GenerateDataKey')) &&
            (!keyId || x.keyIds.includes(keyId)),
        );
      const given = context(e.encryptionContext);
      if (made)
        return `${what}: Decrypt must be given the encryption context the ciphertext was made with. The ${made.eventName} used ${context(made.encryptionContext)}; this ${e.eventName} gave ${given}.`;
      return `${what}: the encryption context (${given}) differs from the one used at encryption, or the blob is not a ciphertext of this keystore (check its base64 decoding).`;
    }
    case 'DisabledException':
      return `${what}: key ${keyId ?? ''} is disabled. Enable it: aws kms enable-key --key-id ${keyId ?? '<key>'}`;
    case 'KMSInvalidStateException':
      return `${what}: key ${keyId ?? ''} is pending deletion (or the keystore is locked). aws kms cancel-key-deletion --key-id ${keyId ?? '<key>'} then enable-key brings it back.`;
    case 'NotFoundException':
      return `${what}: ${e.errorMessage ?? 'no such key or alias'} Check the key ID or alias (aws kms list-aliases) and the region (${env.world.region}).`;
    default:
      return `${what}${e.errorMessage ? `: ${e.errorMessage}` : '.'}`;
  }
}

function context(ec: Record<string, string> | undefined): string {
  if (!ec || Object.keys(ec).length === 0) return 'no encryption context';
  return Object.entries(ec)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
