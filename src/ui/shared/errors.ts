// Turns AWS KMS exceptions into sentences a person can act on. The AWS name stays visible beside
// the sentence (this console teaches the real API), and callers compare errors by `name` only,
// through isException, whose names are the core's own (a misspelt name fails to compile).
import type { ExceptionName } from '../../worker/error-transfer';

export interface Problem {
  /** What happened, in plain words. */
  summary: string;
  /** The AWS exception name, for example InvalidCiphertextException. */
  name?: string;
  /** The service's own message, shown when it adds something the summary lacks. */
  detail?: string;
}

const PLAIN: Record<string, string> = {
  InvalidCiphertextException:
    'The ciphertext could not be decrypted: it was changed, or the encryption context is not exactly the one used to encrypt it.',
  IncorrectKeyException:
    'The ciphertext was encrypted under a different KMS key than the one chosen. Choose that key, or leave the key choice to the ciphertext.',
  DisabledException: 'The KMS key is disabled, so it cannot be used. Enable it on its key page first.',
  KMSInvalidStateException:
    'The KMS key is not in a state that allows this. A key pending deletion cannot be used or changed until you cancel the deletion.',
  NotFoundException: 'The KMS key or alias was not found. Check the ID or alias name; the key may have been deleted.',
  AlreadyExistsException: 'That alias name is already in use in this account and region. Choose a different name.',
  InvalidAliasNameException:
    "The alias name is not allowed. It must start with 'alias/', and names starting with 'alias/aws/' are reserved.",
  MalformedPolicyDocumentException: 'The policy is not valid. Fix the document and save again.',
  AccessDeniedException:
    'The principal the console is acting as may not do this: no policy or grant allows it, or a statement denies it. The policy simulator shows why.',
  NoSuchEntityException: 'That user, role, policy or access key does not exist (any more).',
  DryRunOperationException:
    'The dry run passed: the call would have succeeded (it is authorized and valid), and nothing was done.',
  EntityAlreadyExistsException:
    'A user or role with that name already exists (names are compared without case). Choose another name.',
  InvalidGrantTokenException: 'The grant token is not one this keystore issued.',
  InvalidGrantIdException: 'A grant ID is 64 hexadecimal digits.',
  ValidationException: 'A value in the request is not valid. Check the highlighted input.',
  LimitExceededException: 'A limit was reached.',
  TagException: 'The tag is not allowed.',
  InvalidKeyUsageException: 'This KMS key cannot be used for this operation.',
  UnsupportedOperationException: 'Pocket KMS does not support this yet.',
  KMSInternalException: 'Something went wrong inside Pocket KMS. Try again; if it keeps failing, reload the page.',
} satisfies Partial<Record<ExceptionName, string>>;

/** Names whose service message adds facts (which statement, which limit) to the summary. */
const SHOW_DETAIL = new Set<string>([
  'AccessDeniedException',
  'MalformedPolicyDocumentException',
  'ValidationException',
  'LimitExceededException',
  'TagException',
  'InvalidKeyUsageException',
  'UnsupportedOperationException',
  'InvalidAliasNameException',
] satisfies ExceptionName[]);

/** Whether `e` (an error rebuilt from the worker, or a Problem) carries the AWS exception `name`.
 * By name, never by class: across the worker every error arrives as a plain Error with its name. */
export function isException<N extends ExceptionName>(e: unknown, name: N): e is { name: N } {
  return (e as { name?: unknown } | null | undefined)?.name === name;
}

export function describeError(e: unknown): Problem {
  if (typeof e === 'string') return { summary: e };
  const err = e as { name?: unknown; message?: unknown } | null;
  const name = typeof err?.name === 'string' ? err.name : undefined;
  const message = typeof err?.message === 'string' ? err.message : undefined;
  const plain = name ? PLAIN[name] : undefined;
  if (plain && name)
    return SHOW_DETAIL.has(name) && message ? { summary: plain, name, detail: message } : { summary: plain, name };
  if (name && name.endsWith('Exception')) return { summary: message ?? name, name };
  return {
    summary: 'The request failed unexpectedly. Try again, or reload the page.',
    ...(message ? { detail: message } : {}),
  };
}
