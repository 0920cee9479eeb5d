// Custody of the keystore's root keys (ADR 0009). "Device" keystores keep their root keys as
// non-extractable CryptoKeys in `meta` (usable by any script of the origin, readable off the disk).
// "Secret" keystores keep them only wrapped: roots under a vault key, the vault key under a KEK per
// secret (a passphrase through PBKDF2-SHA-256, or a passkey's PRF output through HKDF), and the KEK is
// derived on unlock inside WebCrypto and held in this instance's memory only, never stored.

import { IncorrectSecretException, KMSInvalidStateException, ValidationException, type KmsError } from '../errors';

/** The two keys every other secret of a keystore is wrapped under (ADR 0001, ADR 0005). */
export interface RootKeys {
  /** AES-KW 256: wraps symmetric material versions. */
  domainKey: CryptoKey;
  /** AES-256-GCM: seals asymmetric and HMAC private keys, access-key signing keys and the audit signing key. */
  wrappingKey: CryptoKey;
}

/** OWASP's floor for PBKDF2-HMAC-SHA-256 (Password Storage Cheat Sheet, 2023). */
export const PBKDF2_ITERATIONS = 600_000;
export const MIN_PASSPHRASE_LENGTH = 10;

export interface PassphraseSlot {
  kind: 'passphrase';
  kdf: { name: 'PBKDF2'; hash: 'SHA-256'; iterations: number; salt: Uint8Array };
  /** The vault key, AES-KW wrapped under the KEK this slot derives. */
  wrappedVault: Uint8Array;
}

export interface PasskeySlot {
  kind: 'passkey';
  /** The WebAuthn credential whose PRF output (with `prfSalt`) this slot's KEK comes from. */
  credentialId: Uint8Array;
  prfSalt: Uint8Array;
  wrappedVault: Uint8Array;
}

export type SecretSlot = PassphraseSlot | PasskeySlot;

/** What `meta.custody` holds for a keystore locked at rest. Nothing here is usable without a secret. */
export interface SecretCustody {
  mode: 'secret';
  version: 1;
  slots: SecretSlot[];
  /** The root keys, AES-KW wrapped under the vault key. */
  roots: { domain: Uint8Array; wrapping: Uint8Array };
  /** Minutes of inactivity after which an unlocked instance locks itself (0: never). */
  autoLockMinutes: number;
  changedAt: number;
}

export const CUSTODY_META = 'custody';
export const DEFAULT_AUTO_LOCK_MINUTES = 15;

/** A secret a person presents: a passphrase, or a passkey's PRF output (32 bytes, from the page). */
export type Secret = { passphrase: string } | { prf: Uint8Array; credentialId: Uint8Array };

const KW: AesKeyAlgorithm = { name: 'AES-KW', length: 256 };
const utf8 = new TextEncoder();
const bytes = (b: ArrayBuffer) => new Uint8Array(b);
const buf = (u: Uint8Array) => u as Uint8Array<ArrayBuffer>;

/** @throws ValidationException naming what is wrong with the secret. */
export function checkSecret(s: unknown): Secret {
  const o = s as { passphrase?: unknown; prf?: unknown; credentialId?: unknown } | null;
  if (o && typeof o.passphrase === 'string') {
    /* Precondition: a passphrase is long enough that 600,000 PBKDF2 iterations make guessing it costly. */
    if ([...o.passphrase].length < MIN_PASSPHRASE_LENGTH) {
      throw new ValidationException(`The passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters long.`);
    }
    if (o.passphrase.length > 1024)
      throw new ValidationException('The passphrase must be at most 1024 characters long.');
    return { passphrase: o.passphrase };
  }
  if (o && o.prf instanceof Uint8Array && o.credentialId instanceof Uint8Array) {
    if (o.prf.length !== 32) throw new ValidationException(`A passkey's PRF output is 32 bytes, got ${o.prf.length}.`);
    if (o.credentialId.length < 1 || o.credentialId.length > 1023)
      throw new ValidationException('The passkey credential ID is malformed.');
    return { prf: o.prf, credentialId: o.credentialId };
  }
  throw new ValidationException('Give a passphrase ({ passphrase }) or a passkey ({ prf, credentialId }).');
}

/** The KEK of a passphrase slot: PBKDF2 inside WebCrypto; neither the KEK nor its bytes reach JavaScript. */
async function passphraseKek(passphrase: string, kdf: PassphraseSlot['kdf']): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', utf8.encode(passphrase.normalize('NFC')), 'PBKDF2', false, [
    'deriveKey',
  ]);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: kdf.hash, iterations: kdf.iterations, salt: buf(kdf.salt) },
    base,
    KW,
    false,
    ['wrapKey', 'unwrapKey'],
  );
}

/** HKDF's info for a passkey slot's KEK; its salt is the slot's PRF salt. Named here so a backup header
 * can say exactly how the KEK is derived (docs/FORMAT.md, KDF type 0x02). */
export const PASSKEY_HKDF_INFO = 'pocket-kms:custody:passkey-kek:v1';

/** A slot's KDF, shaped as a backup header's (`BackupKdf`): the file key is wrapped under this slot's KEK. */
export type SlotKdf =
  | { name: 'PBKDF2'; hash: 'SHA-256'; iterations: number; salt: Uint8Array<ArrayBuffer> }
  | {
      name: 'WebAuthn-PRF';
      credentialId: Uint8Array<ArrayBuffer>;
      prfSalt: Uint8Array<ArrayBuffer>;
      hkdf: { name: 'HKDF'; hash: 'SHA-256'; salt: Uint8Array<ArrayBuffer>; info: Uint8Array<ArrayBuffer> };
    };

export function slotKdf(slot: SecretSlot): SlotKdf {
  if (slot.kind === 'passphrase') return { ...slot.kdf, salt: slot.kdf.salt.slice() };
  const info = utf8.encode(PASSKEY_HKDF_INFO);
  return {
    name: 'WebAuthn-PRF',
    credentialId: slot.credentialId.slice(),
    prfSalt: slot.prfSalt.slice(),
    hkdf: { name: 'HKDF', hash: 'SHA-256', salt: slot.prfSalt.slice(), info },
  };
}

/** The KEK a slot's KDF derives from `secret` (a backup header's KDF, checked by its codec).
 * @throws IncorrectSecretException when the secret is not of the KDF's kind. */
export async function deriveKek(kdf: SlotKdf, secret: Secret): Promise<CryptoKey> {
  if (kdf.name === 'PBKDF2' && 'passphrase' in secret) return passphraseKek(secret.passphrase, kdf);
  if (kdf.name === 'WebAuthn-PRF' && 'prf' in secret) {
    const base = await crypto.subtle.importKey('raw', buf(secret.prf), 'HKDF', false, ['deriveKey']);
    return crypto.subtle.deriveKey(kdf.hkdf, base, KW, false, ['wrapKey', 'unwrapKey']);
  }
  throw new IncorrectSecretException(
    kdf.name === 'PBKDF2' ? 'This backup opens with a passphrase.' : 'This backup opens with a passkey.',
  );
}

/** The KEK of a passkey slot: HKDF-SHA-256 over the PRF output (RFC 5869), salt = the slot's PRF salt. */
async function passkeyKek(prf: Uint8Array, prfSalt: Uint8Array): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', buf(prf), 'HKDF', false, ['deriveKey']);
  const info = utf8.encode(PASSKEY_HKDF_INFO);
  return crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: buf(prfSalt), info }, base, KW, false, [
    'wrapKey',
    'unwrapKey',
  ]);
}

function slotFor(custody: SecretCustody, secret: Secret): SecretSlot | undefined {
  if ('passphrase' in secret) return custody.slots.find((s) => s.kind === 'passphrase');
  return custody.slots.find((s) => s.kind === 'passkey' && equalBytes(s.credentialId, secret.credentialId));
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function kekOf(slot: SecretSlot, secret: Secret): Promise<CryptoKey> {
  if (slot.kind === 'passphrase' && 'passphrase' in secret) return passphraseKek(secret.passphrase, slot.kdf);
  if (slot.kind === 'passkey' && 'prf' in secret) return passkeyKek(secret.prf, slot.prfSalt);
  throw new IncorrectSecretException('That kind of secret does not unlock this keystore.');
}

/** An unlocked keystore's keys, held in memory only. `vault` can wrap new slots; it never leaves WebCrypto.
 * `kek` (non-extractable AES-KW) is the KEK of `slot`, the slot that unlocked it: a backup's file key is
 * wrapped under it, so the backup opens with the same secret. */
export interface Unlocked {
  roots: RootKeys;
  vault: CryptoKey;
  kek: CryptoKey;
  slot: SecretSlot;
}

/**
 * Derives the secret's KEK and unwraps the vault key and the root keys, all non-extractable.
 * @throws IncorrectSecretException when the secret is not one of this keystore's (AES-KW's integrity check fails).
 */
export async function unlock(custody: SecretCustody, secret: Secret): Promise<Unlocked> {
  const slot = slotFor(custody, secret);
  if (!slot) throw new IncorrectSecretException('That passkey is not one of this keystore\u2019s secrets.');
  return openSlot(custody, slot, await kekOf(slot, secret));
}

/** Unwraps the vault key of `slot` with its KEK, then the root keys (a restore derives the KEK once,
 * from the backup's header, whose KDF is this slot's).
 * @throws IncorrectSecretException when `kek` is not this slot's. */
export async function openSlot(custody: SecretCustody, slot: SecretSlot, kek: CryptoKey): Promise<Unlocked> {
  let vault: CryptoKey;
  try {
    vault = await crypto.subtle.unwrapKey('raw', buf(slot.wrappedVault), kek, 'AES-KW', KW, false, [
      'wrapKey',
      'unwrapKey',
    ]);
  } catch {
    throw new IncorrectSecretException(
      slot.kind === 'passphrase' ? 'The passphrase is not correct.' : 'The passkey did not unlock this keystore.',
    );
  }
  return { vault, kek, slot, roots: await openRoots(custody.roots, vault) };
}

async function openRoots(r: SecretCustody['roots'], vault: CryptoKey): Promise<RootKeys> {
  const domainKey = await crypto.subtle.unwrapKey('raw', buf(r.domain), vault, 'AES-KW', KW, false, [
    'wrapKey',
    'unwrapKey',
  ]);
  const wrappingKey = await crypto.subtle.unwrapKey(
    'raw',
    buf(r.wrapping),
    vault,
    'AES-KW',
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'],
  );
  return { domainKey, wrappingKey };
}

/** A new slot for `secret` holding the vault key. The vault key exists extractable only inside WebCrypto,
 * for the moment it is wrapped (`transientVault`). */
async function newSlot(
  secret: Secret,
  transientVault: CryptoKey,
  random: (n: number) => Uint8Array,
  iterations: number,
): Promise<{ slot: SecretSlot; kek: CryptoKey }> {
  if ('passphrase' in secret) {
    const kdf = { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: random(16) } as const;
    const kek = await passphraseKek(secret.passphrase, kdf);
    const wrappedVault = bytes(await crypto.subtle.wrapKey('raw', transientVault, kek, 'AES-KW'));
    return { kek, slot: { kind: 'passphrase', kdf, wrappedVault } };
  }
  const prfSalt = random(32);
  const kek = await passkeyKek(secret.prf, prfSalt);
  const wrappedVault = bytes(await crypto.subtle.wrapKey('raw', transientVault, kek, 'AES-KW'));
  return { kek, slot: { kind: 'passkey', credentialId: secret.credentialId.slice(), prfSalt, wrappedVault } };
}

/**
 * New root keys and a vault for a keystore moving to (or created with) a secret. Extractable keys exist
 * only inside WebCrypto while they are wrapped; the keys returned are non-extractable.
 */
export async function createSecretCustody(
  secret: Secret,
  o: { random: (n: number) => Uint8Array; now: number; iterations?: number; autoLockMinutes?: number },
): Promise<{ custody: SecretCustody; unlocked: Unlocked }> {
  const vaultT = await crypto.subtle.generateKey(KW, true, ['wrapKey', 'unwrapKey']);
  const domainT = await crypto.subtle.generateKey(KW, true, ['wrapKey', 'unwrapKey']);
  const wrappingT = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, [
    'encrypt',
    'decrypt',
    'wrapKey',
    'unwrapKey',
  ]);
  const roots = {
    domain: bytes(await crypto.subtle.wrapKey('raw', domainT, vaultT, 'AES-KW')),
    wrapping: bytes(await crypto.subtle.wrapKey('raw', wrappingT, vaultT, 'AES-KW')),
  };
  const { slot, kek } = await newSlot(secret, vaultT, o.random, o.iterations ?? PBKDF2_ITERATIONS);
  const custody: SecretCustody = {
    mode: 'secret',
    version: 1,
    slots: [slot],
    roots,
    autoLockMinutes: o.autoLockMinutes ?? DEFAULT_AUTO_LOCK_MINUTES,
    changedAt: o.now,
  };
  // The KEK just derived opens the new slot: one key derivation (600,000 PBKDF2 iterations), not two.
  return { custody, unlocked: await openSlot(custody, slot, kek) };
}

/**
 * Adds or replaces the slot of `secret` (a new passphrase replaces the old one; a passkey is added
 * beside the others). Needs an unlock with a current secret first: the vault key is unwrapped
 * extractable from that slot, inside WebCrypto, for the moment it is wrapped again.
 * @throws IncorrectSecretException when `current` does not unlock the keystore.
 */
export async function changeSecret(
  custody: SecretCustody,
  current: Secret,
  next: Secret,
  o: { random: (n: number) => Uint8Array; now: number; iterations?: number },
): Promise<SecretCustody> {
  const slot = slotFor(custody, current);
  if (!slot) throw new IncorrectSecretException('The current secret is not one of this keystore\u2019s.');
  const kek = await kekOf(slot, current);
  let vaultT: CryptoKey;
  try {
    vaultT = await crypto.subtle.unwrapKey('raw', buf(slot.wrappedVault), kek, 'AES-KW', KW, true, [
      'wrapKey',
      'unwrapKey',
    ]);
  } catch {
    throw new IncorrectSecretException('The current passphrase is not correct.');
  }
  const { slot: added } = await newSlot(next, vaultT, o.random, o.iterations ?? PBKDF2_ITERATIONS);
  const others = custody.slots.filter((s) =>
    added.kind === 'passphrase'
      ? s.kind !== 'passphrase'
      : !(s.kind === 'passkey' && equalBytes(s.credentialId, added.credentialId)),
  );
  return { ...custody, slots: [...others, added], changedAt: o.now };
}

/** The error every use of a locked keystore gets: AWS's name for a resource in the wrong state. */
export function lockedError(): KmsError {
  return new KMSInvalidStateException(
    'The keystore is locked: unlock it in the Pocket KMS console (or pocketKms.api.unlock) and try again.',
  );
}
