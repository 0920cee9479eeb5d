// Hostile names in policy documents (policy-document.ts, operators.ts, evaluate.ts, variables.ts):
// every Object.prototype member name, '' and '__proto__' in each place where a JSON name picks an
// entry of a table. Each document is either refused on write with MalformedPolicyDocumentException,
// or accepted and evaluated without throwing — and the root can still manage the key afterwards.
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../../src/kms/authz/policy-document';
import { KmsError, MalformedPolicyDocumentException } from '../../../../src/kms/errors';
import { utf8 } from '../../helpers/kms';
import { ROOT, policy, rootStatement, world } from './principals';

const NAMES = [...new Set([...Object.getOwnPropertyNames(Object.prototype), '', '__proto__'])];

/** A statement with `name` in one place; the rest is ordinary. Object literals with computed keys
 * make "__proto__" an own property, so JSON.stringify writes it as a name, as an attacker would. */
const PLACES: Record<string, (name: string) => Record<string, unknown>> = {
  'condition operator': (n) => ({ Condition: { [n]: { 'aws:PrincipalArn': 'x' } } }),
  'qualified condition operator': (n) => ({ Condition: { [`ForAnyValue:${n}IfExists`]: { 'aws:PrincipalArn': 'x' } } }),
  'condition key': (n) => ({ Condition: { StringEquals: { [n]: 'x' } } }),
  'negated condition key': (n) => ({ Condition: { StringNotEqualsIfExists: { [n]: 'x' } } }),
  'Null condition key': (n) => ({ Condition: { Null: { [n]: 'true' } } }),
  'encryption context condition key': (n) => ({ Condition: { StringEquals: { [`kms:EncryptionContext:${n}`]: 'x' } } }),
  'policy variable in a condition': (n) => ({ Condition: { StringLike: { 'aws:PrincipalArn': `\${${n}}` } } }),
  'policy variable in Resource': (n) => ({ Resource: `arn:aws:kms:*:*:key/\${${n}}` }),
  action: (n) => ({ Action: n }),
  'action name': (n) => ({ Action: `kms:${n}` }),
  'principal type': (n) => ({ Principal: { [n]: ROOT } }),
  'principal value': (n) => ({ Principal: { AWS: n } }),
  Sid: (n) => ({ Sid: n }),
};

const hostileStatement = (place: string, name: string, kind: 'key' | 'identity') => {
  const base: Record<string, unknown> = {
    Effect: 'Allow',
    Action: 'kms:*',
    Resource: '*',
    ...(kind === 'key' ? { Principal: { AWS: ROOT } } : {}),
  };
  return { ...base, ...PLACES[place]!(name) };
};

/** The call's error, or undefined when it succeeded. Anything but a KmsError fails the test. */
async function outcome(p: Promise<unknown>): Promise<KmsError | undefined> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (e !== undefined) expect(e).toBeInstanceOf(KmsError);
  return e as KmsError | undefined;
}

describe('parsePolicy and hostile names', () => {
  it.each(NAMES.map((n) => [JSON.stringify(n), n]))(
    'refuses the operator %s, plain or qualified, saying where',
    (_, name) => {
      for (const op of [name, `${name}IfExists`, `ForAllValues:${name}`]) {
        const doc = policy({
          Sid: 'S',
          ...hostileStatement('condition key', 'aws:username', 'key'),
          Condition: { [op]: { 'aws:username': 'x' } },
        });
        expect(() => parsePolicy(doc, 'key')).toThrow(MalformedPolicyDocumentException);
        expect(() => parsePolicy(doc, 'key')).toThrow(
          /^Statement 1 \("S"\): Condition operator ".*" is not an IAM condition operator\.$/,
        );
      }
    },
  );

  it('refuses an empty condition key, saying where', () => {
    expect(() => parsePolicy(policy(hostileStatement('condition key', '', 'key')), 'key')).toThrow(
      /^Statement 1: Condition operator "StringEquals" has an empty condition key\.$/,
    );
  });
});

describe('hostile names in a key policy', { timeout: 120_000 }, () => {
  it.each(Object.keys(PLACES))(
    'as %s: refused as malformed, or accepted and evaluated; the root keeps the key',
    async (place) => {
      const w = await world();
      const k = await w.createKey();
      const user = await w.principal('user', 'alice', {
        all: policy({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }),
      });
      for (const name of NAMES) {
        const doc = policy(rootStatement, hostileStatement(place, name, 'key'));
        const put = await outcome(
          w.call('PutKeyPolicy', {
            KeyId: k.KeyId,
            PolicyName: 'default',
            Policy: doc,
            BypassPolicyLockoutSafetyCheck: true,
          }),
        );
        if (put) {
          expect(put, `${place} ${JSON.stringify(name)}`).toMatchObject({ name: 'MalformedPolicyDocumentException' });
          expect(put.message).toMatch(/^(Policy|Statement 2)\b/);
        }
        // Whatever was written evaluates: the root's calls succeed, the user's decide without throwing.
        await w.call('DescribeKey', { KeyId: k.KeyId });
        const enc = await outcome(
          user.call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('x'), EncryptionContext: { [name || 'empty']: 'x' } }),
        );
        if (enc) expect(enc, `${place} ${JSON.stringify(name)}`).toMatchObject({ name: 'AccessDeniedException' });
        await w.call('ScheduleKeyDeletion', { KeyId: k.KeyId, PendingWindowInDays: 7 });
        await w.call('CancelKeyDeletion', { KeyId: k.KeyId });
        await w.call('EnableKey', { KeyId: k.KeyId });
        await w.call('PutKeyPolicy', { KeyId: k.KeyId, PolicyName: 'default', Policy: policy(rootStatement) });
      }
    },
  );
});

describe('hostile names in an identity policy', { timeout: 120_000 }, () => {
  it.each(Object.keys(PLACES).filter((p) => !p.startsWith('principal')))(
    'as %s: refused as malformed, or accepted and evaluated',
    async (place) => {
      const w = await world();
      const k = await w.createKey();
      for (const [i, name] of NAMES.entries()) {
        const user = await w.principal('user', `u${i}`);
        const doc = policy(hostileStatement(place, name, 'identity'));
        const put = await w.kms.iam.putPolicy(w.owner, user.arn, 'hostile', doc).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (put) {
          expect(put, `${place} ${JSON.stringify(name)}`).toMatchObject({ name: 'MalformedPolicyDocumentException' });
          expect((put as Error).message).toMatch(/^(Policy|Statement 1)\b/);
        }
        for (const op of ['DescribeKey', 'ListKeys'] as const) {
          const r = await outcome(user.call(op, op === 'ListKeys' ? {} : { KeyId: k.KeyId }));
          if (r) expect(r, `${place} ${JSON.stringify(name)} ${op}`).toMatchObject({ name: 'AccessDeniedException' });
        }
        await w.call('PutKeyPolicy', { KeyId: k.KeyId, PolicyName: 'default', Policy: policy(rootStatement) });
      }
    },
  );

  it('refuses a principal element in an identity policy whatever its name', async () => {
    const w = await world();
    const user = await w.principal('user', 'bob');
    for (const name of NAMES) {
      const doc = policy({ Effect: 'Allow', Action: 'kms:*', Resource: '*', Principal: { [name]: ROOT } });
      await expect(w.kms.iam.putPolicy(w.owner, user.arn, 'p', doc)).rejects.toMatchObject({
        name: 'MalformedPolicyDocumentException',
      });
    }
  });
});
