// The endpoints the service worker answers, and which protocol adapter serves each: one table for the
// service worker's routing, the console's relay of a locked keystore (ADR 0009) and their errors.

import type { KmsError } from '../kms/errors';
import type { Kms } from '../kms/kms';
import { handleIam, iamErrorResponse } from './iam';
import { stsErrorResponse, handleSts } from './sts';
import { errorResponse, handleCloudTrail, handleKms, type WireOptions } from './wire';

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
