// State of the key page's Sign / Verify panel: text (RAW) or a file (hashed by streaming in the
// worker, then signed as DIGEST or EXTERNAL_MU), the signature as base64 and raw bytes.
import { kms } from '../kms-client.svelte';
import { isException } from '../shared/errors';
import { fromBase64, toBase64, utf8 } from '../shared/format';
import { fileMode } from './signing';

export class SignForm {
  algorithm = $state('');
  source = $state<'text' | 'file'>('text');
  text = $state('');
  file = $state<File | undefined>(undefined);
  signature = $state('');
  busy = $state(false);
  error = $state<unknown>(undefined);
  verdict = $state<'' | 'valid' | 'invalid'>('');

  constructor(
    readonly keyId: string,
    algorithms: string[],
  ) {
    this.algorithm = algorithms[0] ?? '';
  }

  /** The Message and MessageType for the current input. */
  private async message(): Promise<{ Message: Uint8Array; MessageType: 'RAW' | 'DIGEST' | 'EXTERNAL_MU' }> {
    if (this.source === 'text') {
      const m = utf8(this.text);
      if (m.length === 0 || m.length > 4096)
        throw new Error(`The text is ${m.length} bytes; Sign takes 1 to 4096. Sign a file to sign more.`);
      if (this.algorithm === 'ED25519_PH_SHA_512') {
        return { Message: await kms.api.fileDigest(new Blob([m as BlobPart]), 'SHA-512'), MessageType: 'DIGEST' };
      }
      return { Message: m, MessageType: 'RAW' };
    }
    const file = this.file;
    if (!file) throw new Error('Choose a file to sign.');
    const mode = fileMode(this.algorithm);
    if (mode.messageType === 'RAW') {
      if (file.size === 0 || file.size > 4096)
        throw new Error('ED25519_SHA_512 signs at most 4096 bytes; choose ED25519_PH_SHA_512 to sign a larger file.');
      return { Message: new Uint8Array(await file.arrayBuffer()), MessageType: 'RAW' };
    }
    const publicKey =
      mode.kind === 'ML-DSA-MU' ? (await kms.call('GetPublicKey', { KeyId: this.keyId })).PublicKey : undefined;
    return { Message: await kms.api.fileDigest(file, mode.kind, publicKey), MessageType: mode.messageType };
  }

  private async run(fn: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = undefined;
    try {
      await fn();
    } catch (e) {
      // Our own input checks are plain Errors: show their sentence; KMS exceptions keep their AWS name.
      this.error = e instanceof Error && e.name === 'Error' ? e.message : e;
    } finally {
      this.busy = false;
    }
  }

  sign(): Promise<void> {
    return this.run(async () => {
      this.verdict = '';
      const r = await kms.call('Sign', {
        KeyId: this.keyId,
        SigningAlgorithm: this.algorithm as 'ECDSA_SHA_256',
        ...(await this.message()),
      });
      this.signature = toBase64(r.Signature);
    });
  }

  verify(): Promise<void> {
    return this.run(async () => {
      this.verdict = '';
      const Signature = fromBase64(this.signature);
      if (!Signature || Signature.length === 0) throw new Error('Paste the signature as base64.');
      try {
        await kms.call('Verify', {
          KeyId: this.keyId,
          SigningAlgorithm: this.algorithm as 'ECDSA_SHA_256',
          Signature,
          ...(await this.message()),
        });
        this.verdict = 'valid';
      } catch (e) {
        if (!isException(e, 'KMSInvalidSignatureException')) throw e;
        this.verdict = 'invalid';
      }
    });
  }

  get signatureBytes(): Uint8Array | undefined {
    return fromBase64(this.signature);
  }
}
