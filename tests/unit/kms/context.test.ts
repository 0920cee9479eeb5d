// DryRun (src/kms/context.ts `write` / `stopIfDryRun`, set by kms.ts for the operations whose model
// request has DryRun): AWS KMS Developer Guide, "Testing your permissions". A dry run makes every
// check of the real call and answers DryRunOperationException; nothing changes but the audit trail.
import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../../src/kms/operations';
import { VALID, world } from '../helpers/corpus';
import { freshKms, rejectsWith, utf8, type Fresh } from '../helpers/kms';
import { policy, rootStatement, roleArn, world as iamWorld } from './authz/principals';

const DRY_RUN_OPS = OPERATIONS.filter((o) => o.dryRun).map((o) => o.name);

/** Everything the keystore holds except its audit trail (and the trail's head in meta). */
async function state(f: Fresh): Promise<string> {
  const { stores } = await f.store.snapshot();
  return JSON.stringify(
    Object.entries(stores)
      .filter(([name]) => name !== 'audit' && name !== 'meta')
      .map(([name, rows]) => [name, rows]),
  );
}

describe('DryRun', () => {
  it('answers DryRunOperationException for every operation that has it, and changes nothing but the trail', async () => {
    expect(DRY_RUN_OPS.length).toBe(17);
    const f = await freshKms();
    const w = await world(f);
    for (const op of DRY_RUN_OPS) {
      const before = await state(f);
      const e = await rejectsWith(f.call(op, { ...VALID[op]!(w), DryRun: true }), 'DryRunOperationException');
      expect(e.message).toBe('The request would have succeeded, but the DryRun option is set.');
      expect(await state(f), op).toBe(before);
      // CloudTrail records the dry run as a failed call of the operation.
      const last = (await f.audit()).at(-1)!;
      expect(last).toMatchObject({ eventName: op, errorCode: 'DryRunOperationException', usedKeyIds: [] });
      expect(last.record).toMatchObject({ errorCode: 'DryRunOperationException', responseElements: null });
    }
    // A check that is the call's own answer is made too: a signature that is not valid.
    await rejectsWith(
      f.call('Verify', { ...VALID.Verify!(w), Signature: w.signature.map((b) => b ^ 1), DryRun: true }),
      'KMSInvalidSignatureException',
    );
    await rejectsWith(
      f.call('Decrypt', {
        ...VALID.Decrypt!(w),
        CiphertextBlob: w.blob.map((b, i) => (i === w.blob.length - 1 ? b ^ 1 : b)),
        DryRun: true,
      }),
      'InvalidCiphertextException',
    );
    // The same requests without DryRun (or with DryRun false) act: the grant a dry run did not retire is still there.
    await f.call('RetireGrant', { ...VALID.RetireGrant!(w), DryRun: false });
  });

  it('does not create, retire or revoke grants, nor count as use of the key', async () => {
    const f = await freshKms();
    const w = await world(f);
    const grants = async () => (await f.call('ListGrants', { KeyId: w.k.KeyId })).Grants.length;
    expect(await grants()).toBe(2);
    await rejectsWith(f.call('CreateGrant', { ...VALID.CreateGrant!(w), DryRun: true }), 'DryRunOperationException');
    await rejectsWith(f.call('RevokeGrant', { ...VALID.RevokeGrant!(w), DryRun: true }), 'DryRunOperationException');
    expect(await grants()).toBe(2);
    const used = (await f.call('GetKeyLastUsage', { KeyId: w.hmac.KeyId })).KeyLastUsage;
    await rejectsWith(f.call('GenerateMac', { ...VALID.GenerateMac!(w), DryRun: true }), 'DryRunOperationException');
    expect((await f.call('GetKeyLastUsage', { KeyId: w.hmac.KeyId })).KeyLastUsage).toEqual(used);
  });

  it('answers the real error when the call would fail: denied, disabled, invalid', async () => {
    const f = await iamWorld();
    const k = await f.createKey({
      Policy: policy(rootStatement, {
        Effect: 'Allow',
        Principal: { AWS: roleArn('Writer') },
        Action: 'kms:Encrypt',
        Resource: '*',
      }),
    });
    const reader = await f.principal('role', 'Reader');
    const writer = await f.principal('role', 'Writer');
    const req = { KeyId: k.KeyId, Plaintext: utf8('x'), DryRun: true };
    await rejectsWith(reader.call('Encrypt', req), 'AccessDeniedException');
    await rejectsWith(writer.call('Encrypt', req), 'DryRunOperationException');
    expect((await f.audit()).at(-2)).toMatchObject({ eventName: 'Encrypt', errorCode: 'AccessDenied' });
    await rejectsWith(writer.call('Encrypt', { ...req, EncryptionContext: { '': 'x' } }), 'ValidationException');
    await rejectsWith(writer.call('Encrypt', { ...req, DryRun: 'yes' }), 'ValidationException');
    await f.call('DisableKey', { KeyId: k.KeyId });
    await rejectsWith(writer.call('Encrypt', req), 'DisabledException');
    const signer = await f.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    await rejectsWith(f.call('Encrypt', { ...req, KeyId: signer.KeyId }), 'InvalidKeyUsageException');
  });

  it('without DryRun, or with DryRun false, the call acts', async () => {
    const f = await freshKms();
    const k = await f.createKey();
    const r = await f.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x'), DryRun: false });
    expect(r.CiphertextBlob).toBeInstanceOf(Uint8Array);
  });
});
