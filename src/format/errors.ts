// Named errors of the AWS Encryption SDK message codec and streams. Each says what is wrong with
// the message in one sentence a person can act on; none quotes key bytes, plaintext or context values.

import { errorFamily, type NamesIn } from './named-errors';

export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    // Set explicitly: minifiers rename classes, and callers compare by `name`.
    this.name = 'FormatError';
  }
}

// Named through the shared factory. Nothing rebuilds these by name: across the worker the UI
// rebuilds any error as its name and message, and compares the name.
const define = errorFamily(FormatError).define;

/** The bytes do not start like an AWS Encryption SDK message (or the file is empty). */
export const NotAnEsdkMessageError = define('NotAnEsdkMessageError');
/** A message format version or algorithm suite this reader does not implement. */
export const UnsupportedFormatError = define('UnsupportedFormatError');
/** A non-committing (legacy) algorithm suite, refused unless legacy messages are allowed. */
export const NonCommittingSuiteError = define('NonCommittingSuiteError');
/** The key commitment in the header does not match the data key: the message is not what was encrypted. */
export const CommitmentMismatchError = define('CommitmentMismatchError');
/** A body frame arrived out of sequence: reordered, missing or duplicated. */
export const FrameSequenceError = define('FrameSequenceError');
/** The message ends before its final frame (or before its footer). */
export const TruncatedMessageError = define('TruncatedMessageError');
/** The header or a frame does not authenticate (changed bytes or a wrong key). */
export const AuthenticationError = define('AuthenticationError');
/** The footer signature does not verify. */
export const SignatureError = define('SignatureError');
/** More encrypted data keys than the configured maximum. */
export const TooManyEncryptedDataKeysError = define('TooManyEncryptedDataKeysError');
/** A structurally invalid field (lengths, reserved values, trailing bytes). */
export const MalformedMessageError = define('MalformedMessageError');
/** None of the message's data keys could be decrypted with a key the caller may use. */
export const NoUsableKeyError = define('NoUsableKeyError');

/** The name of every format error above, derived from this module's exports. */
export type FormatErrorName = NamesIn<typeof import('./errors')>;
