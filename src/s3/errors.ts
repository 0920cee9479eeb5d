// The Amazon S3 error family (Amazon S3 API Reference, "Error responses" → "List of error codes"): each
// error has S3's code as its `name` and S3's HTTP status, so the REST adapter writes <Code> and the
// status straight from it. KMS failures S3 meets are mapped as S3 reports them (`fromKmsError`).

import { errorFamily, type NamesIn } from '../format/named-errors';
import { KmsError } from '../kms/errors';

export class S3Error extends Error {
  /** The HTTP status S3 answers this error with. */
  readonly status: number = 400;
  /** Extra elements of the <Error> document (BucketName, Key, UploadId, …). */
  details: Record<string, string> = {};
  constructor(message: string) {
    super(message);
    // Minifiers rename classes: the S3 code is set explicitly and never derived.
    this.name = 'S3Error';
  }
}

const family = errorFamily(S3Error);
const define = family.define;
const status = (n: number) => ({ status: n });

export const NoSuchBucket = define('NoSuchBucket', status(404));
export const NoSuchKey = define('NoSuchKey', status(404));
export const NoSuchUpload = define('NoSuchUpload', status(404));
export const NoSuchBucketPolicy = define('NoSuchBucketPolicy', status(404));
export const ServerSideEncryptionConfigurationNotFoundError = define(
  'ServerSideEncryptionConfigurationNotFoundError',
  status(404),
);
export const BucketAlreadyOwnedByYou = define('BucketAlreadyOwnedByYou', status(409));
export const BucketNotEmpty = define('BucketNotEmpty', status(409));
export const InvalidBucketName = define('InvalidBucketName');
export const InvalidLocationConstraint = define('InvalidLocationConstraint');
export const IllegalLocationConstraintException = define('IllegalLocationConstraintException');
export const InvalidArgument = define('InvalidArgument');
export const InvalidRequest = define('InvalidRequest');
export const InvalidPart = define('InvalidPart');
export const InvalidPartOrder = define('InvalidPartOrder');
export const EntityTooSmall = define('EntityTooSmall');
export const EntityTooLarge = define('EntityTooLarge');
export const KeyTooLongError = define('KeyTooLongError');
export const MalformedXML = define('MalformedXML');
export const InvalidURI = define('InvalidURI');
export const InvalidRange = define('InvalidRange', status(416));
export const XAmzContentSHA256Mismatch = define('XAmzContentSHA256Mismatch');
export const BadDigest = define('BadDigest');
export const IncompleteBody = define('IncompleteBody');
export const AccessDenied = define('AccessDenied', status(403));
export const InvalidAccessKeyId = define('InvalidAccessKeyId', status(403));
export const SignatureDoesNotMatch = define('SignatureDoesNotMatch', status(403));
export const RequestTimeTooSkewed = define('RequestTimeTooSkewed', status(403));
export const AuthorizationHeaderMalformed = define('AuthorizationHeaderMalformed');
export const InvalidToken = define('InvalidToken');
export const ExpiredToken = define('ExpiredToken');
export const MethodNotAllowed = define('MethodNotAllowed', status(405));
export const NotImplemented = define('NotImplemented', status(501));
export const InternalError = define('InternalError', status(500));
export const ServiceUnavailable = define('ServiceUnavailable', status(503));

export type S3ErrorName = NamesIn<typeof import('./errors')>;

/** An error `S3Error` of class `C` with `details` for the <Error> document. */
export function withDetails<E extends S3Error>(e: E, details: Record<string, string>): E {
  e.details = { ...e.details, ...details };
  return e;
}

/**
 * What S3 answers when one of its KMS calls fails: AccessDenied (403) for a denial, as S3 says it, and
 * `KMS.<Exception>` (400) for the rest (KMS.NotFoundException for an unknown key, KMS.DisabledException,
 * KMS.KMSInvalidStateException for a locked keystore or a key pending deletion).
 */
export function fromKmsError(e: unknown): S3Error {
  if (e instanceof S3Error) return e;
  if (!(e instanceof KmsError)) return new InternalError('We encountered an internal error. Please try again.');
  if (e.name === 'AccessDeniedException') return new AccessDenied(e.message);
  if (e.fault === 'server') return new InternalError(e.message);
  const err = new S3Error(e.message);
  err.name = `KMS.${e.name}`;
  return err;
}

export const S3_ERRORS = family.classes;
