// @ts-check
// The local relay of issue 18: AWS tools on this machine POST to /kms, /cloudtrail, /sts, /iam (and use /s3) on
// 127.0.0.1; each request goes over a same-origin WebSocket to an open Pocket KMS tab, whose service
// worker answers it as it would a page fetch. The relay holds no key: SigV4 is verified by the app.
import { WebSocketServer } from 'ws';

/** The WebSocket path the console connects to (same origin, so the page's `connect-src 'self'` allows it). */
export const RELAY_PATH = '/__pocket-kms-relay';
/** The KMS endpoint reads at most 1 MiB (src/endpoint/wire.ts MAX_REQUEST_BYTES); S3 objects may be larger. */
export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_S3_BODY_BYTES = 64 * 1024 * 1024;
export const TIMEOUT_MS = 30_000;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** Not passed on: hop-by-hop, computed by the tab's fetch, or not settable there (Host comes from the tab's URL). */
const DROPPED = new Set([
  'host',
  'connection',
  'keep-alive',
  'content-length',
  'transfer-encoding',
  'expect',
  'accept-encoding',
  'upgrade',
  'te',
  'trailer',
]);

/** The endpoint a request path is for, or undefined: the relay answers only these.
 * @param {string} pathname @returns {'/kms' | '/cloudtrail' | '/sts' | '/iam' | '/s3' | undefined} */
export function relayedEndpoint(pathname) {
  const p = pathname.replace(/\/$/, '');
  if (p === '/kms' || p === '/cloudtrail' || p === '/sts' || p === '/iam') return p;
  if (p === '/s3' || pathname.startsWith('/s3/')) return '/s3';
  return undefined;
}

/** True when `host` (a Host header) names this machine's loopback on `port`: a DNS-rebinding page's does not. */
/** @param {string | undefined} host @param {number} port */
export function isLoopbackHost(host, port) {
  if (!host) return false;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host.toLowerCase());
  return !!m && LOOPBACK.has(m[1] ?? '') && Number(m[2] ?? 80) === port;
}

/** The relay's own errors, shaped as the endpoint's protocol shapes errors, so SDKs and the CLI show them. */
/** @param {string} endpoint @param {number} status @param {string} code @param {string} message
 * @returns {RelayResponse} */
export function relayError(endpoint, status, code, message) {
  const requestId = crypto.randomUUID();
  const esc = (/** @type {string} */ s) => s.replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`);
  if (endpoint === '/s3' || endpoint === '/sts' || endpoint === '/iam') {
    const query = endpoint !== '/s3';
    const error = `<Error>${query ? '<Type>Receiver</Type>' : ''}<Code>${code}</Code><Message>${esc(message)}</Message></Error>`;
    const body = query ? `<ErrorResponse>${error}<RequestId>${requestId}</RequestId></ErrorResponse>` : error;
    return { status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body: Buffer.from(body) };
  }
  const body = Buffer.from(JSON.stringify({ __type: code, message }));
  const headers = {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': code,
  };
  return { status, headers, body };
}

/**
 * @typedef {{ status: number, headers: Record<string, string>, body: Buffer }} RelayResponse
 * @typedef {{ socket: import('ws').WebSocket, host: string, pending: Map<string, { endpoint: string, resolve: (r: RelayResponse) => void }> }} Tab
 * @typedef {{ port: () => number, timeoutMs?: number, maxBodyBytes?: number, maxS3BodyBytes?: number,
 *   onRelayed?: (method: string, path: string, status: number) => void }} RelayOptions
 */

/** The relay over one HTTP server: `middleware` answers tools' requests, `attach` accepts the tabs' WebSockets. */
export function createRelay(/** @type {RelayOptions} */ o) {
  const timeoutMs = o.timeoutMs ?? TIMEOUT_MS;
  /** Connected tabs, oldest first: the newest tab of the request's host answers. */
  /** @type {Tab[]} */
  const tabs = [];
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_S3_BODY_BYTES * 2 });
  let next = 0;

  /** @param {import('node:http').IncomingMessage} req @param {import('node:stream').Duplex} socket @param {Buffer} head */
  function upgrade(req, socket, head) {
    if (new URL(req.url ?? '/', 'http://x').pathname !== RELAY_PATH) return false;
    const port = o.port();
    const host = req.headers.host ?? '';
    // Only the app's own page: its Origin is this server on loopback (a page elsewhere cannot open it).
    const origin = req.headers.origin ?? '';
    if (!isLoopbackHost(host, port) || origin !== `http://${host}`) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return true;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      /** @type {Tab} */
      const tab = { socket: ws, host: host.toLowerCase(), pending: new Map() };
      tabs.push(tab);
      ws.on('message', (data) => {
        try {
          const m = JSON.parse(String(data));
          const waiting = tab.pending.get(m.id);
          if (!waiting || typeof m.status !== 'number') return;
          tab.pending.delete(m.id);
          waiting.resolve({
            status: m.status,
            headers: Object.fromEntries(m.headers),
            body: Buffer.from(m.body, 'base64'),
          });
        } catch {
          // A malformed frame answers nothing; its request times out.
        }
      });
      ws.on('close', () => {
        tabs.splice(tabs.indexOf(tab), 1);
        for (const [id, { endpoint, resolve }] of tab.pending) {
          tab.pending.delete(id);
          const message = 'The Pocket KMS tab answering this request closed before it answered. Try again.';
          resolve(relayError(endpoint, 503, 'ServiceUnavailableException', message));
        }
      });
    });
    return true;
  }

  /** Reads at most `max` bytes of the body; undefined when it is larger. */
  async function readBody(/** @type {import('node:http').IncomingMessage} */ req, /** @type {number} */ max) {
    if (Number(req.headers['content-length'] ?? 0) > max) return undefined;
    /** @type {Buffer[]} */
    const chunks = [];
    let length = 0;
    for await (const c of req) {
      length += c.length;
      if (length > max) return undefined;
      chunks.push(c);
    }
    return Buffer.concat(chunks);
  }

  /** Answers one tool request (never throws). @returns {Promise<RelayResponse>} */
  async function relay(/** @type {import('node:http').IncomingMessage} */ req, /** @type {string} */ endpoint) {
    const port = o.port();
    const host = (req.headers.host ?? '').toLowerCase();
    const fail = (/** @type {number} */ s, /** @type {string} */ c, /** @type {string} */ m) =>
      relayError(endpoint, s, c, m);
    if (!isLoopbackHost(host, port))
      return fail(
        403,
        'AccessDeniedException',
        `The Pocket KMS relay answers only requests to 127.0.0.1:${port} or localhost:${port}, not '${host}'.`,
      );
    // A browser's request is the app's own (its service worker answers it) or another site's: never relayed.
    if (req.headers.origin || req.headers['sec-fetch-site'])
      return fail(403, 'AccessDeniedException', 'The Pocket KMS relay does not answer requests from web pages.');
    const max = endpoint === '/s3' ? (o.maxS3BodyBytes ?? MAX_S3_BODY_BYTES) : (o.maxBodyBytes ?? MAX_BODY_BYTES);
    const body = await readBody(req, max);
    if (!body)
      return fail(
        413,
        'RequestEntityTooLargeException',
        `The request body is larger than the ${max} bytes the relay passes on.`,
      );
    const candidates = tabs.filter((t) => t.socket.readyState === t.socket.OPEN);
    const tab = candidates.filter((t) => t.host === host).at(-1);
    if (!tab) {
      const other = candidates[0]?.host;
      return fail(
        503,
        'ServiceUnavailableException',
        other
          ? `The open Pocket KMS tab is at http://${other}, and a request signed for ${host} must be answered by a tab at http://${host}/ (SigV4 signs the host). Open the app there, or use --endpoint-url http://${other}${endpoint}.`
          : `No Pocket KMS tab is relaying. Open the app at http://${host}/, unlock it, and turn on "Allow the local relay" in Settings.`,
      );
    }
    const id = String(++next);
    /** @type {[string, string][]} */
    const headers = [];
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined && !DROPPED.has(k)) headers.push([k, String(v)]);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        tab.pending.delete(id);
        resolve(
          relayError(
            endpoint,
            504,
            'RequestTimeoutException',
            `The Pocket KMS tab did not answer within ${timeoutMs / 1000} seconds.`,
          ),
        );
      }, timeoutMs);
      tab.pending.set(id, { endpoint, resolve: (r) => (clearTimeout(timer), resolve(r)) });
      tab.socket.send(
        JSON.stringify({ id, method: req.method, path: req.url, headers, body: body.toString('base64') }),
      );
    });
  }

  /** Connect-style middleware: answers the relayed endpoints, passes everything else on. */
  function middleware(
    /** @type {import('node:http').IncomingMessage} */ req,
    /** @type {import('node:http').ServerResponse} */ res,
    /** @type {() => void} */ nextHandler,
  ) {
    const endpoint = relayedEndpoint(new URL(req.url ?? '/', 'http://x').pathname);
    // GETs of /s3/... are S3 calls too; the JSON endpoints take only POST (a GET of /kms is the app's 404).
    if (!endpoint || (endpoint !== '/s3' && req.method !== 'POST')) return nextHandler();
    void relay(req, endpoint).then((r) => {
      o.onRelayed?.(req.method ?? '', req.url ?? '', r.status);
      const headers = Object.fromEntries(
        Object.entries(r.headers).filter(
          ([k]) => !['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(k),
        ),
      );
      res.writeHead(r.status, { ...headers, 'content-length': String(r.body.length) });
      res.end(req.method === 'HEAD' ? undefined : r.body);
    });
  }

  /** Hooks the relay into `server`: WebSocket upgrades on RELAY_PATH (other upgrades, e.g. vite's HMR, pass). */
  function attach(/** @type {import('node:http').Server} */ server) {
    server.on('upgrade', (req, socket, head) => void upgrade(req, socket, head));
  }

  return {
    middleware,
    attach,
    /** How many tabs are connected. */
    get tabs() {
      return tabs.length;
    },
    close() {
      for (const t of tabs) t.socket.terminate();
      wss.close();
    },
  };
}
