// The asymmetric and HMAC call path (src/kms/asymmetric/material.ts): the key is authorized before
// anything about it is used, whether this instance's material cache is cold or warm. A caller without
// permission is told AccessDeniedException, learns nothing of the key's usage or spec, and no
// cryptography runs for it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rejectsWith, utf8 } from '../../helpers/kms';
import { world } from '../authz/principals';

type World = Awaited<ReturnType<typeof world>>;

/** One key of each kind, created by the root under the default key policy (which delegates to IAM). */
async function keys(w: World) {
  const make = async (KeySpec: string, KeyUsage: string) => (await w.createKey({ KeySpec, KeyUsage })).KeyId as string;
  return {
    sign: await make('RSA_2048', 'SIGN_VERIFY'),
    rsa: await make('RSA_2048', 'ENCRYPT_DECRYPT'),
    hmac: await make('HMAC_256', 'GENERATE_VERIFY_MAC'),
    ecdh: await make('ECC_NIST_P256', 'KEY_AGREEMENT'),
    kem: await make('ML_KEM_512', 'ENCAPSULATE_DECAPSULATE'),
  };
}
type Keys = Awaited<ReturnType<typeof keys>>;

/** The owner uses every key, which fills this instance's material cache. Returns what the requests need. */
async function warm(w: World, k: Keys) {
  const signature = (
    await w.call('Sign', { KeyId: k.sign, Message: utf8('m'), SigningAlgorithm: 'RSASSA_PSS_SHA_256' })
  ).Signature as Uint8Array;
  const rsaBlob = (
    await w.call('Encrypt', { KeyId: k.rsa, Plaintext: utf8('m'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })
  ).CiphertextBlob as Uint8Array;
  const mac = (await w.call('GenerateMac', { KeyId: k.hmac, Message: utf8('m'), MacAlgorithm: 'HMAC_SHA_256' }))
    .Mac as Uint8Array;
  const ecdhPublic = (await w.call('GetPublicKey', { KeyId: k.ecdh })).PublicKey as Uint8Array;
  await w.call('DeriveSharedSecret', { KeyId: k.ecdh, KeyAgreementAlgorithm: 'ECDH', PublicKey: ecdhPublic });
  const kemBlob = (await w.call('Encapsulate', { KeyId: k.kem, EncapsulationAlgorithm: 'ML_KEM' }))
    .SharedSecretCiphertextBlob as Uint8Array;
  await w.call('Decapsulate', { KeyId: k.kem, EncapsulationAlgorithm: 'ML_KEM', SharedSecretCiphertextBlob: kemBlob });
  return { signature, rsaBlob, mac, ecdhPublic, kemBlob };
}
type Material = Awaited<ReturnType<typeof warm>>;

/** Each operation on a key of the wrong usage (wrong), and on its own kind of key (right). */
const CASES: Record<string, { wrong: (k: Keys, m: Material) => object; right: (k: Keys, m: Material) => object }> = {
  Sign: {
    wrong: (k) => ({ KeyId: k.hmac, Message: utf8('m'), SigningAlgorithm: 'RSASSA_PSS_SHA_256' }),
    right: (k) => ({ KeyId: k.sign, Message: utf8('m'), SigningAlgorithm: 'RSASSA_PSS_SHA_256' }),
  },
  Verify: {
    wrong: (k, m) => ({
      KeyId: k.rsa,
      Message: utf8('m'),
      Signature: m.signature,
      SigningAlgorithm: 'RSASSA_PSS_SHA_256',
    }),
    right: (k, m) => ({
      KeyId: k.sign,
      Message: utf8('m'),
      Signature: m.signature,
      SigningAlgorithm: 'RSASSA_PSS_SHA_256',
    }),
  },
  GenerateMac: {
    wrong: (k) => ({ KeyId: k.sign, Message: utf8('m'), MacAlgorithm: 'HMAC_SHA_256' }),
    right: (k) => ({ KeyId: k.hmac, Message: utf8('m'), MacAlgorithm: 'HMAC_SHA_256' }),
  },
  VerifyMac: {
    wrong: (k, m) => ({ KeyId: k.sign, Message: utf8('m'), Mac: m.mac, MacAlgorithm: 'HMAC_SHA_256' }),
    right: (k, m) => ({ KeyId: k.hmac, Message: utf8('m'), Mac: m.mac, MacAlgorithm: 'HMAC_SHA_256' }),
  },
  Encrypt: {
    wrong: (k) => ({ KeyId: k.sign, Plaintext: utf8('m'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
    right: (k) => ({ KeyId: k.rsa, Plaintext: utf8('m'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
  },
  Decrypt: {
    wrong: (k, m) => ({ KeyId: k.hmac, CiphertextBlob: m.rsaBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
    right: (k, m) => ({ KeyId: k.rsa, CiphertextBlob: m.rsaBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
  },
  DeriveSharedSecret: {
    wrong: (k, m) => ({ KeyId: k.sign, KeyAgreementAlgorithm: 'ECDH', PublicKey: m.ecdhPublic }),
    right: (k, m) => ({ KeyId: k.ecdh, KeyAgreementAlgorithm: 'ECDH', PublicKey: m.ecdhPublic }),
  },
  Encapsulate: {
    wrong: (k) => ({ KeyId: k.sign, EncapsulationAlgorithm: 'ML_KEM' }),
    right: (k) => ({ KeyId: k.kem, EncapsulationAlgorithm: 'ML_KEM' }),
  },
  Decapsulate: {
    wrong: (k, m) => ({ KeyId: k.ecdh, EncapsulationAlgorithm: 'ML_KEM', SharedSecretCiphertextBlob: m.kemBlob }),
    right: (k, m) => ({ KeyId: k.kem, EncapsulationAlgorithm: 'ML_KEM', SharedSecretCiphertextBlob: m.kemBlob }),
  },
  GetPublicKey: {
    wrong: (k) => ({ KeyId: k.hmac }),
    right: (k) => ({ KeyId: k.ecdh }),
  },
};

const SPEC_OR_USAGE =
  /RSA_|HMAC_|ECC_|ML_KEM|SIGN_VERIFY|ENCRYPT_DECRYPT|GENERATE_VERIFY_MAC|KEY_AGREEMENT|ENCAPSULATE/;

/** Spies on the WebCrypto calls that use a key (sign, verify, encrypt, decrypt, deriveBits, importKey). */
function spyOnKeyCrypto() {
  return (['sign', 'verify', 'encrypt', 'decrypt', 'deriveBits', 'importKey'] as const).map((m) =>
    vi.spyOn(crypto.subtle, m),
  );
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('asymmetric and HMAC calls authorize before they use the key', { timeout: 120_000 }, () => {
  it.each(Object.keys(CASES))(
    '%s by a caller without permission: AccessDeniedException with a cold cache and a warm one',
    async (op) => {
      const w = await world();
      const k = await keys(w);
      const eve = await w.principal('user', 'eve');
      const placeholder = {
        signature: new Uint8Array(256),
        rsaBlob: new Uint8Array(256),
        mac: new Uint8Array(32),
        ecdhPublic: new Uint8Array(91),
        kemBlob: new Uint8Array(768),
      };
      const cold = await rejectsWith(eve.call(op, CASES[op]!.wrong(k, placeholder)), 'AccessDeniedException');
      expect(cold.message).not.toMatch(SPEC_OR_USAGE);
      const m = await warm(w, k);
      for (const req of [CASES[op]!.wrong(k, m), CASES[op]!.right(k, m)]) {
        const e = await rejectsWith(eve.call(op, req), 'AccessDeniedException');
        expect(e.message).toMatch(
          new RegExp(`^User: .*user/eve is not authorized to perform: kms:${op} on resource: `),
        );
        expect(e.message).not.toMatch(SPEC_OR_USAGE);
      }
    },
  );

  it.each(Object.keys(CASES))(
    '%s by a caller without permission runs no cryptography, though the owner warmed the cache',
    async (op) => {
      const w = await world();
      const k = await keys(w);
      const eve = await w.principal('user', 'eve');
      const m = await warm(w, k);
      const spies = spyOnKeyCrypto();
      await rejectsWith(eve.call(op, CASES[op]!.right(k, m)), 'AccessDeniedException');
      for (const s of spies) expect(s, `crypto.subtle.${s.getMockName()}`).not.toHaveBeenCalled();
      await rejectsWith(eve.call(op, CASES[op]!.wrong(k, m)), 'AccessDeniedException');
      // The owner still can: the checks did not spoil the cache.
      await w.call(op, CASES[op]!.right(k, m));
    },
  );
});
