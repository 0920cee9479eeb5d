// The production `send` of the terminal's `aws`: the unmodified AWS SDK v3 clients (KMS, STS, S3) pointed
// at Pocket KMS's endpoints (<base>/kms, /sts, /s3, /iam, path-style S3), signing with the credentials or the
// SigV4 signer the page injects, and announcing themselves as `aws-cli/<version> Pocket-KMS-terminal`.
import * as iam from '@aws-sdk/client-iam';
import * as kms from '@aws-sdk/client-kms';
import * as s3 from '@aws-sdk/client-s3';
import * as sts from '@aws-sdk/client-sts';
import * as cloudtrail from '@aws-sdk/client-cloudtrail';
import type { Credentials, Send, SendRequest } from './aws';
import { USER_AGENT } from './aws';

export interface SdkSendOptions {
  /** The origin (and path prefix) the endpoints hang off, e.g. `https://pocket-kms.example` or a test recorder. */
  baseUrl: string;
  credentialsFor: (profile: string | undefined) => Promise<Credentials | undefined>;
  /** A SigV4 signer for the request, to use instead of signing with the credentials (the page's holds
   * the secret in the KMS worker: src/terminal/signer.ts); undefined signs with the credentials. */
  signerFor?: (req: SendRequest) => Promise<unknown>;
  userAgent?: string;
}

type AnyClient = { send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<Record<string, unknown>> };
type Module = Record<string, unknown>;

const MODULES: Record<SendRequest['service'], { mod: Module; client: string }> = {
  kms: { mod: kms as unknown as Module, client: 'KMSClient' },
  sts: { mod: sts as unknown as Module, client: 'STSClient' },
  s3: { mod: s3 as unknown as Module, client: 'S3Client' },
  iam: { mod: iam as unknown as Module, client: 'IAMClient' },
  cloudtrail: { mod: cloudtrail as unknown as Module, client: 'CloudTrailClient' },
};

export function createSdkSend(options: SdkSendOptions): Send {
  const ua = options.userAgent ?? USER_AGENT;
  return async (req) => {
    const { mod, client: clientName } = MODULES[req.service];
    const Client = mod[clientName] as new (config: Record<string, unknown>) => AnyClient & {
      middlewareStack: { addRelativeTo(mw: unknown, opts: unknown): void };
    };
    const Command = mod[`${req.operation}Command`] as (new (input: unknown) => unknown) | undefined;
    if (!Command) throw new Error(`The SDK has no ${req.operation} command`);
    const endpoint = req.endpointUrl ?? `${options.baseUrl.replace(/\/$/, '')}/${req.service}`;
    const config: Record<string, unknown> = {
      region: req.region,
      endpoint,
      credentials: async () => {
        const c = await options.credentialsFor(req.profile);
        if (!c) throw new Error('Unable to locate credentials');
        return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken };
      },
      maxAttempts: 1,
    };
    const signer = await options.signerFor?.(req);
    if (signer) config.signer = signer;
    if (req.service === 's3') {
      config.forcePathStyle = true;
      // AWS CLI 2.9 sends no flexible checksums; the SDK's default would add CRC headers and trailers.
      config.requestChecksumCalculation = 'WHEN_REQUIRED';
      config.responseChecksumValidation = 'WHEN_REQUIRED';
    }
    const client = new Client(config);
    // The CLI's user agent replaces the SDK's, so the audit record names the terminal.
    client.middlewareStack.addRelativeTo(
      (next: (a: unknown) => Promise<unknown>) => async (args: { request: { headers: Record<string, string> } }) => {
        args.request.headers['x-amz-user-agent'] = ua;
        args.request.headers['user-agent'] = ua;
        return next(args);
      },
      { relation: 'after', toMiddleware: 'getUserAgentMiddleware', name: 'pocketKmsTerminalUserAgent' },
    );
    const output = await client.send(new Command(await nodeReadyInput(req.input)), { abortSignal: req.signal });
    for (const [k, v] of Object.entries(output)) {
      const stream = v as
        | { transformToByteArray?: () => Promise<Uint8Array>; transformToWebStream?: () => ReadableStream<Uint8Array> }
        | undefined;
      if (typeof stream?.transformToByteArray !== 'function') continue;
      output[k] =
        req.streamOutput && stream.transformToWebStream
          ? stream.transformToWebStream()
          : await stream.transformToByteArray();
    }
    delete output.$metadata;
    return output;
  };
}

/** The SDK's Node HTTP handler (unit tests against a recorder) cannot send a Blob body; the browser's
 * fetch streams it from disk. Under Node only, a Blob member is read into bytes before sending. */
async function nodeReadyInput(input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const isNode =
    typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
  if (!isNode) return input;
  const out = { ...input };
  for (const [k, v] of Object.entries(out)) if (v instanceof Blob) out[k] = new Uint8Array(await v.arrayBuffer());
  return out;
}
