// Bucket names, object keys and ARNs as Amazon S3 spells them (Amazon S3 User Guide, "Bucket naming
// rules" for general purpose buckets; "Naming Amazon S3 objects"), and S3's time and ETag formats.

import { InvalidBucketName, KeyTooLongError } from './errors';

/** S3's limit on an object key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

/**
 * Checks a bucket name against S3's rules for general purpose buckets: 3–63 characters of lowercase
 * letters, digits, dots and hyphens, starting and ending with a letter or digit, no two adjacent
 * dots, not an IP address, none of the reserved prefixes and suffixes.
 * @throws InvalidBucketName
 */
export function checkBucketName(name: string): void {
  const why =
    name.length < 3 || name.length > 63
      ? 'must be between 3 and 63 characters long'
      : !/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)
        ? 'may contain only lowercase letters, digits, dots and hyphens, and must begin and end with a letter or digit'
        : name.includes('..')
          ? 'must not contain two adjacent periods'
          : /^\d{1,3}(\.\d{1,3}){3}$/.test(name)
            ? 'must not be formatted as an IP address'
            : /^(xn--|sthree-|amzn-s3-demo-)/.test(name)
              ? 'must not start with a reserved prefix (xn--, sthree-, amzn-s3-demo-)'
              : /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)
                ? 'must not end with a reserved suffix'
                : undefined;
  if (why) {
    const e = new InvalidBucketName(`The specified bucket is not valid: the bucket name ${why}.`);
    e.details = { BucketName: name };
    throw e;
  }
}

/** @throws KeyTooLongError for a key longer than 1,024 UTF-8 bytes. */
export function checkObjectKey(key: string): void {
  if (new TextEncoder().encode(key).length > MAX_KEY_BYTES)
    throw new KeyTooLongError('Your key is too long: an object key is at most 1024 bytes of UTF-8.');
}

export const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
export const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;

/** The Last-Modified and Date header form (RFC 7231 IMF-fixdate). */
export const httpDate = (ms: number) => new Date(ms).toUTCString();
/** The ISO 8601 form S3's XML uses, to the millisecond (2026-12-07T10:00:00.000Z). */
export const xmlDate = (ms: number) => new Date(ms).toISOString();
