import { svelte } from '@sveltejs/vite-plugin-svelte';
import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { buildInfo, CSP_HEADER, sourceHash } from './scripts/build-info';
import { createRelay } from './relay/relay.js';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };
const root = new URL('.', import.meta.url).pathname;
const SOURCE_HASH = sourceHash(root);
// frame-ancestors cannot be set from a <meta> CSP: static hosts send it as a header (README, public/_headers).
const HEADERS = {
  'Content-Security-Policy': CSP_HEADER,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** `vite build --mode bench` (npm run bench) builds into dist-bench/ with the KMS worker's entry
 * swapped for bench/worker/bench.worker.ts: the production API plus the bench's diagnostics. The
 * production build never sees that file (tests/e2e/bundle.test.ts checks). */
function benchWorker(): Plugin {
  const entry = `${root}src/worker/kms.worker.ts`;
  const bench = `${root}bench/worker/bench.worker.ts`;
  return {
    name: 'pocket-kms-bench-worker',
    enforce: 'pre',
    load: (id) => (id.split('?')[0] === entry ? `import ${JSON.stringify(bench)};` : undefined),
  };
}

/** The local relay (issue 18, relay/relay.js) on `vite preview` (npm start): AWS tools on this machine reach
 * the keystore of an open tab that allows it. Not under `vite dev`: no service worker answers /kms there. */
function localRelay(): Plugin {
  return {
    name: 'pocket-kms-relay',
    configurePreviewServer(server) {
      const http = server.httpServer as import('node:http').Server;
      const relay = createRelay({ port: () => (http.address() as import('node:net').AddressInfo).port });
      relay.attach(http);
      http.on('close', () => relay.close());
      server.middlewares.use(relay.middleware);
    },
  };
}

export default defineConfig(({ mode }) => ({
  define: {
    'import.meta.env.VITE_APP_VERSION': JSON.stringify(pkg.version),
    'import.meta.env.VITE_SOURCE_HASH': JSON.stringify(SOURCE_HASH),
  },
  plugins: [
    ...(mode === 'bench' ? [benchWorker()] : []),
    svelte(),
    buildInfo({ version: pkg.version, sourceHash: SOURCE_HASH }),
    localRelay(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src/sw',
      filename: 'sw.ts',
      injectRegister: false,
      // The console offers "Update now" (src/ui/update.svelte.ts); the new service worker waits until then.
      registerType: 'prompt',
      manifest: {
        name: 'Pocket KMS',
        short_name: 'Pocket KMS',
        description: 'The AWS Key Management Service model, running entirely in your browser.',
        theme_color: '#1f3a5f',
        background_color: '#ffffff',
        display: 'standalone',
        start_url: '/',
        scope: '/',
        id: '/',
        lang: 'en',
        categories: ['security', 'developer', 'utilities'],
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
        ],
      },
      injectManifest: { globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,json}'] },
      devOptions: { enabled: false },
    }),
  ],
  worker: { format: 'es', plugins: () => (mode === 'bench' ? [benchWorker()] : []) },
  build: { target: 'es2022', sourcemap: false, ...(mode === 'bench' ? { outDir: 'dist-bench' } : {}) },
  preview: { port: 4173, strictPort: false, headers: HEADERS },
  server: { headers: { 'X-Frame-Options': 'DENY', 'X-Content-Type-Options': 'nosniff' } },
}));
