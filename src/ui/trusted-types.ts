// Trusted Types (CSP `require-trusted-types-for 'script'`): Svelte 5 brings its own policy for its
// templates; this 'default' policy admits only same-origin script URLs, which is what the KMS worker
// and the service worker registration pass as plain strings or URL objects. Imported first by main.ts.

interface TrustedTypesLike {
  createPolicy(name: string, rules: { createScriptURL?: (url: string) => string | null }): unknown;
}

const tt = (globalThis as { trustedTypes?: TrustedTypesLike }).trustedTypes;
tt?.createPolicy('default', {
  createScriptURL: (url) => (new URL(url, location.href).origin === location.origin ? url : null),
});
