// Layering (STYLE.md): ui → (types of) worker → kms, format, store. The core and the format
// import nothing of the others' runtimes and touch no DOM. Read from the sources' import lines.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const src = join(root, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|svelte)$/.test(n) ? [p] : [];
  });
}

interface Import {
  from: string;
  spec: string;
  typeOnly: boolean;
}

function imports(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const out: Import[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
    out.push({ from: file, spec: m[3]!, typeOnly: Boolean(m[2]) });
  }
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm))
    out.push({ from: file, spec: m[1]!, typeOnly: false });
  // Dynamic imports (lazy pages, heavy code loaded on demand) cross layers as much as static ones.
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g))
    out.push({ from: file, spec: m[1]!, typeOnly: false });
  return out;
}

/** The layer a specifier lands in: a src/ top folder, or the package name. */
function target(i: Import): string {
  if (i.spec.startsWith('.')) {
    const abs = resolve(dirname(i.from), i.spec);
    const rel = relative(src, abs);
    return rel.startsWith('..') ? `outside:${rel}` : rel.split('/')[0]!.replace(/\.ts$/, '');
  }
  return i.spec.startsWith('@') ? i.spec.split('/').slice(0, 2).join('/') : i.spec.split('/')[0]!;
}

const layerOf = (file: string) => relative(src, file).split('/')[0]!.replace(/\.ts$/, '');

/** What each layer may import at run time (type-only imports are listed separately). */
const ALLOWED: Record<string, string[]> = {
  // The message format signs with ECDSA and hashes incrementally (WebCrypto has no streaming digest).
  format: ['format', '@noble/hashes', '@noble/curves'],
  // @noble: secp256k1, ML-DSA, ML-KEM, HMAC-SHA-224 and DIGEST signing, which WebCrypto lacks (ADR 0005).
  // @noble/ciphers: RFC 5649 AES key wrap with padding, for imported key material (RSA_AES_KEY_WRAP_*).
  kms: ['kms', 'format', '@noble/hashes', '@noble/curves', '@noble/post-quantum', '@noble/ciphers'],
  // The S3 core (ADR 0011): SSE-KMS through the KMS core; MD5 ETags (WebCrypto has no MD5).
  s3: ['s3', 'kms', 'format', '@noble/hashes'],
  store: ['store', 'kms', 'format', 'idb', 's3'],
  // The endpoints' protocol (AWS JSON 1.1, SigV4): the service worker serves it, and the KMS worker
  // runs what the service worker forwards for a keystore locked at rest (ADR 0009).
  // /s3 (ADR 0011): the S3 REST API over the S3 core; a streamed body's SHA-256 is checked incrementally.
  endpoint: ['endpoint', 'kms', 'format', 's3', '@noble/hashes'],
  worker: ['worker', 'kms', 'store', 'format', 'endpoint', 's3', 'comlink', 'labs'],
  sw: ['sw', 'kms', 'store', 'format', 'endpoint', 's3', 'workbox-precaching'],
  // The terminal (#/terminal): a shell, `aws` over the unmodified AWS SDK, `openssl`; no DOM, no core.
  terminal: [
    'terminal',
    'format',
    'endpoint',
    '@aws-sdk/client-kms',
    '@aws-sdk/client-sts',
    '@aws-sdk/client-iam',
    '@aws-sdk/client-s3',
    // aws cloudtrail lookup-events (the audit-forensics lab).
    '@aws-sdk/client-cloudtrail',
    'jmespath',
    'yaml',
    'just-bash',
    '@noble/hashes',
    '@noble/curves',
  ],
  // Guided labs (issue 14): the lab format and the check engine, which reads a world it is handed.
  labs: ['labs', 'yaml'],
  ui: ['ui', 'svelte', 'comlink', 'terminal', 'labs'],
  main: ['ui', 'svelte', 'virtual:pwa-register'],
};
// The UI types its requests with the AWS SDK's own shapes, and its messages to the service worker
// (streamed downloads) with the service worker's; type-only, so nothing of either is bundled.
const TYPE_ONLY_ALLOWED: Record<string, string[]> = { ui: ['worker', 'sw', 'endpoint', '@aws-sdk/client-kms'] };
/** The one runtime module both ends of the Comlink channel must share: how errors cross it. */
const SHARED = new Set([join(src, 'worker/error-transfer.ts')]);

/** The core's wings: folders of src/kms the rest of the core enters only through index.ts. */
const WINGS = ['audit', 'authz', 'material', 'iam', 'asymmetric', 'backup', 'import', 'demo'];
/** Which wing a file or import target is in, and whether it is the wing's door. */
function wingOf(path: string): { name: string; door: boolean } | undefined {
  const rel = relative(join(src, 'kms'), path).replace(/\.ts$/, '');
  const [name, ...rest] = rel.split('/');
  if (rel.startsWith('..') || !WINGS.includes(name!)) return undefined;
  return { name: name!, door: rest.length === 0 || (rest.length === 1 && rest[0] === 'index') };
}
/** src/format's pure codecs: bytes in, bytes out. */
const CODECS = [
  'header.ts',
  'body.ts',
  'byte-queue.ts',
  'bytes.ts',
  'der.ts',
  'encryption-context.ts',
  'suites.ts',
  'errors.ts',
  // The message inspector (issue 14): reads a Blob slice by slice, decrypts nothing.
  'inspect.ts',
  'inspect-body.ts',
  'inspect-fields.ts',
  'inspect-source.ts',
];

describe('architecture', () => {
  const all = files(src);

  it('finds the source tree', () => {
    expect(all.length).toBeGreaterThan(20);
  });

  it('keeps every layer to its allowed imports', () => {
    const bad: string[] = [];
    for (const f of all) {
      const layer = layerOf(f);
      const allowed = ALLOWED[layer];
      if (!allowed) {
        bad.push(`${relative(root, f)}: layer '${layer}' has no rule`);
        continue;
      }
      for (const i of imports(f)) {
        const t = target(i);
        if (t.endsWith('.css') || allowed.includes(t)) continue;
        if (i.typeOnly && TYPE_ONLY_ALLOWED[layer]?.includes(t)) continue;
        if (SHARED.has(resolve(dirname(f), i.spec) + '.ts')) continue;
        bad.push(`${relative(root, f)} imports '${i.spec}' (${t})`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('keeps the DOM out of the core, the format, the store, the S3 core and the terminal commands', () => {
    const bad = all
      // The terminal's commands run in the page and in Node alike (src/terminal/io.ts).
      .filter(
        (f) =>
          ['kms', 'format', 'store', 's3', 'labs'].includes(layerOf(f)) ||
          relative(src, f).startsWith('terminal/openssl/'),
      )
      // Comments may speak of a "policy document."; only code counts.
      .filter((f) =>
        /\b(document|window|localStorage)\s*[.[]/.test(
          readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''),
        ),
      )
      .map((f) => relative(root, f));
    expect(bad).toEqual([]);
  });

  it('keeps the store off the format and off the composition of the core (kms/kms.ts)', () => {
    const bad = all
      .filter((f) => layerOf(f) === 'store')
      .flatMap((f) =>
        imports(f)
          .filter((i) => target(i) === 'format' || resolve(dirname(f), i.spec) === join(src, 'kms/kms'))
          .map((i) => `${relative(root, f)} imports '${i.spec}'`),
      );
    expect(bad).toEqual([]);
  });

  it('enters a wing of the core only through its door (kms/<wing>/index.ts)', () => {
    const bad: string[] = [];
    for (const f of all) {
      for (const i of imports(f)) {
        if (!i.spec.startsWith('.')) continue;
        const inside = wingOf(resolve(dirname(f), i.spec));
        if (!inside || wingOf(f)?.name === inside.name || inside.door) continue;
        bad.push(`${relative(root, f)} imports '${i.spec}' (inside kms/${inside.name}/)`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('keeps the message codecs free of crypto and platform code (STYLE.md, as the AWS ESDK does)', () => {
    const bad = CODECS.flatMap((n) => {
      const code = readFileSync(join(src, 'format', n), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      const imported = imports(join(src, 'format', n))
        .filter((i) => !i.spec.startsWith('.'))
        .map((i) => i.spec);
      return [
        ...(/\b(crypto|self|navigator|indexedDB|fetch)\s*[.(]/.test(code) ? [`${n} uses the platform`] : []),
        ...imported.map((s) => `${n} imports ${s}`),
      ];
    });
    expect(bad).toEqual([]);
  });

  it('catches a violation (the checker itself works)', () => {
    expect(/\b(document|window|localStorage)\s*[.[]/.test('const t = document.title;')).toBe(true);
    const fake: Import = { from: join(src, 'kms/x.ts'), spec: '../store/idb-store', typeOnly: false };
    expect(ALLOWED.kms).not.toContain(target(fake));
    expect(wingOf(join(src, 'kms/audit/chain'))).toEqual({ name: 'audit', door: false });
    expect(wingOf(join(src, 'kms/audit'))).toEqual({ name: 'audit', door: true });
    expect(wingOf(join(src, 'kms/ops/keys.ts'))).toBeUndefined();
    const dynamic = join(src, 'ui/App.svelte');
    expect(imports(dynamic).length).toBeGreaterThan(0);
  });
});
