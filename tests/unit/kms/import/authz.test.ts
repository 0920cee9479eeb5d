// The import operations are authorized like every other action (kms:GetParametersForImport,
// kms:ImportKeyMaterial, kms:DeleteImportedKeyMaterial), and their condition keys (kms:WrappingAlgorithm,
// kms:WrappingKeySpec, kms:ExpirationModel, kms:ValidTo) decide real calls.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rejectsWith } from '../../helpers/kms';
import { policy, world } from '../authz/principals';
import { keystoreState, params, wrap } from './wrap';

const allow = (Action: string, Condition?: Record<string, unknown>) => ({
  p: policy({ Effect: 'Allow', Action, Resource: '*', ...(Condition ? { Condition } : {}) }),
});

describe('authorization of the import operations', () => {
  it('a principal without the action is refused and changes nothing', async () => {
    const w = await world();
    const k = await w.createKey({ Origin: 'EXTERNAL' });
    const nobody = await w.principal('user', 'nobody');
    const p = await params(w, k.KeyId);
    const req = {
      KeyId: k.KeyId,
      ImportToken: p.ImportToken,
      EncryptedKeyMaterial: wrap(p.PublicKey, randomBytes(32), 'RSAES_OAEP_SHA_256'),
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    };
    const before = await keystoreState(w);
    for (const [op, r, action] of [
      [
        'GetParametersForImport',
        { KeyId: k.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_1', WrappingKeySpec: 'RSA_2048' },
        'kms:GetParametersForImport',
      ],
      ['ImportKeyMaterial', req, 'kms:ImportKeyMaterial'],
      ['DeleteImportedKeyMaterial', { KeyId: k.KeyId }, 'kms:DeleteImportedKeyMaterial'],
    ] as const) {
      const e = await rejectsWith(nobody.call(op, r), 'AccessDeniedException');
      expect(e.message).toContain(action);
    }
    expect(await keystoreState(w)).toBe(before);
    const importer = await w.principal('user', 'importer', allow('kms:ImportKeyMaterial'));
    await importer.call('ImportKeyMaterial', req);
    const deleter = await w.principal('user', 'deleter', allow('kms:DeleteImportedKeyMaterial'));
    await deleter.call('DeleteImportedKeyMaterial', { KeyId: k.KeyId });
  });

  it.each([
    ['kms:WrappingAlgorithm', 'RSA_AES_KEY_WRAP_SHA_256', 'RSAES_OAEP_SHA_256'],
    ['kms:WrappingKeySpec', 'RSA_3072', 'RSA_4096'],
  ])('%s decides GetParametersForImport', async (key, good, bad) => {
    const w = await world();
    const k = await w.createKey({ Origin: 'EXTERNAL' });
    const req = { KeyId: k.KeyId, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec: 'RSA_3072' };
    const yes = await w.principal(
      'user',
      'yes',
      allow('kms:GetParametersForImport', { StringEquals: { [key]: good } }),
    );
    const no = await w.principal('user', 'no', allow('kms:GetParametersForImport', { StringEquals: { [key]: bad } }));
    await rejectsWith(no.call('GetParametersForImport', req), 'AccessDeniedException');
    expect((await yes.call('GetParametersForImport', req)).KeyId).toBe(k.Arn);
  });

  it('kms:ExpirationModel and kms:ValidTo decide ImportKeyMaterial', async () => {
    const w = await world();
    const k = await w.createKey({ Origin: 'EXTERNAL' });
    const material = randomBytes(32);
    const validTo = new Date(w.clock.now() + 10 * 86_400_000);
    const seconds = Math.floor(validTo.getTime() / 1000);
    const p = await params(w, k.KeyId);
    const req = {
      KeyId: k.KeyId,
      ImportToken: p.ImportToken,
      EncryptedKeyMaterial: wrap(p.PublicKey, material, 'RSAES_OAEP_SHA_256'),
      ValidTo: validTo,
    };
    // Only material that expires, within a week: this request's ten days are refused.
    const week = await w.principal(
      'user',
      'week',
      allow('kms:ImportKeyMaterial', {
        StringEquals: { 'kms:ExpirationModel': 'KEY_MATERIAL_EXPIRES' },
        NumericLessThanEquals: { 'kms:ValidTo': String(seconds - 3 * 86_400) },
      }),
    );
    await rejectsWith(week.call('ImportKeyMaterial', req), 'AccessDeniedException');
    const neverExpiring = await w.principal(
      'user',
      'never',
      allow('kms:ImportKeyMaterial', { StringEquals: { 'kms:ExpirationModel': 'KEY_MATERIAL_DOES_NOT_EXPIRE' } }),
    );
    await rejectsWith(neverExpiring.call('ImportKeyMaterial', req), 'AccessDeniedException');
    const month = await w.principal(
      'user',
      'month',
      allow('kms:ImportKeyMaterial', {
        StringEquals: { 'kms:ExpirationModel': 'KEY_MATERIAL_EXPIRES' },
        NumericLessThanEquals: { 'kms:ValidTo': String(seconds + 20 * 86_400) },
      }),
    );
    expect((await month.call('ImportKeyMaterial', req)).KeyId).toBe(k.Arn);
  });
});
