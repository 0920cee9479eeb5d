// Policy document validation (src/kms/authz/policy-document.ts): every malformed document is a
// MalformedPolicyDocumentException that says where.
import { describe, expect, it } from 'vitest';
import { MalformedPolicyDocumentException } from '../../../../src/kms/errors';
import { parsePolicy } from '../../../../src/kms/authz/policy-document';

const st = (s: object) => JSON.stringify({ Version: '2012-10-17', Statement: [s] });
const ok = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' };

describe('parsePolicy', () => {
  it('accepts a single statement object, Id, and every operator form', () => {
    const doc = JSON.stringify({
      Version: '2012-10-17',
      Id: 'x',
      Statement: {
        ...ok,
        Condition: {
          'ForAnyValue:StringLikeIfExists': { 'kms:EncryptionContextKeys': 'a*' },
          Null: { 'aws:TagKeys': true },
          NumericLessThan: { 'kms:RotationPeriodInDays': 400 },
        },
      },
    });
    const p = parsePolicy(doc, 'key');
    expect(p.statements[0]!.conditions.map((c) => [c.base, c.set, c.ifExists, c.values])).toEqual([
      ['StringLike', 'ForAnyValue', true, ['a*']],
      ['Null', undefined, false, ['true']],
      ['NumericLessThan', undefined, false, ['400']],
    ]);
  });

  it.each([
    ['not JSON', '{', /not valid JSON/],
    ['an array', '[]', /JSON object/],
    ['no Statement', JSON.stringify({ Version: '2012-10-17' }), /no Statement/],
    ['empty Statement list', JSON.stringify({ Statement: [] }), /no Statement/],
    ['a bad Version', JSON.stringify({ Version: '2020-01-01', Statement: [ok] }), /Version/],
    ['an unknown top-level field', JSON.stringify({ Statement: [ok], Extra: 1 }), /unknown top-level field "Extra"/],
    ['a bad Effect', st({ ...ok, Effect: 'Maybe' }), /Statement 1: Effect/],
    ['no Principal in a key policy', st({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }), /must have a Principal/],
    ['Principal and NotPrincipal', st({ ...ok, NotPrincipal: '*' }), /not both/],
    ['a bad principal value', st({ ...ok, Principal: { AWS: 'alice' } }), /not "\*", an account ID or an IAM ARN/],
    ['an unknown principal type', st({ ...ok, Principal: { Robot: 'x' } }), /unknown principal type "Robot"/],
    ['no Action', st({ Effect: 'Allow', Principal: '*', Resource: '*' }), /exactly one of Action or NotAction/],
    ['a malformed action', st({ ...ok, Action: 'Decrypt' }), /"Decrypt" is not of the form/],
    ['no Resource', st({ Effect: 'Allow', Principal: '*', Action: 'kms:*' }), /needs a Resource/],
    [
      'an unknown operator',
      st({ ...ok, Condition: { StringSortOf: { 'aws:username': 'x' } } }),
      /"StringSortOf" is not an IAM condition operator/,
    ],
    ['NullIfExists', st({ ...ok, Condition: { NullIfExists: { 'aws:username': 'true' } } }), /Null takes no qualifier/],
    [
      'an object as condition value',
      st({ ...ok, Condition: { StringEquals: { 'aws:username': { a: 1 } } } }),
      /must have a string, number or boolean/,
    ],
    ['an unknown statement field', st({ ...ok, Effects: 'Allow' }), /unknown field "Effects"/],
    ['over 32768 characters', st({ ...ok, Sid: 'x'.repeat(33000) }), /limit is 32768/],
  ])('refuses %s, saying where', (_, text, message) => {
    expect(() => parsePolicy(text, 'key')).toThrow(MalformedPolicyDocumentException);
    expect(() => parsePolicy(text, 'key')).toThrow(message);
  });

  it('names the statement by Sid when it has one', () => {
    expect(() => parsePolicy(st({ ...ok, Sid: 'Admins', Effect: 'allow' }), 'key')).toThrow(
      /Statement 1 \("Admins"\): Effect/,
    );
  });

  it('refuses a Principal in an identity policy', () => {
    expect(() => parsePolicy(st(ok), 'identity')).toThrow(/identity policy must not have a Principal/);
  });
});
