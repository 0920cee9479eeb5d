// The endpoint of a keystore locked at rest (ADR 0009): the service worker holds no root key, so it
// forwards each /kms and /cloudtrail request, as plain bytes, to the unlocked KMS worker of an open
// console window (the window relays it: src/ui/endpoint-relay.ts) and answers with what that worker
// answered. With no unlocked console open it answers AWS's KMSInvalidStateException, saying to unlock.
/// <reference lib="webworker" />

import type { ForwardedRequest, ForwardMessage, ForwardReply } from '../endpoint/forwarded';
import { errorResponse, readBody, RequestEntityTooLargeException } from '../endpoint/wire';

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

function lockedResponse(): Response {
  const message = 'The keystore is locked: open the Pocket KMS console in this browser, unlock it, and try again.';
  return new Response(JSON.stringify({ __type: 'KMSInvalidStateException', message }), {
    status: 400,
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-errortype': 'KMSInvalidStateException',
      'x-amzn-requestid': crypto.randomUUID(),
    },
  });
}

/** Runs `request` in an open, unlocked console: the one that sent it first, then any other. */
export async function forwardToConsole(e: FetchEvent, path: ForwardedRequest['path']): Promise<Response> {
  const req = e.request;
  let body: Uint8Array;
  try {
    // Capped as the endpoint caps it (src/endpoint/wire.ts), before any console is bothered.
    body = await readBody(req);
  } catch (err) {
    if (err instanceof RequestEntityTooLargeException) return errorResponse(err, crypto.randomUUID());
    throw err;
  }
  const request: ForwardedRequest = { path, url: req.url, headers: [...req.headers], body };
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: false });
  // Consoles answer a ping at once; other pages of the origin (e.g. one using the AWS SDK) never do.
  const pings = await Promise.all(
    windows.map(async (c) => ({ c, r: await ask(c, { type: 'POCKET_KMS_PING' }, PING_MS) })),
  );
  const consoles = pings
    .filter((p) => p.r?.type === 'console' && !p.r.locked)
    .map((p) => p.c)
    .sort((a, b) => Number(b.id === e.clientId) - Number(a.id === e.clientId));
  for (const c of consoles) {
    const r = await ask(
      c,
      { type: 'POCKET_KMS_FORWARD', request: { ...request, body: request.body.slice() } },
      FORWARD_MS,
    );
    if (r?.type === 'response')
      return new Response(r.response.body as Uint8Array<ArrayBuffer>, {
        status: r.response.status,
        headers: r.response.headers,
      });
  }
  return lockedResponse();
}
