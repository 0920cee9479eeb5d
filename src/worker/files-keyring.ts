// The AWS KMS keyring of the message format, wired to the Pocket KMS core: each data-key call is
// an ordinary audited KMS call (GenerateDataKey, Encrypt, Decrypt) as the given caller, so key
// policies and grants decide which keys a file may use.
import type { Caller } from '../kms/ids';
import type { Kms } from '../kms/kms';
import { awsKmsKeyring, type AwsKmsKeyringOptions, type Keyring, type KmsDataKeyClient } from '../format/keyring';

/** The keyring's KMS client over the core (request and response shapes are AWS's). */
export function coreDataKeyClient(kms: Kms, caller: Caller): KmsDataKeyClient {
  const call = (op: string, req: object) => kms.call(op, req, caller) as Promise<never>;
  return {
    generateDataKey: (req) => call('GenerateDataKey', req),
    encrypt: (req) => call('Encrypt', req),
    decrypt: (req) => call('Decrypt', req),
  };
}

export function coreKeyring(kms: Kms, caller: Caller, opts: AwsKmsKeyringOptions = {}): Keyring {
  // Multi-Region keys: a file made in another Region, or on another device, decrypts under the replica here (ADR 0015).
  return awsKmsKeyring(coreDataKeyClient(kms, caller), { mrkLocal: kms.keystore, ...opts });
}
