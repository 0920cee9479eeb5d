// Trusted Types (CSP `require-trusted-types-for 'script'`): Svelte 5 brings its own policy for its
// templates; this 'default' policy admits only same-origin script URLs, which is what the KMS worker
// and the service worker registration pass as plain strings or URL objects. Imported first by main.ts,
// and by kms-client.svelte.ts, which starts the worker as it loads: that module sits in a chunk shared
// with the lazily loaded pages, and such a chunk runs before the body of main.ts's own chunk.

// It also admits input to DOMParser.parseFromString, and no other HTML sink: the unmodified S3 client
// parses S3's XML with it (ADR 0011), and the terminal's shell library bundles turndown, which probes
// `new DOMParser().parseFromString('', 'text/html')` when it loads (ADR 0010).

interface TrustedTypesLike {
  createPolicy(
    name: string,
    rules: {
      createScriptURL?: (url: string) => string | null;
      createHTML?: (html: string, type: string, sink: string) => string | null;
    },
  ): unknown;
}

const tt = (globalThis as { trustedTypes?: TrustedTypesLike }).trustedTypes;
tt?.createPolicy('default', {
  createScriptURL: (url) => (new URL(url, location.href).origin === location.origin ? url : null),
  // A document DOMParser makes is inert (its scripts never run, nothing loads).
  createHTML: (html, _type, sink) => (sink === 'DOMParser parseFromString' ? html : null),
});
