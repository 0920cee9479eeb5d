// The service worker: precaches the app (workbox, injectManifest) and answers POST /kms and
// POST /cloudtrail with its own instance of the core over the same IndexedDB database.
/// <reference lib="webworker" />
import { cleanupOutdatedCaches, precacheAndRoute } from 'workbox-precaching';
import { Kms } from '../kms/kms';
import { browserPorts } from '../store/open';
import { DOWNLOAD_PATH, downloadResponse, onDownloadMessage } from './downloads';
import { handleCloudTrail, handleKms } from '../endpoint/wire';

declare const self: ServiceWorkerGlobalScope;

let kms: Promise<Kms> | undefined;
const core = () => (kms ??= browserPorts().then((ports) => Kms.open(ports)));

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
  if (url.pathname === '/kms' || url.pathname === '/kms/') e.respondWith(core().then((k) => handleKms(k, e.request)));
  else if (url.pathname === '/cloudtrail' || url.pathname === '/cloudtrail/')
    e.respondWith(core().then((k) => handleCloudTrail(k, e.request)));
});

cleanupOutdatedCaches();
precacheAndRoute(self.__WB_MANIFEST);
