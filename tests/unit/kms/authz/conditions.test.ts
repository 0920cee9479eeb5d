// Condition operators, IfExists, set qualifiers, Null and policy variables (src/kms/authz/evaluate.ts).
import { describe, expect, it } from 'vitest';
import { conditionHolds } from '../../../../src/kms/authz/evaluate';
import { parsePolicy } from '../../../../src/kms/authz/policy-document';
import { lookupIn } from '../../../../src/kms/authz/evaluate';

function holds(
  condition: object,
  context: Record<string, string | string[] | undefined>,
  version = '2012-10-17',
): boolean {
  const p = parsePolicy(
    JSON.stringify({
      Version: version,
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: condition }],
    }),
    'identity',
  );
  return p.statements[0]!.conditions.every((c) => conditionHolds(c, p.variables, lookupIn(context)));
}

describe('string operators', () => {
  it.each([
    ['StringEquals', 'a', 'a', true],
    ['StringEquals', 'a', 'A', false],
    ['StringNotEquals', 'a', 'b', true],
    ['StringNotEquals', 'a', 'a', false],
    ['StringEqualsIgnoreCase', 'Abc', 'aBC', true],
    ['StringNotEqualsIgnoreCase', 'Abc', 'aBC', false],
    ['StringLike', 'app-*', 'app-orders', true],
    ['StringLike', 'app-?', 'app-12', false],
    ['StringLike', 'a*c', 'abbbc', true],
    ['StringNotLike', 'app-*', 'web', true],
  ])('%s %s vs %s → %s', (op, policy, actual, want) => {
    expect(holds({ [op]: { 'aws:PrincipalTag/team': policy } }, { 'aws:PrincipalTag/team': actual })).toBe(want);
  });

  it('any of several policy values matches (OR); several keys must all hold (AND)', () => {
    expect(holds({ StringEquals: { 'aws:PrincipalTag/team': ['x', 'y'] } }, { 'aws:PrincipalTag/team': 'y' })).toBe(
      true,
    );
    expect(
      holds(
        { StringEquals: { 'aws:PrincipalTag/team': 'x', 'aws:PrincipalTag/env': 'prod' } },
        { 'aws:PrincipalTag/team': 'x', 'aws:PrincipalTag/env': 'dev' },
      ),
    ).toBe(false);
  });

  it('condition key names are case-insensitive, values are not', () => {
    expect(holds({ StringEquals: { 'AWS:PRINCIPALTAG/TEAM': 'x' } }, { 'aws:PrincipalTag/team': 'x' })).toBe(true);
  });

  it('names that collide without regard to case: the condition must hold for every value, in either order', () => {
    const key = 'kms:EncryptionContext:tenant';
    for (const ctx of [
      { 'kms:EncryptionContext:tenant': 'victim', 'kms:EncryptionContext:Tenant': 'mallory' },
      { 'kms:EncryptionContext:Tenant': 'mallory', 'kms:EncryptionContext:tenant': 'victim' },
    ]) {
      expect(holds({ StringEquals: { [key]: 'mallory' } }, ctx)).toBe(false);
      expect(holds({ StringEquals: { [key]: 'victim' } }, ctx)).toBe(false);
      expect(holds({ StringNotEquals: { [key]: 'victim' } }, ctx)).toBe(false);
      expect(holds({ StringEquals: { [key]: ['victim', 'mallory'] } }, ctx)).toBe(true);
      expect(holds({ StringLike: { [key]: '*' } }, ctx)).toBe(true);
    }
  });
});

describe('numeric, date, bool, binary, IP and ARN operators', () => {
  it.each([
    ['NumericLessThan', '10', '9', true],
    ['NumericLessThan', '10', '10', false],
    ['NumericLessThanEquals', '10', '10', true],
    ['NumericGreaterThan', '1', '1.5', true],
    ['NumericEquals', '3', '3.0', true],
    ['NumericNotEquals', '3', '4', true],
    ['NumericEquals', '3', 'three', false],
  ])('%s %s vs %s → %s', (op, policy, actual, want) => {
    expect(holds({ [op]: { 'kms:RotationPeriodInDays': policy } }, { 'kms:RotationPeriodInDays': actual })).toBe(want);
  });

  it('compares dates given as ISO 8601 or epoch seconds', () => {
    const ctx = { 'aws:CurrentTime': '2026-11-29T12:00:00Z' };
    expect(holds({ DateLessThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } }, ctx)).toBe(true);
    expect(holds({ DateGreaterThan: { 'aws:CurrentTime': '1796000000' } }, ctx)).toBe(false);
    expect(holds({ DateEquals: { 'aws:CurrentTime': 'not a date' } }, ctx)).toBe(false);
  });

  it('Bool compares true/false case-insensitively', () => {
    expect(holds({ Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': 'TRUE' })).toBe(true);
    expect(holds({ Bool: { 'aws:SecureTransport': false } }, { 'aws:SecureTransport': 'true' })).toBe(false);
  });

  it('IpAddress checks IPv4 and IPv6 CIDRs', () => {
    expect(holds({ IpAddress: { 'aws:SourceIp': '10.1.0.0/16' } }, { 'aws:SourceIp': '10.1.200.3' })).toBe(true);
    expect(holds({ IpAddress: { 'aws:SourceIp': '10.1.0.0/16' } }, { 'aws:SourceIp': '10.2.0.1' })).toBe(false);
    expect(holds({ NotIpAddress: { 'aws:SourceIp': '10.1.0.0/16' } }, { 'aws:SourceIp': '10.2.0.1' })).toBe(true);
    expect(holds({ IpAddress: { 'aws:SourceIp': '2001:db8::/32' } }, { 'aws:SourceIp': '2001:db8:1::5' })).toBe(true);
  });

  it('ArnLike matches component by component', () => {
    const ctx = { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/app-orders' };
    expect(holds({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/app-*' } }, ctx)).toBe(true);
    expect(holds({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::444455556666:role/*' } }, ctx)).toBe(false);
    expect(holds({ ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/other' } }, ctx)).toBe(true);
  });
});

describe('missing keys, IfExists and Null', () => {
  it('a missing key fails positive operators and satisfies negated ones', () => {
    expect(holds({ StringEquals: { 'aws:PrincipalTag/team': 'x' } }, {})).toBe(false);
    expect(holds({ StringNotEquals: { 'aws:PrincipalTag/team': 'x' } }, {})).toBe(true);
  });

  it('IfExists holds when the key is missing and compares when present', () => {
    expect(holds({ StringEqualsIfExists: { 'aws:PrincipalTag/team': 'x' } }, {})).toBe(true);
    expect(holds({ StringEqualsIfExists: { 'aws:PrincipalTag/team': 'x' } }, { 'aws:PrincipalTag/team': 'y' })).toBe(
      false,
    );
  });

  it('Null true means absent, false means present', () => {
    expect(holds({ Null: { 'aws:PrincipalTag/team': 'true' } }, {})).toBe(true);
    expect(holds({ Null: { 'aws:PrincipalTag/team': 'true' } }, { 'aws:PrincipalTag/team': 'x' })).toBe(false);
    expect(holds({ Null: { 'aws:PrincipalTag/team': 'false' } }, { 'aws:PrincipalTag/team': 'x' })).toBe(true);
  });
});

describe('set qualifiers on multivalued keys', () => {
  const keys = (...k: string[]) => ({ 'kms:EncryptionContextKeys': k });

  it('ForAllValues: every request value is allowed; an empty or missing set passes', () => {
    const c = { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['TenantId', 'Project'] } };
    expect(holds(c, keys('TenantId'))).toBe(true);
    expect(holds(c, keys('TenantId', 'Other'))).toBe(false);
    expect(holds(c, {})).toBe(true);
  });

  it('ForAnyValue: at least one request value matches; a missing set fails', () => {
    const c = { 'ForAnyValue:StringLike': { 'kms:EncryptionContextKeys': 'Tenant*' } };
    expect(holds(c, keys('Project', 'TenantId'))).toBe(true);
    expect(holds(c, keys('Project'))).toBe(false);
    expect(holds(c, {})).toBe(false);
  });

  it('ForAnyValue over a missing set is false even with IfExists; ForAllValues is true', () => {
    expect(holds({ 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': 'team' } }, {})).toBe(false);
    expect(holds({ 'ForAllValues:StringEqualsIfExists': { 'aws:TagKeys': 'team' } }, {})).toBe(true);
  });

  it('negated operators under qualifiers', () => {
    expect(holds({ 'ForAllValues:StringNotEquals': { 'kms:EncryptionContextKeys': 'Secret' } }, keys('a', 'b'))).toBe(
      true,
    );
    expect(holds({ 'ForAnyValue:StringNotEquals': { 'kms:EncryptionContextKeys': 'a' } }, keys('a'))).toBe(false);
  });
});

describe('policy variables', () => {
  it('substitutes ${aws:username} and defaults, and only under Version 2012-10-17', () => {
    const ctx = { 'aws:username': 'alice', 'aws:PrincipalTag/team': 'alice' };
    expect(holds({ StringEquals: { 'aws:PrincipalTag/team': '${aws:username}' } }, ctx)).toBe(true);
    expect(holds({ StringEquals: { 'aws:PrincipalTag/team': '${aws:username}' } }, ctx, '2008-10-17')).toBe(false);
    expect(holds({ StringEquals: { 'aws:PrincipalTag/team': "${aws:PrincipalTag/missing, 'alice'}" } }, ctx)).toBe(
      true,
    );
    expect(holds({ StringEquals: { 'aws:PrincipalTag/team': '${aws:PrincipalTag/missing}' } }, ctx)).toBe(false);
    // A negated operator with an unresolvable variable does not hold either.
    expect(holds({ StringNotEquals: { 'aws:PrincipalTag/team': ['${aws:PrincipalTag/missing}', 'bob'] } }, ctx)).toBe(
      false,
    );
  });
});
