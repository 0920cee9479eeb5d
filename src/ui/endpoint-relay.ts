// The console's part of the endpoint of a keystore locked at rest (ADR 0009): the service worker holds
// no key, so it asks open consoles (POCKET_KMS_PING) and hands a /kms or /cloudtrail request to one
// (POCKET_KMS_FORWARD); this page passes it to its KMS worker and sends back the worker's answer. It also
// announces which passkey key stores its worker holds connected (ADR 0016), so only this page is asked for them.
import * as Comlink from 'comlink';
import type { ForwardMessage, ForwardReply, StoreConsoleNotice } from '../endpoint/forwarded';
import { custody } from './custody/custody.svelte';
import { kms } from './kms-client.svelte';

/** The key stores this console's worker holds connected, as it last said (undefined until it has). */
let connected: string[] | undefined;

async function answer(message: ForwardMessage): Promise<ForwardReply> {
  // A ping comes before every forwarded request: answer from the console's own custody state rather
  // than asking the worker (custodyStatus reads every key). If the worker locked itself since, the
  // forwarded request answers 'locked' and the service worker tries another console.
  if (message.type === 'POCKET_KMS_PING') {
    const locked = custody.info?.locked !== false;
    // Passkey key stores connected in this console's worker (ADR 0016): as it last said, with no round trip to
    // it (it says so before answering the call that changed them), else asked.
    const connectedStores = locked
      ? 0
      : (connected?.length ??
        (await kms.api.connectedKeyStores().then(
          (ids) => ids.length,
          () => 0,
        )));
    return { type: 'console', locked, connectedStores };
  }
  const r = await kms.api.endpoint(message.request).catch(() => 'locked' as const);
  return r === 'locked' ? { type: 'locked' } : { type: 'response', response: r };
}

/** Tells the service worker which key stores this console's worker holds connected: at every change, to a new
 * service worker, and none while the page is hidden in the back/forward cache or going away. */
function announceKeyStores(sw: ServiceWorkerContainer): void {
  const tell = (ids: string[]) =>
    sw.controller?.postMessage({ type: 'POCKET_KMS_STORE_CONSOLE', connected: ids } satisfies StoreConsoleNotice);
  void kms.api
    .watchKeyStores(
      Comlink.proxy((ids: string[]) => {
        connected = ids;
        tell(ids);
      }),
    )
    .catch(() => undefined);
  sw.addEventListener('controllerchange', () => tell(connected ?? []));
  addEventListener('pagehide', () => tell([]));
  addEventListener('pageshow', (e) => {
    if (e.persisted) tell(connected ?? []);
  });
}

/** Starts answering the service worker (once, from main.ts). */
export function startEndpointRelay(): void {
  const sw = navigator.serviceWorker;
  if (!sw) return;
  announceKeyStores(sw);
  sw.addEventListener('message', (e: MessageEvent) => {
    const m = e.data as ForwardMessage | null;
    const port = e.ports[0];
    if (!port || (m?.type !== 'POCKET_KMS_PING' && m?.type !== 'POCKET_KMS_FORWARD')) return;
    void answer(m).then((reply) => {
      const body = reply.type === 'response' ? reply.response.body : undefined;
      // An /s3 response body is a stream: transferred on to the service worker, never read here.
      const transfer: Transferable[] = !body
        ? []
        : body instanceof ReadableStream
          ? [body]
          : [body.buffer as ArrayBuffer];
      port.postMessage(reply, transfer);
      port.close();
    });
  });
  sw.startMessages();
}
