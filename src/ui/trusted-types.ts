// Trusted Types (CSP `require-trusted-types-for 'script'`): Svelte 5 brings its own policy for its
// templates; this 'default' policy admits only same-origin script URLs, which is what the KMS worker
// and the service worker registration pass as plain strings or URL objects, and DOMParser's input. Imported first by main.ts,
// and by kms-client.svelte.ts, which starts the worker as it loads: that module sits in a chunk shared
// with the lazily loaded pages, and such a chunk runs before the body of main.ts's own chunk.

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
  // The unmodified @aws-sdk/client-s3 parses S3's XML responses with DOMParser (ADR 0011). A document
  // DOMParser makes is inert (its scripts never run, nothing loads), so that one sink, and no other HTML
  // sink, is admitted.
  createHTML: (html, _type, sink) => (sink === 'DOMParser parseFromString' ? html : null),
});
