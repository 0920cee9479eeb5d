// A tiny hash router: #/keys, #/keys/<keyId>, #/crypto[?key=<id>], #/files, #/events[?key=<id>],
// #/identities, #/simulator[?key=<id>], #/buckets, #/terminal, #/labs[?lab=<base64url>], #/labs/<id>, #/inspect, #/visualise,
// #/key-stores, #/settings, #/about.
// Hashes that do not start with "#/" (an in-page anchor) leave the route as it is.

export type Route =
  | { name: 'keys' }
  | { name: 'key'; keyId: string }
  | { name: 'crypto'; keyId?: string }
  | { name: 'events'; keyId?: string }
  | { name: 'about' }
  | { name: 'settings' }
  | { name: 'files' }
  | { name: 'identities' }
  | { name: 'simulator'; keyId?: string }
  | { name: 'buckets' }
  | { name: 'terminal' }
  | { name: 'labs'; fragment?: string; kit?: string }
  | { name: 'lab'; labId: string }
  | { name: 'inspect' }
  | { name: 'visualise' }
  | { name: 'key-stores' }
  | { name: 'not-found'; path: string };

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [path = '', query = ''] = raw.split('?', 2);
  const key = new URLSearchParams(query).get('key') ?? undefined;
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts[0] === 'keys' && parts.length === 1)) return { name: 'keys' };
  if (parts[0] === 'keys' && parts.length === 2) return { name: 'key', keyId: parts[1]! };
  if (parts[0] === 'crypto' && parts.length === 1) return key ? { name: 'crypto', keyId: key } : { name: 'crypto' };
  if (parts[0] === 'files' && parts.length === 1) return { name: 'files' };
  if (parts[0] === 'events' && parts.length === 1) return key ? { name: 'events', keyId: key } : { name: 'events' };
  if (parts[0] === 'about' && parts.length === 1) return { name: 'about' };
  if (parts[0] === 'settings' && parts.length === 1) return { name: 'settings' };
  if (parts[0] === 'identities' && parts.length === 1) return { name: 'identities' };
  if (parts[0] === 'buckets' && parts.length === 1) return { name: 'buckets' };
  if (parts[0] === 'terminal' && parts.length === 1) return { name: 'terminal' };
  if (parts[0] === 'inspect' && parts.length === 1) return { name: 'inspect' };
  if (parts[0] === 'visualise' && parts.length === 1) return { name: 'visualise' };
  if (parts[0] === 'key-stores' && parts.length === 1) return { name: 'key-stores' };
  if (parts[0] === 'labs' && parts.length === 1) {
    const q = new URLSearchParams(query);
    const lab = q.get('lab');
    const kit = q.get('kit');
    return { name: 'labs', ...(lab ? { fragment: lab } : {}), ...(kit ? { kit } : {}) };
  }
  if (parts[0] === 'labs' && parts.length === 2) return { name: 'lab', labId: parts[1]! };
  if (parts[0] === 'simulator' && parts.length === 1)
    return key ? { name: 'simulator', keyId: key } : { name: 'simulator' };
  return { name: 'not-found', path };
}

export const href = {
  keys: () => '#/keys',
  key: (keyId: string) => `#/keys/${encodeURIComponent(keyId)}`,
  crypto: (keyId?: string) => (keyId ? `#/crypto?key=${encodeURIComponent(keyId)}` : '#/crypto'),
  events: (keyId?: string) => (keyId ? `#/events?key=${encodeURIComponent(keyId)}` : '#/events'),
  about: () => '#/about',
  settings: () => '#/settings',
  files: () => '#/files',
  identities: () => '#/identities',
  buckets: () => '#/buckets',
  terminal: () => '#/terminal',
  labs: () => '#/labs',
  lab: (labId: string) => `#/labs/${encodeURIComponent(labId)}`,
  inspect: () => '#/inspect',
  visualise: () => '#/visualise',
  keyStores: () => '#/key-stores',
  simulator: (keyId?: string) => (keyId ? `#/simulator?key=${encodeURIComponent(keyId)}` : '#/simulator'),
};

export class Router {
  route = $state<Route>(parseHash(location.hash.startsWith('#/') ? location.hash : ''));
  /** Counts navigations after the first load, so the shell can move focus to the new page. */
  navigations = $state(0);

  constructor() {
    addEventListener('hashchange', () => {
      if (!location.hash.startsWith('#/') && location.hash !== '') return;
      this.route = parseHash(location.hash);
      this.navigations++;
    });
  }

  /** Which top-level section a route belongs to (for aria-current in the navigation). */
  get section(): Exclude<Route['name'], 'key' | 'lab' | 'not-found'> | undefined {
    const n = this.route.name;
    return n === 'key' ? 'keys' : n === 'lab' ? 'labs' : n === 'not-found' ? undefined : n;
  }
}

export const router = new Router();
