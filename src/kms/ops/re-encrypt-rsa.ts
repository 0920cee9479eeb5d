// ReEncrypt when either side is an RSA key (SourceEncryptionAlgorithm or DestinationEncryptionAlgorithm
// RSAES_OAEP_*): decrypt under the source, encrypt under the destination, both keys confirmed and the
// call recorded in one transaction (ADR 0004); the plaintext never leaves the core and is zeroed.

import type { RsaEncryptionAlgorithm } from '../asymmetric';
import type { OpContext } from '../context';
import { ValidationException } from '../errors';
import type { Tx } from '../ports';
import type { KeyRecord } from '../records';
import { confirmSeal, confirmUnseal, prepareSeal, prepareUnseal, retryStale } from '../material';
import { optContext, optString, reqString, type Req } from '../validate';
import { refuseContext, rsaOpen, rsaSeal } from './rsa-encryption';

type Alg = RsaEncryptionAlgorithm | 'SYMMETRIC_DEFAULT';
const isRsa = (a: Alg): a is RsaEncryptionAlgorithm => a !== 'SYMMETRIC_DEFAULT';

export async function reEncryptWithRsa(c: OpContext, req: Req, blob: Uint8Array, sourceAlg: Alg, destAlg: Alg) {
  const sourceKeyId = optString(req, 'SourceKeyId');
  const destId = reqString(req, 'DestinationKeyId');
  if (isRsa(sourceAlg)) {
    if (sourceKeyId === undefined)
      throw new ValidationException(
        `SourceKeyId is required when the source algorithm is ${sourceAlg} (an asymmetric KMS key).`,
      );
    refuseContext(req, 'SourceEncryptionContext');
  }
  if (isRsa(destAlg)) refuseContext(req, 'DestinationEncryptionContext');
  const sourceCtx = optContext(req, 'SourceEncryptionContext');
  const destCtx = optContext(req, 'DestinationEncryptionContext');

  let plaintext: Uint8Array | undefined;
  let sourceMaterialId: string | undefined;
  let confirmSource: (tx: Tx) => Promise<KeyRecord>;
  if (isRsa(sourceAlg)) {
    const o = await rsaOpen(c, sourceKeyId!, blob, sourceAlg);
    plaintext = o.plaintext;
    // By key ID: the ciphertext was opened with the key the identifier named then.
    confirmSource = (tx) =>
      confirmSeal(c, tx, { id: o.p.key.keyId, keyId: o.p.key.keyId, version: o.p.material.version });
  } else {
    const o = await prepareUnseal(c, blob, sourceCtx);
    if (!o.plaintext) await c.env.store.read((tx) => confirmUnseal(c, tx, o, sourceKeyId));
    plaintext = o.plaintext!;
    sourceMaterialId = o.materialId;
    confirmSource = (tx) => confirmUnseal(c, tx, o, sourceKeyId);
  }
  const pt = plaintext;
  try {
    return await retryStale(async () => {
      const d = isRsa(destAlg)
        ? await rsaSeal(c, destId, pt, destAlg, 'destination')
        : await prepareSeal(c, destId, pt, destCtx, 'destination');
      const destRef = 'p' in d ? { id: destId, keyId: d.p.key.keyId, version: d.p.material.version } : d;
      return c.write(async (tx) => {
        const source = await confirmSource(tx);
        const dest = await confirmSeal(c, tx, destRef, 'destination');
        return {
          CiphertextBlob: d.blob,
          SourceKeyId: source.arn,
          KeyId: dest.arn,
          SourceEncryptionAlgorithm: sourceAlg,
          DestinationEncryptionAlgorithm: destAlg,
          ...(sourceMaterialId ? { SourceKeyMaterialId: sourceMaterialId } : {}),
          ...('materialId' in d ? { DestinationKeyMaterialId: d.materialId } : {}),
        };
      });
    });
  } finally {
    pt.fill(0);
  }
}
