// The AWS KMS exception family. Names and fault (client/server) match the KMS service model,
// so the endpoint can put `name` straight into `__type` and the UI can compare by `name`.

import { errorFamily, type NamesIn } from '../format/named-errors';

export type Fault = 'client' | 'server';

export class KmsError extends Error {
  readonly fault: Fault = 'client';
  constructor(message: string) {
    super(message);
    // Minifiers rename classes, so the AWS name is set explicitly and never derived.
    this.name = 'KmsError';
  }
}

// The family's table fills as each class below is defined: a name is written once, on its line.
const family = errorFamily(KmsError);
const define = family.define;

export const NotFoundException = define('NotFoundException');
export const DisabledException = define('DisabledException');
export const KMSInvalidStateException = define('KMSInvalidStateException');
export const InvalidCiphertextException = define('InvalidCiphertextException');
export const IncorrectKeyException = define('IncorrectKeyException');
export const ValidationException = define('ValidationException');
export const AlreadyExistsException = define('AlreadyExistsException');
export const InvalidAliasNameException = define('InvalidAliasNameException');
export const InvalidArnException = define('InvalidArnException');
export const InvalidMarkerException = define('InvalidMarkerException');
export const InvalidKeyUsageException = define('InvalidKeyUsageException');
export const MalformedPolicyDocumentException = define('MalformedPolicyDocumentException');
export const UnsupportedOperationException = define('UnsupportedOperationException');
export const LimitExceededException = define('LimitExceededException');
export const TagException = define('TagException');
export const KMSInternalException = define('KMSInternalException', { fault: 'server' });
export const KMSInvalidSignatureException = define('KMSInvalidSignatureException');
export const KMSInvalidMacException = define('KMSInvalidMacException');
export const AccessDeniedException = define('AccessDeniedException');
/** AWS's answer to a change of an alias under the reserved `alias/aws/` prefix (not in the KMS model's error lists). */
export const NotAuthorizedException = define('NotAuthorizedException');
export const InvalidGrantTokenException = define('InvalidGrantTokenException');
export const InvalidGrantIdException = define('InvalidGrantIdException');
/** AWS's answer to a request with `DryRun: true` that would have succeeded (it did not act). */
export const DryRunOperationException = define('DryRunOperationException');
/** Custom key stores (here: passkey key stores, ADR 0016): none by that ID or name; the store's ConnectionState
 * does not allow the call; another store has that name; the store still holds keys. */
export const CustomKeyStoreNotFoundException = define('CustomKeyStoreNotFoundException');
export const CustomKeyStoreInvalidStateException = define('CustomKeyStoreInvalidStateException');
export const CustomKeyStoreNameInUseException = define('CustomKeyStoreNameInUseException');
export const CustomKeyStoreHasCMKsException = define('CustomKeyStoreHasCMKsException');
/** ImportKeyMaterial's: a token past its ParametersValidTo; a token not issued for this key (or used, or
 * altered); wrapped material that is not the key's (wrong length, or not the material imported before). */
export const ExpiredImportTokenException = define('ExpiredImportTokenException');
export const InvalidImportTokenException = define('InvalidImportTokenException');
export const IncorrectKeyMaterialException = define('IncorrectKeyMaterialException');
/** IAM's exceptions, for the principals a keystore holds (Identities page). */
export const NoSuchEntityException = define('NoSuchEntityException');
export const EntityAlreadyExistsException = define('EntityAlreadyExistsException');
/** IAM: a user or role that still has policies or access keys cannot be deleted. */
export const DeleteConflictException = define('DeleteConflictException');
/** IAM's InvalidInput: a parameter IAM cannot use (a policy ARN that is not one). */
export const InvalidInputException = define('InvalidInputException');
/** Temporary credentials used after their expiry (KMS: 400 ExpiredTokenException; Query services: ExpiredToken). */
export const ExpiredTokenException = define('ExpiredTokenException');
/** Wire-level errors of the JSON 1.1 protocol, raised by the endpoint adapter. */
export const UnknownOperationException = define('UnknownOperationException');
export const SerializationException = define('SerializationException');
/** CloudTrail LookupEvents exceptions. */
export const InvalidLookupAttributesException = define('InvalidLookupAttributesException');
export const InvalidTimeRangeException = define('InvalidTimeRangeException');
export const InvalidMaxResultsException = define('InvalidMaxResultsException');
export const InvalidNextTokenException = define('InvalidNextTokenException');
/** Pocket KMS's own (no AWS operation has them): the keystore's secret and its backup files (ADR 0009). */
/** The passphrase or passkey is not one of the keystore's (or the backup's) secrets. */
export const IncorrectSecretException = define('IncorrectSecretException');
/** Not a Pocket KMS backup, or one that is malformed, truncated, altered, or opened with a key that is not its own. */
export const BackupFormatException = define('BackupFormatException');
/** A backup written in a newer format version than this reader knows: a newer Pocket KMS is needed. */
export const UnsupportedBackupVersionException = define('UnsupportedBackupVersionException');
/** A snapshot holds a value a backup cannot carry: a CryptoKey (an unwrapped secret) or a type outside JSON-with-bytes. */
export const BackupValueException = define('BackupValueException');

/** Pocket KMS's own: replicas to another device or browser (ADR 0015, docs/FORMAT.md "Replica packages"). */
/** Not a replica request or package, or one that is malformed or of an unknown version. */
export const ReplicaFormatException = define('ReplicaFormatException');
/** A package whose signature does not verify: it was altered after it was made. */
export const ReplicaPackageSignatureException = define('ReplicaPackageSignatureException');
/** A package answering a request this keystore did not make, made for another of its requests' keys, or for a
 * request already used (a replay) or expired. */
export const ReplicaPackageMismatchException = define('ReplicaPackageMismatchException');

/** Every KMS exception class by its AWS name (SigV4's own errors, raised only by the endpoint, are not here). */
export const exceptionClasses = family.classes;

/** The AWS name of every exception above, derived from this module's exports. */
export type ExceptionName = NamesIn<typeof import('./errors')>;

/** Rebuilds a typed exception from its name and message (used across the worker boundary). */
export function rebuildError(name: string, message: string): KmsError {
  const C = exceptionClasses[name];
  return C ? new C(message) : new KMSInternalException(message);
}

/** Anything that is not already a KmsError becomes KMSInternalException with a generic message,
 * so an internal error text (which could quote data) never reaches a caller or the audit log. */
export function toKmsError(e: unknown): KmsError {
  if (e instanceof KmsError) return e;
  return new KMSInternalException('The request failed because of an internal error in Pocket KMS. Try again.');
}
