// An observer in the KMS worker's own JavaScript realm (ADR 0012's unwrap claim): it wraps every SubtleCrypto
// method and the worker's messages both ways, and records each time a watched byte string (the key material
// the test knows) appears in what JavaScript hands to WebCrypto or gets back from it, or in a message, as
// bytes, hex, base64 or base64url, whole or by its first 16 bytes. A script of the origin that got into the
// worker could see no more than this. Serialized into worker.evaluate: it uses nothing from module scope.

export interface Sighting {
  needle: string;
  where: string;
}

export function installProbe(): void {
  const g = globalThis as any;
  if (g.__unwrapProbe) return;
  const needles: { hex: string; bytes: Uint8Array; texts: string[] }[] = [];
  const sightings: Sighting[] = [];
  const b64 = (u: Uint8Array) => btoa(String.fromCharCode(...u));
  const encodings = (u: Uint8Array) => {
    const hex = [...u].map((b) => b.toString(16).padStart(2, '0')).join('');
    const base64 = b64(u);
    const url = base64.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
    // A prefix of 15 bytes encodes to whole base64 characters whatever follows.
    const head = u.subarray(0, 15);
    const headB64 = b64(head);
    return [hex, base64, url, hex.slice(0, 32), headB64, headB64.replaceAll('+', '-').replaceAll('/', '_')];
  };
  const contains = (hay: Uint8Array, n: Uint8Array) => {
    const first = n[0];
    outer: for (let i = hay.indexOf(first!); i !== -1 && i + n.length <= hay.length; i = hay.indexOf(first!, i + 1)) {
      for (let j = 1; j < n.length; j++) if (hay[i + j] !== n[j]) continue outer;
      return true;
    }
    return false;
  };
  const scan = (v: unknown, where: string, depth = 0, seen = new Set<unknown>()): void => {
    if (depth > 8 || v === null || v === undefined || seen.has(v)) return;
    if (typeof v === 'string') {
      for (const n of needles) if (n.texts.some((t) => v.includes(t))) sightings.push({ needle: n.hex, where });
      return;
    }
    if (typeof v !== 'object') return;
    seen.add(v);
    if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
      const u = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      for (const n of needles)
        if (contains(u, n.bytes) || contains(u, n.bytes.subarray(0, 16))) sightings.push({ needle: n.hex, where });
      return;
    }
    if (v instanceof CryptoKey) return;
    for (const x of Object.values(v as object)) scan(x, where, depth + 1, seen);
  };
  const proto = SubtleCrypto.prototype as any;
  for (const name of [
    'encrypt',
    'decrypt',
    'sign',
    'verify',
    'digest',
    'generateKey',
    'deriveKey',
    'deriveBits',
    'importKey',
    'exportKey',
    'wrapKey',
    'unwrapKey',
  ]) {
    const original = proto[name];
    proto[name] = function (this: SubtleCrypto, ...args: unknown[]) {
      scan(args, `subtle.${name} argument`);
      const out = original.apply(this, args) as Promise<unknown>;
      return out.then((r) => (scan(r, `subtle.${name} result`), r));
    };
  }
  const post = g.postMessage.bind(g);
  g.postMessage = (message: unknown, ...rest: unknown[]) => (
    scan(message, 'message from the worker'),
    post(message, ...rest)
  );
  g.addEventListener('message', (e: MessageEvent) => scan(e.data, 'message to the worker'), { capture: true });
  g.__unwrapProbe = {
    watch(hex: string) {
      const bytes = new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
      needles.push({ hex, bytes, texts: encodings(bytes) });
    },
    sightings: (hex: string) => sightings.filter((s) => s.needle === hex).map((s) => s.where),
  };
}

/** Every byte string and string in every IndexedDB record of the origin that holds `hex`'s bytes. */
export async function scanIndexedDb(hex: string): Promise<string[]> {
  const needle = new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
  const found: string[] = [];
  const req = <T>(r: IDBRequest<T>) =>
    new Promise<T>((ok, fail) => ((r.onsuccess = () => ok(r.result)), (r.onerror = () => fail(r.error))));
  const has = (hay: Uint8Array) => {
    for (let i = 0; i + needle.length <= hay.length; i++) {
      let j = 0;
      while (j < needle.length && hay[i + j] === needle[j]) j++;
      if (j === needle.length) return true;
    }
    return false;
  };
  const walk = (v: unknown, where: string, depth = 0): void => {
    if (depth > 12 || v === null || typeof v !== 'object') {
      if (typeof v === 'string' && v.includes(hex)) found.push(where);
      return;
    }
    if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
      const u = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      if (has(u)) found.push(where);
      return;
    }
    for (const x of Object.values(v as object)) walk(x, where, depth + 1);
  };
  for (const { name } of await indexedDB.databases()) {
    if (!name) continue;
    const db = await req(indexedDB.open(name));
    for (const store of [...db.objectStoreNames])
      for (const value of await req(db.transaction(store).objectStore(store).getAll())) walk(value, `${name}/${store}`);
    db.close();
  }
  return found;
}
