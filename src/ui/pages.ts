// The console's pages, each loaded on first visit (a dynamic import, its own chunk), so the first
// paint needs only the shell and the current page (STYLE.md: heavy pages load after first paint).
// The service worker precaches every chunk, so a page not yet visited still opens offline.
import type { Component } from 'svelte';

// Record<string, any>: the constraint of Svelte's own Component<Props> (an interface Props has no index signature).
/** A page's component: at once when it has loaded before, else a promise for it. */
export interface LazyPage<Props extends Record<string, any>> {
  load(): Component<Props> | Promise<Component<Props>>;
}

function lazy<Props extends Record<string, any>>(
  importPage: () => Promise<{ default: Component<Props> }>,
): LazyPage<Props> {
  let loaded: Component<Props> | undefined;
  // A failed import is not kept, so the next visit tries again (the chunk may be reachable by then).
  return { load: () => loaded ?? importPage().then((m) => (loaded = m.default)) };
}

export const pages = {
  keys: lazy(() => import('./keys/KeysPage.svelte')),
  key: lazy(() => import('./keys/KeyPage.svelte')),
  crypto: lazy(() => import('./crypto/CryptoPage.svelte')),
  files: lazy(() => import('./files/FilesPage.svelte')),
  events: lazy(() => import('./audit/EventsPage.svelte')),
  identities: lazy(() => import('./identities/IdentitiesPage.svelte')),
  simulator: lazy(() => import('./simulator/SimulatorPage.svelte')),
  buckets: lazy(() => import('./buckets/BucketsPage.svelte')),
  terminal: lazy(() => import('./terminal/TerminalPage.svelte')),
  labs: lazy(() => import('./labs/LabsPage.svelte')),
  inspect: lazy(() => import('./inspect/InspectPage.svelte')),
  visualise: lazy(() => import('./visualise/VisualisePage.svelte')),
  settings: lazy(() => import('./custody/SettingsPage.svelte')),
  keyStores: lazy(() => import('./keystores/KeyStoresPage.svelte')),
  about: lazy(() => import('./settings/AboutPage.svelte')),
};
