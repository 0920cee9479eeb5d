import { describe, expect, it } from 'vitest';
import { freshKms, utf8 } from '../helpers/kms';

describe('smoke', () => {
  it('creates a key and round-trips', async () => {
    const { call } = await freshKms();
    const { KeyMetadata } = await call('CreateKey', { Description: 'x' });
    const enc = await call('Encrypt', { KeyId: KeyMetadata.KeyId, Plaintext: utf8('hello'), EncryptionContext: { a: 'b' } });
    const dec = await call('Decrypt', { CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { a: 'b' } });
    expect(new TextDecoder().decode(dec.Plaintext)).toBe('hello');
  });
});
