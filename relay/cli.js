#!/usr/bin/env node
// @ts-check
// `npx pocket-kms-relay [dist] [port]` (defaults: dist, 4173): serves a built copy of Pocket KMS (a dist/ folder, e.g. a
// deployed copy downloaded and checked against its build-info.json) on 127.0.0.1 with the local relay
// (relay.js) beside it, for hosts that cannot run `npm start`. Headers come from the copy's own _headers.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { createRelay } from './relay.js';

const TYPES = /** @type {Record<string, string>} */ ({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
});

/** The `/*` block of a Netlify-style _headers file: the app's CSP and friends. */
function appHeaders(/** @type {string} */ dist) {
  const file = join(dist, '_headers');
  /** @type {Record<string, string>} */
  const headers = {};
  if (!existsSync(file)) return headers;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s+([A-Za-z-]+):\s*(.+)$/.exec(line);
    if (m?.[1] && m[2]) headers[m[1]] = m[2].trim();
  }
  return headers;
}

/** Starts the server; resolves with its URL. */
export async function serveWithRelay(/** @type {{ dist: string, port: number, log?: boolean }} */ o) {
  const dist = resolve(o.dist);
  if (!existsSync(join(dist, 'index.html')))
    throw new Error(`${dist} has no index.html: build the app (npm run build) first.`);
  const headers = appHeaders(dist);
  /** @type {import('node:http').Server} */
  let server;
  const relay = createRelay({
    port: () => Number(/** @type {import('node:net').AddressInfo} */ (server.address()).port),
    onRelayed: (method, path, status) =>
      o.log && console.log(`${new Date().toISOString()} ${method} ${path} → ${status}`),
  });
  server = createServer((req, res) =>
    relay.middleware(req, res, () => {
      const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      let file = join(dist, path);
      if (!file.startsWith(dist) || !existsSync(file) || statSync(file).isDirectory()) file = join(dist, 'index.html');
      res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      createReadStream(file).pipe(res);
    }),
  );
  relay.attach(server);
  await new Promise((ok) => server.listen(o.port, '127.0.0.1', () => ok(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return { url: `http://127.0.0.1:${port}`, close: () => (relay.close(), new Promise((ok) => server.close(ok))) };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('pocket-kms-relay')) {
  // `npx pocket-kms-relay dist 4173`: npm takes `--port` for itself, so a number alone is the port.
  const args = process.argv.slice(2).filter((a) => a !== '--port');
  const port = Number(args.find((a) => /^\d+$/.test(a)) ?? 4173);
  const dist = args.find((a) => !/^\d+$/.test(a)) ?? 'dist';
  const { url } = await serveWithRelay({ dist, port, log: true });
  console.log(`Pocket KMS at ${url}/ — open it, unlock it and turn on "Allow the local relay" in Settings.`);
  console.log(`Then: aws --endpoint-url ${url}/kms kms list-keys`);
}
