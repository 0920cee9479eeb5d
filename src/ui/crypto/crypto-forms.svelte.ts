// State of the Encrypt and Decrypt forms. Text becomes bytes with TextEncoder; blobs travel as
// base64 text the person can copy. Plaintext lives only in these fields, never in storage.
import { kms } from '../kms-client.svelte';
import { fromBase64, fromUtf8, newRow, rowsProblem, rowsToMap, toBase64, utf8, type KvRow } from '../shared/format';

/** AWS's Encrypt limit on Plaintext. */
export const MAX_PLAINTEXT_BYTES = 4096;

export class EncryptForm {
  keyId = $state('');
  plaintext = $state('');
  context = $state<KvRow[]>([newRow()]);
  ciphertext = $state('');
  /** ARN of the key that encrypted the current ciphertext. */
  usedKeyArn = $state('');
  busy = $state(false);
  error = $state<unknown>(undefined);
  readonly byteLength = $derived(utf8(this.plaintext).length);

  async run(): Promise<void> {
    this.error = undefined;
    this.ciphertext = '';
    const problem = !this.keyId
      ? 'Choose a KMS key to encrypt with.'
      : this.byteLength === 0
        ? 'Enter some text to encrypt.'
        : this.byteLength > MAX_PLAINTEXT_BYTES
          ? `The text is ${this.byteLength} bytes; Encrypt takes at most ${MAX_PLAINTEXT_BYTES}. Encrypt larger data with a data key.`
          : rowsProblem(this.context, 'Context pair');
    if (problem) {
      this.error = problem;
      return;
    }
    this.busy = true;
    try {
      const res = await kms.call('Encrypt', {
        KeyId: this.keyId,
        Plaintext: utf8(this.plaintext),
        EncryptionContext: rowsToMap(this.context),
      });
      this.ciphertext = toBase64(res.CiphertextBlob);
      this.usedKeyArn = res.KeyId;
    } catch (e) {
      this.error = e;
    } finally {
      this.busy = false;
    }
  }
}

export class DecryptForm {
  /** Empty: let the ciphertext name its key (symmetric ciphertexts do). */
  keyId = $state('');
  ciphertext = $state('');
  context = $state<KvRow[]>([newRow()]);
  /** The decrypted text, or base64 when the plaintext is not UTF-8. */
  output = $state('');
  outputIsText = $state(true);
  usedKeyArn = $state('');
  busy = $state(false);
  error = $state<unknown>(undefined);

  /** Takes the ciphertext and context of an encryption, as a person would paste them. */
  fill(ciphertext: string, context: KvRow[]): void {
    this.ciphertext = ciphertext;
    this.context = context.map((r) => newRow(r.key, r.value));
    this.output = '';
    this.error = undefined;
  }

  async run(): Promise<void> {
    this.error = undefined;
    this.output = '';
    const blob = fromBase64(this.ciphertext);
    const problem = !this.ciphertext.trim()
      ? 'Paste the ciphertext to decrypt.'
      : !blob
        ? 'The ciphertext is not valid base64. Paste it exactly as Encrypt produced it.'
        : rowsProblem(this.context, 'Context pair');
    if (problem || !blob) {
      this.error = problem;
      return;
    }
    this.busy = true;
    try {
      const res = await kms.call('Decrypt', {
        CiphertextBlob: blob,
        EncryptionContext: rowsToMap(this.context),
        ...(this.keyId ? { KeyId: this.keyId } : {}),
      });
      const text = fromUtf8(res.Plaintext);
      this.outputIsText = text !== undefined;
      this.output = text ?? toBase64(res.Plaintext);
      this.usedKeyArn = res.KeyId;
    } catch (e) {
      this.error = e;
    } finally {
      this.busy = false;
    }
  }
}
