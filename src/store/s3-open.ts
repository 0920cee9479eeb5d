// The browser's S3 core for a keystore (ADR 0011): metadata in the keystore's S3 database, object bytes in
// the origin private file system under the keystore's region and account. The service worker (a device
// keystore) and the KMS worker (a keystore locked at rest, forwarded to it) both open it over their core.
import { S3, type S3Env } from '../s3';
import { opfsObjectBytes } from './opfs-objects';
import { IdbS3Meta, s3DatabaseName } from './s3-idb';

export async function browserS3(kms: S3Env['kms']): Promise<S3> {
  const { region, accountId } = kms.keystore;
  const [meta, bytes] = await Promise.all([
    IdbS3Meta.open(s3DatabaseName(region, accountId)),
    opfsObjectBytes(region, accountId),
  ]);
  return new S3({ kms, meta, bytes });
}
