// Wrapping key material the way a person does it for AWS KMS ("Importing key material", step 3): Node's
// crypto with the same parameters as `openssl pkeyutl -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:…
// -pkeyopt rsa_mgf1_md:…` and `openssl enc -id-aes256-wrap-pad -iv A65959A6`, and a keystore helper that
// runs GetParametersForImport then ImportKeyMaterial.
import { constants, createCipheriv, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import type { Fresh } from '../../helpers/kms';

export type Alg = 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_1' | 'RSA_AES_KEY_WRAP_SHA_256';

const oaep = (publicKey: Uint8Array, data: Uint8Array, hash: 'sha1' | 'sha256') =>
  publicEncrypt(
    {
      key: createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' }),
      padding: constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: hash,
    },
    data,
  );

/** EncryptedKeyMaterial for `alg` under the wrapping public key (DER SPKI). */
export function wrap(publicKey: Uint8Array, material: Uint8Array, alg: Alg): Uint8Array {
  const hash = alg.endsWith('SHA_1') ? 'sha1' : 'sha256';
  if (alg.startsWith('RSAES_OAEP')) return new Uint8Array(oaep(publicKey, material, hash));
  // CKM_RSA_AES_KEY_WRAP: RSA-OAEP of an ephemeral AES-256 key, then RFC 5649 key wrap with padding.
  const kek = randomBytes(32);
  const c = createCipheriv('id-aes256-wrap-pad', kek, Buffer.from('A65959A6', 'hex'));
  return new Uint8Array(Buffer.concat([oaep(publicKey, kek, hash), c.update(material), c.final()]));
}

export const params = (
  f: Fresh,
  KeyId: string,
  WrappingAlgorithm: Alg = 'RSAES_OAEP_SHA_256',
  WrappingKeySpec = 'RSA_2048',
) => f.call('GetParametersForImport', { KeyId, WrappingAlgorithm, WrappingKeySpec });

/** GetParametersForImport, wrap, ImportKeyMaterial (never expiring unless `extra` says otherwise). */
export async function importMaterial(
  f: Fresh,
  KeyId: string,
  material: Uint8Array,
  alg: Alg = 'RSAES_OAEP_SHA_256',
  extra: Record<string, unknown> = { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' },
  spec = 'RSA_2048',
) {
  const p = await params(f, KeyId, alg, spec);
  return f.call('ImportKeyMaterial', {
    KeyId,
    ImportToken: p.ImportToken,
    EncryptedKeyMaterial: wrap(p.PublicKey, material, alg),
    ...extra,
  });
}

/** The keys, their material versions and the stored import parameters: what a refused call must not change. */
export const keystoreState = (f: Fresh) =>
  f.store.snapshot().then(({ stores }) =>
    JSON.stringify({
      keys: stores.keys,
      materials: (stores.materials as { keyId: string; version: number; materialId: string }[]).map((m) => [
        m.keyId,
        m.version,
        m.materialId,
      ]),
      imports: (stores.meta as [string, unknown][]).filter(([n]) => n.startsWith('import:')).map(([n]) => n),
    }),
  );
