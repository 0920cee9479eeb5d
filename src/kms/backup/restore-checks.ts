// What a restore checks before it writes anything (ADR 0009 "Backup and restore"): the snapshot fits
// this schema and holds every store, its custody has the slot the header names, and every key has all
// its material; and, for a merge, whether a key here with the same ID holds the same material.

import { ValidationException } from '../errors';
import { PASSKEY_HKDF_INFO, type RootKeys, type SecretCustody, type SecretSlot, type Unlocked } from '../material';
import { CUSTODY_META } from '../material';
import { STORE_NAMES } from '../ports';
import type { AliasRecord, KeyRecord, MaterialRecord, StoredGrant } from '../records';
import { sealAad } from '../asymmetric';
import type { BackupKdf } from './header';
import type { BackupSnapshot } from './snapshot';

/** A checked snapshot, indexed for the restore. */
export interface Restorable {
  schemaVersion: number;
  stores: Record<string, unknown[]>;
  keystore: { region: string; accountId: string; createdAt: number };
  custody: SecretCustody;
  /** The backup's slot whose KDF the header names. */
  slot: SecretSlot;
  unlocked?: Unlocked;
  keys: KeyRecord[];
  materials: Map<string, MaterialRecord[]>;
  aliases: Map<string, AliasRecord[]>;
  grants: Map<string, StoredGrant[]>;
  auditRecords: number;
}

const bad = (what: string) => new ValidationException(`The backup cannot be restored: ${what}.`);
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const eq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

function group<T extends { keyId: string }>(recs: T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of recs) m.set(r.keyId, [...(m.get(r.keyId) ?? []), r]);
  return m;
}

function slotOf(custody: SecretCustody, kdf: BackupKdf): SecretSlot | undefined {
  return custody.slots.find((s) =>
    kdf.name === 'PBKDF2'
      ? s.kind === 'passphrase' && s.kdf.iterations === kdf.iterations && eq(s.kdf.salt, kdf.salt)
      : s.kind === 'passkey' &&
        eq(s.credentialId, kdf.credentialId) &&
        eq(s.prfSalt, kdf.prfSalt) &&
        eq(s.prfSalt, kdf.hkdf.salt) &&
        new TextDecoder().decode(kdf.hkdf.info) === PASSKEY_HKDF_INFO,
  );
}

/** @throws ValidationException naming the first thing that does not fit. */
export function checkRestorable(s: BackupSnapshot, schemaVersion: number, kdf: BackupKdf): Restorable {
  /* Precondition: the records follow this database's schema (no migration of backups yet). */
  if (s.schemaVersion !== schemaVersion)
    throw bad(`it follows storage schema ${s.schemaVersion}, and this Pocket KMS stores schema ${schemaVersion}`);
  const names = Object.keys(s.stores);
  const missing = STORE_NAMES.filter((n) => !names.includes(n));
  const extra = names.filter((n) => !(STORE_NAMES as readonly string[]).includes(n));
  if (missing.length > 0 || extra.length > 0)
    throw bad(
      `its stores are not this keystore's (missing: ${missing.join(', ') || 'none'}; unknown: ${extra.join(', ') || 'none'})`,
    );
  const st = s.stores as Record<(typeof STORE_NAMES)[number], unknown[]>;
  if (!st.meta.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string'))
    throw bad('its settings are not name and value pairs');
  const meta = new Map(st.meta as [string, unknown][]);
  const ks = meta.get('keystore');
  if (
    !isObj(ks) ||
    typeof ks.region !== 'string' ||
    typeof ks.accountId !== 'string' ||
    typeof ks.createdAt !== 'number'
  )
    throw bad('it names no keystore region and account');
  const custody = meta.get(CUSTODY_META);
  if (
    !isObj(custody) ||
    custody.mode !== 'secret' ||
    !Array.isArray(custody.slots) ||
    !isObj(custody.roots) ||
    !isBytes(custody.roots.domain) ||
    !isBytes(custody.roots.wrapping)
  )
    throw bad('it holds no secret custody (its root keys wrapped under a secret)');
  const slot = slotOf(custody as unknown as SecretCustody, kdf);
  if (!slot) throw bad('its header names a secret its keystore does not have');
  const records = <T>(name: string, list: unknown[], ok: (r: Record<string, unknown>) => boolean): T[] => {
    const i = list.findIndex((r) => !isObj(r) || !ok(r));
    if (i >= 0) throw bad(`record ${i} of ${name} is malformed`);
    return list as T[];
  };
  const keys = records<KeyRecord>(
    'keys',
    st.keys,
    (k) => typeof k.keyId === 'string' && Number.isInteger(k.currentVersion),
  );
  const materials = group(
    records<MaterialRecord>(
      'materials',
      st.materials,
      (m) => typeof m.keyId === 'string' && Number.isInteger(m.version),
    ),
  );
  const aliases = group(
    records<AliasRecord>('aliases', st.aliases, (a) => typeof a.name === 'string' && typeof a.keyId === 'string'),
  );
  const grants = group(
    records<StoredGrant>('grants', st.grants, (g) => typeof g.grantId === 'string' && typeof g.keyId === 'string'),
  );
  records('audit', st.audit, (e) => Number.isSafeInteger(e.seq));
  records('principals', st.principals, (p) => typeof p.arn === 'string');
  records('accessKeys', st.accessKeys, (a) => typeof a.accessKeyId === 'string');
  const ids = new Set(keys.map((k) => k.keyId));
  for (const k of keys) {
    const versions = new Set((materials.get(k.keyId) ?? []).map((m) => m.version));
    // A key of EXTERNAL origin holds only the material that is imported now (deleted or expired has none).
    const needed =
      k.origin === 'EXTERNAL'
        ? (k.imported ?? []).filter((m) => m.importState === 'IMPORTED').map((m) => m.version)
        : Array.from({ length: k.currentVersion }, (_, i) => i + 1);
    for (const v of needed) if (!versions.has(v)) throw bad(`key ${k.keyId} lacks its material version ${v}`);
  }
  for (const [id, what] of [
    ...[...materials.keys()].map((id) => [id, 'material'] as const),
    ...[...aliases.keys()].map((id) => [id, 'an alias'] as const),
    ...[...grants.keys()].map((id) => [id, 'a grant'] as const),
  ])
    if (!ids.has(id)) throw bad(`it holds ${what} of key ${id}, which it does not hold`);
  return {
    schemaVersion: s.schemaVersion,
    stores: s.stores,
    keystore: { region: ks.region, accountId: ks.accountId, createdAt: ks.createdAt },
    custody: custody as unknown as SecretCustody,
    slot,
    keys,
    materials,
    aliases,
    grants,
    auditRecords: st.audit.length,
  };
}

/** A fixed message whose HMAC under two HMAC keys says whether they are the same key. */
const SAME_KEY_LABEL = new TextEncoder().encode('pocket-kms:backup:same-hmac-key:v1');

/**
 * Whether `theirs` (the backup's versions, wrapped under `from`) and `mine` (this keystore's, under `to`)
 * are the same material, compared inside WebCrypto: a symmetric version is unwrapped and wrapped again
 * under `to` with AES-KW, which is deterministic (RFC 3394), so the bytes equal this keystore's `wrapped`
 * exactly when the keys are equal; a key pair by its public key; an HMAC key by its MAC of a fixed label.
 */
export async function sameMaterial(
  key: KeyRecord,
  theirs: MaterialRecord[],
  mine: MaterialRecord[],
  from: RootKeys,
  to: RootKeys,
): Promise<boolean> {
  if (theirs.length !== mine.length) return false;
  const byVersion = new Map(mine.map((m) => [m.version, m]));
  for (const t of theirs) {
    const m = byVersion.get(t.version);
    if (!m || m.materialId !== t.materialId || m.kind !== t.kind) return false;
    if (!t.kind && !m.kind) {
      const k = await crypto.subtle.unwrapKey('raw', t.wrapped, from.domainKey, 'AES-KW', { name: 'AES-GCM' }, true, [
        'encrypt',
      ]);
      const again = new Uint8Array(await crypto.subtle.wrapKey('raw', k, to.domainKey, 'AES-KW'));
      if (!eq(again, new Uint8Array(m.wrapped))) return false;
    } else if (t.kind === 'asymmetric' && m.kind === 'asymmetric') {
      if (!t.publicKey || !m.publicKey || !eq(t.publicKey, m.publicKey)) return false;
    } else if (t.kind === 'hmac' && m.kind === 'hmac') {
      const mac = async (r: typeof t, wrappingKey: CryptoKey) => {
        const gcm = { name: 'AES-GCM', iv: r.iv, additionalData: sealAad(key.keyId, r.version) } as AesGcmParams;
        const h = await crypto.subtle.unwrapKey(
          'raw',
          r.sealed,
          wrappingKey,
          gcm,
          { name: 'HMAC', hash: 'SHA-256' },
          false,
          ['sign'],
        );
        return new Uint8Array(await crypto.subtle.sign('HMAC', h, SAME_KEY_LABEL));
      };
      if (!eq(await mac(t, from.wrappingKey), await mac(m, to.wrappingKey))) return false;
    } else return false;
  }
  return true;
}
