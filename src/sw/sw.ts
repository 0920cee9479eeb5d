// The service worker: precaches the app (workbox, injectManifest) and answers POST /kms,
// /cloudtrail and /sts (src/endpoint/routes.ts), and the S3 REST API under /s3 (ADR 0011): with its own
// instance of the core over the same IndexedDB database for a device keystore, and for a keystore locked
// at rest by forwarding to an unlocked console (ADR 0009). Each request is answered by the keystore of the
// Region its credential scope names (ADR 0015).
/// <reference lib="webworker" />
import { cleanupOutdatedCaches, precacheAndRoute } from 'workbox-precaching';
import { Kms } from '../kms/kms';
import { browserPorts, browserRegionStores, regionPorts } from '../store/open';
import { DOWNLOAD_PATH, downloadResponse, onDownloadMessage } from './downloads';
import {
  endpointError,
  endpointPath,
  handleEndpoint,
  regionNotInUse,
  requestRegion,
  type EndpointPath,
} from '../endpoint/routes';
import { KMSInternalException } from '../kms/errors';
import { CUSTODY_META } from '../kms/material';
import type { Store } from '../kms/ports';
import { forwardToConsole, forwardToStoreConsole } from './forward';
import { noteStoreConsole } from './store-consoles';
import type { StoreConsoleNotice } from '../endpoint/forwarded';
import { KEY_STORES_META } from '../kms/keystores';
import { handleS3, s3ErrorResponse } from '../endpoint/s3-rest';
import { InternalError } from '../s3';
import { browserS3 } from '../store/s3-open';
import type { S3 } from '../s3';

declare const self: ServiceWorkerGlobalScope;

/** A request signed before this instance started may be one the browser sends again (endpoint/wire.ts). */
const WIRE = { startedAt: Date.now() };

let ports: ReturnType<typeof browserPorts> | undefined;
let kms: Promise<Kms> | undefined;
/** The store and core, opened on first use; a failed open is forgotten, so the next request tries again. */
const open = <T>(p: Promise<T>, forget: () => void) => p.catch((e: unknown) => (forget(), Promise.reject(e)));
const storeOf = (): Promise<Store> => open((ports ??= browserPorts()), () => (ports = undefined)).then((p) => p.store);
/** The account's other Regions (ADR 0015); the default Region's keystore joins it when it opens. */
const regions = Kms.regionSet(browserRegionStores, regionPorts);
const core = () =>
  open((kms ??= (ports ??= browserPorts()).then((p) => Kms.open({ ...p, regions }))), () => (kms = undefined));
let s3: Promise<S3> | undefined;
const s3Core = () => open((s3 ??= core().then(browserS3)), () => (s3 = undefined));

async function serve(e: FetchEvent, path: EndpointPath | '/s3'): Promise<Response> {
  try {
    const [custody, keyStores] = await (
      await storeOf()
    ).read((tx) => Promise.all([tx.getMeta(CUSTODY_META), tx.getMeta<unknown[]>(KEY_STORES_META)]));
    // Locked at rest: this worker holds no root key and never will (ADR 0009).
    if (custody) return forwardToConsole(e, path);
    // Passkey key stores' keys live only in the console worker that connected them (ADR 0016).
    if (path === '/kms' && keyStores?.length) {
      const answered = await forwardToStoreConsole(e);
      if (answered) return answered;
    }
    if (path === '/s3') return handleS3(await s3Core(), e.request);
    const home = await core();
    const region = requestRegion(path, e.request);
    if (!region || region === home.keystore.region) return handleEndpoint(home, path, e.request, WIRE);
    const k = await regions.get(region);
    if (!k) return regionNotInUse(path, region, await home.regionsInUse());
    // Each Region's custody is its own: one locked at rest is answered by an unlocked console.
    if (await k.peerEnv().store.read((tx) => tx.getMeta(CUSTODY_META))) return forwardToConsole(e, path);
    return handleEndpoint(k, path, e.request, WIRE);
  } catch {
    // A newer version of the app upgraded the keystore under this worker (its connection closed): the
    // next request opens it again rather than keep a dead store for the worker's life.
    const opened = ports;
    if ((await opened?.catch(() => undefined))?.store.superseded && ports === opened) ports = kms = undefined;
    // The same for the other Regions' keystores (ADR 0015): each is its own database, upgraded on its own.
    await regions.forget((k) => (k.peerEnv().store as { superseded?: boolean }).superseded === true);
    // E.g. a newer version of the app upgraded the database in another tab: say so, as AWS would shape it.
    const message = 'Pocket KMS could not open its keystore here: reload the console, then try again.';
    if (path === '/s3')
      return s3ErrorResponse(new InternalError(message), crypto.randomUUID(), e.request.method === 'HEAD');
    return endpointError(path, new KMSInternalException(message));
  }
}

// A first install activates at once; an update waits until the console's "Update now" (workbox-window
// posts SKIP_WAITING), and until then this version keeps answering /kms. Requests that arrive during
// the switch wait for the new worker to activate, and each version opens its own core.
self.addEventListener('message', (e) => {
  const type = (e.data as { type?: string } | null)?.type;
  if (type === 'SKIP_WAITING') void self.skipWaiting();
  else if (type === 'POCKET_KMS_STORE_CONSOLE') {
    // Which consoles hold passkey key stores connected (ADR 0016): where /kms may be forwarded.
    const { connected } = e.data as StoreConsoleNotice;
    const id = e.source && 'id' in e.source ? e.source.id : undefined;
    if (id && Array.isArray(connected)) e.waitUntil(noteStoreConsole(id, connected.map(String)));
  } else onDownloadMessage(e.data, e.ports, e.source);
});
// Control the page on first load, so /kms works without a reload (DESIGN.md contract 1).
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (url.origin !== self.location.origin) return;
  if (e.request.method === 'GET' && url.pathname.startsWith(DOWNLOAD_PATH)) return e.respondWith(downloadResponse(url));
  // S3's REST API uses every method (ADR 0011).
  if (url.pathname === '/s3' || url.pathname.startsWith('/s3/')) return e.respondWith(serve(e, '/s3'));
  if (e.request.method !== 'POST') return;
  const path = endpointPath(url.pathname);
  if (path) e.respondWith(serve(e, path));
});

cleanupOutdatedCaches();
precacheAndRoute(self.__WB_MANIFEST);
