// How AWS CLI v2 reports failures (awscli/errorhandler.py) and the exit statuses it uses
// (awscli/constants.py): 252 usage and parameter errors, 253 configuration, 254 service errors, 255 other.
export const RC = {
  ok: 0,
  paramValidation: 252,
  configuration: 253,
  client: 254,
  general: 255,
  interrupted: 130,
} as const;

export const USAGE =
  'aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\n' +
  'To see help text, you can run:\n\n  aws help\n  aws <command> help\n  aws <command> <subcommand> help\n';

/** A service error: `An error occurred (Code) when calling the Op operation: message`. */
export class ClientError extends Error {
  override name = 'ClientError';
  constructor(
    readonly code: string,
    readonly operation: string,
    readonly serviceMessage: string,
  ) {
    super(`An error occurred (${code}) when calling the ${operation} operation: ${serviceMessage}`);
  }
}

/** A configuration problem (exit 253): no region, unknown output format. */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/** No credentials for the profile (exit 253). */
export class NoCredentialsError extends Error {
  override name = 'NoCredentialsError';
  constructor() {
    super('Unable to locate credentials');
  }
}

const REASONS: Record<number, string> = {
  301: 'Moved Permanently',
  304: 'Not Modified',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  416: 'Requested Range Not Satisfiable',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** What botocore would have parsed from the SDK's thrown error: its code and message. A HEAD response has
 * no body, so botocore names the error by its HTTP status and reason phrase. */
export function clientErrorFrom(e: unknown, operation: string): ClientError | undefined {
  if (!(e instanceof Error) || e.name === 'AbortError') return undefined;
  const meta = (e as { $metadata?: { httpStatusCode?: number } }).$metadata;
  const status = meta?.httpStatusCode;
  if (status === undefined) return undefined;
  if (operation.startsWith('Head')) return new ClientError(String(status), operation, REASONS[status] ?? 'Unknown');
  const message = (e as { message?: string }).message ?? '';
  // Query-protocol errors (IAM) name the modeled shape (NoSuchEntityException); the CLI prints the wire code.
  const code = (e as { Code?: unknown }).Code;
  const name = typeof code === 'string' && code ? code : e.name;
  return new ClientError(name, operation, message === 'UnknownError' ? (REASONS[status] ?? message) : message);
}
