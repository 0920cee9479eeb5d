// One instance's custody state (ADR 0009): the root keys in memory while unlocked, the lock, the
// idle timeout, and the two ways a stored secret becomes usable again (an unwrapped material version,
// a key pair's WebCrypto keys). Every use of a root key goes through `roots()`, which refuses while locked.

import { generateWrappingKey, hasWebCryptoEd25519, sealAad, SPECS, variants } from '../asymmetric';
import type { Clock, Store, Tx } from '../ports';
import type { KeyPairMaterialRecord, KeySpec, KeyUsage, SymmetricMaterialRecord } from '../records';
import {
  CUSTODY_META,
  lockedError,
  unlock,
  type RootKeys,
  type Secret,
  type SecretCustody,
  type SecretSlot,
  type Unlocked,
} from './custody';
import { generateDomainKey } from './symmetric';
import { KMSInternalException, ValidationException } from '../errors';

export type CustodyMode = 'device' | 'secret';

export interface CustodyStatus {
  mode: CustodyMode;
  /** A secret keystore this instance has not unlocked (or locked again). Device keystores never are. */
  locked: boolean;
  /** Secret keystores: minutes of inactivity before this instance locks itself (0: never). */
  autoLockMinutes?: number;
  /** Secret keystores: which kinds of secret open it. */
  secrets?: ('passphrase' | 'passkey')[];
}

type State =
  | { mode: 'device'; roots: RootKeys }
  | { mode: 'secret'; custody: SecretCustody; unlocked?: Unlocked; lastUse: number };

export class Custodian {
  private constructor(
    private state: State,
    private readonly clock: Clock,
    private readonly onLock: () => void,
  ) {}

  /** Reads the keystore's custody; a device keystore without root keys gets them (first open, or one
   * made before asymmetric keys: ADR 0005). Concurrent first opens agree: the first committed wins. */
  static async open(store: Store, clock: Clock, onLock: () => void): Promise<Custodian> {
    const custody = await store.read((tx) => tx.getMeta<SecretCustody>(CUSTODY_META));
    if (custody) return new Custodian({ mode: 'secret', custody, lastUse: clock.now() }, clock, onLock);
    return new Custodian({ mode: 'device', roots: await deviceRoots(store) }, clock, onLock);
  }

  status(): CustodyStatus {
    const s = this.state;
    if (s.mode === 'device') return { mode: 'device', locked: false };
    return {
      mode: 'secret',
      locked: !s.unlocked,
      autoLockMinutes: s.custody.autoLockMinutes,
      secrets: [...new Set(s.custody.slots.map((x) => x.kind))],
    };
  }

  get mode(): CustodyMode {
    return this.state.mode;
  }

  /** The root keys, and the clock of the idle timeout starts again.
   * @throws KMSInvalidStateException while the keystore is locked. */
  roots(): RootKeys {
    const s = this.state;
    if (s.mode === 'device') return s.roots;
    if (!s.unlocked) throw lockedError();
    s.lastUse = this.clock.now();
    return s.unlocked.roots;
  }

  /** The custody this instance unlocked, and the KEK and slot of the secret that unlocked it (a backup
   * wraps its file key under that KEK). Dropped on lock with the root keys.
   * @throws KMSInvalidStateException while locked; ValidationException for a device keystore. */
  unlockedSecret(): { custody: SecretCustody; kek: CryptoKey; slot: SecretSlot } {
    this.roots();
    const s = this.state;
    if (s.mode !== 'secret' || !s.unlocked)
      throw new ValidationException('This keystore has no secret: set a passphrase first.');
    return { custody: s.custody, kek: s.unlocked.kek, slot: s.unlocked.slot };
  }

  /** Refuses a call while locked, before it reads anything (a locked keystore answers nothing from cache). */
  requireUnlocked(): void {
    if (this.state.mode === 'secret') this.roots();
  }

  /** Locks after the idle timeout. Maintenance runs it every minute (KeystoreCustody.lockIfIdle, which
   * records the lock), so memory is dropped without any call. */
  expire(): void {
    const s = this.state;
    if (s.mode !== 'secret' || !s.unlocked || s.custody.autoLockMinutes === 0) return;
    if (this.clock.now() - s.lastUse >= s.custody.autoLockMinutes * 60_000) this.lock();
  }

  /** @throws IncorrectSecretException; ValidationException for a malformed secret. */
  async unlock(store: Store, secret: Secret): Promise<void> {
    const custody = await store.read((tx) => tx.getMeta<SecretCustody>(CUSTODY_META));
    if (!custody) throw new KMSInternalException('This keystore has no secret to unlock it with.');
    const unlocked = await unlock(custody, secret);
    this.state = { mode: 'secret', custody, unlocked, lastUse: this.clock.now() };
  }

  /** Re-reads the stored custody (e.g. a new idle timeout), keeping this instance's unlocked keys. */
  async refresh(store: Store): Promise<void> {
    const custody = await store.read((tx) => tx.getMeta<SecretCustody>(CUSTODY_META));
    if (custody && this.state.mode === 'secret') this.state.custody = custody;
  }

  /** Drops the root keys and every key made from them (the material cache) from this instance's memory. */
  lock(): void {
    const s = this.state;
    if (s.mode === 'secret') {
      delete s.unlocked;
      this.onLock();
    }
  }

  /** Another Region's keystore in this browser with the same stored custody (ADR 0015: a Region made from
   * another inherits its custody record) shares that one's unlock: the same secret opens the same roots,
   * so asking for it again would protect nothing more. Returns whether this instance is now unlocked. */
  shareUnlock(from: Custodian): boolean {
    const s = this.state;
    const o = from.state;
    if (s.mode === 'device') return true;
    if (s.unlocked) return true;
    if (o.mode !== 'secret' || !o.unlocked || !equalRoots(s.custody, o.custody)) return false;
    this.state = { ...s, unlocked: o.unlocked, lastUse: this.clock.now() };
    return true;
  }

  /** After this keystore's custody changed (a secret set or changed): adopt it, unlocked. */
  adopt(custody: SecretCustody, unlocked: Unlocked): void {
    this.onLock();
    this.state = { mode: 'secret', custody, unlocked, lastUse: this.clock.now() };
  }

  /** Inside a transaction that stores something wrapped under this instance's roots: the keystore's
   * custody must still be what this instance holds (another tab may have set a secret meanwhile).
   * @throws KMSInvalidStateException asking to reload when it changed. */
  async requireCurrent(tx: Tx): Promise<void> {
    const stored = await tx.getMeta<SecretCustody>(CUSTODY_META);
    const s = this.state;
    const same = s.mode === 'device' ? !stored : !!stored && equalRoots(stored, s.custody);
    if (!same) {
      this.lock();
      throw changedElsewhere();
    }
  }

  /** Secret keystores store material only wrapped: the usable forms are dropped before writing. */
  forStorage<T extends SymmetricMaterialRecord | KeyPairMaterialRecord>(m: T): T {
    if (this.state.mode === 'device') return m;
    if (m.kind) return { ...m, cryptoKeys: {} };
    const { key: _dropped, ...rest } = m as SymmetricMaterialRecord;
    return rest as T;
  }

  /** A symmetric material version's usable key: stored (device) or unwrapped under the domain key now. */
  async symmetricKey(m: SymmetricMaterialRecord): Promise<CryptoKey> {
    if (m.key) return m.key;
    if (this.state.mode === 'device') throw changedElsewhere();
    return crypto.subtle.unwrapKey('raw', m.wrapped, this.roots().domainKey, 'AES-KW', { name: 'AES-GCM' }, false, [
      'encrypt',
      'decrypt',
    ]);
  }

  /** A key pair's WebCrypto keys: stored (device) or unwrapped from its sealed copy now, one per
   * variant, non-extractable (software specs have none: ADR 0005). */
  async pairKeys(m: KeyPairMaterialRecord, spec: KeySpec, usage: KeyUsage): Promise<KeyPairMaterialRecord> {
    if (Object.keys(m.cryptoKeys).length > 0 || SPECS[spec].protection !== 'browser') return m;
    // A browser without WebCrypto Ed25519 keeps Ed25519 keys in software (ADR 0005).
    if (SPECS[spec].family === 'ed25519' && !(await hasWebCryptoEd25519())) return m;
    if (this.state.mode === 'device') throw changedElsewhere();
    const vs = variants(spec, usage);
    if (Object.keys(vs).length === 0) return m;
    const gcm: AesGcmParams = {
      name: 'AES-GCM',
      iv: m.iv as Uint8Array<ArrayBuffer>,
      additionalData: sealAad(m.keyId, m.version) as Uint8Array<ArrayBuffer>,
    };
    const format = SPECS[spec].family === 'hmac' ? 'raw' : 'pkcs8';
    const cryptoKeys: Record<string, CryptoKey> = {};
    const wrappingKey = this.roots().wrappingKey;
    for (const [name, v] of Object.entries(vs))
      cryptoKeys[name] = await crypto.subtle.unwrapKey(format, m.sealed, wrappingKey, gcm, v.alg, false, v.usages);
    return { ...m, cryptoKeys };
  }
}

/** Whether two custody records hold the same root keys (wrapped alike): what one seals, the other opens. */
export function equalRoots(a: SecretCustody, b: SecretCustody): boolean {
  const eq = (x: Uint8Array, y: Uint8Array) => x.length === y.length && x.every((v, i) => v === y[i]);
  return eq(a.roots.domain, b.roots.domain) && eq(a.roots.wrapping, b.roots.wrapping);
}

/** A device keystore's root keys, stored as non-extractable CryptoKeys (ADR 0001, 0005). */
async function deviceRoots(store: Store): Promise<RootKeys> {
  const have = await store.read(async (tx) => ({
    d: await tx.getMeta<CryptoKey>('domainKey'),
    w: await tx.getMeta<CryptoKey>('wrappingKey'),
  }));
  if (have.d && have.w) return { domainKey: have.d, wrappingKey: have.w };
  const candidate = { d: have.d ?? (await generateDomainKey()), w: have.w ?? (await generateWrappingKey()) };
  return store.write(async (tx) => {
    const d = (await tx.getMeta<CryptoKey>('domainKey')) ?? candidate.d;
    const w = (await tx.getMeta<CryptoKey>('wrappingKey')) ?? candidate.w;
    if (!(await tx.getMeta('domainKey'))) await tx.putMeta('domainKey', d);
    if (!(await tx.getMeta('wrappingKey'))) await tx.putMeta('wrappingKey', w);
    return { domainKey: d, wrappingKey: w };
  });
}

/** A device instance meets material stored only wrapped: another tab set a secret since this one opened. */
function changedElsewhere(): InstanceType<typeof KMSInternalException> {
  return new KMSInternalException(
    'The keystore\u2019s secret changed in another tab or window: reload this page and unlock it.',
  );
}
