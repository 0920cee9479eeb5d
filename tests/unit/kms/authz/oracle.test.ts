// Differential test of the generic policy language against @cloud-copilot/iam-simulate (a
// test-only oracle; AGPL, never bundled): generated key policies, identity policies and request
// contexts, decided by both. Keys the oracle handles differently are left out (see docs/AUTHORIZATION.md).
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import { decide } from '../../../../src/kms/authz/decide';
import { parsePolicy } from '../../../../src/kms/authz/policy-document';
import { ACCT, ALICE, KEY, ROOT } from './helpers';

function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind = 'string' | 'multi' | 'date' | 'number' | 'bool' | 'ip' | 'arn';
const KEYS: Record<string, Kind> = {
  'aws:PrincipalTag/team': 'string',
  'aws:PrincipalTag/env': 'string',
  'aws:ResourceTag/team': 'string',
  'aws:username': 'string',
  'kms:CallerAccount': 'string',
  'kms:EncryptionAlgorithm': 'string',
  'aws:TagKeys': 'multi',
  'kms:EncryptionContextKeys': 'multi',
  'aws:CurrentTime': 'date',
  'aws:EpochTime': 'number',
  'aws:SecureTransport': 'bool',
  'aws:SourceIp': 'ip',
  'aws:PrincipalArn': 'arn',
};
const OPS: Record<Kind, string[]> = {
  string: [
    'StringEquals',
    'StringNotEquals',
    'StringEqualsIgnoreCase',
    'StringNotEqualsIgnoreCase',
    'StringLike',
    'StringNotLike',
  ],
  multi: ['StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike'],
  date: [
    'DateEquals',
    'DateNotEquals',
    'DateLessThan',
    'DateLessThanEquals',
    'DateGreaterThan',
    'DateGreaterThanEquals',
  ],
  number: [
    'NumericEquals',
    'NumericNotEquals',
    'NumericLessThan',
    'NumericLessThanEquals',
    'NumericGreaterThan',
    'NumericGreaterThanEquals',
  ],
  bool: ['Bool'],
  ip: ['IpAddress', 'NotIpAddress'],
  arn: ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'],
};
const POLICY_VALUES: Record<Kind, string[]> = {
  string: ['x', 'y', 'X', 'x*', '*', 'alice', ACCT, 'SYMMETRIC_DEFAULT', '${aws:username}'],
  multi: ['a', 'b', 'c', 'a*'],
  date: ['2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', '2025-06-01T00:00:00Z'],
  number: ['1700000000', '1800000000', '1750000000'],
  bool: ['true', 'false'],
  ip: ['10.1.0.0/16', '10.2.0.0/16', '10.1.2.3/32'],
  arn: [`arn:aws:iam::${ACCT}:user/*`, ALICE, 'arn:aws:iam::*:role/*'],
};
const REQUEST_VALUES: Record<Kind, (string | string[])[]> = {
  string: ['x', 'y', 'X', 'xx', 'alice', ACCT, 'SYMMETRIC_DEFAULT'],
  multi: [['a'], ['b'], ['a', 'b'], ['a', 'c'], ['c'], ['ab']],
  date: ['2026-06-01T00:00:00Z', '2025-01-01T00:00:00Z', '2027-01-01T00:00:00Z'],
  number: ['1750000000', '1600000000', '1900000000'],
  bool: ['true', 'false'],
  ip: ['10.1.2.3', '10.2.9.9', '192.168.0.1'],
  arn: [ALICE],
};
const ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'];
const ACTION_PATTERNS = ['kms:*', 'kms:Decrypt', 'kms:De*', 'kms:Encrypt', '*', 'kms:Gen*', 'kms:*Key'];
const RESOURCES = ['*', KEY, `arn:aws:kms:*:${ACCT}:key/*`, `arn:aws:kms:us-east-1:${ACCT}:key/other`];

function makeCase(crossAccount = false) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const conditions = () => {
    const out: Record<string, Record<string, string | string[]>> = {};
    const n = Math.floor(rnd() * 3);
    for (let i = 0; i < n; i++) {
      const key = pick(Object.keys(KEYS));
      const kind = KEYS[key]!;
      let op = pick(OPS[kind]);
      if (rnd() < 0.1) {
        out.Null = { ...(out.Null ?? {}), [key]: pick(['true', 'false']) };
        continue;
      }
      if (kind === 'multi') op = `${pick(['ForAnyValue', 'ForAllValues'])}:${op}`;
      if (rnd() < 0.2) op += 'IfExists';
      const vals = [pick(POLICY_VALUES[kind]), ...(rnd() < 0.3 ? [pick(POLICY_VALUES[kind])] : [])];
      out[op] = { ...(out[op] ?? {}), [key]: vals.length === 1 ? vals[0]! : vals };
    }
    return Object.keys(out).length ? { Condition: out } : {};
  };
  const keyStatements: object[] = [];
  const accounts = crossAccount ? [ROOT, ACCT, `arn:aws:iam::${OTHER}:root`, OTHER] : [ROOT, ACCT];
  const named = crossAccount
    ? [ALICE, '*', BOB_OTHER, `arn:aws:iam::${OTHER}:user/carol`]
    : [ALICE, '*', `arn:aws:iam::${ACCT}:user/bob`];
  if (rnd() < 0.7)
    keyStatements.push({ Effect: 'Allow', Principal: { AWS: pick(accounts) }, Action: 'kms:*', Resource: '*' });
  if (rnd() < 0.4)
    keyStatements.push({
      Effect: 'Allow',
      Principal: { AWS: pick(named) },
      Action: pick(ACTION_PATTERNS),
      Resource: '*',
      ...conditions(),
    });
  if (rnd() < 0.2)
    keyStatements.push({
      Effect: 'Deny',
      Principal: '*',
      Action: pick(ACTION_PATTERNS),
      Resource: '*',
      ...conditions(),
    });
  if (keyStatements.length === 0)
    keyStatements.push({ Effect: 'Allow', Principal: { AWS: pick(accounts) }, Action: 'kms:*', Resource: '*' });
  const idStatements = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({
    Effect: rnd() < 0.8 ? 'Allow' : 'Deny',
    Action: pick(ACTION_PATTERNS),
    Resource: pick(RESOURCES),
    ...conditions(),
  }));
  const context: Record<string, string | string[]> = {};
  const action = pick(ACTIONS);
  for (const [k, kind] of Object.entries(KEYS)) {
    // Like KMS (and the oracle), encryption keys only exist in requests of cryptographic actions.
    if (action === 'kms:DescribeKey' && /^kms:Encryption/.test(k)) continue;
    if (rnd() < 0.6) context[k] = pick(REQUEST_VALUES[kind]);
  }
  return {
    action,
    keyPolicy: { Version: '2012-10-17', Statement: keyStatements },
    identityPolicy: { Version: '2012-10-17', Statement: idStatements },
    context,
  };
}

let rnd = prng(0);

describe('differential test against iam-simulate', () => {
  it('agrees on at least 300 generated policy/request cases (three seeds, 1,200 cases)', async () => {
    const mismatches: unknown[] = [];
    let compared = 0;
    for (let i = 0; i < 1200; i++) {
      if (i % 400 === 0) rnd = prng([20261129, 7, 424242][i / 400]!);
      const c = makeCase();
      const oracle = await runSimulation(
        {
          request: {
            principal: ALICE,
            action: c.action,
            resource: { resource: KEY, accountId: ACCT },
            contextVariables: c.context,
          },
          identityPolicies: [{ name: 'p', policy: c.identityPolicy }],
          resourcePolicy: c.keyPolicy,
          serviceControlPolicies: [],
          resourceControlPolicies: [],
        },
        {},
      );
      if (oracle.resultType === 'error' || (oracle as { errors?: unknown }).errors) continue;
      compared++;
      const ours = decide({
        request: { principal: { arn: ALICE, accountId: ACCT }, action: c.action, resource: KEY, context: c.context },
        keyPolicy: parsePolicy(JSON.stringify(c.keyPolicy), 'key'),
        identityPolicies: [{ name: 'p', policy: parsePolicy(JSON.stringify(c.identityPolicy), 'identity') }],
      });
      const theirs = (oracle as { overallResult?: string }).overallResult === 'Allowed';
      if (ours.allowed !== theirs)
        mismatches.push({ i, ours: ours.reason, theirs: (oracle as { overallResult?: string }).overallResult, ...c });
    }
    console.log(`authz oracle: ${compared} cases compared, ${mismatches.length} differ`);
    expect(compared).toBeGreaterThanOrEqual(300);
    if (process.env.ORACLE_DUMP) for (const m of mismatches) console.log(JSON.stringify(m));
    expect(mismatches.slice(0, 3)).toEqual([]);
  }, 120_000);

  // A caller of another account (OTHER) on a key of ACCT: the key policy must allow the other account (or the
  // caller) and the caller's identity policy must allow too.
  it('agrees on generated cross-account cases (a user of another account on the key)', async () => {
    const { compared, mismatches } = await compare(600, [7, 1312], (c) => ({
      principal: BOB_OTHER,
      principalAccount: OTHER,
      resource: KEY,
      keyPolicy: c.keyPolicy,
    }));
    console.log(`authz oracle (cross-account): ${compared} cases compared, ${mismatches.length} differ`);
    expect(compared).toBeGreaterThanOrEqual(300);
    expect(mismatches.slice(0, 3)).toEqual([]);
  }, 120_000);

  // A role's trust policy in the place of the key policy, action sts:AssumeRole, callers of its own account and
  // of another: STS's AssumeRole decides with the same decide().
  it('agrees on generated trust-policy cases (sts:AssumeRole, same and other account)', async () => {
    const { compared, mismatches } = await compare(600, [99, 2027], (c, r) => {
      const other = r < 0.5;
      return {
        principal: other ? BOB_OTHER : ALICE,
        principalAccount: other ? OTHER : ACCT,
        resource: ROLE,
        action: 'sts:AssumeRole',
        keyPolicy: trustOf(c.keyPolicy),
        identityPolicy: {
          ...c.identityPolicy,
          Statement: c.identityPolicy.Statement.map((s) => ({
            ...s,
            Action: s.Action.startsWith('kms') ? 'sts:AssumeRole' : s.Action,
            Resource: s.Resource === KEY ? ROLE : s.Resource,
          })),
        },
      };
    });
    console.log(`authz oracle (trust policies): ${compared} cases compared, ${mismatches.length} differ`);
    expect(compared).toBeGreaterThanOrEqual(300);
    expect(mismatches.slice(0, 3)).toEqual([]);
  }, 120_000);
});

const OTHER = '222233334444';
const BOB_OTHER = `arn:aws:iam::${OTHER}:user/bob`;
const ROLE = `arn:aws:iam::${ACCT}:role/KeyUser`;

/** A generated key policy as a trust policy: principals of either account, action sts:AssumeRole, no Resource. */
function trustOf(keyPolicy: { Statement: object[] }) {
  return {
    Version: '2012-10-17',
    Statement: keyPolicy.Statement.map((s) => {
      const { Resource: _r, Action: a, ...rest } = s as { Resource?: string; Action: string };
      return { ...rest, Action: a === 'kms:*' || a === '*' ? a.replace('kms:', 'sts:') : 'sts:AssumeRole' };
    }),
  };
}

type Case = ReturnType<typeof makeCase>;
interface Variant {
  principal: string;
  principalAccount: string;
  resource: string;
  action?: string;
  keyPolicy: object;
  identityPolicy?: Case['identityPolicy'];
}

/** Generates `n` cases over the given seeds, reshapes each with `vary`, and decides each with both. */
async function compare(n: number, seeds: number[], vary: (c: Case, r: number) => Variant) {
  const mismatches: unknown[] = [];
  let compared = 0;
  const per = n / seeds.length;
  for (let i = 0; i < n; i++) {
    if (i % per === 0) rnd = prng(seeds[i / per]!);
    const base = makeCase(true);
    const v = vary(base, rnd());
    const action = v.action ?? base.action;
    const identityPolicy = v.identityPolicy ?? base.identityPolicy;
    const context: Record<string, string | string[]> = {
      ...base.context,
      'aws:PrincipalAccount': v.principalAccount,
      'kms:CallerAccount': v.principalAccount,
    };
    // An AssumeRole request has no kms:* keys (and the oracle drops keys that do not belong to the action).
    if (action.startsWith('sts:')) for (const k of Object.keys(context)) if (k.startsWith('kms:')) delete context[k];
    const oracle = await runSimulation(
      {
        request: {
          principal: v.principal,
          action,
          resource: { resource: v.resource, accountId: ACCT },
          contextVariables: context,
        },
        identityPolicies: [{ name: 'p', policy: identityPolicy }],
        resourcePolicy: v.keyPolicy,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    if (oracle.resultType === 'error' || (oracle as { errors?: unknown }).errors) continue;
    compared++;
    const ours = decide({
      request: {
        principal: { arn: v.principal, accountId: v.principalAccount },
        action,
        resource: v.resource,
        context,
      },
      keyPolicy: parsePolicy(JSON.stringify(v.keyPolicy), action.startsWith('sts:') ? 'trust' : 'key'),
      identityPolicies: [{ name: 'p', policy: parsePolicy(JSON.stringify(identityPolicy), 'identity') }],
      resourceAccount: ACCT,
    });
    const theirs = (oracle as { overallResult?: string }).overallResult === 'Allowed';
    if (ours.allowed !== theirs)
      mismatches.push({
        i,
        ours: ours.reason,
        theirs: (oracle as { overallResult?: string }).overallResult,
        ...v,
        context,
      });
  }
  if (process.env.ORACLE_DUMP) for (const m of mismatches) console.log(JSON.stringify(m));
  return { compared, mismatches };
}
