// Named errors of the AWS Encryption SDK message codec and streams. Each says what is wrong with
// the message in one sentence a person can act on; none quotes key bytes, plaintext or context values.

export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    // Set explicitly: minifiers rename classes, and callers compare by `name`.
    this.name = 'FormatError';
  }
}

function define(name: string) {
  const C = class extends FormatError {
    constructor(message: string) {
      super(message);
      this.name = name;
    }
  };
  Object.defineProperty(C, 'name', { value: name });
  return C;
}

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

export const formatErrorClasses = {
  FormatError,
  NotAnEsdkMessageError,
  UnsupportedFormatError,
  NonCommittingSuiteError,
  CommitmentMismatchError,
  FrameSequenceError,
  TruncatedMessageError,
  AuthenticationError,
  SignatureError,
  TooManyEncryptedDataKeysError,
  MalformedMessageError,
  NoUsableKeyError,
} as const;

export type FormatErrorName = keyof typeof formatErrorClasses;

/** Rebuilds a format error from its name and message (across the worker boundary); undefined if unknown. */
export function rebuildFormatError(name: string, message: string): FormatError | undefined {
  const C = (formatErrorClasses as Record<string, new (m: string) => FormatError>)[name];
  return C ? new C(message) : undefined;
}
