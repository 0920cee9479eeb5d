// A SigV4 request signer for the unmodified AWS SDK that is never given the secret: the terminal
// builds the canonical request and string to sign here (src/endpoint/sigv4.ts, AWS General Reference
// "Signature Version 4"), and the KMS worker, which holds the access key's secret as a non-extractable
// HMAC key, returns only the signature.

import { canonicalRequestText, sha256Hex, type SigningScope } from '../endpoint/sigv4';

export type { SigningScope };

/** Signs `stringToSign` with an access key's secret (in the KMS worker), returning the hex signature. */
export type SignString = (scope: SigningScope, stringToSign: string) => Promise<string>;

/** What the SDK hands a signer (a subset of @smithy/protocol-http's HttpRequest, which is mutable). */
export interface SdkHttpRequest {
  method: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

/** Headers SigV4 never signs (they change on the way, or the browser sets them). */
const UNSIGNABLE = new Set([
  'authorization',
  'user-agent',
  'x-amzn-trace-id',
  'expect',
  'content-length',
  'connection',
]);

const amzDate = (d: Date) => d.toISOString().replace(/[-:]|\.\d{3}/g, '');

async function payloadHash(req: SdkHttpRequest, service: string): Promise<string> {
  const declared = req.headers['x-amz-content-sha256'];
  if (declared) return declared;
  const body = req.body;
  if (body === undefined || body === null || body === '') return sha256Hex(new Uint8Array(0));
  if (typeof body === 'string' || body instanceof Uint8Array) return sha256Hex(body);
  if (body instanceof ArrayBuffer) return sha256Hex(new Uint8Array(body));
  // A streamed body (an S3 object from a file) is not read twice: S3 takes it unsigned, as the SDK does.
  if (service === 's3') return 'UNSIGNED-PAYLOAD';
  throw new TypeError(`A ${service} request body must be bytes or text to be signed.`);
}

/**
 * An SDK `signer` (client config) that signs as `accessKeyId` through `signString`, for `defaults`'
 * region and service unless the SDK names others (its KMS and STS clients leave them to the signer).
 * The SDK's own credentials must still name the access key ID; their secret is never used.
 */
export function workerSigner(
  accessKeyId: string,
  signString: SignString,
  defaults: { region: string; service: string },
) {
  return {
    async sign(
      req: SdkHttpRequest,
      o: { signingDate?: Date; signingRegion?: string; signingService?: string } = {},
    ): Promise<SdkHttpRequest> {
      const region = o.signingRegion ?? defaults.region;
      const service = o.signingService ?? defaults.service;
      const when = amzDate(o.signingDate ?? new Date());
      const scope = { date: when.slice(0, 8), region, service };
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
      delete headers.authorization;
      headers.host = req.port ? `${req.hostname}:${req.port}` : req.hostname;
      headers['x-amz-date'] = when;
      const hash = await payloadHash(req, service);
      if (service === 's3') headers['x-amz-content-sha256'] = hash;
      const signedHeaders = Object.keys(headers)
        .filter((h) => !UNSIGNABLE.has(h))
        .sort();
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(req.query ?? {}))
        for (const x of Array.isArray(v) ? v : [v]) query.append(k, x ?? '');
      const canonical = canonicalRequestText({
        method: req.method,
        pathname: req.path,
        query,
        header: (name) => headers[name] ?? null,
        signedHeaders,
        payloadHash: hash,
      });
      const credentialScope = `${scope.date}/${region}/${service}/aws4_request`;
      const stringToSign = ['AWS4-HMAC-SHA256', when, credentialScope, await sha256Hex(canonical)].join('\n');
      const signature = await signString(scope, stringToSign);
      headers.authorization =
        `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${credentialScope}, ` +
        `SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
      // The SDK's HttpRequest is mutable and keeps its class (its clone is what is sent).
      req.headers = headers;
      return req;
    },
  };
}
