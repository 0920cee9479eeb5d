// The local relay (relay/relay.js, issue 18) over a real HTTP server, with WebSocket clients standing in
// for console tabs: what a tool on this machine sees for each refusal, and byte-for-byte relaying.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { serveWithRelay } from '../../../relay/cli.js';
import { createRelay, isLoopbackHost, RELAY_PATH, relayedEndpoint } from '../../../relay/relay.js';

type Relay = ReturnType<typeof createRelay>;
let server: Server | undefined;
let relay: Relay | undefined;
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  relay?.close();
  await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
  server = relay = undefined;
});

async function start(o: { timeoutMs?: number; maxBodyBytes?: number } = {}): Promise<number> {
  const s = createServer((req, res) =>
    relay!.middleware(req, res, () => {
      res.writeHead(404);
      res.end('app');
    }),
  );
  server = s;
  relay = createRelay({ port: () => (s.address() as AddressInfo).port, ...o });
  relay.attach(s);
  await new Promise((ok) => s.listen(0, '127.0.0.1', () => ok(undefined)));
  return (s.address() as AddressInfo).port;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function send(
  port: number,
  path: string,
  o: { host?: string; headers?: Record<string, string>; body?: Buffer | string; method?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { host: o.host ?? `127.0.0.1:${port}`, ...o.headers };
    const req = request({ host: '127.0.0.1', port, path, method: o.method ?? 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    // The relay may answer 413 before reading the whole body and close the connection.
    req.on('error', reject);
    req.end(o.method === 'GET' ? undefined : (o.body ?? '{}'));
  });
}

const json = (a: Answer) => JSON.parse(a.body.toString()) as { __type: string; message: string };

interface Frame {
  id: string;
  method: string;
  path: string;
  headers: [string, string][];
  body: string;
}

/** A stand-in console tab: `answer` decides each reply (undefined: never answers). */
function tab(
  port: number,
  answer: (f: Frame) => object | undefined,
  o: { host?: string; origin?: string } = {},
): Promise<WebSocket> {
  const host = o.host ?? `127.0.0.1:${port}`;
  const ws = new WebSocket(`ws://127.0.0.1:${port}${RELAY_PATH}`, {
    origin: o.origin ?? `http://${host}`,
    headers: { host },
  });
  sockets.push(ws);
  ws.on('message', (d) => {
    const f = JSON.parse(String(d)) as Frame;
    const reply = answer(f);
    if (reply) ws.send(JSON.stringify({ id: f.id, ...reply }));
  });
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve(ws));
    ws.on('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

describe('relay checks', () => {
  it('accepts only loopback hosts on its own port', () => {
    expect(isLoopbackHost('127.0.0.1:4173', 4173)).toBe(true);
    expect(isLoopbackHost('localhost:4173', 4173)).toBe(true);
    expect(isLoopbackHost('[::1]:4173', 4173)).toBe(true);
    expect(isLoopbackHost('127.0.0.1:4174', 4173)).toBe(false);
    expect(isLoopbackHost('attacker.example:4173', 4173)).toBe(false);
    expect(isLoopbackHost('127.0.0.1.attacker.example:4173', 4173)).toBe(false);
    expect(isLoopbackHost(undefined, 4173)).toBe(false);
  });

  it('relays only the endpoints', () => {
    expect(
      ['/kms', '/kms/', '/cloudtrail', '/sts', '/s3', '/s3/bucket/key', '/', '/index.html', '/s3x'].map(
        relayedEndpoint,
      ),
    ).toEqual(['/kms', '/kms', '/cloudtrail', '/sts', '/s3', '/s3', undefined, undefined, undefined]);
  });
});

describe('the relay', () => {
  it('answers 503 ServiceUnavailableException saying to open the app when no tab is connected', async () => {
    const port = await start();
    const r = await send(port, '/kms');
    expect(r.status).toBe(503);
    expect(r.headers['x-amzn-errortype']).toBe('ServiceUnavailableException');
    expect(json(r).message).toContain(`Open the app at http://127.0.0.1:${port}/`);
    // STS speaks XML: its error is an ErrorResponse.
    const sts = await send(port, '/sts', { body: 'Action=GetCallerIdentity' });
    expect(sts.body.toString()).toMatch(
      /^<ErrorResponse><Error><Type>Receiver<\/Type><Code>ServiceUnavailableException</,
    );
  });

  it('passes on every other path (the app) and GETs of /kms', async () => {
    const port = await start();
    expect((await send(port, '/index.html', { method: 'GET' })).body.toString()).toBe('app');
    expect((await send(port, '/kms', { method: 'GET' })).status).toBe(404);
  });

  it('refuses a request whose Host is not loopback on its port (DNS rebinding), before any tab sees it', async () => {
    const port = await start();
    const seen: Frame[] = [];
    await tab(port, (f) => (seen.push(f), { status: 200, headers: [], body: '' }));
    const r = await send(port, '/kms', { host: `rebind.attacker.example:${port}` });
    expect(r.status).toBe(403);
    expect(json(r)).toMatchObject({ __type: 'AccessDeniedException' });
    expect((await send(port, '/kms', { host: '127.0.0.1:1' })).status).toBe(403);
    // A browser's request (another site's page) is never relayed either.
    expect((await send(port, '/kms', { headers: { origin: 'https://evil.example' } })).status).toBe(403);
    expect((await send(port, '/kms', { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    expect(seen).toEqual([]);
  });

  it("refuses a WebSocket whose Origin is not the app's, or whose Host is not loopback", async () => {
    const port = await start();
    await expect(tab(port, () => undefined, { origin: 'https://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(tab(port, () => undefined, { origin: `http://localhost:${port}` })).rejects.toThrow('HTTP 403');
    await expect(tab(port, () => undefined, { host: `evil.example:${port}` })).rejects.toThrow('HTTP 403');
    expect(relay!.tabs).toBe(0);
  });

  it('refuses a body over the cap with 413 RequestEntityTooLargeException, before any tab sees it', async () => {
    const port = await start({ maxBodyBytes: 100 });
    const seen: Frame[] = [];
    await tab(port, (f) => (seen.push(f), { status: 200, headers: [], body: '' }));
    const r = await send(port, '/kms', { body: 'x'.repeat(101) });
    expect(r.status).toBe(413);
    expect(json(r)).toMatchObject({ __type: 'RequestEntityTooLargeException' });
    expect(seen).toEqual([]);
  });

  it("relays the request and the tab's answer byte for byte (status, headers, body)", async () => {
    const port = await start();
    const seen: Frame[] = [];
    const body = Buffer.from([0, 255, 1, 254, 10]);
    await tab(
      port,
      (f) => (
        seen.push(f),
        {
          status: 400,
          headers: [
            ['x-amzn-errortype', 'NotFoundException'],
            ['content-type', 'application/x-amz-json-1.1'],
          ],
          body: body.toString('base64'),
        }
      ),
    );
    const r = await send(port, '/kms', {
      headers: {
        'x-amz-target': 'TrentService.DescribeKey',
        authorization: 'AWS4-HMAC-SHA256 x',
        'user-agent': 'aws-cli/2.9.19',
      },
      body: '{"KeyId":"k"}',
    });
    expect(r.status).toBe(400);
    expect(r.headers['x-amzn-errortype']).toBe('NotFoundException');
    expect(r.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(r.body).toEqual(body);
    expect(seen[0]).toMatchObject({ method: 'POST', path: '/kms' });
    expect(Buffer.from(seen[0]!.body, 'base64').toString()).toBe('{"KeyId":"k"}');
    const headers = Object.fromEntries(seen[0]!.headers);
    expect(headers).toMatchObject({
      'x-amz-target': 'TrentService.DescribeKey',
      authorization: 'AWS4-HMAC-SHA256 x',
      'user-agent': 'aws-cli/2.9.19',
    });
    // The tab's fetch sets Host (from its own URL) and Content-Length itself.
    expect(headers.host).toBeUndefined();
    expect(headers['content-length']).toBeUndefined();
  });

  it('answers 504 RequestTimeoutException when the tab does not answer in time', async () => {
    const port = await start({ timeoutMs: 150 });
    await tab(port, () => undefined);
    const r = await send(port, '/cloudtrail');
    expect(r.status).toBe(504);
    expect(json(r)).toMatchObject({ __type: 'RequestTimeoutException' });
  });

  it('fails a request cleanly (503) when its tab closes mid-request', async () => {
    const port = await start();
    const ws = await tab(port, () => (setTimeout(() => ws.close(), 20), undefined));
    const r = await send(port, '/kms');
    expect(r.status).toBe(503);
    expect(json(r).message).toMatch(/closed before it answered/);
    expect(relay!.tabs).toBe(0);
  });

  it("chooses the newest tab at the request's host; a tab at another host cannot answer a request signed for this one", async () => {
    const port = await start();
    await tab(port, () => ({ status: 200, headers: [], body: Buffer.from('old').toString('base64') }));
    await tab(port, () => ({ status: 200, headers: [], body: Buffer.from('new').toString('base64') }));
    expect((await send(port, '/kms')).body.toString()).toBe('new');
    const r = await send(port, '/kms', { host: `localhost:${port}` });
    expect(r.status).toBe(503);
    expect(json(r).message).toContain(`http://127.0.0.1:${port}`);
    await tab(port, () => ({ status: 200, headers: [], body: Buffer.from('localhost').toString('base64') }), {
      host: `localhost:${port}`,
    });
    expect((await send(port, '/kms', { host: `localhost:${port}` })).body.toString()).toBe('localhost');
  });
});

describe('npx pocket-kms-relay', () => {
  it('serves a built copy with its own _headers, and the relay beside it', async () => {
    const dist = mkdtempSync(join(tmpdir(), 'pocket-kms-dist-'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Pocket KMS</title>');
    writeFileSync(
      join(dist, '_headers'),
      "/*\n  Content-Security-Policy: default-src 'self'\n  X-Content-Type-Options: nosniff\n",
    );
    const app = await serveWithRelay({ dist, port: 0 });
    try {
      const page = await fetch(`${app.url}/#/settings`);
      expect(page.headers.get('content-security-policy')).toBe("default-src 'self'");
      expect(await page.text()).toContain('Pocket KMS');
      expect((await fetch(`${app.url}/../../etc/passwd`)).headers.get('content-type')).toMatch(/text\/html/);
      const kms = await fetch(`${app.url}/kms`, { method: 'POST', body: '{}' });
      expect(kms.status).toBe(503);
      expect(await kms.json()).toMatchObject({ __type: 'ServiceUnavailableException' });
    } finally {
      await app.close();
      rmSync(dist, { recursive: true, force: true });
    }
  });
});
