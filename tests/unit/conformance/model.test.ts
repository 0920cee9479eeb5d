// Conformance to the KMS service model as @aws-sdk/client-kms 3.x carries it (./schema.ts): every
// implemented operation's response has the output shape, every member of its input shape is
// accepted (or refused on purpose, below), and a change to the model on an SDK upgrade shows.
import { describe, expect, it } from 'vitest';
import { SUPPORTED_OPERATIONS } from '../../../src/kms/kms';
import { operationFacts } from '../../../src/kms/operations';
import { KmsError } from '../../../src/kms/errors';
import { extrasOf, VALID, world, type World } from '../helpers/corpus';
import { ACCOUNT, freshKms } from '../helpers/kms';
import { describeShape, nonConforming, operationShapes, sample } from './schema';

async function attempt(p: Promise<object>): Promise<{ ok: object } | { err: KmsError }> {
  return p.then(
    (ok) => ({ ok }),
    (err: KmsError) => ({ err }),
  );
}

describe('the model', () => {
  // Drift: any change to an implemented operation's shapes on an SDK upgrade fails here, so the
  // core is checked against it (operations.test.ts compares requestMembers to the input shapes).
  it('is the one these tests were written against', async () => {
    const model = Object.fromEntries(
      [...SUPPORTED_OPERATIONS].sort().map((op) => {
        const { input, output } = operationShapes(op);
        return [op, { input: describeShape(input), output: describeShape(output) }];
      }),
    );
    await expect(JSON.stringify(model, null, 1)).toMatchFileSnapshot('./model.snapshot.json');
  });

  it('has the blob and timestamp request members the wire codec reads from the catalogue', () => {
    for (const op of SUPPORTED_OPERATIONS) {
      const { members } = operationShapes(op).input;
      const of = (kind: string) =>
        Object.keys(members)
          .filter((m) => members[m]!.kind === kind)
          .sort();
      expect([...operationFacts(op)!.requestBlobs].sort(), op).toEqual(of('blob'));
      expect([...operationFacts(op)!.requestTimestamps].sort(), op).toEqual(of('timestamp'));
    }
  });

  it('checker refuses an unknown member, a missing required one, a wrong type and a foreign enum value', () => {
    const { output } = operationShapes('CreateKey');
    const KeyMetadata = { KeyId: 'k', CreationDate: new Date(), KeyUsage: 'ENCRYPT_DECRYPT' };
    expect(nonConforming({ KeyMetadata }, output, 'CreateKey')).toEqual([]);
    expect(nonConforming({ KeyMetadata: { ...KeyMetadata, Extra: 1 } }, output, 'CreateKey')).toHaveLength(1);
    expect(nonConforming({ KeyMetadata: { CreationDate: new Date() } }, output, 'CreateKey')).toEqual([
      'CreateKey.KeyMetadata.KeyId: required by KeyMetadata, missing',
    ]);
    expect(nonConforming({ KeyMetadata: { ...KeyMetadata, CreationDate: 1 } }, output, 'CreateKey')).toHaveLength(1);
    expect(nonConforming({ KeyMetadata: { ...KeyMetadata, KeyUsage: 'X' } }, output, 'CreateKey')).toHaveLength(1);
  });
});

describe('responses conform to the output shapes', () => {
  it('for every implemented operation in the corpus', async () => {
    expect(Object.keys(VALID).sort()).toEqual([...SUPPORTED_OPERATIONS].sort());
    const f = await freshKms();
    const w = await world(f);
    const found: string[] = [];
    for (const op of Object.keys(VALID)) {
      const r = await f.call(op, VALID[op]!(w), await extrasOf(op, w));
      found.push(...nonConforming(r, operationShapes(op).output, op));
    }
    expect(found).toEqual([]);
    // Every implemented operation once: a few seconds when the runner is busy.
  }, 30_000);
});

const ROLE = `arn:aws:iam::${ACCOUNT}:role/Ops`;
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
});

/** Values a generated sample cannot have, by member name wherever the input shape has it: real
 * grant tokens and principals, the one policy name, numbers inside the members' ranges. */
const REAL = (token: string): Record<string, unknown> => ({
  GrantTokens: [token],
  PolicyName: 'default',
  Policy: POLICY,
  RetiringPrincipal: ROLE,
  GranteeServicePrincipal: 's3.amazonaws.com',
  RetiringServicePrincipal: 's3.amazonaws.com',
  PendingWindowInDays: 7,
  RotationPeriodInDays: 90,
  EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
  SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
  DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
  MessageType: 'RAW',
});

/** Per operation, values the corpus request does not set but the sample gets wrong. */
const OVERRIDES: Record<string, (w: World, retireId: string) => Record<string, unknown>> = {
  CreateKey: () => ({ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', Origin: 'AWS_KMS' }),
  // The corpus ciphertext was made without an encryption context.
  Decrypt: (w) => ({ KeyId: w.k.KeyId, EncryptionContext: {} }),
  ReEncrypt: (w) => ({ SourceKeyId: w.k.KeyId, SourceEncryptionContext: {} }),
  ListAliases: (w) => ({ KeyId: w.k.KeyId }),
  ListGrants: (w) => ({ GrantId: w.grantId, GranteePrincipal: `arn:aws:iam::${ACCOUNT}:role/App` }),
  // One encryption context constraint (AWS refuses both) and a SourceArn.
  CreateGrant: () => ({ Constraints: { EncryptionContextSubset: { app: 'x' }, SourceArn: 'arn:aws:s3:::bucket' } }),
  RetireGrant: (w, retireId) => ({ KeyId: w.k.Arn, GrantId: retireId }),
  // The first material of the key is new; its description is one of AWS's optional members.
  ImportKeyMaterial: () => ({ ImportType: 'NEW_KEY_MATERIAL', KeyMaterialDescription: 'conformance' }),
};

/** Members Pocket KMS refuses on purpose with the sample's value: `Op.Member` or `*.Member` →
 * the exception it answers, and why. Each is sent alone on top of an otherwise accepted request. */
const REFUSED: Record<string, readonly [exception: string, reason: string]> = {
  '*.DryRun': ['DryRunOperationException', 'a dry run that would have succeeded answers so and does nothing (AWS)'],
  '*.Marker': [
    'InvalidMarkerException',
    'a made-up marker is not one the keystore issued (paging tests use real ones)',
  ],
  '*.Recipient': ['UnsupportedOperationException', 'attestation documents cannot be verified here (docs/API.md)'],
  'GenerateRandom.CustomKeyStoreId': ['CustomKeyStoreNotFoundException', 'a made-up store ID is not a key store here'],
  'CreateKey.CustomKeyStoreId': ['ValidationException', 'a key in a custom key store needs Origin AWS_CLOUDHSM'],
  ...Object.fromEntries(
    ['CreateCustomKeyStore', 'UpdateCustomKeyStore'].flatMap((op) =>
      [
        'CloudHsmClusterId',
        'TrustAnchorCertificate',
        'KeyStorePassword',
        'XksProxyUriEndpoint',
        'XksProxyUriPath',
        'XksProxyVpcEndpointServiceName',
        'XksProxyVpcEndpointServiceOwner',
        'XksProxyAuthenticationCredential',
        'XksProxyConnectivity',
      ].map((m) => [`${op}.${m}`, ['ValidationException', 'a passkey key store has no cluster, password or proxy']]),
    ),
  ),
  'CreateKey.CustomerMasterKeySpec': ['ValidationException', 'the deprecated name of KeySpec: AWS refuses both'],
  'CreateKey.XksKeyId': ['UnsupportedOperationException', 'external key stores are not supported'],
  'DescribeCustomKeyStores.CustomKeyStoreName': ['CustomKeyStoreNotFoundException', 'a made-up name with the real ID'],
  'GenerateDataKey.NumberOfBytes': ['ValidationException', 'the corpus sets KeySpec: AWS refuses both'],
  'GenerateDataKeyWithoutPlaintext.KeySpec': ['ValidationException', 'the corpus sets NumberOfBytes: AWS refuses both'],
  'CreateGrant.GranteeServicePrincipal': ['ValidationException', 'the corpus sets GranteePrincipal: AWS takes one'],
  'CreateGrant.RetiringServicePrincipal': ['ValidationException', 'the sample sets RetiringPrincipal: AWS takes one'],
  'ListGrants.GranteeServicePrincipal': [
    'ValidationException',
    'only service principals may filter by it (AWS), and not with GranteePrincipal',
  ],
  'ImportKeyMaterial.KeyMaterialId': [
    'ValidationException',
    'a made-up material ID is not 64 hex digits, and AWS refuses any with NEW_KEY_MATERIAL',
  ],
  'DeleteImportedKeyMaterial.KeyMaterialId': ['NotFoundException', 'a made-up material ID is not one of the key’s'],
  'ListRetirableGrants.RetiringServicePrincipal': [
    'ValidationException',
    'only service principals may filter by it (AWS), and not with RetiringPrincipal',
  ],
};

const refusal = (op: string, member: string) => REFUSED[`${op}.${member}`] ?? REFUSED[`*.${member}`];

describe('requests with every member of the input shape', () => {
  it('are accepted, or refused with the documented exception', async () => {
    const f = await freshKms();
    const w = await world(f);
    const { GrantToken } = await f.call('CreateGrant', {
      KeyId: w.k.KeyId,
      GranteePrincipal: ROLE,
      Operations: ['DescribeKey'],
    });
    const grants = (await f.call('ListGrants', { KeyId: w.k.KeyId })).Grants as { Name: string; GrantId: string }[];
    const retireId = grants.find((g) => g.Name === 'to-retire')!.GrantId;
    const found: string[] = [];
    for (const op of Object.keys(VALID)) {
      const input = operationShapes(op).input;
      const members = Object.keys(input.members);
      const real = Object.fromEntries(Object.entries(REAL(GrantToken)).filter(([k]) => members.includes(k)));
      const full = {
        ...(sample(input) as object),
        ...real,
        ...OVERRIDES[op]?.(w, retireId),
        ...VALID[op]!(w),
      } as Record<string, unknown>;
      const refused = members.filter((m) => refusal(op, m));
      const base = Object.fromEntries(Object.entries(full).filter(([k]) => !refused.includes(k)));
      // The refused members first: a refusal changes nothing, so the accepted call still finds its state.
      for (const m of refused) {
        const r = await attempt(f.call(op, { ...base, [m]: full[m] }, await extrasOf(op, w)));
        const want = refusal(op, m)![0];
        if (!('err' in r)) found.push(`${op}.${m}: accepted, expected ${want}`);
        else if (r.err.name !== want) found.push(`${op}.${m}: ${r.err.name} (${r.err.message}), expected ${want}`);
      }
      const r = await attempt(f.call(op, base, await extrasOf(op, w)));
      if ('err' in r) found.push(`${op}: ${r.err.name}: ${r.err.message}`);
    }
    expect(found).toEqual([]);
  });
});
