// ImportKeyMaterial's refusals, each by its AWS exception name, each changing nothing: the token of another
// key, an altered or used token, an expired one, wrapped material that does not decrypt, material of the wrong
// length, other material than the key had, and expiration parameters outside AWS's rules.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { freshKms, rejectsWith, type Fresh } from '../../helpers/kms';
import { importMaterial, keystoreState, params, wrap } from './wrap';

const NEVER = { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' };

async function setUp() {
  const f = await freshKms();
  const k = await f.createKey({ Origin: 'EXTERNAL' });
  const other = await f.createKey({ Origin: 'EXTERNAL' });
  const material = new Uint8Array(randomBytes(32));
  const p = await params(f, k.KeyId);
  const good = {
    KeyId: k.KeyId,
    ImportToken: p.ImportToken,
    EncryptedKeyMaterial: wrap(p.PublicKey, material, 'RSAES_OAEP_SHA_256'),
    ...NEVER,
  };
  return { f, k, other, material, p, good };
}

/** The call is refused with `name`, and the keystore's keys, material and import parameters are as before. */
async function refusedChangingNothing(f: Fresh, req: Record<string, unknown>, name: string) {
  const before = await keystoreState(f);
  await rejectsWith(f.call('ImportKeyMaterial', req), name);
  expect(await keystoreState(f)).toBe(before);
}

describe('ImportKeyMaterial refuses, changing nothing', () => {
  it('a token issued for another key: InvalidImportTokenException', async () => {
    const { f, other, good } = await setUp();
    await refusedChangingNothing(f, { ...good, KeyId: other.KeyId }, 'InvalidImportTokenException');
  });

  it('an altered token, or one this keystore never issued: InvalidImportTokenException', async () => {
    const { f, good } = await setUp();
    for (const i of [0, 5, 20, good.ImportToken.length - 1]) {
      const token = good.ImportToken.slice();
      token[i]! ^= 1;
      await refusedChangingNothing(f, { ...good, ImportToken: token }, 'InvalidImportTokenException');
    }
    await refusedChangingNothing(f, { ...good, ImportToken: randomBytes(72) }, 'InvalidImportTokenException');
    // A token another keystore issued (under its own root keys) is not this keystore's.
    const g = await freshKms();
    const theirs = await params(g, (await g.createKey({ Origin: 'EXTERNAL' })).KeyId);
    await refusedChangingNothing(f, { ...good, ImportToken: theirs.ImportToken }, 'InvalidImportTokenException');
  });

  it('a token already used: InvalidImportTokenException', async () => {
    const { f, good } = await setUp();
    await f.call('ImportKeyMaterial', good);
    await refusedChangingNothing(f, good, 'InvalidImportTokenException');
  });

  it('a token past its ParametersValidTo: ExpiredImportTokenException', async () => {
    const { f, good, p } = await setUp();
    f.clock.t = p.ParametersValidTo.getTime();
    await refusedChangingNothing(f, good, 'ExpiredImportTokenException');
  });

  it('wrapped material that does not decrypt under the wrapping key: InvalidCiphertextException', async () => {
    const { f, good, p, material } = await setUp();
    const altered = good.EncryptedKeyMaterial.slice();
    altered[10]! ^= 1;
    await refusedChangingNothing(f, { ...good, EncryptedKeyMaterial: altered }, 'InvalidCiphertextException');
    await refusedChangingNothing(
      f,
      { ...good, EncryptedKeyMaterial: altered.subarray(1) },
      'InvalidCiphertextException',
    );
    // Wrapped with SHA-1 where the token says SHA-256.
    const sha1 = wrap(p.PublicKey, material, 'RSAES_OAEP_SHA_1');
    await refusedChangingNothing(f, { ...good, EncryptedKeyMaterial: sha1 }, 'InvalidCiphertextException');
    // The token is still good afterwards: a refusal does not use it.
    await f.call('ImportKeyMaterial', good);
  });

  it('RSA_AES_KEY_WRAP material whose key wrap was altered: InvalidCiphertextException', async () => {
    const { f, k, material } = await setUp();
    const p = await params(f, k.KeyId, 'RSA_AES_KEY_WRAP_SHA_256');
    const enc = wrap(p.PublicKey, material, 'RSA_AES_KEY_WRAP_SHA_256');
    enc[enc.length - 3]! ^= 1;
    await refusedChangingNothing(
      f,
      { KeyId: k.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: enc, ...NEVER },
      'InvalidCiphertextException',
    );
  });

  it('symmetric material that is not 256 bits: IncorrectKeyMaterialException', async () => {
    const { f, k, p, good } = await setUp();
    for (const n of [16, 24, 31, 33]) {
      const enc = wrap(p.PublicKey, randomBytes(n), 'RSAES_OAEP_SHA_256');
      await refusedChangingNothing(
        f,
        { ...good, KeyId: k.KeyId, EncryptedKeyMaterial: enc },
        'IncorrectKeyMaterialException',
      );
    }
  });

  it('other material than the key had, or the same material as new: IncorrectKeyMaterialException', async () => {
    const { f, k, good, material } = await setUp();
    const first = await f.call('ImportKeyMaterial', good);
    // EXISTING_KEY_MATERIAL is the default once material was imported: different bytes are refused.
    let p = await params(f, k.KeyId);
    const different = wrap(p.PublicKey, randomBytes(32), 'RSAES_OAEP_SHA_256');
    await refusedChangingNothing(
      f,
      { KeyId: k.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: different, ...NEVER },
      'IncorrectKeyMaterialException',
    );
    // The same bytes named as new material.
    p = await params(f, k.KeyId);
    const same = wrap(p.PublicKey, material, 'RSAES_OAEP_SHA_256');
    await refusedChangingNothing(
      f,
      {
        KeyId: k.KeyId,
        ImportToken: p.ImportToken,
        EncryptedKeyMaterial: same,
        ImportType: 'NEW_KEY_MATERIAL',
        ...NEVER,
      },
      'IncorrectKeyMaterialException',
    );
    // A KeyMaterialId that is not this material's.
    await refusedChangingNothing(
      f,
      {
        KeyId: k.KeyId,
        ImportToken: p.ImportToken,
        EncryptedKeyMaterial: same,
        KeyMaterialId: 'ab'.repeat(32),
        ...NEVER,
      },
      'IncorrectKeyMaterialException',
    );
    // Named right, it is accepted.
    const ok = await f.call('ImportKeyMaterial', {
      KeyId: k.KeyId,
      ImportToken: p.ImportToken,
      EncryptedKeyMaterial: same,
      KeyMaterialId: first.KeyMaterialId,
      ...NEVER,
    });
    expect(ok.KeyMaterialId).toBe(first.KeyMaterialId);
  });

  it('expiration parameters outside AWS’s rules: ValidationException', async () => {
    const { f, good } = await setUp();
    const now = f.clock.now();
    const { ExpirationModel: _e, ...bare } = good;
    for (const req of [
      bare, // KEY_MATERIAL_EXPIRES is the default and needs ValidTo
      { ...good, ExpirationModel: 'KEY_MATERIAL_EXPIRES' },
      { ...good, ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(now - 1000) },
      { ...good, ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(now + 366 * 86_400_000) },
      { ...good, ValidTo: new Date(now + 86_400_000) }, // with KEY_MATERIAL_DOES_NOT_EXPIRE
      { ...good, ImportType: 'NEW_KEY_MATERIAL', KeyMaterialId: 'ab'.repeat(32) },
      { ...good, KeyMaterialId: 'not-hex' },
    ])
      await refusedChangingNothing(f, req, 'ValidationException');
  });

  it('a key pending deletion: KMSInvalidStateException; a key of AWS_KMS origin: UnsupportedOperationException', async () => {
    const { f, k, good } = await setUp();
    const own = await f.createKey();
    await refusedChangingNothing(f, { ...good, KeyId: own.KeyId }, 'UnsupportedOperationException');
    await f.call('ScheduleKeyDeletion', { KeyId: k.KeyId, PendingWindowInDays: 7 });
    await refusedChangingNothing(f, good, 'KMSInvalidStateException');
  });
});

describe('DeleteImportedKeyMaterial refuses', () => {
  it('keys of AWS_KMS origin, keys that never had material, and unknown material IDs', async () => {
    const { f, k, material } = await setUp();
    const own = await f.createKey();
    await rejectsWith(f.call('DeleteImportedKeyMaterial', { KeyId: own.KeyId }), 'UnsupportedOperationException');
    await rejectsWith(f.call('DeleteImportedKeyMaterial', { KeyId: k.KeyId }), 'KMSInvalidStateException');
    await importMaterial(f, k.KeyId, material);
    await rejectsWith(
      f.call('DeleteImportedKeyMaterial', { KeyId: k.KeyId, KeyMaterialId: 'cd'.repeat(32) }),
      'NotFoundException',
    );
    expect((await f.call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.KeyState).toBe('Enabled');
  });

  it('does not change the state of a key pending deletion, and it stays pending deletion', async () => {
    const { f, k, material } = await setUp();
    await importMaterial(f, k.KeyId, material);
    await f.call('ScheduleKeyDeletion', { KeyId: k.KeyId, PendingWindowInDays: 7 });
    await f.call('DeleteImportedKeyMaterial', { KeyId: k.KeyId });
    expect((await f.call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.KeyState).toBe('PendingDeletion');
    // Cancelling the deletion of a key without its material leaves it pending import (not Disabled).
    await f.call('CancelKeyDeletion', { KeyId: k.KeyId });
    expect((await f.call('DescribeKey', { KeyId: k.KeyId })).KeyMetadata.KeyState).toBe('PendingImport');
  });
});
