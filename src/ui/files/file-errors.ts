// File-job errors in words a person can act on. The error's name stays visible beside them.
import type { FormatErrorName } from '../../worker/error-transfer';
import { describeError, type Problem } from '../shared/errors';

/** The browser's and the page's own names the file jobs raise besides the format's. */
type JobErrorName = 'AbortError' | 'QuotaExceededError' | 'NotAllowedError' | 'DownloadError';

const PLAIN: Record<string, string> = {
  NotAnEsdkMessageError:
    'This file is not an encrypted file in the AWS Encryption SDK format, so it cannot be decrypted.',
  TruncatedMessageError:
    'The encrypted file is incomplete: it ends before its last part (truncated). Nothing was saved. Get a complete copy of the file.',
  AuthenticationError:
    'The encrypted file was changed or damaged, so it cannot be decrypted. Nothing from the damaged part was saved.',
  FrameSequenceError: 'Parts of the encrypted file are missing, repeated or out of order. Nothing was saved.',
  SignatureError:
    'The file’s signature does not verify: it was changed after it was encrypted. The output was deleted.',
  CommitmentMismatchError:
    'The file’s key commitment does not match its data key: it was altered to decrypt differently. Nothing was saved.',
  NonCommittingSuiteError:
    'This file uses an older format without key commitment. Tick “Allow legacy files” to decrypt it, if you trust where it came from.',
  UnsupportedFormatError: 'This file uses a format version or algorithm suite that Pocket KMS does not read.',
  TooManyEncryptedDataKeysError:
    'The file lists more encrypted data keys than the maximum you allow. Raise the maximum if you expect this.',
  MalformedMessageError: 'The encrypted file is malformed, so it cannot be decrypted.',
  NoUsableKeyError:
    'None of the KMS keys that encrypted this file can be used here: they are missing, disabled, or you may not use them.',
  AbortError: 'Cancelled. The partial output was deleted.',
  QuotaExceededError: 'There is not enough storage space for the output. Free some space, or save to a folder on disk.',
  NotAllowedError: 'The browser did not allow writing the output file. Choose the folder again.',
  DownloadError:
    'The download was cancelled or failed in the browser, so the job stopped. Add the file again to get it.',
} satisfies Record<FormatErrorName | JobErrorName, string>;

/** Which messages carry facts (key ARNs, frame numbers) worth showing under the summary. */
const DETAIL = new Set<string>([
  'NoUsableKeyError',
  'FrameSequenceError',
  'UnsupportedFormatError',
  'TooManyEncryptedDataKeysError',
  'MalformedMessageError',
  'AuthenticationError',
] satisfies FormatErrorName[]);

export function describeFileError(e: unknown): Problem {
  const name = (e as { name?: unknown })?.name;
  const message = (e as { message?: unknown })?.message;
  if (typeof name === 'string' && PLAIN[name]) {
    return {
      summary: PLAIN[name],
      name,
      ...(DETAIL.has(name) && typeof message === 'string' ? { detail: message } : {}),
    };
  }
  if (name === 'RangeError' && typeof message === 'string') return { summary: message };
  return describeError(e);
}
