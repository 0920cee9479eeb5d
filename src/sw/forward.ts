// The endpoint of a keystore locked at rest (ADR 0009): the service worker holds no root key, so it
// forwards each /kms and /cloudtrail request, as plain bytes, to the unlocked KMS worker of an open
// console window (the window relays it: src/ui/endpoint-relay.ts) and answers with what that worker
// answered. With no unlocked console open it answers AWS's KMSInvalidStateException, saying to unlock.
/// <reference lib="webworker" />

import {
  MAX_FORWARDED_S3_BYTES,
  type ForwardedRequest,
  type ForwardMessage,
  type ForwardReply,
} from '../endpoint/forwarded';
import { MAX_REQUEST_BYTES, readBody, RequestEntityTooLargeException } from '../endpoint/wire';
import { endpointError } from '../endpoint/routes';
import { s3ErrorResponse } from '../endpoint/s3-rest';
import { KMSInvalidStateException } from '../kms/errors';
import { EntityTooLarge, ServiceUnavailable } from '../s3';
import { noteStoreConsole, storeConsoles } from './store-consoles';

declare const self: ServiceWorkerGlobalScope;

const PING_MS = 1500;
const FORWARD_MS = 120_000;

function ask(
  client: Client,
  message: ForwardMessage,
  ms: number,
  transfer: Transferable[] = [],
): Promise<ForwardReply | undefined> {
  const ch = new MessageChannel();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ch.port1.close();
      resolve(undefined);
    }, ms);
    ch.port1.onmessage = (e) => {
      clearTimeout(timer);
      ch.port1.close();
      resolve(e.data as ForwardReply);
    };
    client.postMessage(message, [ch.port2, ...transfer]);
  });
}

function lockedResponse(path: ForwardedRequest['path']): Response {
  if (path === '/s3') {
    const e = new ServiceUnavailable(
      'The keystore is locked: open the Pocket KMS console in this browser, unlock it, and try again.',
    );
    return s3ErrorResponse(e, crypto.randomUUID(), false);
  }
  const message = 'The keystore is locked: open the Pocket KMS console in this browser, unlock it, and try again.';
  return endpointError(path, new KMSInvalidStateException(message));
}

type ConsoleReply = Extract<ForwardReply, { type: 'console' }>;
const unlocked = (r: ConsoleReply) => !r.locked;

/** The first of `windows` to answer a ping as an unlocked console (the requesting one, `preferred`, if it
 * is one and answers within a moment), or undefined once every one has answered otherwise or timed out.
 * `want` narrows which consoles qualify (one with connected passkey key stores: ADR 0016). */
function firstUnlockedConsole(
  windows: readonly Client[],
  preferred: string,
  want: (r: ConsoleReply, c: Client) => boolean = unlocked,
): Promise<Client | undefined> {
  if (windows.length === 0) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    let pending = windows.length;
    let fallback: Client | undefined;
    const done = () => {
      if (--pending === 0) resolve(fallback);
    };
    for (const c of windows) {
      void ask(c, { type: 'POCKET_KMS_PING' }, PING_MS).then((r) => {
        if (r?.type === 'console' && want(r, c)) {
          if (c.id === preferred) return resolve(c);
          fallback ??= c;
          // Another console answered: use it unless the requesting page answers within 50 ms.
          setTimeout(() => resolve(fallback), 50);
        }
        done();
      });
    }
  });
}

/** Runs `request` in an open, unlocked console: the one that sent it first, then any other. */
export async function forwardToConsole(e: FetchEvent, path: ForwardedRequest['path']): Promise<Response> {
  return (await forward(e, e.request, path, unlocked)) ?? lockedResponse(path);
}

/**
 * A device keystore with passkey key stores (ADR 0016): runs a /kms request in an open console whose worker
 * holds connected stores (their keys live only there), or answers undefined when there is none, and the
 * caller serves it itself (the store keys then answer as disconnected). Only consoles that announced a connected
 * store are asked (src/sw/store-consoles.ts): with none, no window is asked and nothing waits.
 * Reads a clone: `e.request` stays unread.
 */
export async function forwardToStoreConsole(e: FetchEvent): Promise<Response | undefined> {
  const windows = await storeConsoles(await self.clients.matchAll({ type: 'window', includeUncontrolled: false }));
  if (windows.length === 0) return undefined;
  const holds = (r: ConsoleReply, c: Client) => {
    const yes = !r.locked && (r.connectedStores ?? 0) > 0;
    // The console says otherwise than its last announcement (e.g. one lost on the way): believe the ping.
    if (!yes) void noteStoreConsole(c.id, []);
    return yes;
  };
  return forward(e, e.request.clone(), '/kms', holds, windows);
}

async function forward(
  e: FetchEvent,
  req: Request,
  path: ForwardedRequest['path'],
  want: (r: ConsoleReply, c: Client) => boolean,
  among?: readonly Client[],
): Promise<Response | undefined> {
  let body: Uint8Array;
  try {
    // Capped as the endpoint caps it (src/endpoint/wire.ts), before any console is bothered; an /s3 body is
    // held in memory on its way to the console, so it has its own, larger cap.
    body = ['GET', 'HEAD'].includes(req.method)
      ? new Uint8Array(0)
      : await readBody(req, path === '/s3' ? MAX_FORWARDED_S3_BYTES : MAX_REQUEST_BYTES);
  } catch (err) {
    if (!(err instanceof RequestEntityTooLargeException)) throw err;
    if (path !== '/s3') return endpointError(path, err);
    const e = new EntityTooLarge(
      `While the keystore is locked at rest, a request body is passed to the console in memory: at most ${MAX_FORWARDED_S3_BYTES} bytes (use a multipart upload with smaller parts).`,
    );
    return s3ErrorResponse(e, crypto.randomUUID(), req.method === 'HEAD');
  }
  const request: ForwardedRequest = { path, method: req.method, url: req.url, headers: [...req.headers], body };
  const windows = among ?? (await self.clients.matchAll({ type: 'window', includeUncontrolled: false }));
  // Consoles answer a ping at once; other pages of the origin (e.g. one using the AWS SDK) never do, so
  // the first unlocked console to answer is used without waiting out the others' timeouts.
  const tried = new Set<string>();
  for (;;) {
    const c = await firstUnlockedConsole(
      windows.filter((w) => !tried.has(w.id)),
      e.clientId,
      want,
    );
    if (!c) break;
    tried.add(c.id);
    const r = await ask(
      c,
      { type: 'POCKET_KMS_FORWARD', request: { ...request, body: request.body.slice() } },
      FORWARD_MS,
    );
    if (r?.type === 'response')
      return new Response(r.response.body as Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>, {
        status: r.response.status,
        headers: r.response.headers,
      });
  }
  return undefined;
}
