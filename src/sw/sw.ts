// The service worker: precaches the app (workbox, injectManifest) and answers POST /kms,
// /cloudtrail and /sts (src/endpoint/routes.ts): with its own instance of the core over the same
// IndexedDB database for a device keystore, and for a keystore locked at rest by forwarding to an
// unlocked console (ADR 0009).
/// <reference lib="webworker" />
import { cleanupOutdatedCaches, precacheAndRoute } from 'workbox-precaching';
import { Kms } from '../kms/kms';
import { browserPorts } from '../store/open';
import { DOWNLOAD_PATH, downloadResponse, onDownloadMessage } from './downloads';
import { endpointError, endpointPath, handleEndpoint, type EndpointPath } from '../endpoint/routes';
import { KMSInternalException } from '../kms/errors';
import { CUSTODY_META } from '../kms/material';
import type { Store } from '../kms/ports';
import { forwardToConsole } from './forward';

declare const self: ServiceWorkerGlobalScope;

let ports: ReturnType<typeof browserPorts> | undefined;
let kms: Promise<Kms> | undefined;
/** The store and core, opened on first use; a failed open is forgotten, so the next request tries again. */
const open = <T>(p: Promise<T>, forget: () => void) => p.catch((e: unknown) => (forget(), Promise.reject(e)));
const storeOf = (): Promise<Store> => open((ports ??= browserPorts()), () => (ports = undefined)).then((p) => p.store);
const core = () => open((kms ??= (ports ??= browserPorts()).then((p) => Kms.open(p))), () => (kms = undefined));

async function serve(e: FetchEvent, path: EndpointPath): Promise<Response> {
  try {
    // Locked at rest: this worker holds no root key and never will (ADR 0009).
    if (await (await storeOf()).read((tx) => tx.getMeta(CUSTODY_META))) return forwardToConsole(e, path);
    const k = await core();
    return handleEndpoint(k, path, e.request);
  } catch {
    // E.g. a newer version of the app upgraded the database in another tab: say so, as AWS would shape it.
    const err = new KMSInternalException(
      'Pocket KMS could not open its keystore here: reload the console, then try again.',
    );
    return endpointError(path, err);
  }
}

// A first install activates at once; an update waits until the console's "Update now" (workbox-window
// posts SKIP_WAITING), and until then this version keeps answering /kms. Requests that arrive during
// the switch wait for the new worker to activate, and each version opens its own core.
self.addEventListener('message', (e) => {
  if ((e.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
  else onDownloadMessage(e.data, e.ports, e.source);
});
// Control the page on first load, so /kms works without a reload (DESIGN.md contract 1).
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (url.origin !== self.location.origin) return;
  if (e.request.method === 'GET' && url.pathname.startsWith(DOWNLOAD_PATH)) return e.respondWith(downloadResponse(url));
  if (e.request.method !== 'POST') return;
  const path = endpointPath(url.pathname);
  if (path) e.respondWith(serve(e, path));
});

cleanupOutdatedCaches();
precacheAndRoute(self.__WB_MANIFEST);
