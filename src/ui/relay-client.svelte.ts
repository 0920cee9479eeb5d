// The console's end of the local relay (issue 18, relay/relay.js): while the person allows it, this tab
// holds a same-origin WebSocket to the server and answers each request an AWS tool sent there by
// fetching the same path on this origin, so the service worker serves it exactly as a page fetch.

// Frames are JSON with base64 bodies (the console layer does not import format/bytes).
const fromBase64 = (b: string) => Uint8Array.from(atob(b), (c) => c.charCodeAt(0));
function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

const RELAY_PATH = '/__pocket-kms-relay';
const ALLOWED = 'pocket-kms-relay-allowed:';

interface RelayedRequest {
  id: string;
  method: string;
  path: string;
  headers: [string, string][];
  body: string;
}

/** The relay switch, remembered per keystore (its account), off by default. */
export class RelayClient {
  allowed = $state(false);
  /** connecting → connected; 'unavailable' when the server has no relay (a static host). */
  status = $state<'off' | 'connecting' | 'connected' | 'unavailable'>('off');
  relayed = $state(0);
  private socket: WebSocket | undefined;
  private account: string | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;

  /** Reads the switch of `account`'s keystore and connects if it is on. */
  useKeystore(account: string): void {
    if (account === this.account) return;
    this.account = account;
    let on = false;
    try {
      on = localStorage.getItem(ALLOWED + account) === 'on';
    } catch {
      // Storage blocked: the switch starts off.
    }
    this.set(on, false);
  }

  /** Turns the relay on or off for this keystore. */
  set(on: boolean, remember = true): void {
    this.allowed = on;
    if (remember && this.account) {
      try {
        if (on) localStorage.setItem(ALLOWED + this.account, 'on');
        else localStorage.removeItem(ALLOWED + this.account);
      } catch {
        // Not remembered: the switch holds for this page only.
      }
    }
    if (on) this.connect();
    else this.disconnect();
  }

  private connect(): void {
    if (this.socket) return;
    clearTimeout(this.retry);
    this.status = 'connecting';
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${RELAY_PATH}`);
    this.socket = socket;
    let opened = false;
    socket.onopen = () => ((opened = true), (this.status = 'connected'));
    socket.onmessage = (e: MessageEvent<string>) => void this.answer(socket, JSON.parse(e.data) as RelayedRequest);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (!this.allowed) return;
      // A server without the relay (a static host) refuses at once; a restarted `npm start` comes back.
      this.status = opened ? 'connecting' : 'unavailable';
      this.retry = setTimeout(() => this.connect(), opened ? 1000 : 5000);
    };
  }

  private disconnect(): void {
    clearTimeout(this.retry);
    const socket = this.socket;
    this.socket = undefined;
    socket?.close();
    this.status = 'off';
  }

  private async answer(socket: WebSocket, r: RelayedRequest): Promise<void> {
    const headers = new Headers();
    for (const [k, v] of r.headers) {
      // A page cannot set User-Agent: the tool's goes in the header the endpoint reads next after
      // x-amz-user-agent for the audit record (endpoint/wire.ts). SigV4 never signs User-Agent.
      if (k === 'user-agent') headers.set('x-pocket-kms-user-agent', v);
      else headers.append(k, v);
    }
    let reply: { status: number; headers: [string, string][]; body: string };
    try {
      const hasBody = r.method !== 'GET' && r.method !== 'HEAD';
      const res = await fetch(new URL(r.path, location.origin), {
        method: r.method,
        headers,
        body: hasBody ? fromBase64(r.body) : null,
        credentials: 'omit',
        cache: 'no-store',
      });
      const body = new Uint8Array(await res.arrayBuffer());
      reply = { status: res.status, headers: [...res.headers], body: toBase64(body) };
    } catch (e) {
      const message = `The Pocket KMS tab could not pass the request on: ${(e as Error).message}`;
      const body = JSON.stringify({ __type: 'ServiceUnavailableException', message });
      reply = { status: 503, headers: [['x-amzn-errortype', 'ServiceUnavailableException']], body: btoa(body) };
    }
    this.relayed++;
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ id: r.id, ...reply }));
  }
}

export const relayClient = new RelayClient();
