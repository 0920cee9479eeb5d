// The shape of a /kms, /cloudtrail or /sts request the service worker forwards to a console's KMS worker
// (ADR 0009: a keystore locked at rest is served only by an unlocked worker): plain bytes both ways.
import type { EndpointPath } from './routes';

export interface ForwardedRequest {
  path: EndpointPath;
  url: string;
  headers: [string, string][];
  body: Uint8Array;
}

export interface ForwardedResponse {
  status: number;
  headers: [string, string][];
  body: Uint8Array;
}

/** What the service worker sends a window: a ping to find the consoles, or a request to run. */
export type ForwardMessage = { type: 'POCKET_KMS_PING' } | { type: 'POCKET_KMS_FORWARD'; request: ForwardedRequest };

/** A console's answer: its worker's response, that it is locked, or (to a ping) that it is a console. */
export type ForwardReply =
  { type: 'response'; response: ForwardedResponse } | { type: 'locked' } | { type: 'console'; locked: boolean };
