// Build identity for the About page and for anyone comparing a served copy with their own build:
// the Content-Security-Policy (one source for index.html's meta tag and the preview/static headers),
// a hash of the sources, and build-info.json listing the SHA-256 of every file of the build.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Plugin } from 'vite';

/** The policy of index.html's <meta> tag. Trusted Types: Svelte 5 creates the 'svelte-trusted-html'
 * policy for its templates; src/ui/trusted-types.ts creates 'default', which admits only same-origin
 * script URLs (the worker and the service worker). */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; " +
  "manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; require-trusted-types-for 'script'; trusted-types svelte-trusted-html default";
/** A <meta> policy cannot carry frame-ancestors; the server sends this one as a header. */
export const CSP_HEADER = `${CSP}; frame-ancestors 'none'`;

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** SHA-256 over `sha256sum`-style lines of the sources that make the build, sorted by path. */
export function sourceHash(root: string): string {
  const files = [
    ...walk(join(root, 'src')),
    ...walk(join(root, 'public')),
    ...[
      'index.html',
      'package.json',
      'package-lock.json',
      'vite.config.ts',
      'scripts/build-info.ts',
      'tsconfig.json',
      'tsconfig.worker.json',
      'tsconfig.base.json',
    ].map((f) => join(root, f)),
  ];
  const lines = files
    .map((f) => relative(root, f).split('\\').join('/'))
    .sort()
    .map((rel) => `${sha256(readFileSync(join(root, rel)))}  ${rel}\n`);
  return sha256(lines.join(''));
}

export interface BuildInfo {
  version: string;
  sourceHash: string;
  /** SHA-256 of `sha256sum`-style lines ("<hex>  <path>\n", sorted by path) of `files`. */
  buildHash: string;
  /** Every file of the build but sw.js (generated after this list, it lists their revisions itself) and this file. */
  files: Record<string, string>;
}

export function listingHash(files: Record<string, string>): string {
  return sha256(
    Object.keys(files)
      .sort()
      .map((p) => `${files[p]}  ${p}\n`)
      .join(''),
  );
}

/** Writes build-info.json once the bundle is on disk, before vite-plugin-pwa builds sw.js (closeBundle),
 * so the list is precached and the About page can read it offline. */
export function buildInfo(o: { version: string; sourceHash: string }): Plugin {
  let outDir = 'dist';
  return {
    name: 'pocket-kms:build-info',
    apply: 'build',
    enforce: 'post',
    configResolved(c) {
      outDir = resolve(c.root, c.build.outDir);
    },
    writeBundle() {
      const files: Record<string, string> = {};
      for (const f of walk(outDir)
        .map((p) => relative(outDir, p).split('\\').join('/'))
        .sort()) {
        if (f === 'build-info.json' || f === 'sw.js') continue;
        files[f] = sha256(readFileSync(join(outDir, f)));
      }
      const info: BuildInfo = { version: o.version, sourceHash: o.sourceHash, buildHash: listingHash(files), files };
      writeFileSync(join(outDir, 'build-info.json'), JSON.stringify(info, null, 2) + '\n');
    },
  };
}
