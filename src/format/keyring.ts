// The AWS KMS keyring (specification framework/aws-kms/aws-kms-keyring.md) over any KMS client
// with AWS's request shapes: the Pocket KMS core in the worker, or a test double. Provider ID
// 'aws-kms', provider info = the key ARN, ciphertext = the KMS ciphertext blob.
import { utf8Decode, utf8Encode } from './bytes';
import type { EncryptionContext } from './encryption-context';
import { NoUsableKeyError } from './errors';
import { PROVIDER_AWS_KMS, type EncryptedDataKey } from './header';
import type { AlgorithmSuite } from './suites';

export interface DataKeyMaterials {
  dataKey: Uint8Array;
  encryptedDataKeys: EncryptedDataKey[];
}

export interface Keyring {
  /** A fresh data key for `suite` and its encrypted copies, bound to `context`. */
  onEncrypt(suite: AlgorithmSuite, context: EncryptionContext): Promise<DataKeyMaterials>;
  /**
   * The data key from one of `keys`.
   * @throws NoUsableKeyError
   */
  onDecrypt(suite: AlgorithmSuite, context: EncryptionContext, keys: readonly EncryptedDataKey[]): Promise<Uint8Array>;
}

/** The subset of AWS KMS the keyring calls, with AWS's field names. */
export interface KmsDataKeyClient {
  generateDataKey(req: {
    KeyId: string;
    NumberOfBytes: number;
    EncryptionContext: EncryptionContext;
  }): Promise<{ KeyId?: string; Plaintext?: Uint8Array; CiphertextBlob?: Uint8Array }>;
  encrypt(req: {
    KeyId: string;
    Plaintext: Uint8Array;
    EncryptionContext: EncryptionContext;
  }): Promise<{ KeyId?: string; CiphertextBlob?: Uint8Array }>;
  decrypt(req: {
    KeyId: string;
    CiphertextBlob: Uint8Array;
    EncryptionContext: EncryptionContext;
  }): Promise<{ KeyId?: string; Plaintext?: Uint8Array }>;
}

export interface AwsKmsKeyringOptions {
  /** Keys to encrypt under: the first generates the data key, the others encrypt it. */
  keyIds?: readonly string[];
  /** On decrypt, try only these key ARNs (default: every aws-kms key in the message). */
  allowedKeyArns?: readonly string[];
  /** Where this client's keys are, for the ESDK's multi-Region-key awareness (AWS KMS MRK-aware keyring): a
   * data key encrypted under a multi-Region key (`key/mrk-…`) elsewhere is decrypted by the same key ID here,
   * its replica. `accountId` also covers a replica imported from another device (another account, ADR 0015). */
  mrkLocal?: { region: string; accountId?: string };
}

/** `arn` as the same multi-Region key at `local` (its Region, and account when given); other ARNs unchanged
 * (the ESDK's "MRK match"). */
export function mrkInRegion(arn: string, local: { region: string; accountId?: string } | undefined): string {
  const m = /^(arn:aws[a-z-]*:kms:)([a-z0-9-]+):(\d{12})(:key\/mrk-[0-9a-f]{32})$/.exec(arn);
  return m && local ? `${m[1]}${local.region}:${local.accountId ?? m[3]}${m[4]}` : arn;
}

const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/.+$/;

/** Reads an aws-kms provider info as a key ARN, or undefined. */
export function keyArnOf(edk: EncryptedDataKey): string | undefined {
  if (edk.providerId !== PROVIDER_AWS_KMS) return undefined;
  try {
    const arn = utf8Decode(edk.providerInfo);
    return KEY_ARN.test(arn) ? arn : undefined;
  } catch {
    return undefined;
  }
}

const errorName = (e: unknown) =>
  e && typeof e === 'object' && 'name' in e ? String((e as { name: unknown }).name) : 'Error';

export function awsKmsKeyring(client: KmsDataKeyClient, opts: AwsKmsKeyringOptions = {}): Keyring {
  return {
    async onEncrypt(suite, context) {
      const [generator, ...others] = opts.keyIds ?? [];
      /* Precondition: encryption needs at least one key. */
      if (!generator) throw new RangeError('"keyIds" expected at least one key to encrypt under, got none');
      const g = await client.generateDataKey({
        KeyId: generator,
        NumberOfBytes: suite.keyBytes,
        EncryptionContext: context,
      });
      /* Postcondition: KMS returned a data key of the suite's length, and names the key. */
      if (!g.Plaintext || g.Plaintext.length !== suite.keyBytes || !g.CiphertextBlob || !g.KeyId)
        throw new Error('GenerateDataKey returned an unexpected response.');
      const dataKey = g.Plaintext;
      const encryptedDataKeys: EncryptedDataKey[] = [
        { providerId: PROVIDER_AWS_KMS, providerInfo: utf8Encode(g.KeyId), ciphertext: g.CiphertextBlob },
      ];
      try {
        for (const keyId of others) {
          const e = await client.encrypt({ KeyId: keyId, Plaintext: dataKey, EncryptionContext: context });
          if (!e.CiphertextBlob || !e.KeyId) throw new Error('Encrypt returned an unexpected response.');
          encryptedDataKeys.push({
            providerId: PROVIDER_AWS_KMS,
            providerInfo: utf8Encode(e.KeyId),
            ciphertext: e.CiphertextBlob,
          });
        }
      } catch (e) {
        dataKey.fill(0);
        throw e;
      }
      return { dataKey, encryptedDataKeys };
    },

    async onDecrypt(suite, context, keys) {
      const tried: string[] = [];
      const listed: string[] = [];
      for (const edk of keys) {
        const arn = keyArnOf(edk);
        if (!arn) continue;
        listed.push(arn);
        const local = mrkInRegion(arn, opts.mrkLocal);
        if (opts.allowedKeyArns && !opts.allowedKeyArns.includes(arn) && !opts.allowedKeyArns.includes(local)) continue;
        try {
          const d = await client.decrypt({ KeyId: local, CiphertextBlob: edk.ciphertext, EncryptionContext: context });
          /* Postcondition: the key that decrypted is the one the message names (or, for a multi-Region key,
           * its replica in this Region), and the data key fits the suite. */
          if (d.KeyId === local && d.Plaintext?.length === suite.keyBytes) return d.Plaintext;
          d.Plaintext?.fill(0);
          tried.push(`${arn} (unexpected response)`);
        } catch (e) {
          tried.push(`${arn} (${errorName(e)})`);
        }
      }
      const what = listed.length ? `Keys in the message: ${listed.join(', ')}.` : 'The message has no AWS KMS keys.';
      const why = tried.length ? ` Tried: ${tried.join(', ')}.` : '';
      throw new NoUsableKeyError(
        `None of the message's data keys could be decrypted with a KMS key you may use. ${what}${why}`,
      );
    },
  };
}
