// The inspector's worker API (src/worker/api/inspect.ts): a file, a blob or their base64 text told apart
// and taken apart; a Pocket KMS file's data key named as the blob it is (key and material version).
import { describe, expect, it } from 'vitest';
import { createEncryptStream } from '../../../src/format';
import { toBase64 } from '../../../src/format/bytes';
import { inspectApi } from '../../../src/worker/api/inspect';
import { coreKeyring } from '../../../src/worker/files-keyring';
import { rootCaller } from '../../../src/kms/ids';
import { pipe } from '../format/helpers';
import { freshKms } from '../helpers/kms';

const blobOf = (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]);

describe('inspect (worker API)', () => {
  it("names the key and material version of a Pocket KMS file's data key, and reads base64 text", async () => {
    const { kms, createKey, call } = await freshKms();
    const key = await createKey();
    const keyring = coreKeyring(kms, rootCaller(kms.keystore, { userAgent: 'vitest' }), { keyIds: [key.KeyId] });
    const { stream } = await createEncryptStream({ keyring, frameLength: 16 });
    const { out: msg } = await pipe(stream, [new Uint8Array(40)]);
    const api = inspectApi();

    const r = await api.inspect(blobOf(msg));
    if (r.kind !== 'esdk-message') throw new Error('expected a message');
    expect(r.problem).toBeUndefined();
    expect(r.encryptedDataKeys[0]).toMatchObject({
      keyArn: key.Arn,
      pocketBlob: { keyId: key.KeyId, materialVersion: 1 },
    });
    expect(r.fields.find((f) => f.id === 'edk.0.encryptedDataKey')!.note).toContain(key.KeyId);
    expect(r.frames!.count).toBe(3);

    const fromText = await api.inspect(new Blob([toBase64(msg).replace(/(.{76})/g, '$1\n')]));
    expect(fromText).toMatchObject({ kind: 'esdk-message', fromBase64: true, messageId: r.messageId });

    const { CiphertextBlob } = await call('GenerateDataKey', { KeyId: key.KeyId, NumberOfBytes: 32 });
    expect(await api.inspect(blobOf(CiphertextBlob))).toMatchObject({ kind: 'kms-blob', keyId: key.KeyId });
    expect(await api.inspect(new Blob([toBase64(CiphertextBlob)]))).toMatchObject({
      kind: 'kms-blob',
      keyId: key.KeyId,
      materialVersion: 1,
      ciphertextLength: 32,
      fromBase64: true,
    });
  });

  it('names what it cannot read instead of throwing', async () => {
    const api = inspectApi();
    expect((await api.inspect(new Blob(['hello, not a message']))).problem?.name).toBe('NotAnEsdkMessageError');
    expect((await api.inspect(new Blob([]))).problem?.name).toBe('TruncatedMessageError');
    expect((await api.inspect(blobOf(new Uint8Array([1, 0, 9])))).problem?.name).toBe('InvalidCiphertextException');
  });
});
