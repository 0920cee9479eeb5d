// The operation catalogue (src/kms/operations/index.ts): docs/API.md's operation table says what it says,
// the handler map covers exactly the implemented operations, and the derived views hold together.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SUPPORTED_OPERATIONS } from '../../../src/kms/kms';
import {
  actionOf,
  AWS_KMS_OPERATIONS,
  findAction,
  isReadOnly,
  OPERATIONS,
  operationCatalogue,
  operationFacts,
  usesKey,
} from '../../../src/kms/operations';

/** docs/API.md's "Operations" table: operation → status, as written. */
function documentedStatuses(): Map<string, string> {
  const text = readFileSync(new URL('../../../docs/API.md', import.meta.url), 'utf8');
  const section = text.slice(
    text.indexOf('\n## Operations'),
    text.indexOf('\n## ', text.indexOf('\n## Operations') + 1),
  );
  const rows = new Map<string, string>();
  for (const m of section.matchAll(/^\| ([A-Za-z]+) \| ([a-z ]+) \|/gm))
    if (m[1] !== 'Operation') rows.set(m[1]!, m[2]!);
  return rows;
}

describe('operation catalogue', () => {
  it('has the 56 operations of the AWS KMS service model, each once', () => {
    expect(AWS_KMS_OPERATIONS).toHaveLength(56);
    expect(new Set(AWS_KMS_OPERATIONS).size).toBe(56);
  });

  it('docs/API.md lists every operation with the status of its descriptor, and nothing else', () => {
    const documented = documentedStatuses();
    expect([...documented.keys()].sort()).toEqual([...AWS_KMS_OPERATIONS]);
    for (const o of OPERATIONS) expect(`${o.name}: ${documented.get(o.name)}`).toBe(`${o.name}: ${o.status}`);
  });

  it('has a handler for exactly the operations that are not "not yet"', () => {
    expect([...SUPPORTED_OPERATIONS].sort()).toEqual(
      OPERATIONS.filter((o) => o.status !== 'not yet')
        .map((o) => o.name)
        .sort(),
    );
  });

  it("names ReEncrypt's two actions, each with its side's encryption context", () => {
    expect(actionOf('ReEncrypt')?.name).toBe('ReEncryptFrom');
    expect(actionOf('ReEncrypt', 'destination')).toMatchObject({
      name: 'ReEncryptTo',
      contextField: 'DestinationEncryptionContext',
    });
    expect(findAction('ReEncryptFrom')?.operation.name).toBe('ReEncrypt');
    expect(actionOf('Encrypt', 'destination')?.name).toBe('Encrypt');
    expect(findAction('ReEncrypt')).toBeUndefined();
  });

  it('answers readOnly for events that are not KMS operations: only LookupEvents reads', () => {
    expect(isReadOnly('LookupEvents')).toBe(true);
    for (const e of ['DeleteKey', 'RotateKey', 'DeleteAuditRecords', 'CreateUser', 'PutRolePolicy'])
      expect(isReadOnly(e)).toBe(false);
    expect(usesKey('DeleteKey')).toBe(false);
    expect(operationFacts('LookupEvents')).toBeUndefined();
  });

  it('keeps its facts consistent: key usage only for cryptographic reads, grants only on key-level operations', () => {
    for (const o of OPERATIONS) {
      if (o.usesKey) expect(o.readOnly).toBe(true);
      if (o.scope === 'account') expect(o.actions.some((a) => a.grant)).toBe(false);
    }
  });

  it('is plain data the worker can hand over (structured clone keeps it whole)', () => {
    const c = operationCatalogue();
    expect(structuredClone(c)).toEqual(c);
    expect(c.simulatorGroups.map((g) => g.label)).toEqual(['Cryptographic', 'Management', 'Grants']);
  });
});

describe('request members', () => {
  it("match the KMS service model's input shapes, as @aws-sdk/client-kms carries them", async () => {
    // The SDK's schemas: [9, namespace, name, traits, () => input, () => output]; input[4] is its member names.
    const sdk = (await import('@aws-sdk/client-kms')) as unknown as Record<string, unknown>;
    for (const o of OPERATIONS) {
      const op = sdk[`${o.name}$`] as [number, string, string, number, () => unknown[]];
      expect(op, o.name).toBeDefined();
      expect([...o.requestMembers].sort(), o.name).toEqual([...(op[4]()[4] as string[])].sort());
    }
  });

  it('include every blob, timestamp and context member the catalogue names', () => {
    for (const o of OPERATIONS) {
      for (const m of [...o.requestBlobs, ...o.requestTimestamps]) expect(o.requestMembers, o.name).toContain(m);
      for (const a of o.actions) if (a.contextField) expect(o.requestMembers, o.name).toContain(a.contextField);
    }
  });
});

describe('model facts of the 2025–2026 API', () => {
  it('the grant operations are the KMS model GrantOperation values, Encapsulate among them', async () => {
    const { GrantOperation } = await import('@aws-sdk/client-kms');
    const grantOps = OPERATIONS.flatMap((o) => o.actions)
      .filter((a) => a.grant)
      .map((a) => a.name);
    expect(grantOps.sort()).toEqual(Object.values(GrantOperation).sort());
  });

  it('DryRun is on exactly the operations whose KMS model request has it (AWS lists them in "Testing your permissions")', () => {
    const documented = [
      'CreateGrant',
      'Decapsulate',
      'Decrypt',
      'DeriveSharedSecret',
      'Encapsulate',
      'Encrypt',
      'GenerateDataKey',
      'GenerateDataKeyPair',
      'GenerateDataKeyPairWithoutPlaintext',
      'GenerateDataKeyWithoutPlaintext',
      'GenerateMac',
      'ReEncrypt',
      'RetireGrant',
      'RevokeGrant',
      'Sign',
      'Verify',
      'VerifyMac',
    ];
    expect(
      OPERATIONS.filter((o) => o.dryRun)
        .map((o) => o.name)
        .sort(),
    ).toEqual(documented);
  });
});
