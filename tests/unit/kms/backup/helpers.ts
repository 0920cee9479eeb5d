// Shared fixtures for the backup format tests: a KEK, a fresh file key wrapped under it, and a
// snapshot shaped like the keystore's IndexedDB stores.
import type { BackupKdf, BackupSnapshot, EncodeBackupOptions } from '../../../../src/kms/backup';

export const rand = (n: number) => crypto.getRandomValues(new Uint8Array(n));

export const pbkdf2: BackupKdf = {
  name: 'PBKDF2',
  hash: 'SHA-256',
  iterations: 600_000,
  salt: new Uint8Array(16).fill(5),
};

/** A KEK as the lock would derive it (here generated), and a file key wrapped under it. */
export async function newFile(kek?: CryptoKey) {
  const k = kek ?? (await crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey']));
  const fileKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
  const wrappedFileKey = new Uint8Array(await crypto.subtle.wrapKey('raw', fileKey, k, 'AES-KW'));
  return { kek: k, fileKey, wrappedFileKey, fileId: rand(32) };
}

export async function options(
  snapshot: BackupSnapshot,
  frameLength?: number,
): Promise<EncodeBackupOptions & { kek: CryptoKey }> {
  const f = await newFile();
  return { ...f, kdf: pbkdf2, snapshot, ...(frameLength ? { frameLength } : {}) };
}

const material = (keyId: string, version: number) => ({
  kind: undefined,
  keyId,
  version,
  materialId: 'a'.repeat(63) + version,
  createdAt: 1_700_000_000_000 + version,
  ...(version > 1 ? { rotationType: 'ON_DEMAND' } : {}),
  wrapped: rand(40).buffer,
});

/** Every store of the keystore, with records as the store holds them (wrapped forms only). */
export function realisticSnapshot(auditRecords = 50): BackupSnapshot {
  const keyId = '1234abcd-12ab-34cd-56ef-1234567890ab';
  const arn = `arn:aws:kms:eu-west-1:111122223333:key/${keyId}`;
  return {
    createdAt: 1_760_000_000_123,
    app: 'pocket-kms/0.1.0',
    schemaVersion: 7,
    stores: {
      meta: [
        ['settings', { region: 'eu-west-1', accountId: '111122223333', theme: undefined }],
        ['rootKeys', { wrapped: rand(40), iv: rand(12) }],
      ],
      keys: [
        {
          keyId,
          arn,
          createdAt: 1_700_000_000_000,
          description: 'Clé de test — 日本語 🔑',
          keyUsage: 'ENCRYPT_DECRYPT',
          keySpec: 'SYMMETRIC_DEFAULT',
          origin: 'AWS_KMS',
          state: 'Enabled',
          deletionDate: undefined,
          tags: [{ TagKey: 'team', TagValue: 'ünïcödé' }],
          policy: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
          rotationEnabled: true,
          rotationPeriodDays: 365,
          currentVersion: 3,
          currentMaterialId: 'x',
        },
      ],
      materials: [
        material(keyId, 1),
        material(keyId, 2),
        material(keyId, 3),
        {
          kind: 'asymmetric',
          keyId: 'k2',
          version: 1,
          materialId: 'm',
          createdAt: 1,
          publicKey: rand(91),
          sealed: rand(1250).buffer,
          iv: rand(12),
        },
      ],
      aliases: [{ name: 'alias/test', keyId, createdAt: 1, updatedAt: 2 }],
      principals: [
        {
          arn: 'arn:aws:iam::111122223333:user/ana',
          kind: 'user',
          name: 'ana',
          id: 'AIDAEXAMPLE',
          createdAt: 3,
          tags: [],
          policies: { p1: '{"Version":"2012-10-17"}' },
        },
      ],
      accessKeys: [
        {
          accessKeyId: 'AKIAEXAMPLE',
          principalArn: 'arn:aws:iam::111122223333:user/ana',
          status: 'Active',
          createdAt: 4,
          wrappedSecret: rand(48).buffer,
        },
      ],
      grants: [
        {
          grantId: 'g'.repeat(64),
          keyId,
          createdAt: 5,
          granteePrincipal: 'arn:aws:iam::111122223333:role/r',
          issuer: 'root',
          operations: ['Decrypt'],
          constraints: { EncryptionContextEquals: { dept: 'ops' } },
        },
      ],
      audit: Array.from({ length: auditRecords }, (_, i) => ({
        seq: i + 1,
        eventTime: 1_700_000_000_000 + i,
        eventName: i % 2 ? 'Decrypt' : 'Encrypt',
        eventId: `e-${i}`,
        readOnly: false,
        username: 'ana',
        keyIds: [keyId],
        usedKeyIds: [keyId],
        record: {
          eventVersion: '1.11',
          userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/ana' },
          requestParameters: { keyId, encryptionContext: { naïve: 'ça va', emoji: '🙂' } },
          responseElements: null,
        },
        prevHash: i ? 'f'.repeat(64) : undefined,
        hash: 'e'.repeat(64),
      })),
    },
  };
}

/** The value with object members that are `undefined` removed, as a backup gives it back. */
export function withoutUndefinedMembers(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutUndefinedMembers);
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v))
    if (x !== undefined)
      Object.defineProperty(out, k, {
        value: withoutUndefinedMembers(x),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  return out;
}
