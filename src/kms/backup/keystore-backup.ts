// Backup and restore of a whole keystore (ADR 0009 "Backup and restore"; docs/FORMAT.md "Backup files"):
// one file holding every store as stored (a secret keystore stores only wrapped forms), its file key
// wrapped under the KEK of the secret that unlocked this instance. A restore fills an empty keystore
// whole, or merges key by key and never replaces a key that is here. Audited by KeystoreCustody.

import { accountView, keyAccount } from '../account-keys';
import { OpContext, type KmsEnv } from '../context';
import { IncorrectSecretException, KMSInvalidStateException, ValidationException } from '../errors';
import { keyArn } from '../ids';
import {
  CUSTODY_EVENT_SOURCE,
  CUSTODY_META,
  deriveKek,
  openSlot,
  rewrapAll,
  slotKdf,
  withDeviceForms,
  type Secret,
  type SecretCustody,
  type SecretSlot,
} from '../material';
import type { Tx } from '../ports';
import type { KeyRecord, MaterialRecord, StoredGrant } from '../records';
import { decodeBackup, encodeBackup } from './format';
import { decodeBackupHeader, MAX_ITERATIONS, MIN_ITERATIONS, type BackupKdf } from './header';
import { checkRestorable, sameMaterial, type Restorable } from './restore-checks';
import { addStores, backupStores, planStores, sameStoreMaterial } from './store-merge';
import { allKeyStores } from '../keystores';
import { demoKeysIn, withoutDemoKeys } from './demo-keys';

export const BACKUP_APP = 'pocket-kms';

export interface RestoreSkip {
  keyId: string;
  /** Set when only this alias (or grant) of an added key was left out. */
  alias?: string;
  grantId?: string;
  reason: string;
}

export interface RestoreResult {
  mode: 'empty' | 'merge';
  keysRestored: number;
  skipped: RestoreSkip[];
  /** 'empty': the backup's audit records, now this keystore's trail (a RestoreKeystore record follows them).
   * 'merge': 0, this keystore's trail stays and the backup's is not merged. */
  auditRecords: number;
  /** 'merge': what a merge never carries. */
  notMerged: ('principals' | 'accessKeys' | 'audit')[];
  /** Demo keys (ADR 0018) the restore brought back, as `name (key ID)`: published material, not real keys. */
  demoKeys: string[];
  /** 'empty': the keystore is now the backup's (region, account, custody): reopen the core over it. */
  reopen: boolean;
  keystore: { region: string; accountId: string };
}

const eq = (a: ArrayBuffer | Uint8Array, b: ArrayBuffer | Uint8Array) => {
  const x = new Uint8Array(a as ArrayBuffer),
    y = new Uint8Array(b as ArrayBuffer);
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

function sameSlot(a: SecretSlot, b: SecretSlot): boolean {
  if (!eq(a.wrappedVault, b.wrappedVault)) return false;
  if (a.kind === 'passphrase' && b.kind === 'passphrase')
    return a.kdf.iterations === b.kdf.iterations && eq(a.kdf.salt, b.kdf.salt);
  return a.kind === 'passkey' && b.kind === 'passkey' && eq(a.credentialId, b.credentialId) && eq(a.prfSalt, b.prfSalt);
}

/** Writes the backup file of this keystore, which must have a secret and be unlocked.
 * @throws ValidationException (a device keystore), KMSInvalidStateException (locked, or the secret changed
 * in another tab since this instance unlocked). */
export async function backupKeystore(
  env: KmsEnv,
  o: { includeDemoKeys?: boolean } = {},
): Promise<{ file: Uint8Array; keys: number; demoKeysLeftOut: number }> {
  const { custody, kek, slot } = env.custodian.unlockedSecret();
  const whole = await env.store.snapshot();
  // Demo keys (published material, ADR 0018) travel only when asked.
  const { stores, left } = o.includeDemoKeys ? { stores: whole.stores, left: 0 } : withoutDemoKeys(whole.stores);
  const snap = { ...whole, stores };
  const meta = new Map(snap.stores.meta as [string, unknown][]);
  const stored = meta.get(CUSTODY_META) as SecretCustody | undefined;
  /* Precondition: the stored custody still has the slot this instance unlocked with, so the file opens
   * with that secret and its root keys open the snapshot's material. */
  if (!stored || !eq(stored.roots.domain, custody.roots.domain) || !stored.slots.some((s) => sameSlot(s, slot))) {
    env.custodian.lock();
    throw new KMSInvalidStateException(
      'The keystore\u2019s secret changed in another tab or window: unlock it again, then back it up.',
    );
  }
  // The file key is extractable only inside WebCrypto, while it is wrapped; the one used is not.
  const t = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt']);
  const wrappedFileKey = new Uint8Array(await crypto.subtle.wrapKey('raw', t, kek, 'AES-KW'));
  const fileKey = await crypto.subtle.unwrapKey('raw', wrappedFileKey, kek, 'AES-KW', { name: 'AES-GCM' }, false, [
    'encrypt',
  ]);
  const file = await encodeBackup({
    kdf: slotKdf(slot),
    wrappedFileKey,
    fileId: env.random.bytes(32) as Uint8Array<ArrayBuffer>,
    fileKey,
    snapshot: { createdAt: env.clock.now(), app: BACKUP_APP, schemaVersion: snap.schemaVersion, stores: snap.stores },
  });
  return { file, keys: snap.stores.keys?.length ?? 0, demoKeysLeftOut: left };
}

/** Opens a backup with `secret` and checks it whole, before anything is written.
 * @throws IncorrectSecretException, BackupFormatException, UnsupportedBackupVersionException, ValidationException */
async function open(env: KmsEnv, file: Uint8Array, secret: Secret): Promise<Restorable> {
  const { header } = decodeBackupHeader(file);
  const kdf: BackupKdf = header.kdf;
  // The codec refuses these already; checked again here because this is where the cost is paid.
  if (kdf.name === 'PBKDF2' && (kdf.iterations < MIN_ITERATIONS || kdf.iterations > MAX_ITERATIONS))
    throw new ValidationException(`The backup asks for ${kdf.iterations} PBKDF2 iterations, outside the bounds.`);
  const kek = await deriveKek(kdf, secret);
  let fileKey: CryptoKey;
  try {
    fileKey = await crypto.subtle.unwrapKey('raw', header.wrappedFileKey, kek, 'AES-KW', { name: 'AES-GCM' }, false, [
      'decrypt',
    ]);
  } catch {
    // AES-KW's integrity check (RFC 3394 §2.2.3): the KEK is not the one the file key was wrapped under.
    throw new IncorrectSecretException(
      'passphrase' in secret ? 'The passphrase does not open this backup.' : 'The passkey does not open this backup.',
    );
  }
  const snapshot = await decodeBackup(file, fileKey);
  const r = checkRestorable(snapshot, env.store.schemaVersion, kdf);
  // The header's KDF is that slot's, so the KEK just derived opens the backup's own root keys.
  r.unlocked = await openSlot(r.custody, r.slot, kek);
  return r;
}

/** Restores a backup into this keystore (see RestoreResult). `c` records the merge. */
export async function restoreKeystore(
  env: KmsEnv,
  c: OpContext,
  file: Uint8Array,
  o: { mode: 'empty' | 'merge'; secret: Secret },
): Promise<RestoreResult> {
  env.custodian.requireUnlocked();
  if (o.mode === 'empty') await env.store.read(requireEmpty);
  const r = await open(env, file, o.secret);
  return env.locks.withLock('pocket-kms:custody', () => (o.mode === 'empty' ? fill(env, c, r) : merge(env, c, r)));
}

/** Precondition: an 'empty' restore replaces everything, so only a keystore with nothing of its own. */
async function requireEmpty(tx: Tx): Promise<void> {
  const [keys, aliases, principals, accessKeys] = await Promise.all([
    tx.allKeys(),
    tx.listAliases(),
    tx.listPrincipals(),
    tx.listAccessKeys(),
  ]);
  const n = keys.length + aliases.length + principals.length + accessKeys.length;
  if (n > 0)
    throw new ValidationException(
      `This keystore is not empty (${keys.length} keys, ${aliases.length} aliases, ${principals.length} users and roles, ${accessKeys.length} access keys): restore with mode "merge", or into a fresh browser profile.`,
    );
}

async function fill(env: KmsEnv, c: OpContext, r: Restorable): Promise<RestoreResult> {
  const result: RestoreResult = {
    mode: 'empty',
    keysRestored: r.keys.length,
    skipped: [],
    auditRecords: r.auditRecords,
    notMerged: [],
    demoKeys: demoKeysIn(r.keys),
    reopen: true,
    keystore: { region: r.keystore.region, accountId: r.keystore.accountId },
  };
  // The record goes to the restored trail, so it names the restored keystore.
  const rc = new OpContext({ ...env, keystore: result.keystore }, c.caller, c.op, c.request, c.requestId);
  rc.eventSource = CUSTODY_EVENT_SOURCE;
  await env.store.replaceAll({ schemaVersion: r.schemaVersion, stores: r.stores }, requireEmpty, (tx) =>
    tx.appendAudit(rc.entry({ mode: 'empty', keysRestored: result.keysRestored, auditRecords: r.auditRecords })),
  );
  env.custodian.adopt(r.custody, r.unlocked!);
  // Nothing stale until the host reopens the core: calls now name the restored keystore.
  env.keystore = result.keystore;
  env.trackingStart = r.keystore.createdAt;
  return result;
}

async function merge(env: KmsEnv, c: OpContext, r: Restorable): Promise<RestoreResult> {
  const to = env.custodian.roots();
  const from = r.unlocked!.roots;
  const here = await env.store.read(async (tx) => {
    const out = new Map<string, MaterialRecord[]>();
    for (const k of r.keys) if (await tx.getKey(k.keyId)) out.set(k.keyId, await tx.listMaterials(k.keyId));
    return out;
  });
  // Passkey key stores' keys join their store here, or bring it (ADR 0016): their material is never re-wrapped.
  const stores = await planStores(
    r.keys,
    backupStores(r.stores),
    await env.store.read((tx) => allKeyStores(tx)),
    from,
    to,
    env.custodian.mode === 'secret',
  );
  const skipped: RestoreSkip[] = [];
  const adding: KeyRecord[] = [];
  for (const k of r.keys) {
    const mine = here.get(k.keyId);
    const theirs = r.materials.get(k.keyId)!;
    const refused = k.customKeyStoreId && stores.refused.get(k.customKeyStoreId);
    if (refused) skipped.push({ keyId: k.keyId, reason: `in a passkey key store: ${refused}` });
    else if (!mine) adding.push(k);
    else if (k.customKeyStoreId ? sameStoreMaterial(theirs, mine) : await sameMaterial(k, theirs, mine, from, to))
      skipped.push({ keyId: k.keyId, reason: 'already here' });
    else skipped.push({ keyId: k.keyId, reason: 'a key with this ID and different material exists here' });
  }
  const byId = new Map(adding.map((k) => [k.keyId, k]));
  let materials = await rewrapAll(
    adding.flatMap((k) => r.materials.get(k.keyId)!),
    byId,
    from,
    to,
    (n) => env.random.bytes(n),
  );
  if (env.custodian.mode === 'device')
    materials = await Promise.all(materials.map((m) => withDeviceForms(m, byId.get(m.keyId)!, to)));
  const summary = await c.writeDurable(async (tx) => {
    await env.custodian.requireCurrent(tx);
    const keyStoresAdded = adding.length ? await addStores(tx, stores) : 0;
    let added = 0;
    const late: RestoreSkip[] = [];
    for (const k of adding) {
      if (await tx.getKey(k.keyId)) {
        late.push({ keyId: k.keyId, reason: 'a key with this ID was created here during the restore' });
        continue;
      }
      // A key keeps its account: another account of the keystore's (`accountId`), else the keystore's first.
      await tx.putKey({ ...k, arn: keyArn(accountView(env.keystore, keyAccount(env.keystore, k)), k.keyId) });
      for (const m of materials) if (m.keyId === k.keyId) await tx.putMaterial(m);
      for (const a of r.aliases.get(k.keyId) ?? [])
        if (await tx.getAlias(a.name))
          late.push({ keyId: k.keyId, alias: a.name, reason: 'the alias name is taken here: the alias was left out' });
        else await tx.putAlias(a);
      for (const g of r.grants.get(k.keyId) ?? [])
        if (await tx.getGrant(g.grantId))
          late.push({ keyId: k.keyId, grantId: g.grantId, reason: 'a grant with this ID exists here' });
        else await tx.putGrant(g as StoredGrant);
      c.keyIds.add(k.keyId);
      added++;
    }
    skipped.push(...late);
    return {
      mode: 'merge',
      keysRestored: added,
      keysSkipped: skipped.filter((s) => !s.alias && !s.grantId).length,
      aliasesSkipped: skipped.filter((s) => s.alias).length,
      keyStoresAdded,
      notMerged: ['principals', 'accessKeys', 'audit'],
    };
  });
  return {
    mode: 'merge',
    keysRestored: summary.keysRestored,
    skipped,
    auditRecords: 0,
    notMerged: ['principals', 'accessKeys', 'audit'],
    demoKeys: demoKeysIn(adding.filter((k) => !skipped.some((s) => s.keyId === k.keyId && !s.alias && !s.grantId))),
    reopen: false,
    keystore: { ...env.keystore },
  };
}
