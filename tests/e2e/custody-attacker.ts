// What an attacker's script in the app's origin finds (ADR 0009), run in the page: every IndexedDB
// database, store and record, every stored CryptoKey and byte string, and every way the source code
// says a stored key could turn those bytes into something usable (AES-KW unwrap of a material version
// as an extractable key, AES-GCM decryption of a sealed private key, HMAC signing as an access key).
// Serialized into page.evaluate, so it uses nothing from the test's module scope.

export interface Loot {
  databases: string[];
  records: number;
  cryptoKeys: number;
  byteStrings: number;
  /** What the script could export or use: "<what>: <how>". */
  usable: string[];
}

export async function attack(): Promise<Loot> {
  const loot: Loot = { databases: [], records: 0, cryptoKeys: 0, byteStrings: 0, usable: [] };
  const keys: CryptoKey[] = [];
  const strings: { bytes: Uint8Array<ArrayBuffer>; iv?: Uint8Array<ArrayBuffer>; aad?: Uint8Array<ArrayBuffer> }[] = [];
  const enc = new TextEncoder();
  const req = <T>(r: IDBRequest<T>) =>
    new Promise<T>((ok, fail) => ((r.onsuccess = () => ok(r.result)), (r.onerror = () => fail(r.error))));
  const collect = (v: unknown, record: Record<string, unknown>, depth = 0) => {
    if (depth > 12 || v === null || typeof v !== 'object') return;
    if (v instanceof CryptoKey) return void keys.push(v);
    if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
      const bytes = (
        v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice()
      ) as Uint8Array<ArrayBuffer>;
      const iv = record.iv instanceof Uint8Array ? (record.iv.slice() as Uint8Array<ArrayBuffer>) : undefined;
      // The source code says which additional data seals each kind of secret.
      const aads = [
        typeof record.keyId === 'string'
          ? enc.encode(`pocket-kms:material:v1:${record.keyId}:${record.version}`)
          : undefined,
        typeof record.accessKeyId === 'string'
          ? enc.encode(`pocket-kms:access-key:v1:${record.accessKeyId}`)
          : undefined,
        enc.encode('pocket-kms:audit-signing-key:v1'),
      ];
      for (const aad of aads) strings.push({ bytes, ...(iv ? { iv } : {}), ...(aad ? { aad } : {}) });
      return;
    }
    for (const x of Object.values(v as object)) collect(x, v as Record<string, unknown>, depth + 1);
  };
  for (const { name } of await indexedDB.databases()) {
    if (!name) continue;
    loot.databases.push(name);
    const db = await req(indexedDB.open(name));
    for (const storeName of [...db.objectStoreNames]) {
      const store = db.transaction(storeName).objectStore(storeName);
      for (const value of await req(store.getAll())) {
        loot.records++;
        collect(value, (value ?? {}) as Record<string, unknown>);
      }
    }
    db.close();
  }
  loot.cryptoKeys = keys.length;
  loot.byteStrings = strings.length;
  const tries: [string, () => Promise<string>][] = [];
  for (const k of keys) {
    const alg = k.algorithm.name;
    if (k.extractable)
      tries.push([
        `an extractable ${alg} key`,
        async () =>
          `${(await crypto.subtle.exportKey('raw', k).catch(() => crypto.subtle.exportKey('pkcs8', k))).byteLength} bytes exported`,
      ]);
    if (k.usages.includes('sign') && alg === 'HMAC')
      tries.push([
        'a stored HMAC key',
        async () =>
          `signs a SigV4 string: ${(await crypto.subtle.sign('HMAC', k, enc.encode('20261207'))).byteLength} bytes`,
      ]);
    if (k.usages.includes('sign') && alg === 'ECDSA')
      tries.push([
        'a stored ECDSA key',
        async () =>
          `signs anything: ${(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, k, enc.encode('forged digest'))).byteLength} bytes`,
      ]);
    for (const s of strings) {
      if (alg === 'AES-KW' && k.usages.includes('unwrapKey') && s.bytes.length % 8 === 0 && s.bytes.length >= 24)
        tries.push([
          `AES-KW unwrap of ${s.bytes.length} bytes`,
          async () => {
            const t = await crypto.subtle.unwrapKey('raw', s.bytes, k, 'AES-KW', 'AES-GCM', true, ['encrypt']);
            return `${(await crypto.subtle.exportKey('raw', t)).byteLength} raw key bytes exported`;
          },
        ]);
      if (alg === 'AES-GCM' && k.usages.includes('decrypt') && s.bytes.length > 16) {
        const ivs = [s.iv, s.bytes.slice(0, 12)].filter(Boolean) as Uint8Array<ArrayBuffer>[];
        for (const iv of ivs)
          tries.push([
            `AES-GCM decryption of ${s.bytes.length} bytes`,
            async () => {
              const body = iv === s.iv ? s.bytes : s.bytes.slice(12);
              const out = await crypto.subtle.decrypt(
                { name: 'AES-GCM', iv, ...(s.aad ? { additionalData: s.aad } : {}) },
                k,
                body,
              );
              return `${out.byteLength} secret bytes decrypted`;
            },
          ]);
      }
    }
  }
  for (const [what, how] of tries) {
    const got = await how().catch(() => undefined);
    if (got) loot.usable.push(`${what}: ${got}`);
  }
  return loot;
}
