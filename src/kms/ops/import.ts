// GetParametersForImport, ImportKeyMaterial and DeleteImportedKeyMaterial (AWS KMS API Reference; Developer
// Guide "Importing key material"): keys of EXTERNAL origin get their material from the caller, wrapped for
// a one-time RSA key pair this keystore made. WebCrypto work runs before the one transaction that checks the
// key and the token again, consumes the token, stores the material and appends the audit record.

import { DAY_MS, type OpContext } from '../context';
import {
  ExpiredImportTokenException,
  IncorrectKeyMaterialException,
  InvalidImportTokenException,
  KMSInvalidStateException,
  NotFoundException,
  UnsupportedOperationException,
  ValidationException,
} from '../errors';
import {
  decodeToken,
  newParameters,
  PARAMETERS_VALID_MS,
  parametersMeta,
  stateWith,
  unwrapMaterial,
  WRAPPING_ALGORITHMS,
  WRAPPING_KEY_SPECS,
  withoutValidTo,
  wrappingPrivateKey,
  type StoredParameters,
  type TokenFacts,
  type UsableAlgorithm,
  type UsableSpec,
} from '../import';
import type { Tx } from '../ports';
import type { ImportedMaterial, KeyRecord } from '../records';
import { SPECS } from '../asymmetric';
import { optEnum, optString, reqBlob, reqString, type Req } from '../validate';

const EXPIRATION_MODELS = ['KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE'] as const;
const IMPORT_TYPES = ['NEW_KEY_MATERIAL', 'EXISTING_KEY_MATERIAL'] as const;
/** Unused import parameters kept per key; a further call drops the oldest set (its token is then refused). */
export const MAX_PENDING_PARAMETERS = 10;

const missing = (field: string) =>
  new ValidationException(
    `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`,
  );

/** The key an import operation acts on: a key ID or ARN of an EXTERNAL key that is not pending deletion. */
function requireExternal(key: KeyRecord, allowPendingDeletion = false): void {
  if (key.origin !== 'EXTERNAL')
    throw new UnsupportedOperationException(
      `${key.arn} has Origin ${key.origin}; only KMS keys with Origin EXTERNAL take imported key material.`,
    );
  if (!allowPendingDeletion && key.state === 'PendingDeletion')
    throw new KMSInvalidStateException(`${key.arn} is pending deletion.`);
}

/** Read-modify-write of one key is serialised with the lock rotation takes too (DESIGN.md "The shape"). */
const withKeyLock = <T>(c: OpContext, keyId: string, fn: () => Promise<T>) =>
  c.env.locks.withLock(`pocket-kms:key:${keyId}`, fn);

/**
 * GetParametersForImport: an RSA wrapping public key (DER SubjectPublicKeyInfo) and an import token, valid
 * for 24 hours, for one ImportKeyMaterial call on the key.
 * @throws UnsupportedOperationException (not EXTERNAL; RSAES_PKCS1_V1_5, SM2; an algorithm that cannot wrap
 * the key's material), KMSInvalidStateException (pending deletion), NotFoundException
 */
export async function getParametersForImport(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const alg = optEnum(req, 'WrappingAlgorithm', WRAPPING_ALGORITHMS);
  if (alg === undefined) throw missing('wrappingAlgorithm');
  const spec = optEnum(req, 'WrappingKeySpec', WRAPPING_KEY_SPECS);
  if (spec === undefined) throw missing('wrappingKeySpec');
  const key = await c.env.store.read(async (tx) => {
    const k = await c.resolve(tx, id, { aliases: false });
    requireExternal(k);
    return k;
  });
  if (alg === 'RSAES_PKCS1_V1_5')
    throw new UnsupportedOperationException(
      'The RSAES_PKCS1_V1_5 wrapping algorithm is not supported (AWS KMS dropped it on October 10, 2023); use RSAES_OAEP_SHA_256 or RSA_AES_KEY_WRAP_SHA_256.',
    );
  if (alg === 'SM2PKE' || spec === 'SM2')
    throw new UnsupportedOperationException('SM2 wrapping keys are offered only in AWS China Regions.');
  checkCombination(key, alg, spec);
  const expiresAt = c.now + PARAMETERS_VALID_MS;
  return withKeyLock(c, key.keyId, async () => {
    const p = await newParameters(
      c.env.custodian.roots().wrappingKey,
      (n) => c.env.random.bytes(n),
      key.keyId,
      alg,
      spec,
      expiresAt,
    );
    return c.write(async (tx) => {
      const k = await c.resolve(tx, key.keyId, { aliases: false });
      requireExternal(k);
      await c.env.custodian.requireCurrent(tx);
      const live = (k.importTokens ?? []).filter((t) => t.expiresAt > c.now);
      for (const t of k.importTokens ?? []) if (t.expiresAt <= c.now) await tx.deleteMeta(parametersMeta(t.id));
      while (live.length >= MAX_PENDING_PARAMETERS) await tx.deleteMeta(parametersMeta(live.shift()!.id));
      await tx.putMeta(parametersMeta(p.id), p.stored);
      await tx.putKey({ ...k, importTokens: [...live, { id: p.id, expiresAt }] });
      return { KeyId: k.arn, ImportToken: p.token, PublicKey: p.publicKey, ParametersValidTo: new Date(expiresAt) };
    });
  });
}

/** AWS: an RSA private key needs an RSA_AES algorithm; RSAES_OAEP with RSA_2048 cannot wrap a P-521 key. */
function checkCombination(key: KeyRecord, alg: UsableAlgorithm, spec: UsableSpec): void {
  const family = SPECS[key.keySpec].family;
  if (family === 'rsa' && alg.startsWith('RSAES_OAEP'))
    throw new UnsupportedOperationException(
      `${alg} cannot wrap RSA key material (${key.keySpec}); use RSA_AES_KEY_WRAP_SHA_1 or RSA_AES_KEY_WRAP_SHA_256.`,
    );
  if (key.keySpec === 'ECC_NIST_P521' && spec === 'RSA_2048' && alg.startsWith('RSAES_OAEP'))
    throw new UnsupportedOperationException(
      `${alg} with an RSA_2048 wrapping key cannot wrap ECC_NIST_P521 key material; use a longer wrapping key or RSA_AES_KEY_WRAP_SHA_*.`,
    );
}

interface ImportRequest {
  id: string;
  token: Uint8Array;
  encrypted: Uint8Array;
  model: ImportedMaterial['expirationModel'];
  validTo?: number;
  importType?: (typeof IMPORT_TYPES)[number];
  description?: string;
  materialId?: string;
}

function readImport(c: OpContext, req: Req): ImportRequest {
  const id = reqString(req, 'KeyId');
  const token = reqBlob(req, 'ImportToken', 1, 6144);
  const encrypted = reqBlob(req, 'EncryptedKeyMaterial', 1, 6144);
  const model = optEnum(req, 'ExpirationModel', EXPIRATION_MODELS) ?? 'KEY_MATERIAL_EXPIRES';
  const importType = optEnum(req, 'ImportType', IMPORT_TYPES);
  const description = optString(req, 'KeyMaterialDescription', 0, 256);
  const materialId = optString(req, 'KeyMaterialId', 64, 64);
  if (materialId !== undefined && !/^[a-f0-9]{64}$/.test(materialId))
    throw new ValidationException(
      `1 validation error detected: Value at 'keyMaterialId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-f0-9]+$`,
    );
  const v = req.ValidTo;
  if (v !== undefined && v !== null && !(v instanceof Date && !Number.isNaN(v.getTime())))
    throw new ValidationException(
      `1 validation error detected: Value at 'validTo' failed to satisfy constraint: Member must be a timestamp`,
    );
  const validTo = v instanceof Date ? v.getTime() : undefined;
  if (model === 'KEY_MATERIAL_EXPIRES') {
    if (validTo === undefined)
      throw new ValidationException('ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES (the default).');
    if (validTo <= c.now) throw new ValidationException('ValidTo must be a date and time in the future.');
    if (validTo > c.now + 365 * DAY_MS)
      throw new ValidationException('ValidTo must be at most 365 days after the request.');
  } else if (validTo !== undefined) {
    throw new ValidationException('ValidTo is not valid when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.');
  }
  if (importType === 'NEW_KEY_MATERIAL' && materialId !== undefined)
    throw new ValidationException('KeyMaterialId cannot be specified when ImportType is NEW_KEY_MATERIAL.');
  return {
    id,
    token,
    encrypted,
    model,
    ...(validTo !== undefined ? { validTo } : {}),
    ...(importType ? { importType } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(materialId !== undefined ? { materialId } : {}),
  };
}

/** The token's facts checked against the key and the clock. @throws InvalidImportTokenException, ExpiredImportTokenException */
function checkToken(c: OpContext, key: KeyRecord, t: TokenFacts): void {
  if (t.keyId !== key.keyId)
    throw new InvalidImportTokenException(`The import token was issued for another KMS key, not ${key.arn}.`);
  if (t.expiresAt <= c.now)
    throw new ExpiredImportTokenException(
      `The import token expired at ${new Date(t.expiresAt).toISOString()}; call GetParametersForImport for a new one.`,
    );
}

/** The token's stored parameters, while it is unused. @throws InvalidImportTokenException */
async function storedParameters(tx: Tx, key: KeyRecord, t: TokenFacts): Promise<StoredParameters> {
  const stored = await tx.getMeta<StoredParameters>(parametersMeta(t.id));
  if (!stored || stored.keyId !== key.keyId)
    throw new InvalidImportTokenException(
      'The import token was already used; call GetParametersForImport for a new one.',
    );
  return stored;
}

/**
 * ImportKeyMaterial: imports (or imports again) the key's material, with its expiration.
 * @throws InvalidImportTokenException, ExpiredImportTokenException, InvalidCiphertextException,
 * IncorrectKeyMaterialException, UnsupportedOperationException, KMSInvalidStateException, ValidationException,
 * NotFoundException
 */
export async function importKeyMaterial(c: OpContext, req: Req) {
  const r = readImport(c, req);
  const key0 = await c.env.store.read(async (tx) => {
    const key = await c.resolve(tx, r.id, { aliases: false });
    requireExternal(key);
    if (SPECS[key.keySpec].family !== 'symmetric') {
      for (const [v, f] of [
        [r.importType, 'ImportType'],
        [r.description, 'KeyMaterialDescription'],
        [r.materialId, 'KeyMaterialId'],
      ] as const)
        if (v !== undefined) throw new ValidationException(`${f} is only valid for symmetric encryption keys.`);
    }
    return key;
  });
  // Authenticated outside any transaction (WebCrypto inside one would let it commit: ADR 0004).
  const token = await decodeToken(c.env.custodian.roots().wrappingKey, r.token);
  checkToken(c, key0, token);
  const stored = await c.env.store.read((tx) => storedParameters(tx, key0, token));
  return withKeyLock(c, key0.keyId, async () => {
    const roots = c.env.custodian.roots();
    const rsa = await wrappingPrivateKey(roots.wrappingKey, token.id, stored);
    // Symmetric material is AES-KW wrapped (nothing binds its version), so the version is settled in the
    // transaction; HMAC and private keys are sealed to version 1, the only one they ever have.
    const { material, materialId } = await unwrapMaterial(
      r.encrypted,
      rsa,
      stored,
      key0,
      1,
      roots,
      (n) => c.env.random.bytes(n),
      c.now,
    );
    const result = await c.writeDurable(async (tx) => {
      const key = await c.resolve(tx, r.id, { aliases: false });
      requireExternal(key);
      checkToken(c, key, token);
      await storedParameters(tx, key, token);
      await c.env.custodian.requireCurrent(tx);
      const { imported, version, lastVersion } = place(key, r, materialId, c.now);
      await tx.deleteMeta(parametersMeta(token.id));
      await tx.putMaterial(c.env.custodian.forStorage({ ...material, version }));
      const current = imported.find((m) => m.materialState === 'CURRENT')!;
      await tx.putKey({
        ...key,
        imported,
        lastVersion,
        currentVersion: current.version,
        currentMaterialId: current.materialId,
        state: stateWith(key, imported),
        importTokens: (key.importTokens ?? []).filter((t) => t.id !== token.id),
      });
      return { KeyId: key.arn, KeyMaterialId: materialId };
    });
    c.env.cache.forgetKey(key0.keyId);
    return result;
  });
}

/** Where the material goes among the key's imported versions (AWS's ImportType rules).
 * @throws IncorrectKeyMaterialException, KMSInvalidStateException */
function place(key: KeyRecord, r: ImportRequest, materialId: string, now: number) {
  const all = key.imported ?? [];
  const type = r.importType ?? (all.length ? 'EXISTING_KEY_MATERIAL' : 'NEW_KEY_MATERIAL');
  const expiry = { expirationModel: r.model, ...(r.validTo !== undefined ? { validTo: r.validTo } : {}) };
  const lastVersion = key.lastVersion ?? 0;
  if (type === 'NEW_KEY_MATERIAL') {
    // AWS: new material goes into the primary key; its replicas then take the same with EXISTING_KEY_MATERIAL.
    if (key.multiRegion?.type === 'REPLICA')
      throw new UnsupportedOperationException(
        `${key.arn} is a multi-Region replica key: import new key material into its primary key, then import the same material here with ImportType EXISTING_KEY_MATERIAL.`,
      );
    if (all.some((m) => m.materialId === materialId))
      throw new IncorrectKeyMaterialException(
        `This key material is already associated with ${key.arn}; import it with ImportType EXISTING_KEY_MATERIAL.`,
      );
    if (all.some((m) => m.materialState === 'PENDING_ROTATION'))
      throw new KMSInvalidStateException(
        `${key.arn} already has new key material pending rotation; rotate to it (RotateKeyOnDemand) or delete it first.`,
      );
    const version = lastVersion + 1;
    const entry: ImportedMaterial = {
      version,
      materialId,
      materialState: all.length ? 'PENDING_ROTATION' : 'CURRENT',
      importState: 'IMPORTED',
      ...expiry,
      ...(r.description !== undefined ? { description: r.description } : {}),
      importedAt: now,
    };
    return { imported: [...all, entry], version, lastVersion: version };
  }
  const target = all.find((m) => m.materialId === (r.materialId ?? materialId));
  if (!target || target.materialId !== materialId)
    throw new IncorrectKeyMaterialException(
      r.materialId !== undefined && target
        ? `The key material is not the material ${r.materialId} of ${key.arn}.`
        : `The key material is not key material that was imported into ${key.arn} before.`,
    );
  const entry: ImportedMaterial = {
    ...withoutValidTo(target),
    importState: 'IMPORTED',
    ...expiry,
    ...(r.description !== undefined ? { description: r.description } : {}),
  };
  return { imported: all.map((m) => (m === target ? entry : m)), version: target.version, lastVersion };
}

/**
 * DeleteImportedKeyMaterial: destroys the key's current (or the named) imported material, every stored form
 * of it; the key becomes PendingImport (unless pending deletion). Material pending rotation is discarded.
 * @throws UnsupportedOperationException (not EXTERNAL), KMSInvalidStateException (no material yet),
 * NotFoundException (no such KeyMaterialId)
 */
export async function deleteImportedKeyMaterial(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const materialId = optString(req, 'KeyMaterialId', 1, 64);
  const keyId = await c.env.store.read(async (tx) => (await c.resolve(tx, id, { aliases: false })).keyId);
  return withKeyLock(c, keyId, async () => {
    const result = await c.writeDurable(async (tx) => {
      const key = await c.resolve(tx, id, { aliases: false });
      requireExternal(key, true);
      const all = key.imported ?? [];
      const target =
        materialId !== undefined
          ? all.find((m) => m.materialId === materialId)
          : all.find((m) => m.materialState === 'CURRENT');
      if (!target) {
        if (materialId !== undefined)
          throw new NotFoundException(`Key material ${materialId} is not associated with ${key.arn}.`);
        throw new KMSInvalidStateException(`${key.arn} has no imported key material.`);
      }
      const imported =
        target.materialState === 'PENDING_ROTATION'
          ? all.filter((m) => m !== target)
          : all.map((m) => (m === target ? { ...withoutValidTo(m), importState: 'PENDING_IMPORT' as const } : m));
      await destroyMaterial(tx, key.keyId, [target.version]);
      await tx.putKey({ ...key, imported, state: stateWith(key, imported) });
      return { KeyId: key.arn, KeyMaterialId: target.materialId };
    });
    c.env.cache.forgetKey(keyId);
    return result;
  });
}

/** Deletes the stored material of some versions of a key (the store deletes a key's material all at once). */
export async function destroyMaterial(tx: Tx, keyId: string, versions: readonly number[]): Promise<void> {
  const keep = (await tx.listMaterials(keyId)).filter((m) => !versions.includes(m.version));
  await tx.deleteMaterials(keyId);
  for (const m of keep) await tx.putMaterial(m);
}
