// Hints from the trail (src/labs/hints.ts): what a failing step shows went wrong, against a real core.
import { describe, expect, it } from 'vitest';
import { utf8, rejectsWith } from '../helpers/kms';
import { labCore, labOf } from './fixtures';

describe('hints from the trail', () => {
  it('names the statement that decided an AccessDenied (from the simulator), and a disabled key', async () => {
    const c = await labCore();
    const user = await c.kms.iam.createPrincipal(c.root, 'user', 'dev');
    const dev = await c.kms.iam.callerFor(user.arn, { userAgent: 'vitest' });
    const k = await c.createKey();
    await c.call('PutKeyPolicy', {
      KeyId: k.KeyId,
      PolicyName: 'default',
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'Root',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::111122223333:root' },
            Action: 'kms:*',
            Resource: '*',
          },
          {
            Sid: 'NoDecryptForDev',
            Effect: 'Deny',
            Principal: { AWS: user.arn },
            Action: 'kms:Decrypt',
            Resource: '*',
          },
        ],
      }),
    });
    const r = await c.run(labOf({ kind: 'auditEvent', eventName: 'Encrypt', key: k.KeyId, succeeded: true }));
    c.actAs(dev);
    await rejectsWith(c.as('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('s') }), 'AccessDeniedException');
    c.actAs(c.root);
    let e = await r.evaluate();
    expect(e.steps[0]!.hints).toEqual([
      `Encrypt failed with AccessDenied: the key policy leaves it to IAM (statement "Root"), and no identity policy of ${user.arn} allows kms:Encrypt (policy simulator, key ${k.KeyId}).`,
    ]);
    await c.call('DisableKey', { KeyId: k.KeyId });
    await rejectsWith(c.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('s') }), 'DisabledException');
    e = await r.evaluate();
    expect(e.steps[0]!.hints[0]).toBe(
      `Encrypt failed with DisabledException: key ${k.KeyId} is disabled. Enable it: aws kms enable-key --key-id ${k.KeyId}`,
    );
    const d = await c.run(labOf({ kind: 'auditEvent', eventName: 'Decrypt', succeeded: true }));
    await c.call('EnableKey', { KeyId: k.KeyId });
    const { CiphertextBlob } = await c.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('s') });
    c.actAs(dev);
    await rejectsWith(c.as('Decrypt', { CiphertextBlob }), 'AccessDeniedException');
    expect((await d.evaluate()).steps[0]!.hints[0]).toBe(
      `Decrypt failed with AccessDenied: the key policy's statement "NoDecryptForDev" denies it (policy simulator, key ${k.KeyId}).`,
    );
  });
});

describe('hints for a key pending deletion and a key that is not there', () => {
  it('gives the command that brings the key back, and points at the key ID, alias and region', async () => {
    const c = await labCore();
    const k = await c.createKey();
    const r = await c.run(labOf({ kind: 'auditEvent', eventName: 'Encrypt', succeeded: true }));
    await c.call('ScheduleKeyDeletion', { KeyId: k.KeyId, PendingWindowInDays: 7 });
    await rejectsWith(c.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('s') }), 'KMSInvalidStateException');
    await rejectsWith(c.call('Encrypt', { KeyId: 'alias/nope', Plaintext: utf8('s') }), 'NotFoundException');
    const hints = (await r.evaluate()).steps[0]!.hints;
    expect(hints).toHaveLength(2);
    expect(hints[0]).toMatch(
      /^Encrypt failed with NotFoundException: .*alias\/nope.* Check the key ID or alias \(aws kms list-aliases\) and the region \(us-east-1\)\.$/,
    );
    expect(hints[1]).toBe(
      `Encrypt failed with KMSInvalidStateException: key ${k.KeyId} is pending deletion (or the keystore is locked). aws kms cancel-key-deletion --key-id ${k.KeyId} then enable-key brings it back.`,
    );
  });
});
