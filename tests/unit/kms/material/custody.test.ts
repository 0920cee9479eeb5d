// The custody hierarchy (src/kms/material/custody.ts, ADR 0009): what a secret keystore stores holds
// no usable key; the right secret opens it, a wrong one is named; secrets change without re-wrapping keys.
import { describe, expect, it } from 'vitest';
import { IncorrectSecretException, ValidationException } from '../../../../src/kms/errors';
import {
  changeSecret,
  checkSecret,
  createSecretCustody,
  PBKDF2_ITERATIONS,
  unlock,
  type SecretCustody,
} from '../../../../src/kms/material/custody';

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const FAST = { random, now: 1, iterations: 1000 };
const PASS = { passphrase: 'correct horse battery staple' };

/** Every value reachable from `v`: a stored custody record must hold bytes and plain data only. */
function* walk(v: unknown, seen = new Set<unknown>()): Generator<unknown> {
  if (v === null || typeof v !== 'object' || seen.has(v)) return;
  seen.add(v);
  yield v;
  for (const x of Object.values(v as object)) yield* walk(x, seen);
}

async function roundTrip(
  c: { domainKey: CryptoKey; wrappingKey: CryptoKey },
  d: { domainKey: CryptoKey; wrappingKey: CryptoKey },
) {
  const t = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt']);
  const wrapped = await crypto.subtle.wrapKey('raw', t, c.domainKey, 'AES-KW');
  await crypto.subtle.unwrapKey('raw', wrapped, d.domainKey, 'AES-KW', 'AES-GCM', false, ['encrypt']);
  const iv = random(12);
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, c.wrappingKey, new Uint8Array([1, 2, 3]));
  expect(new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, d.wrappingKey, sealed))).toEqual(
    new Uint8Array([1, 2, 3]),
  );
}

describe('custody', () => {
  it('stores no CryptoKey and nothing unwrapped; unlocks to non-extractable root keys', async () => {
    const { custody, unlocked } = await createSecretCustody(PASS, FAST);
    expect([...walk(custody)].some((v) => v instanceof CryptoKey)).toBe(false);
    expect(custody.slots).toHaveLength(1);
    expect(custody.roots.domain.length).toBe(40);
    expect(custody.roots.wrapping.length).toBe(40);
    for (const k of [unlocked.roots.domainKey, unlocked.roots.wrappingKey, unlocked.vault])
      expect(k.extractable).toBe(false);
    const again = await unlock(structuredClone(custody), PASS);
    await roundTrip(unlocked.roots, again.roots);
  });

  it('uses 600,000 PBKDF2-SHA-256 iterations unless told otherwise, with a fresh 16-byte salt', async () => {
    const { custody } = await createSecretCustody(PASS, { random, now: 1 });
    expect(custody.slots[0]).toMatchObject({
      kind: 'passphrase',
      kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: PBKDF2_ITERATIONS },
    });
    expect(PBKDF2_ITERATIONS).toBeGreaterThanOrEqual(600_000);
    const other = await createSecretCustody(PASS, FAST);
    expect((other.custody.slots[0] as { kdf: { salt: Uint8Array } }).kdf.salt).not.toEqual(
      (custody.slots[0] as { kdf: { salt: Uint8Array } }).kdf.salt,
    );
  });

  it('a wrong passphrase is IncorrectSecretException, as is a passkey that is not one of its secrets', async () => {
    const { custody } = await createSecretCustody(PASS, FAST);
    await expect(unlock(custody, { passphrase: 'correct horse battery stapler' })).rejects.toBeInstanceOf(
      IncorrectSecretException,
    );
    await expect(unlock(custody, { prf: random(32), credentialId: random(16) })).rejects.toBeInstanceOf(
      IncorrectSecretException,
    );
  });

  it('a changed wrapped vault or root does not open (AES-KW integrity)', async () => {
    const { custody } = await createSecretCustody(PASS, FAST);
    const flipped: SecretCustody = structuredClone(custody);
    flipped.slots[0]!.wrappedVault[5]! ^= 1;
    await expect(unlock(flipped, PASS)).rejects.toBeInstanceOf(IncorrectSecretException);
    const root: SecretCustody = structuredClone(custody);
    root.roots.domain[9]! ^= 1;
    await expect(unlock(root, PASS)).rejects.toThrow();
  });

  it('adds a passkey beside the passphrase and changes the passphrase without touching the root keys', async () => {
    const { custody, unlocked } = await createSecretCustody(PASS, FAST);
    const passkey = { prf: random(32), credentialId: random(16) };
    const both = await changeSecret(custody, PASS, passkey, FAST);
    expect(both.slots.map((s) => s.kind).sort()).toEqual(['passkey', 'passphrase']);
    await roundTrip(unlocked.roots, (await unlock(both, passkey)).roots);
    await expect(unlock(both, { prf: random(32), credentialId: passkey.credentialId })).rejects.toBeInstanceOf(
      IncorrectSecretException,
    );
    const next = { passphrase: 'a much longer and newer passphrase' };
    const changed = await changeSecret(both, passkey, next, FAST);
    expect(changed.slots).toHaveLength(2);
    await expect(unlock(changed, PASS)).rejects.toBeInstanceOf(IncorrectSecretException);
    await roundTrip(unlocked.roots, (await unlock(changed, next)).roots);
    await expect(changeSecret(changed, PASS, next, FAST)).rejects.toBeInstanceOf(IncorrectSecretException);
  });

  it.each([
    [undefined],
    [null],
    [''],
    ['a string'],
    [{}],
    [{ passphrase: 'short' }],
    [{ passphrase: 42 }],
    [{ passphrase: 'x'.repeat(1025) }],
    [{ prf: new Uint8Array(31), credentialId: new Uint8Array(16) }],
    [{ prf: new Uint8Array(32) }],
    [{ prf: new Uint8Array(32), credentialId: new Uint8Array(0) }],
    [{ prf: [1, 2, 3], credentialId: new Uint8Array(4) }],
  ])('refuses the secret %j with ValidationException', (s) => {
    expect(() => checkSecret(s)).toThrow(ValidationException);
  });

  it('counts a passphrase in characters, not UTF-16 units, and keeps it as given', () => {
    expect(checkSecret({ passphrase: '🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑' })).toEqual({ passphrase: '🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑' });
    expect(() => checkSecret({ passphrase: '🔑🔑🔑🔑🔑' })).toThrow(ValidationException);
  });
});
