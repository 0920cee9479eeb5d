// Each operation-specific condition key, through a real call: an identity policy whose condition
// names the request's value allows it; the same policy naming another value refuses it.
import { describe, expect, it } from 'vitest';
import { rejectsWith, utf8 } from '../../helpers/kms';
import { policy, roleArn, world } from './principals';

type W = Awaited<ReturnType<typeof world>>;

interface Case {
  key: string;
  action: string;
  good: string;
  bad: string;
  /** Creates what the call needs and returns [operation, request]. */
  setup(w: W): Promise<[string, Record<string, unknown>]>;
}

const peer = async () =>
  new Uint8Array(
    await crypto.subtle.exportKey(
      'spki',
      (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits'])).publicKey,
    ),
  );

const CASES: Case[] = [
  {
    key: 'kms:SigningAlgorithm',
    action: 'kms:Sign',
    good: 'ECDSA_SHA_256',
    bad: 'RSASSA_PSS_SHA_256',
    setup: async (w) => [
      'Sign',
      {
        KeyId: (await w.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).KeyId,
        Message: utf8('m'),
        SigningAlgorithm: 'ECDSA_SHA_256',
      },
    ],
  },
  {
    key: 'kms:MessageType',
    action: 'kms:Sign',
    good: 'RAW',
    bad: 'DIGEST',
    setup: async (w) => [
      'Sign',
      {
        KeyId: (await w.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).KeyId,
        Message: utf8('m'),
        SigningAlgorithm: 'ECDSA_SHA_256',
        MessageType: 'RAW',
      },
    ],
  },
  {
    key: 'kms:MacAlgorithm',
    action: 'kms:GenerateMac',
    good: 'HMAC_SHA_256',
    bad: 'HMAC_SHA_512',
    setup: async (w) => [
      'GenerateMac',
      {
        KeyId: (await w.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyId,
        Message: utf8('m'),
        MacAlgorithm: 'HMAC_SHA_256',
      },
    ],
  },
  {
    key: 'kms:KeyAgreementAlgorithm',
    action: 'kms:DeriveSharedSecret',
    good: 'ECDH',
    bad: 'NONE',
    setup: async (w) => [
      'DeriveSharedSecret',
      {
        KeyId: (await w.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' })).KeyId,
        KeyAgreementAlgorithm: 'ECDH',
        PublicKey: await peer(),
      },
    ],
  },
  {
    key: 'kms:DataKeyPairSpec',
    action: 'kms:GenerateDataKeyPair',
    good: 'ECC_NIST_P256',
    bad: 'RSA_2048',
    setup: async (w) => ['GenerateDataKeyPair', { KeyId: (await w.createKey()).KeyId, KeyPairSpec: 'ECC_NIST_P256' }],
  },
  {
    key: 'kms:RetiringPrincipal',
    action: 'kms:CreateGrant',
    good: roleArn('Ops'),
    bad: roleArn('Other'),
    setup: async (w) => [
      'CreateGrant',
      {
        KeyId: (await w.createKey()).KeyId,
        GranteePrincipal: roleArn('App'),
        RetiringPrincipal: roleArn('Ops'),
        Operations: ['Decrypt'],
      },
    ],
  },
  {
    key: 'kms:GranteePrincipal',
    action: 'kms:CreateGrant',
    good: roleArn('App'),
    bad: roleArn('Other'),
    setup: async (w) => [
      'CreateGrant',
      { KeyId: (await w.createKey()).KeyId, GranteePrincipal: roleArn('App'), Operations: ['Decrypt'] },
    ],
  },
  {
    key: 'kms:BypassPolicyLockoutSafetyCheck',
    action: 'kms:PutKeyPolicy',
    good: 'true',
    bad: 'false',
    setup: async (w) => {
      const k = await w.createKey();
      return [
        'PutKeyPolicy',
        {
          KeyId: k.KeyId,
          Policy: (await w.call('GetKeyPolicy', { KeyId: k.KeyId })).Policy,
          BypassPolicyLockoutSafetyCheck: true,
        },
      ];
    },
  },
];

describe('operation-specific condition keys decide real calls', () => {
  it.each(CASES.map((c) => [c.key, c] as const))('%s', async (_name, c) => {
    const w = await world();
    const [op, req] = await c.setup(w);
    const operator = c.good === 'true' || c.good === 'false' ? 'Bool' : 'StringEquals';
    const withValue = (v: string) => ({
      p: policy({ Effect: 'Allow', Action: c.action, Resource: '*', Condition: { [operator]: { [c.key]: v } } }),
    });
    const good = await w.principal('user', 'good', withValue(c.good));
    const bad = await w.principal('user', 'bad', withValue(c.bad));
    expect(await good.call(op, req)).toBeDefined();
    const e = await rejectsWith(bad.call(op, req), 'AccessDeniedException');
    expect(e.message).toContain(c.action);
  });
});
