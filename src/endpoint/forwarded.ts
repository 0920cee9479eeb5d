// The shape of a /kms, /cloudtrail, /sts or /s3 request the service worker forwards to a console's KMS worker
// (ADR 0009: a keystore locked at rest is served only by an unlocked worker): plain bytes both ways.
import type { EndpointPath } from './routes';

export interface ForwardedRequest {
  path: EndpointPath | '/s3';
  /** POST for the JSON and Query endpoints; any of S3's methods for /s3. */
  method?: string;
  url: string;
  headers: [string, string][];
  body: Uint8Array;
}

/** Largest /s3 request body forwarded to a console (a PutObject body or one part), held in memory on the
 * way: bodies of a device keystore stream to disk instead, up to S3's 5 GiB (ADR 0011). */
export const MAX_FORWARDED_S3_BYTES = 64 * 1024 * 1024;

export interface ForwardedResponse {
  status: number;
  headers: [string, string][];
  /** Bytes; for /s3 a stream (transferred, not copied), so a large GetObject is never held whole. */
  body: Uint8Array | ReadableStream<Uint8Array>;
}

/** What the service worker sends a window: a ping to find the consoles, or a request to run. */
export type ForwardMessage = { type: 'POCKET_KMS_PING' } | { type: 'POCKET_KMS_FORWARD'; request: ForwardedRequest };

/** A console's answer: its worker's response, that it is locked, or (to a ping) that it is a console, and
 * how many passkey key stores its worker holds connected (ADR 0016). */
export type ForwardReply =
  | { type: 'response'; response: ForwardedResponse }
  | { type: 'locked' }
  | { type: 'console'; locked: boolean; connectedStores?: number };

/** What a console tells the service worker each time its KMS worker's connected passkey key stores change, on
 * load, on a new service worker, and (empty) when the page is hidden for good or for the back/forward cache
 * (ADR 0016): /kms is forwarded only to a window that announced a connected store. */
export interface StoreConsoleNotice {
  type: 'POCKET_KMS_STORE_CONSOLE';
  connected: string[];
}
