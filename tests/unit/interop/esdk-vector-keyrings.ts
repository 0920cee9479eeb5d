// TEST-ONLY keyrings for the ESDK's published decrypt vectors (tests/vectors/esdk-raw-keys): the raw
// AES and raw RSA keyrings of the specification (framework/raw-aes-keyring.md, raw-rsa-keyring.md),
// decrypt side only, and a static keyring that hands back a data key the vector publishes.
// Pocket KMS itself only holds aws-kms keys; these exist so src/format can be checked on real SDK output.
import { NoUsableKeyError, type EncryptedDataKey, type Keyring } from '../../../src/format';
import { encodeEncryptionContext } from '../../../src/format/encryption-context';

export type RsaHash = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/** One wrapping key as the manifests describe it: a namespace (provider ID), a name, and the material. */
export type RawKey =
  | { kind: 'aes'; providerId: string; keyName: string; material: Uint8Array }
  | { kind: 'rsa'; providerId: string; keyName: string; pkcs8: Uint8Array; hash: RsaHash };

const utf8 = new TextEncoder();
const TAG_BITS = 128;
const IV_BYTES = 12;

function startsWith(b: Uint8Array, prefix: Uint8Array): boolean {
  return b.length >= prefix.length && prefix.every((x, i) => b[i] === x);
}

/**
 * Raw AES: provider info = key name ‖ tag length in bits (uint32) ‖ IV length (uint32) ‖ IV;
 * the EDK ciphertext is the wrapped data key ‖ tag; the AAD is the serialized encryption context.
 * Returns the data key, or undefined when this key does not open the EDK.
 */
async function unwrapAes(
  k: Extract<RawKey, { kind: 'aes' }>,
  edk: EncryptedDataKey,
  aad: Uint8Array,
): Promise<Uint8Array | undefined> {
  const name = utf8.encode(k.keyName);
  const info = edk.providerInfo;
  if (info.length !== name.length + 8 + IV_BYTES || !startsWith(info, name)) return undefined;
  const dv = new DataView(info.buffer, info.byteOffset, info.byteLength);
  if (dv.getUint32(name.length) !== TAG_BITS || dv.getUint32(name.length + 4) !== IV_BYTES) return undefined;
  const iv = info.slice(name.length + 8);
  const key = await crypto.subtle.importKey('raw', k.material.slice(), 'AES-GCM', false, ['decrypt']);
  try {
    return new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv, additionalData: aad.slice(), tagLength: TAG_BITS },
        key,
        edk.ciphertext.slice(),
      ),
    );
  } catch {
    return undefined;
  }
}

/** Raw RSA: provider info = key name; the EDK ciphertext is the RSA-OAEP encryption of the data key. */
async function unwrapRsa(k: Extract<RawKey, { kind: 'rsa' }>, edk: EncryptedDataKey): Promise<Uint8Array | undefined> {
  const name = utf8.encode(k.keyName);
  if (edk.providerInfo.length !== name.length || !startsWith(edk.providerInfo, name)) return undefined;
  const key = await crypto.subtle.importKey('pkcs8', k.pkcs8.slice(), { name: 'RSA-OAEP', hash: k.hash }, false, [
    'decrypt',
  ]);
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'RSA-OAEP' }, key, edk.ciphertext.slice()));
  } catch {
    return undefined;
  }
}

/** A decrypt-only keyring over raw AES and RSA wrapping keys; `tried` counts EDKs it attempted. */
export function rawKeyring(keys: readonly RawKey[]): Keyring & { tried: number } {
  const kr = {
    tried: 0,
    async onEncrypt(): Promise<never> {
      throw new Error('The vector keyring only decrypts.');
    },
    async onDecrypt(suite, context, edks) {
      const aad = encodeEncryptionContext(context);
      for (const edk of edks) {
        for (const k of keys) {
          if (edk.providerId !== k.providerId) continue;
          kr.tried++;
          const dk = k.kind === 'aes' ? await unwrapAes(k, edk, aad) : await unwrapRsa(k, edk);
          if (dk && dk.length === suite.keyBytes) return dk;
          dk?.fill(0);
        }
      }
      throw new NoUsableKeyError('None of the vector keys opens an encrypted data key of this message.');
    },
  } satisfies Keyring & { tried: number };
  return kr;
}

/** A keyring that returns the data key a vector publishes (whatever the EDKs say). */
export function staticKeyring(dataKey: Uint8Array): Keyring {
  return {
    async onEncrypt(): Promise<never> {
      throw new Error('The vector keyring only decrypts.');
    },
    async onDecrypt() {
      return dataKey.slice();
    },
  };
}

/** PEM (a keys.json "material": one string, or its lines) → DER bytes. */
export function pemToDer(material: string | readonly string[]): Uint8Array {
  const lines = (typeof material === 'string' ? material : material.join('\n')).split('\n');
  const b64 = lines.filter((l) => !l.startsWith('-----')).join('');
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

export function rsaHash(paddingHash: string | undefined): RsaHash {
  const h = { sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' }[paddingHash ?? 'sha1'];
  if (!h) throw new Error(`unknown padding-hash ${paddingHash}`);
  return h as RsaHash;
}
