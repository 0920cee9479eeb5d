// The endpoints the service worker answers, and which protocol adapter serves each: one table for the
// service worker's routing, the console's relay of a locked keystore (ADR 0009) and their errors.

import type { KmsError } from '../kms/errors';
import type { Kms } from '../kms/kms';
import { handleIam, iamErrorResponse } from './iam';
import { stsErrorResponse, handleSts } from './sts';
import { errorResponse, handleCloudTrail, handleKms, type WireOptions } from './wire';
import { UnrecognizedClientException } from './sigv4';

const ROUTES = {
  '/kms': { handle: handleKms, error: errorResponse },
  '/cloudtrail': { handle: handleCloudTrail, error: errorResponse },
  '/sts': { handle: handleSts, error: stsErrorResponse },
  '/iam': { handle: handleIam, error: iamErrorResponse },
} as const;

export type EndpointPath = keyof typeof ROUTES;

/** The endpoint a POST to `pathname` is for (`/kms` and `/kms/` alike: the AWS SDK appends a slash). */
export function endpointPath(pathname: string): EndpointPath | undefined {
  const p = pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  return Object.hasOwn(ROUTES, p) ? (p as EndpointPath) : undefined;
}

/** Runs one request on `path`'s protocol adapter. */
export function handleEndpoint(kms: Kms, path: EndpointPath, req: Request, o: WireOptions = {}): Promise<Response> {
  return ROUTES[path].handle(kms, req, o);
}

/** `e` as `path`'s protocol shapes an error (JSON `__type` for KMS and CloudTrail, an XML ErrorResponse for STS). */
export function endpointError(path: EndpointPath, e: KmsError, requestId = crypto.randomUUID()): Response {
  return ROUTES[path].error(e, requestId);
}

/** The Region a request to `path` is answered in (ADR 0015): its SigV4 credential scope's, for the
 * Regional endpoints; undefined for IAM (global) and for a request whose Authorization header names none
 * (it is refused by the home Region's checks, as before). */
export function requestRegion(path: EndpointPath, req: Request): string | undefined {
  if (path === '/iam') return undefined;
  const m = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\//.exec(req.headers.get('authorization') ?? '');
  return m?.[1];
}

/** A Region with no keystore in this browser: AWS answers a Region the account has not enabled with
 * UnrecognizedClientException; its message gains which Regions are in use, for a person who signed for the
 * wrong one (the Labs page reads it to say so). */
export function regionNotInUse(path: EndpointPath, region: string, inUse: readonly string[]): Response {
  return endpointError(
    path,
    new UnrecognizedClientException(
      `The security token included in the request is invalid: Region ${region} is not in use in this browser (in use: ${inUse.join(', ')}); sign for one of those, or add ${region} with the console's Region switcher.`,
    ),
  );
}
